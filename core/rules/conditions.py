"""Condition trees: type-checking against the catalog, canonical form, and compilation to fast closures.

A tree is JSON: `{"all": [...]}`, `{"any": [...]}`, `{"not": {...}}` or a leaf
`{"field": "customer.tier", "op": "eq", "value": "VIP"}`. The canonical form (what we store, what the grammar
produces) collapses one-child all/any and writes numbers as JSON ints, or decimal strings when fractional, so
money never passes through a float.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from core.rules.catalog import FieldCatalog, FieldSpec, FieldType, catalog
from core.rules.exceptions import RuleErrorCode, RuleValidationError

OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "between")

OPERATORS_BY_TYPE: dict[FieldType, tuple[str, ...]] = {
    FieldType.STRING: ("eq", "ne", "in", "not_in", "contains"),
    FieldType.NUMBER: ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "between"),
    FieldType.BOOLEAN: ("eq", "ne"),
    FieldType.DATE: ("eq", "ne", "gt", "gte", "lt", "lte", "between"),
    FieldType.ENUM: ("eq", "ne", "in", "not_in"),
}

MISSING: Any = object()  # a path the context cannot resolve; every leaf over it is false

Tree = dict[str, Any]


def canonical_number(value: Any) -> int | str:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, float):
        value = repr(value)
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise ValueError("not a finite number")
    if number == number.to_integral_value():
        return int(number)
    return format(number.normalize(), "f")


def _canonical_scalar(spec: FieldSpec, value: Any) -> Any:
    """The stored form of one value for the field, or ValueError naming what was expected."""
    kind = spec.type
    if kind is FieldType.NUMBER:
        try:
            return canonical_number(value)
        except (InvalidOperation, ValueError, TypeError):
            raise ValueError("expected a number") from None
    if kind is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        raise ValueError("expected true or false")
    if kind is FieldType.DATE:
        if isinstance(value, dt.date):
            return value.isoformat()[:10]
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError("expected a date YYYY-MM-DD") from None
    if not isinstance(value, str):
        raise ValueError("expected text")
    if kind is FieldType.ENUM:
        choice = enum_choice(spec, value)
        if choice is None:
            allowed = ", ".join(c.value for c in spec.choices)
            raise ValueError(f"expected one of {allowed}")
        return choice
    return value


def enum_choice(spec: FieldSpec, value: Any) -> str | None:
    """The catalog's spelling of an enum value, matched without regard to case ("vip", "Vip" → "VIP")."""
    text = str(value)
    if spec.choice(text) is not None:
        return text
    folded = text.casefold()
    return next((c.value for c in spec.choices if c.value.casefold() == folded), None)


def normalize_value(spec: FieldSpec, op: str, value: Any) -> Any:
    if op in ("in", "not_in"):
        if not isinstance(value, list | tuple) or not value:
            raise ValueError("expected a non-empty list")
        return [_canonical_scalar(spec, v) for v in value]
    if op == "between":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError("expected two bounds [low, high]")
        return [_canonical_scalar(spec, v) for v in value]
    return _canonical_scalar(spec, value)


def normalize_tree(tree: Any, fields: FieldCatalog = catalog, where: str = "condition") -> Tree:
    """Type-check `tree` against the catalog and return its canonical form; RuleValidationError names the field."""
    if not isinstance(tree, dict) or len(tree) == 0:
        raise RuleValidationError(f"{where}: expected an object", code=RuleErrorCode.INVALID_CONDITION)
    if "all" in tree or "any" in tree:
        key = "all" if "all" in tree else "any"
        children = tree[key]
        if len(tree) != 1 or not isinstance(children, list):
            raise RuleValidationError(f"{where}: '{key}' takes a list and nothing else", code=RuleErrorCode.INVALID_CONDITION)
        if key == "any" and not children:
            raise RuleValidationError(f"{where}: 'any' needs at least one condition", code=RuleErrorCode.INVALID_CONDITION)
        normalized = [normalize_tree(child, fields, f"{where}.{key}[{i}]") for i, child in enumerate(children)]
        return normalized[0] if len(normalized) == 1 else {key: normalized}
    if "not" in tree:
        if len(tree) != 1:
            raise RuleValidationError(f"{where}: 'not' takes one condition", code=RuleErrorCode.INVALID_CONDITION)
        return {"not": normalize_tree(tree["not"], fields, f"{where}.not")}
    return normalize_leaf(tree, fields, where)


