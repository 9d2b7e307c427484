"""The rules center's form editor: a flat condition (all/any over optionally negated comparisons) and action rows.

Each row is checked against the same catalog and `normalize_action` the service uses, so a bad row is refused
with its error on the row before anything reaches `create_rule` / `update_rule`. Deeper trees (nested groups)
have no form shape: `condition_rows` returns None for them and the page sends the user to the text editor.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.rules.actions import ACTION_TYPES, normalize_action
from core.rules.catalog import ROLE_CHOICES, FieldSpec, FieldType, catalog
from core.rules.conditions import OPERATORS, OPERATORS_BY_TYPE, Tree, normalize_leaf, normalize_tree
from core.rules.exceptions import RuleValidationError

OPERATOR_LABELS = {
    "eq": gettext_lazy("equals"),
    "ne": gettext_lazy("does not equal"),
    "gt": gettext_lazy("greater than"),
    "gte": gettext_lazy("at least"),
    "lt": gettext_lazy("less than"),
    "lte": gettext_lazy("at most"),
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "contains": gettext_lazy("contains"),
    "between": gettext_lazy("between"),
}

ACTION_LABELS = {
    "require_approval": gettext_lazy("Require approval"),
    "set_field": gettext_lazy("Set a field"),
    "add_tag": gettext_lazy("Add a tag"),
    "adjust_safety_stock": gettext_lazy("Adjust safety stock"),
    "create_document": gettext_lazy("Create a document"),
    "notify": gettext_lazy("Notify"),
    "block": gettext_lazy("Block"),
    "call_webhook": gettext_lazy("Call a webhook"),
}

# The form inputs each action type reads; everything else on the row is ignored for that type.
ACTION_PARAMS: dict[str, tuple[str, ...]] = {
    "require_approval": ("role", "reason"),
    "set_field": ("field", "value"),
    "add_tag": ("tag",),
    "adjust_safety_stock": ("category", "percent", "days"),
    "create_document": ("kind", "params"),
    "notify": ("role", "channel", "message"),
    "block": ("reason",),
    "call_webhook": ("url",),
}

TRUE_WORDS = {"true", "yes", "y", "1", "是", "真", "对"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "假", "不"}
LIST_SEPARATOR = re.compile(r"[,，、]")


def field_choices(language: str, *, settable_only: bool = False) -> list[tuple[str, str]]:
    specs = [spec for spec in catalog if spec.settable or not settable_only]
    return [("", "---------")] + [(spec.path, f"{spec.label(language)} ({spec.path})") for spec in specs]


def enum_values(language: str) -> list[tuple[str, str]]:
    """(field label, its allowed values) for the enum fields, shown beside the condition rows."""
    return [
        (spec.label(language), ", ".join(f"{c.value} ({c.label(language)})" for c in spec.choices))
        for spec in catalog
        if spec.type is FieldType.ENUM
    ]


def role_choices(language: str) -> list[tuple[str, str]]:
    return [("", "---------")] + [(choice.value, choice.label(language)) for choice in ROLE_CHOICES]


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


# --- value text <-> stored values ---------------------------------------------------------------------------


def scalar_from_text(spec: FieldSpec, text: str) -> Any:
    """The value a comparison stores, from what was typed; booleans accept 是/否 and true/false."""
    text = text.strip()
    if spec.type is FieldType.BOOLEAN:
        folded = text.casefold()
        if folded in TRUE_WORDS:
            return True
        if folded in FALSE_WORDS:
            return False
    return text  # numbers, dates and enum values are checked (and canonicalised) by normalize_leaf


def scalar_to_text(value: Any, language: str = "en") -> str:
    """How a stored value is typed back into the form; booleans read 是/否 on a Chinese page."""
    if isinstance(value, bool):
        if language == "zh":
            return "是" if value else "否"
        return "true" if value else "false"
    return str(value)


def value_problem(spec: FieldSpec, op: str) -> str:
    """A translated explanation of what the value of `spec` under `op` should look like."""
    if spec.type is FieldType.NUMBER:
        expected = _("a number")
    elif spec.type is FieldType.DATE:
        expected = _("a date as YYYY-MM-DD")
    elif spec.type is FieldType.BOOLEAN:
        expected = _("true or false (是/否)")
    elif spec.type is FieldType.ENUM:
        expected = _("one of: %(choices)s") % {"choices": ", ".join(c.value for c in spec.choices)}
    else:
        expected = _("text")
    if op in ("in", "not_in"):
        return _("Enter one or more values separated by commas, each %(expected)s.") % {"expected": expected}
    if op == "between":
        return _("Enter both bounds, each %(expected)s.") % {"expected": expected}
    return _("Enter %(expected)s.") % {"expected": expected}


# --- condition rows ----------------------------------------------------------------------------------------


class ConditionRowForm(forms.Form):
    """One comparison: field, operator, value (two for `between`, a comma list for `in`), optionally negated."""

    negate = forms.BooleanField(label=gettext_lazy("Not"), required=False)
    field = forms.ChoiceField(label=gettext_lazy("Field"), choices=(), required=False)
    op = forms.ChoiceField(label=gettext_lazy("Operator"), choices=(), required=False)
    value = forms.CharField(label=gettext_lazy("Value"), required=False, max_length=500)
    value_high = forms.CharField(label=gettext_lazy("And (for between)"), required=False, max_length=500)

    def __init__(self, *args: Any, language: str = "zh", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # every row is checked, even one left as it was loaded: a skipped row would silently drop its comparison
        self.empty_permitted = False
        choice_field(self, "field").choices = field_choices(language)
        choice_field(self, "op").choices = [(op, OPERATOR_LABELS[op]) for op in OPERATORS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("field"):
            return data  # an empty extra row
        spec = catalog.get(data["field"])
        if spec is None:  # the choice list is the catalog, so only a catalog change between GET and POST lands here
            self.add_error("field", _("Unknown field."))
            return data
        op = data.get("op") or "eq"
        if op not in OPERATORS_BY_TYPE[spec.type]:
            allowed = ", ".join(str(OPERATOR_LABELS[o]) for o in OPERATORS_BY_TYPE[spec.type])
            self.add_error("op", _("This operator does not apply to this field; use one of: %(ops)s.") % {"ops": allowed})
            return data
        try:
            data["leaf"] = normalize_leaf({"field": spec.path, "op": op, "value": self._raw_value(spec, op)})
        except RuleValidationError:
            self.add_error("value", value_problem(spec, op))
        return data

    def _raw_value(self, spec: FieldSpec, op: str) -> Any:
        text = self.cleaned_data.get("value") or ""
        if op in ("in", "not_in"):
            return [scalar_from_text(spec, part) for part in LIST_SEPARATOR.split(text) if part.strip()]
        if op == "between":
            return [scalar_from_text(spec, text), scalar_from_text(spec, self.cleaned_data.get("value_high") or "")]
        return scalar_from_text(spec, text)

    def condition(self) -> Tree | None:
        """The validated comparison (wrapped in `not` when negated); None for an empty row."""
        leaf = self.cleaned_data.get("leaf")
        if leaf is None:
            return None
        return {"not": leaf} if self.cleaned_data.get("negate") else leaf


def leaf_row(tree: Tree, language: str) -> dict[str, Any] | None:
    """A form row for a comparison or a negated comparison; None for anything deeper."""
    negate = "not" in tree
    leaf = tree["not"] if negate else tree
    if "field" not in leaf:
        return None
    value = leaf["value"]
    row = {"negate": negate, "field": leaf["field"], "op": leaf["op"], "value": "", "value_high": ""}
    if leaf["op"] == "between":
        row["value"], row["value_high"] = scalar_to_text(value[0], language), scalar_to_text(value[1], language)
    elif leaf["op"] in ("in", "not_in"):
        row["value"] = ", ".join(scalar_to_text(v, language) for v in value)
    else:
        row["value"] = scalar_to_text(value, language)
    return row


def condition_rows(tree: Tree, language: str) -> tuple[str, list[dict[str, Any]]] | None:
    """(combinator, rows) for a tree the form can show, or None when it has nested groups."""
    if "all" in tree or "any" in tree:
        combinator = "all" if "all" in tree else "any"
        rows = [leaf_row(child, language) for child in tree[combinator]]
        if any(row is None for row in rows):
            return None
        return combinator, [row for row in rows if row is not None]
    row = leaf_row(tree, language)
    return ("all", [row]) if row is not None else None


# --- action rows -------------------------------------------------------------------------------------------


class ActionRowForm(forms.Form):
    """One action: its type and the parameters that type takes; checked by the service's `normalize_action`."""

    type = forms.ChoiceField(label=gettext_lazy("Action"), choices=(), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=(), required=False)
    channel = forms.CharField(label=gettext_lazy("Channel (instead of a role)"), required=False, max_length=200)
    field = forms.ChoiceField(label=gettext_lazy("Field to set"), choices=(), required=False)
    value = forms.CharField(label=gettext_lazy("New value"), required=False, max_length=500)
    tag = forms.CharField(label=gettext_lazy("Tag"), required=False, max_length=200)
    category = forms.CharField(label=gettext_lazy("Category"), required=False, max_length=200)
    percent = forms.DecimalField(label=gettext_lazy("Percent"), required=False)
    days = forms.IntegerField(label=gettext_lazy("Days"), required=False)
    kind = forms.CharField(label=gettext_lazy("Document kind"), required=False, max_length=200)
    params = forms.CharField(
        label=gettext_lazy("Parameters (key=value, one a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    message = forms.CharField(label=gettext_lazy("Message"), required=False, max_length=1000)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=500)
    url = forms.CharField(label=gettext_lazy("URL"), required=False, max_length=1000)

    def __init__(self, *args: Any, language: str = "zh", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.empty_permitted = False  # as for conditions: an unchanged action row must still be kept
        choice_field(self, "type").choices = [("", "---------")] + [(kind, ACTION_LABELS[kind]) for kind in ACTION_TYPES]
        choice_field(self, "role").choices = role_choices(language)
        choice_field(self, "field").choices = field_choices(language, settable_only=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("type")
        if not kind or self.errors:
            return data
        try:
            action = self._action(kind, data)
            data["action"] = normalize_action(action)
        except ValueError as error:
            self.add_error("params", str(error))
        except RuleValidationError as error:
            # the service's message names the parameter at fault; drop its "actions[0]: " list position
            detail = str(error).split(": ", 1)[-1]
            self.add_error(None, _("This action is not valid: %(detail)s") % {"detail": detail})
        return data

    def _action(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        action: dict[str, Any] = {"type": kind}
        for name in ACTION_PARAMS[kind]:
            value = data.get(name)
            if value in (None, ""):
                continue
            action[name] = self._param(kind, name, value)
        return action

    def _param(self, kind: str, name: str, value: Any) -> Any:
        if name == "params":
            return params_from_text(value)
        if name == "days":
            return int(value)
        if name == "percent":
            return format(Decimal(value).normalize(), "f")
        if kind == "set_field" and name == "value":
            spec = catalog.get(self.cleaned_data.get("field") or "")
            return scalar_from_text(spec, value) if spec is not None else value
        return value

    def action(self) -> dict[str, Any] | None:
        return self.cleaned_data.get("action")


def params_from_text(text: str) -> dict[str, Any]:
    """`key=value` lines to create_document params: whole numbers and true/false keep their type."""
    params: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ValueError(_("Write each parameter as key=value on its own line: %(line)s") % {"line": line.strip()})
        value = value.strip()
        if re.fullmatch(r"-?\d+", value):
            params[key.strip()] = int(value)
        elif value.casefold() in ("true", "false"):
            params[key.strip()] = value.casefold() == "true"
        else:
            params[key.strip()] = value
    return params


def params_to_text(params: dict[str, Any]) -> str:
    return "\n".join(f"{key}={scalar_to_text(value)}" for key, value in params.items())


def action_row(action: dict[str, Any], language: str) -> dict[str, Any]:
    row: dict[str, Any] = {"type": action["type"]}
    for key, value in action.items():
        if key == "params":
            row["params"] = params_to_text(value)
        elif key != "type":
            row[key] = scalar_to_text(value, language) if key == "value" else value
    return row


# --- the whole editor --------------------------------------------------------------------------------------


class CombinatorForm(forms.Form):
    combinator = forms.ChoiceField(
        label=gettext_lazy("Match"),
        choices=(("all", gettext_lazy("all of the conditions")), ("any", gettext_lazy("any of the conditions"))),
    )


class ConditionRowsFormSet(forms.BaseFormSet):
    combinator = "all"  # set by RuleFormEditor: `any` over no comparisons is refused by the service

    def clean(self) -> None:
        if any(self.errors):
            return
        if self.combinator == "any" and not self.conditions():
            raise forms.ValidationError(_("'Any of the conditions' needs at least one condition."))

    def conditions(self) -> list[Tree]:
        return [tree for form in self.forms if (tree := form.condition()) is not None]


class ActionRowsFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.actions():
            raise forms.ValidationError(_("A rule needs at least one action."))

    def actions(self) -> list[dict[str, Any]]:
        return [action for form in self.forms if (action := form.action()) is not None]


EXTRA_ROWS = 2  # empty rows offered so the page works without the add-a-row script

ConditionFormSet = cast(
    type[ConditionRowsFormSet], forms.formset_factory(ConditionRowForm, formset=ConditionRowsFormSet, extra=EXTRA_ROWS)
)
ActionFormSet = cast(type[ActionRowsFormSet], forms.formset_factory(ActionRowForm, formset=ActionRowsFormSet, extra=EXTRA_ROWS))


class RuleFormEditor:
    """The combinator and both formsets, bound together; `condition` and `actions` once `is_valid()`."""

    def __init__(self, data: Any | None, tree: Tree | None, actions: list[dict[str, Any]], language: str) -> None:
        shape = condition_rows(tree, language) if tree is not None else ("all", [])
        self.nested = shape is None
        combinator, rows = shape if shape is not None else ("all", [])
        self.combinator = CombinatorForm(data, initial={"combinator": combinator}, prefix="form")
        chosen = self.combinator.data.get("form-combinator", combinator) if data is not None else combinator
        self.conditions = ConditionFormSet(data, initial=rows, prefix="cond", form_kwargs={"language": language})
        self.conditions.combinator = chosen
        self.actions = ActionFormSet(
            data, initial=[action_row(a, language) for a in actions], prefix="act", form_kwargs={"language": language}
        )

    def is_valid(self) -> bool:
        return all([self.combinator.is_valid(), self.conditions.is_valid(), self.actions.is_valid()])

    def condition(self) -> Tree:
        """The canonical tree (one comparison is stored bare, as the grammar stores it)."""
        return normalize_tree({self.combinator.cleaned_data["combinator"]: self.conditions.conditions()})

    def action_list(self) -> list[dict[str, Any]]:
        return self.actions.actions()
