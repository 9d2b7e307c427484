"""Property: any canonical condition tree with actions renders to text that parses back to the same tree (zh and en)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.rules.actions import ROLES
from core.rules.catalog import FieldType, catalog
from core.rules.conditions import OPERATORS_BY_TYPE, canonical_number, normalize_tree
from core.rules.grammar import parse_rule, render

FIELDS = sorted(catalog.fields.values(), key=lambda spec: spec.path)
SETTABLE = [spec for spec in FIELDS if spec.settable]
numbers = st.one_of(
    st.integers(-(10**9), 10**9),
    st.decimals(min_value=Decimal("-99999"), max_value=Decimal("99999"), places=3, allow_nan=False, allow_infinity=False),
).map(canonical_number)
texts = st.text(max_size=12)
nonblank = st.text(min_size=1, max_size=12).filter(lambda s: s.strip())


def scalar(spec):
    if spec.type is FieldType.NUMBER:
        return numbers
    if spec.type is FieldType.BOOLEAN:
        return st.booleans()
    if spec.type is FieldType.DATE:
        return st.dates(min_value=dt.date(1900, 1, 1)).map(dt.date.isoformat)
    if spec.type is FieldType.ENUM:
        return st.sampled_from([choice.value for choice in spec.choices])
    return texts


@st.composite
def leaf(draw):
    spec = draw(st.sampled_from(FIELDS))
    op = draw(st.sampled_from(OPERATORS_BY_TYPE[spec.type]))
    if op in ("in", "not_in"):
        value = draw(st.lists(scalar(spec), min_size=1, max_size=3))
    elif op == "between":
        value = [draw(scalar(spec)), draw(scalar(spec))]
    else:
        value = draw(scalar(spec))
    return {"field": spec.path, "op": op, "value": value}


trees = st.recursive(
    leaf(),
    lambda children: st.one_of(
        st.lists(children, max_size=3).map(lambda xs: {"all": xs}),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"any": xs}),
        children.map(lambda x: {"not": x}),
    ),
    max_leaves=8,
)


@st.composite
def action(draw):
    kind = draw(st.sampled_from(["require_approval", "set_field", "add_tag", "adjust_safety_stock", "create_document",
                                 "notify", "block", "call_webhook"]))  # fmt: skip
    if kind == "require_approval":
        return {"type": kind, "role": draw(st.sampled_from(ROLES)), "reason": draw(texts)}
    if kind == "set_field":
        spec = draw(st.sampled_from(SETTABLE))
        return {"type": kind, "field": spec.path, "value": draw(scalar(spec))}
    if kind == "add_tag":
        return {"type": kind, "tag": draw(nonblank)}
    if kind == "adjust_safety_stock":
        # a safety stock cannot drop by 100% or more: the action refuses such percents at save
        percent = draw(numbers.filter(lambda n: Decimal(str(n)) > -100))
        return {"type": kind, "category": draw(nonblank), "percent": percent, "days": draw(st.integers(1, 365))}
    if kind == "create_document":
        params = draw(
            st.dictionaries(
                st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True),
                st.one_of(texts, st.integers(-1000, 1000), st.booleans()),
                max_size=3,
            )
        )
        return {"type": kind, "kind": draw(nonblank), "params": params}
    if kind == "notify":
        target = draw(st.one_of(st.sampled_from(ROLES).map(lambda r: {"role": r}), nonblank.map(lambda c: {"channel": c})))
        return {"type": kind, **target, "message": draw(nonblank)}
    if kind == "block":
        return {"type": kind, "reason": draw(texts)}
    return {"type": kind, "url": "https://hooks.example.com/" + draw(st.from_regex(r"[a-z0-9/]{0,10}", fullmatch=True))}


rules = st.tuples(trees, st.lists(action(), min_size=1, max_size=3))


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=rules, language=st.sampled_from(["zh", "en"]))
def test_render_then_parse_gives_the_same_tree(rule, language):
    # given
    condition, actions = normalize_tree(rule[0]), rule[1]

    # when
    text = render(condition, actions, language)
    parsed = parse_rule(text, language)

    # then
    assert parsed.condition == condition, text
    assert parsed.actions == actions, text
