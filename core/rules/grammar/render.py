"""Render a canonical condition tree and actions back to the controlled language; the output parses to the same tree."""

from __future__ import annotations

from typing import Any

from core.rules.catalog import ROLE_CHOICES, FieldSpec, FieldType, catalog
from core.rules.grammar.lexicon import CANONICAL_OPERATORS, KEYWORDS


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(condition: dict[str, Any], actions: list[dict[str, Any]], language: str = "zh") -> str:
    language = "en" if language.startswith("en") else "zh"
    cond = render_condition(condition, language)
    acts = [render_action(action, language) for action in actions]
    if language == "zh":
        return f"当{cond}时，{'并'.join(acts)}"
    return f"When {cond} then {' and '.join(acts)}"


def render_condition(tree: dict[str, Any], language: str, nested: bool = False) -> str:
    kw = KEYWORDS[language]
    if "all" in tree or "any" in tree:
        key = "all" if "all" in tree else "any"
        children = tree[key]
        if not children:
            return kw["always"][0]
        joiner = kw["and" if key == "all" else "or"][0]
        joiner = joiner if language == "zh" else f" {joiner} "
        text = joiner.join(render_condition(child, language, nested=True) for child in children)
        return f"({text})" if nested else text
    if "not" in tree:
        inner = render_condition(tree["not"], language)
        return f"{kw['not'][0]}({inner})" if language == "zh" else f"not ({inner})"
    return render_leaf(tree, language)


def render_leaf(leaf: dict[str, Any], language: str) -> str:
    spec = catalog.fields[leaf["field"]]
    op, value = leaf["op"], leaf["value"]
    sep = "" if language == "zh" else " "
    label = spec.label(language)
    word = CANONICAL_OPERATORS[language][op]
    if op == "between":
        low, high = (render_value(spec, v, language) for v in value)
        if language == "zh":
            return f"{label}在{low}和{high}之间"
        return f"{label} between {low} and {high}"
    if op in ("in", "not_in"):
        items = ("、" if language == "zh" else ", ").join(render_value(spec, v, language) for v in value)
        return f"{label}{sep}{word}{sep}({items})"
    return f"{label}{sep}{word}{sep}{render_value(spec, value, language)}"


def render_value(spec: FieldSpec, value: Any, language: str) -> str:
    if spec.type is FieldType.BOOLEAN:
        return KEYWORDS[language]["true" if value else "false"][0]
    if spec.type in (FieldType.NUMBER, FieldType.DATE):
        return str(value)
    if spec.type is FieldType.ENUM:
        choice = spec.choice(value)
        return choice.label(language) if choice is not None else quote(str(value))
    return quote(str(value))


def _role(value: str, language: str) -> str:
    return next((c.label(language) for c in ROLE_CHOICES if c.value == value), value)


def render_action(action: dict[str, Any], language: str) -> str:
    zh = language == "zh"
    kind = action["type"]
    if kind == "set_field":
        spec = catalog.fields[action["field"]]
        value = render_value(spec, action["value"], language)
        return f"设置{spec.label(language)}为{value}" if zh else f"set {spec.label(language)} to {value}"
    if kind == "add_tag":
        return f"添加标签{quote(action['tag'])}" if zh else f"add tag {quote(action['tag'])}"
    if kind == "require_approval":
        role = _role(action["role"], language)
        text = f"需要{role}审批" if zh else f"require approval from {role}"
        if action.get("reason"):
            text += f"：{quote(action['reason'])}" if zh else f" because {quote(action['reason'])}"
        return text
    if kind == "notify":
        if "channel" in action:
            target = f"频道{quote(action['channel'])}" if zh else f"channel {quote(action['channel'])}"
        else:
            target = _role(action["role"], language)
        return f"通知{target}：{quote(action['message'])}" if zh else f"notify {target}: {quote(action['message'])}"
    if kind == "block":
        if not action.get("reason"):
            return "阻止" if zh else "block"
        return f"阻止：{quote(action['reason'])}" if zh else f"block because {quote(action['reason'])}"
    if kind == "adjust_safety_stock":
        category, percent, days = quote(action["category"]), action["percent"], action["days"]
        if zh:
            return f"调整类别{category}的安全库存{percent}%持续{days}天"
        return f"adjust safety stock for category {category} by {percent}% for {days} days"
    if kind == "create_document":
        params = ", ".join(f"{key}={_param(value, language)}" for key, value in action.get("params", {}).items())
        head = f"创建单据{quote(action['kind'])}" if zh else f"create document {quote(action['kind'])}"
        return f"{head}({params})" if params else head
    return f"调用网络钩子{quote(action['url'])}" if zh else f"call webhook {quote(action['url'])}"


def _param(value: Any, language: str) -> str:
    if isinstance(value, bool):
        return KEYWORDS[language]["true" if value else "false"][0]
    if isinstance(value, int):
        return str(value)
    return quote(str(value))