def normalize_leaf(leaf: dict[str, Any], fields: FieldCatalog = catalog, where: str = "condition") -> Tree:
    if set(leaf) != {"field", "op", "value"}:
        raise RuleValidationError(f"{where}: a comparison needs field, op and value", code=RuleErrorCode.INVALID_CONDITION)
    path, op = leaf["field"], leaf["op"]
    spec = fields.get(path) if isinstance(path, str) else None
    if spec is None:
        raise RuleValidationError(f"Unknown field '{path}'", code=RuleErrorCode.UNKNOWN_FIELD, path=str(path))
    if op not in OPERATORS_BY_TYPE[spec.type]:
        raise RuleValidationError(
            f"Operator '{op}' does not apply to {spec.type.value} field '{path}'", code=RuleErrorCode.INVALID_OPERATOR, path=path
        )
    try:
        value = normalize_value(spec, op, leaf["value"])
    except ValueError as error:
        raise RuleValidationError(
            f"Field '{path}' ({spec.type.value}): {error}, got {leaf['value']!r}", code=RuleErrorCode.INVALID_VALUE, path=path
        ) from None
    return {"field": path, "op": op, "value": value}


def leaves(tree: Tree) -> list[Tree]:
    if "all" in tree or "any" in tree:
        return [leaf for child in (tree["all"] if "all" in tree else tree["any"]) for leaf in leaves(child)]
    if "not" in tree:
        return leaves(tree["not"])
    return [tree]


def field_paths(tree: Tree) -> set[str]:
    return {leaf["field"] for leaf in leaves(tree)}


# --- compilation -------------------------------------------------------------------------------------------

Lookup = Callable[[str], Any]  # resolves a dotted path to a value or MISSING
Predicate = Callable[[Lookup], bool]


def runtime_value(spec: FieldSpec, value: Any) -> Any:
    if spec.type is FieldType.NUMBER:
        return Decimal(str(value))
    if spec.type is FieldType.DATE:
        return dt.date.fromisoformat(value)
    return value


def _to_number(actual: Any) -> Any:
    # int, Decimal and float all compare exactly with Decimal; only text needs converting
    if isinstance(actual, Decimal | int | float) and not isinstance(actual, bool):
        return actual
    return Decimal(str(actual))


def _to_date(actual: Any) -> dt.date:
    if isinstance(actual, dt.datetime):
        return actual.date()
    if isinstance(actual, dt.date):
        return actual
    return dt.date.fromisoformat(str(actual))


def _to_text(actual: Any) -> str:
    return actual if isinstance(actual, str) else str(actual)


def _to_choice(spec: FieldSpec, actual: Any) -> str:
    text = _to_text(actual)
    return enum_choice(spec, text) or text


# Bring a context value to the comparison type; a value that cannot be brought there fails the leaf.
_COERCE: dict[FieldType, Callable[[Any], Any]] = {
    FieldType.NUMBER: _to_number,
    FieldType.DATE: _to_date,
    FieldType.BOOLEAN: bool,
    FieldType.STRING: _to_text,
    FieldType.ENUM: _to_text,
}


_BINARY = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


def compile_tree(tree: Tree, fields: FieldCatalog = catalog) -> Predicate:
    """Turn a canonical tree into a closure over a path lookup; evaluation does no parsing or dict walking."""
    # explicit loops: a generator inside all()/any() costs more than the comparisons on this hot path
    if "all" in tree:
        parts = tuple(compile_tree(child, fields) for child in tree["all"])

        def conjunction(lookup: Lookup) -> bool:
            for part in parts:  # noqa: SIM110
                if not part(lookup):
                    return False
            return True

        return conjunction
    if "any" in tree:
        parts = tuple(compile_tree(child, fields) for child in tree["any"])

        def disjunction(lookup: Lookup) -> bool:
            for part in parts:  # noqa: SIM110
                if part(lookup):
                    return True
            return False

        return disjunction
    if "not" in tree:
        inner = compile_tree(tree["not"], fields)
        return lambda lookup: not inner(lookup)
    return _compile_leaf(tree, fields)


def _compile_leaf(leaf: Tree, fields: FieldCatalog) -> Predicate:
    spec = fields.get(leaf["field"])
    if spec is None:  # a field unregistered since the rule was saved can never match
        return lambda lookup: False
    path, op, coerce = leaf["field"], leaf["op"], _COERCE[spec.type]
    if spec.type is FieldType.ENUM:
        # Data and rules may spell a choice in another case (partners store "vip", the catalog says "VIP").
        coerce = functools.partial(_to_choice, spec)
    if op in ("in", "not_in"):
        members = frozenset(runtime_value(spec, v) for v in leaf["value"])
        negate = op == "not_in"

        def test(actual: Any) -> bool:
            return (actual in members) != negate

    elif op == "between":
        low, high = (runtime_value(spec, v) for v in leaf["value"])

        def test(actual: Any) -> bool:
            return bool(low <= actual <= high)

    elif op == "contains":
        needle = str(leaf["value"]).casefold()

        def test(actual: Any) -> bool:
            return needle in actual.casefold()

    else:
        compare, expected = _BINARY[op], runtime_value(spec, leaf["value"])

        def test(actual: Any) -> bool:
            return bool(compare(actual, expected))

    def predicate(lookup: Lookup) -> bool:
        actual = lookup(path)
        if actual is MISSING or actual is None:
            return False
        try:
            return test(coerce(actual))
        except (TypeError, ValueError, ArithmeticError):
            return False

    return predicate
