"""The controlled plain-language rule grammar (zh/en): `parse_rule(text, language)` and `render(tree, actions, language)`."""

from core.rules.grammar.parser import ParsedRule, detect_language, parse_rule
from core.rules.grammar.render import render, render_action, render_condition

__all__ = ["ParsedRule", "detect_language", "parse_rule", "render", "render_action", "render_condition"]
