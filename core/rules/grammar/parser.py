"""A recursive-descent parser for the controlled rule language (zh and en) into a condition tree and actions.

    rule       := [WHEN] or_expr THEN action (SEP action)*
    or_expr    := and_expr (OR and_expr)*
    and_expr   := unary (AND unary)*
    unary      := "(" or_expr ")" | ALWAYS | comparison | NOT unary
    comparison := FIELD [OPERATOR value | "between"-form]      (a bare boolean field means "is true")

Every error carries the character position; an unknown name gets close matches from the catalog.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from core.rules.actions import normalize_action
from core.rules.catalog import ROLE_CHOICES, FieldSpec, FieldType, catalog
from core.rules.conditions import OPERATORS_BY_TYPE, canonical_number, normalize_tree
from core.rules.exceptions import RuleErrorCode, RuleParseError, RuleValidationError
from core.rules.grammar import lexicon as lx


@dataclass
class ParsedRule:
    condition: dict[str, Any]
    actions: list[dict[str, Any]] = field(default_factory=list)
    language: str = "zh"


def detect_language(text: str) -> str:
    return "zh" if any(lx.is_cjk(ch) for ch in text) else "en"


def parse_rule(text: str, language: str = "auto") -> ParsedRule:
    """Compile rule text into a canonical (type-checked) condition tree and action list."""
    language = detect_language(text) if language in ("auto", "") else language[:2]
    try:
        tokens = lx.tokenize(text)
    except lx.LexError as error:
        raise RuleParseError(str(error), text=text, position=error.position) from None
    return _Parser(text, tokens, language).rule()


class _Parser:
    def __init__(self, text: str, tokens: list[lx.Token], language: str) -> None:
        self.text, self.tokens, self.lang, self.pos = text, tokens, language, 0

    # --- helpers ---------------------------------------------------------------------------------------
    @property
    def tok(self) -> lx.Token:
        return self.tokens[self.pos]

    def error(self, message: str, token: lx.Token | None = None, **kwargs: Any) -> RuleParseError:
        token = token or self.tok
        return RuleParseError(message, text=self.text, position=token.start, **kwargs)

    def keyword(self, name: str) -> bool:
        hit = lx.keyword_table(self.lang, name).match(self.tokens, self.pos)
        if hit is None:
            return False
        self.pos += hit[1]
        return True

    def symbol(self, *symbols: str) -> bool:
        if self.tok.kind == lx.SYM and self.tok.norm in symbols:
            self.pos += 1
            return True
        return False

    def expect_keyword(self, name: str, label: str) -> None:
        if not self.keyword(name):
            raise self.error(f"expected {label}", expected=lx.KEYWORDS[self.lang][name][:3])

    def expect_string(self, what: str) -> str:
        if self.tok.kind != lx.STRING:
            raise self.error(f"expected quoted text for {what}", expected=['"…"'])
        self.pos += 1
        return self.tokens[self.pos - 1].value

    def _span_text(self, stop_tables: list[lx.PhraseTable]) -> tuple[str, lx.Token]:
        """The run of words/characters from here up to the next operator or keyword, for suggestions."""
        start, end = self.pos, self.pos
        while self.tokens[end].kind in (lx.WORD, lx.CJK) and not any(t.match(self.tokens, end) for t in stop_tables):
            end += 1
        end = max(end, start + 1) if self.tokens[start].kind != lx.EOF else start
        first, last = self.tokens[start], self.tokens[max(start, end - 1)]
        return self.text[first.start : last.end], first

    # --- conditions --------------------------------------------------------------------------------------
    def rule(self) -> ParsedRule:
        self.keyword("when")
        condition = self.or_expr()
        if not self.keyword("then"):
            raise self.error("expected the end of the condition", expected=[*lx.KEYWORDS[self.lang]["then"][:2]])
        self.symbol(",", ":")
        actions = [self.checked_action(0)]
        while self.tok.kind != lx.EOF:
            if not self.keyword("sep"):
                raise self.error("expected another action or the end of the rule", expected=lx.KEYWORDS[self.lang]["sep"][:3])
            actions.append(self.checked_action(len(actions)))
        try:
            return ParsedRule(normalize_tree(condition), actions, self.lang)
        except RuleValidationError as error:  # the parser checks types as it goes; this is a last guard
            raise RuleParseError(str(error), text=self.text, position=0, code=RuleErrorCode(error.code)) from None

    def or_expr(self) -> dict[str, Any]:
        parts = [self.and_expr()]
        while self.keyword("or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else {"any": parts}

    def and_expr(self) -> dict[str, Any]:
        parts = [self.unary()]
        while self.keyword("and"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else {"all": parts}

    def unary(self) -> dict[str, Any]:
        if self.symbol("("):
            inner = self.or_expr()
            if not self.symbol(")"):
                raise self.error("expected a closing parenthesis", expected=[")"])
            return inner
        if self.keyword("always"):
            return {"all": []}
        hit = lx.field_table(self.lang).match(self.tokens, self.pos)
        if hit is not None:
            self.pos += hit[1]
            return self.comparison(catalog.fields[str(hit[0])], self.tokens[self.pos - hit[1]])
        if self.keyword("not"):
            return {"not": self.unary()}
        raise self.unknown_field()

    def unknown_field(self) -> RuleParseError:
        if self.tok.kind == lx.EOF:
            return self.error("expected a condition", expected=["…"])
        span, first = self._span_text([lx.operator_table(self.lang), lx.keyword_table(self.lang, "then")])
        names = lx.field_names(self.lang)
        suggestions = list(dict.fromkeys(difflib.get_close_matches(span, names, n=3, cutoff=0.4)))
        return self.error(f"unknown field '{span}'", first, suggestions=suggestions, code=RuleErrorCode.UNKNOWN_FIELD)

    def comparison(self, spec: FieldSpec, field_token: lx.Token) -> dict[str, Any]:
        op_token = self.tok
        hit = lx.operator_table(self.lang).match(self.tokens, self.pos)
        if hit is None:
            if spec.type is FieldType.BOOLEAN:
                return {"field": spec.path, "op": "eq", "value": True}
            raise self.error(
                f"expected a comparison after '{spec.label(self.lang)}'",
                expected=[lx.CANONICAL_OPERATORS[self.lang][op] for op in OPERATORS_BY_TYPE[spec.type]],
            )
        op = str(hit[0])
        if op not in OPERATORS_BY_TYPE[spec.type]:
            raise self.error(
                f"'{spec.label(self.lang)}' is a {spec.type.value} field: "
                f"'{self.text[op_token.start : self.tokens[self.pos + hit[1] - 1].end]}' "
                "does not apply",
                op_token,
                code=RuleErrorCode.INVALID_OPERATOR,
                expected=[lx.CANONICAL_OPERATORS[self.lang][op] for op in OPERATORS_BY_TYPE[spec.type]],
            )
        self.pos += hit[1]
        if op == "between":
            low = self.value(spec)
            self.expect_keyword("between_and", "the second bound")
            high = self.value(spec)
            self.keyword("between_end")
            return {"field": spec.path, "op": op, "value": [low, high]}
        if op in ("in", "not_in"):
            return {"field": spec.path, "op": op, "value": self.value_list(spec)}
        return {"field": spec.path, "op": op, "value": self.value(spec)}

    def value_list(self, spec: FieldSpec) -> list[Any]:
        if not self.symbol("(", "["):
            raise self.error("expected a list in parentheses", expected=["(…)"])
        values = [self.value(spec)]
        while self.symbol(",", "、", ";"):
            values.append(self.value(spec))
        if not self.symbol(")", "]"):
            raise self.error("expected a closing parenthesis", expected=[")"])
        return values

    def value(self, spec: FieldSpec) -> Any:
        token = self.tok
        kind = spec.type
        if kind is FieldType.NUMBER:
            return self.number(spec)
        if kind is FieldType.BOOLEAN:
            if self.keyword("true"):
                return True
            if self.keyword("false"):
                return False
            words = lx.KEYWORDS[self.lang]
            raise self.error("expected true or false", expected=[words["true"][0], words["false"][0]])
        if kind is FieldType.DATE:
            if token.kind in (lx.DATE, lx.STRING):
                self.pos += 1
                return token.value
            raise self.error("expected a date such as 2026-01-31", code=RuleErrorCode.INVALID_VALUE)
        if kind is FieldType.ENUM:
            if token.kind == lx.STRING:
                self.pos += 1
                if spec.choice(token.value) is not None:
                    return token.value
                inner = lx.tokenize(token.value)
                hit = lx.enum_table(spec).match(inner, 0)
                if hit is not None and hit[1] == len(inner) - 1:
                    return hit[0]
                return self.unknown_choice(spec, token, token.value)
            hit = lx.enum_table(spec).match(self.tokens, self.pos)
            if hit is not None:
                self.pos += hit[1]
                return hit[0]
            span, first = self._span_text([lx.keyword_table(self.lang, k) for k in ("and", "or", "then", "sep")])
            return self.unknown_choice(spec, first, span)
        return self.expect_string(spec.label(self.lang))

    def unknown_choice(self, spec: FieldSpec, token: lx.Token, text: str) -> Any:
        names = [choice.label(self.lang) for choice in spec.choices] + [choice.value for choice in spec.choices]
        raise self.error(
            f"'{text}' is not a value of '{spec.label(self.lang)}'",
            token,
            code=RuleErrorCode.INVALID_VALUE,
            suggestions=list(dict.fromkeys(difflib.get_close_matches(text, names, n=4, cutoff=0.3)))[:3]
            or [c.label(self.lang) for c in spec.choices][:3],
        )

    def number(self, spec: FieldSpec | None = None) -> int | str:
        sign = "-" if self.symbol("-") else ""
        if not sign:
            self.symbol("+")
        if self.tok.kind != lx.NUMBER:
            what = f"'{spec.label(self.lang)}' is a number field: " if spec else ""
            raise self.error(f"{what}expected a number", code=RuleErrorCode.INVALID_VALUE)
        digits = self.tok.value
        self.pos += 1
        if spec is not None:
            self.symbol("%")
        return canonical_number(sign + digits)

    # --- actions -----------------------------------------------------------------------------------------
    def checked_action(self, index: int) -> dict[str, Any]:
        start = self.tok
        action = self.action()
        try:
            return normalize_action(action, index)
        except RuleValidationError as error:
            raise self.error(error.args[0], start, code=RuleErrorCode(error.code)) from None

    def action(self) -> dict[str, Any]:
        start = self.tok
        if self.keyword("set"):
            hit = lx.field_table(self.lang).match(self.tokens, self.pos)
            if hit is None:
                raise self.unknown_field()
            spec = catalog.fields[str(hit[0])]
            self.pos += hit[1]
            if not spec.settable:
                raise self.error(f"'{spec.label(self.lang)}' cannot be set by a rule", start, code=RuleErrorCode.INVALID_ACTION)
            self.expect_keyword("set_to", "'to'")
            return {"type": "set_field", "field": spec.path, "value": self.value(spec)}
        if self.keyword("add_tag"):
            return {"type": "add_tag", "tag": self.expect_string("the tag")}
        if self.keyword("approval_start"):
            role = self.role()
            self.keyword("approval_end")
            reason = self.expect_string("the reason") if self.keyword("because") else ""
            return {"type": "require_approval", "role": role, "reason": reason}
        if self.keyword("notify"):
            target = {"channel": self.expect_string("the channel")} if self.keyword("channel") else {"role": self.role()}
            self.expect_keyword("because", "':' and the message")
            return {"type": "notify", **target, "message": self.expect_string("the message")}
        if self.keyword("block"):
            return {"type": "block", "reason": self.expect_string("the reason") if self.keyword("because") else ""}
        if self.keyword("adjust_start"):
            category = self.expect_string("the category")
            self.expect_keyword("adjust_mid", "the adjustment")
            percent = self.number()
            if not self.symbol("%"):
                raise self.error("expected '%'", expected=["%"])
            self.expect_keyword("adjust_for", "the duration")
            days = self.number()
            self.expect_keyword("adjust_days", "'days'")
            return {"type": "adjust_safety_stock", "category": category, "percent": percent, "days": days}
        if self.keyword("webhook"):
            return {"type": "call_webhook", "url": self.expect_string("the address")}
        if self.keyword("create"):
            kind = self.expect_string("the document kind")
            return {"type": "create_document", "kind": kind, "params": self.params()}
        raise self.error("expected an action", expected=self.action_words(), code=RuleErrorCode.UNKNOWN_ACTION)

    def action_words(self) -> list[str]:
        names = ("set", "add_tag", "approval_start", "notify", "block", "adjust_start", "create", "webhook")
        return [lx.KEYWORDS[self.lang][name][0] for name in names]

    def role(self) -> str:
        hit = lx.role_table(self.lang).match(self.tokens, self.pos)
        if hit is None:
            raise self.error("expected a role", expected=[choice.label(self.lang) for choice in ROLE_CHOICES])
        self.pos += hit[1]
        return str(hit[0])

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if not self.symbol("("):
            return params
        while not self.symbol(")"):
            if params and not self.symbol(","):
                raise self.error("expected ',' or ')'", expected=[",", ")"])
            if self.tok.kind != lx.WORD:
                raise self.error("expected a parameter name", expected=["name=value"])
            name = self.tok.value
            self.pos += 1
            if not self.symbol("=", ":"):
                raise self.error("expected '='", expected=["="])
            if self.tok.kind == lx.STRING:
                params[name] = self.expect_string(name)
            elif self.keyword("true"):
                params[name] = True
            elif self.keyword("false"):
                params[name] = False
            else:
                number = self.number()
                if not isinstance(number, int):
                    raise self.error("expected a whole number", code=RuleErrorCode.INVALID_VALUE)
                params[name] = number
        return params
