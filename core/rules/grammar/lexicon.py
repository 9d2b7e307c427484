"""The rule grammar's tokenizer and phrase tables (keywords, field names, enum labels) for zh and en.

Chinese has no spaces, so every CJK character is its own token and a phrase (客户等级, 大于等于) is a token
sequence matched longest-first; English phrases (customer tier, is not in) are word sequences. The parser asks
for a phrase class only where it may appear, so 不 (not) and 不等于 (ne) never compete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.rules.catalog import ROLE_CHOICES, FieldSpec, catalog

WORD, CJK, NUMBER, DATE, STRING, SYM, EOF = "WORD", "CJK", "NUMBER", "DATE", "STRING", "SYM", "EOF"


@dataclass(frozen=True)
class Token:
    kind: str
    norm: str  # what phrase matching compares: lower-cased word, the character, the canonical symbol
    start: int
    end: int
    value: str = ""  # a string literal's unescaped text, a number's digits


_SYMBOLS = {
    ">=": ">=",
    "<=": "<=",
    "!=": "!=",
    "==": "=",
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "（": "(",
    "）": ")",
    "，": ",",
    "：": ":",
    "；": ";",
    "【": "[",
    "】": "]",
    "＝": "=",
    "＞": ">",
    "＜": "<",
    "％": "%",
}
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


class LexError(Exception):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace() or ch == "\u3000":
            i += 1
        elif ch in _QUOTES:
            closing, j, chars = _QUOTES[ch], i + 1, []
            while j < n and text[j] != closing:
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                chars.append(text[j])
                j += 1
            if j >= n:
                raise LexError("unterminated quoted text", i)
            tokens.append(Token(STRING, "", i, j + 1, "".join(chars)))
            i = j + 1
        elif (m := _DATE_RE.match(text, i)) is not None:
            tokens.append(Token(DATE, m.group(), i, m.end(), m.group()))
            i = m.end()
        elif (m := _NUMBER_RE.match(text, i)) is not None:
            tokens.append(Token(NUMBER, m.group(), i, m.end(), m.group()))
            i = m.end()
        elif (m := _WORD_RE.match(text, i)) is not None:
            tokens.append(Token(WORD, m.group().lower(), i, m.end(), m.group()))
            i = m.end()
        elif is_cjk(ch):
            tokens.append(Token(CJK, ch, i, i + 1, ch))
            i += 1
        else:
            two = text[i : i + 2]
            symbol = two if two in _SYMBOLS else ch
            tokens.append(Token(SYM, _SYMBOLS.get(symbol, symbol), i, i + len(symbol), symbol))
            i += len(symbol)
    tokens.append(Token(EOF, "", n, n))
    return tokens


def phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(token.norm if token.kind != NUMBER else token.value for token in tokenize(phrase)[:-1])


class PhraseTable:
    """Phrases (token sequences) mapped to a value, matched longest-first."""

    def __init__(self, entries: dict[str, object]) -> None:
        self.entries: dict[tuple[str, ...], object] = {}
        for phrase, value in entries.items():
            key = phrase_key(phrase)
            if key:
                self.entries.setdefault(key, value)
        self.longest = max((len(key) for key in self.entries), default=0)

    def match(self, tokens: list[Token], pos: int) -> tuple[object, int] | None:
        for length in range(min(self.longest, len(tokens) - 1 - pos), 0, -1):
            key = tuple(tok.norm if tok.kind != NUMBER else tok.value for tok in tokens[pos : pos + length])
            if any(tok.kind in (STRING, EOF) for tok in tokens[pos : pos + length]):
                continue
            if key in self.entries:
                return self.entries[key], length
        return None


# Keyword phrases per language. The first phrase of each list is the canonical one the renderer writes.
KEYWORDS: dict[str, dict[str, list[str]]] = {
    "zh": {
        "when": ["当", "如果", "若"],
        "then": ["时", "则", "的时候", "时则"],
        "and": ["且", "并且", "而且"],
        "or": ["或", "或者"],
        "not": ["非", "不", "并非"],
        "always": ["总是", "始终"],
        "true": ["真", "是"],
        "false": ["假", "否"],
        "between_and": ["和", "与", "至", "到"],
        "between_end": ["之间"],
        "sep": ["并", "并且", ",", "、", ";", "然后", "同时"],
        "set": ["设置", "将"],
        "set_to": ["为", "设为", "设置为"],
        "add_tag": ["添加标签", "打标签", "加标签"],
        "approval_start": ["需要", "需经", "需"],
        "approval_end": ["审批", "批准"],
        "notify": ["通知"],
        "channel": ["频道", "渠道"],
        "block": ["阻止", "拦截"],
        "adjust_start": ["调整类别"],
        "adjust_mid": ["的安全库存"],
        "adjust_for": ["持续"],
        "adjust_days": ["天"],
        "create": ["创建单据", "创建"],
        "webhook": ["调用网络钩子", "调用webhook", "调用 webhook"],
        "because": [":"],
    },
    "en": {
        "when": ["when", "if"],
        "then": ["then", ", then", ","],
        "and": ["and"],
        "or": ["or"],
        "not": ["not"],
        "always": ["always"],
        "true": ["true", "yes"],
        "false": ["false", "no"],
        "between_and": ["and"],
        "between_end": [],
        "sep": ["and", ",", ", and", ";", "and then"],
        "set": ["set"],
        "set_to": ["to", "="],
        "add_tag": ["add tag", "tag"],
        "approval_start": ["require approval from", "requires approval from", "require approval by"],
        "approval_end": [],
        "notify": ["notify"],
        "channel": ["channel"],
        "block": ["block"],
        "adjust_start": ["adjust safety stock for category"],
        "adjust_mid": ["by"],
        "adjust_for": ["for"],
        "adjust_days": ["days", "day"],
        "create": ["create document", "create"],
        "webhook": ["call webhook"],
        "because": ["because", ":"],
    },
}

OPERATOR_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "为": "eq", "是": "eq", "等于": "eq", "=": "eq",
        "不为": "ne", "不是": "ne", "不等于": "ne", "!=": "ne",
        ">": "gt", "大于": "gt", "超过": "gt", "高于": "gt",
        ">=": "gte", "大于等于": "gte", "至少": "gte", "不少于": "gte", "不低于": "gte",
        "<": "lt", "小于": "lt", "低于": "lt", "少于": "lt",
        "<=": "lte", "小于等于": "lte", "至多": "lte", "不超过": "lte", "不高于": "lte", "最多": "lte",
        "包含": "contains", "含有": "contains",
        "属于": "in", "不属于": "not_in",
        "在": "between", "介于": "between",
    },
    "en": {
        "is": "eq", "equals": "eq", "=": "eq",
        "is not": "ne", "!=": "ne",
        ">": "gt", "is greater than": "gt", "greater than": "gt", "is more than": "gt", "more than": "gt", "exceeds": "gt",
        ">=": "gte", "is at least": "gte", "at least": "gte",
        "<": "lt", "is less than": "lt", "less than": "lt", "is below": "lt", "below": "lt",
        "<=": "lte", "is at most": "lte", "at most": "lte",
        "contains": "contains", "includes": "contains",
        "in": "in", "is in": "in", "is one of": "in",
        "not in": "not_in", "is not in": "not_in", "is not one of": "not_in",
        "between": "between", "is between": "between",
    },
}  # fmt: skip

# What the renderer writes for each operator.
CANONICAL_OPERATORS = {
    "zh": {"eq": "为", "ne": "不为", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "contains": "包含", "in": "属于",
           "not_in": "不属于", "between": "在"},
    "en": {"eq": "is", "ne": "is not", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "contains": "contains", "in": "in",
           "not_in": "not in", "between": "between"},
}  # fmt: skip


@lru_cache(maxsize=64)
def keyword_table(language: str, name: str) -> PhraseTable:
    return PhraseTable(dict.fromkeys(KEYWORDS[language][name], name))


@lru_cache(maxsize=4)
def operator_table(language: str) -> PhraseTable:
    return PhraseTable(dict(OPERATOR_WORDS[language]))


@lru_cache(maxsize=4)
def role_table(language: str) -> PhraseTable:
    entries: dict[str, object] = {choice.label(language): choice.value for choice in ROLE_CHOICES}
    entries.update({choice.value: choice.value for choice in ROLE_CHOICES})
    return PhraseTable(entries)


@lru_cache(maxsize=8)
def _field_table(language: str, generation: int) -> PhraseTable:
    return PhraseTable({name: spec.path for spec in catalog for name in spec.names(language)})


def field_table(language: str) -> PhraseTable:
    return _field_table(language, catalog.generation)


def field_names(language: str) -> list[str]:
    return [name for spec in catalog for name in spec.names(language)]


@lru_cache(maxsize=256)
def _enum_table(spec: FieldSpec) -> PhraseTable:
    entries: dict[str, object] = {}
    for choice in spec.choices:
        for name in (choice.label_zh, choice.label_en, choice.value):
            if name:
                entries.setdefault(name, choice.value)
    return PhraseTable(entries)


def enum_table(spec: FieldSpec) -> PhraseTable:
    return _enum_table(spec)
