"""GraphQL for the master data, built from the same kinds and forms as the pages (core.web.masterdata).

Per kind: `save<Kind>(id, input)` creates (no id) or edits, `archive<Kind>(id)`; `masterData(kind, ...)`
lists any kind. The input fields are the form's fields, typed (String, Decimal, Int; foreign keys by
their business code), so the API and the pages accept, check and refuse exactly the same things.
"""

from __future__ import annotations

from typing import Any

import graphene
from django import forms
from django.db import transaction
from graphene.types.generic import GenericScalar
from graphql_relay import to_global_id

from core.graphql.base import BaseMutation
from core.graphql.errors import Error
from core.graphql.lookups import NotFound, pk_from_id
from core.web.masterdata import KINDS, CodeChoiceField, MasterKind, cell
from tenants.accounts.roles import Permission


class MasterDataRecord(graphene.ObjectType):
    """One master-data row: its id, its kind and its values as the form and the CSV export name them."""

    id = graphene.ID(required=True)
    kind = graphene.String(required=True)
    active = graphene.Boolean(required=True)
    values = GenericScalar(required=True, description="Field name → value, as in the kind's CSV export.")


def record_of(kind: MasterKind, obj: Any) -> MasterDataRecord:
    values = {name: (str(value) if value is not None else None) for name, value in kind.form.initial_for(obj).items()}
    active = bool(cell(obj, "active")) if kind.has_active else True
    return MasterDataRecord(id=to_global_id(kind.api_name, obj.pk), kind=kind.key, active=active, values=values)


def _graphene_field(form_field: forms.Field) -> graphene.Scalar:
    # Optional in the schema: an edit sends only what changes; a create missing a required field gets a
    # typed REQUIRED error on that field, as the page shows it.
    if isinstance(form_field, forms.DecimalField):
        return graphene.Decimal()
    if isinstance(form_field, forms.IntegerField):
        return graphene.Int()
    if isinstance(form_field, forms.BooleanField):
        return graphene.Boolean()
    description = "The code (SKU for items)." if isinstance(form_field, CodeChoiceField) else None
    return graphene.String(description=description)


def _input_type(kind: MasterKind) -> type[graphene.InputObjectType]:
    fields = {name: _graphene_field(f) for name, f in kind.form.base_fields.items()}
    return type(f"{kind.api_name}MasterInput", (graphene.InputObjectType,), fields)


def _form_data(kind: MasterKind, given: dict[str, Any]) -> dict[str, Any]:
    """Form data from the input; fields left out keep their defaults (edit: the record's current values)."""
    return {name: ("" if value is None else str(value)) for name, value in given.items()}


def form_errors(form: forms.Form) -> list[Error]:
    return [
        Error(field=name, message=" ".join(e.messages), code="REQUIRED" if e.code == "required" else "INVALID")
        for name, errors in form.errors.as_data().items()
        for e in errors
    ]


def _save_mutation(kind: MasterKind) -> type[BaseMutation]:
    input_type = _input_type(kind)

    def perform_mutation(cls: type[BaseMutation], root: Any, info: Any, **data: Any) -> BaseMutation:
        pk = None
        start: dict[str, Any] = {}
        if data.get("id"):
            pk = pk_from_id(data["id"], kind.api_name)
            obj = kind.model._default_manager.filter(kind.base_filter, pk=pk).first() if pk else None
            if obj is None:
                raise NotFound("No such record.", field="id")
            start = {name: ("" if v is None else str(v)) for name, v in kind.form.initial_for(obj).items()}
        defaults = {name: str(f.initial) for name, f in kind.form.base_fields.items() if f.initial is not None}
        form = kind.form({**defaults, **start, **_form_data(kind, dict(data["input"]))})
        if not form.is_valid():
            return cls(errors=form_errors(form))
        with transaction.atomic():
            saved = form.save(pk)
        return cls(record=record_of(kind, saved), errors=[])

    return type(
        f"Save{kind.api_name}",
        (BaseMutation,),
        {
            "__doc__": f"Create (no id) or edit one record of {kind.key}, with the checks of its page.",
            "record": graphene.Field(MasterDataRecord),
            "Meta": type("Meta", (), {"permissions": (Permission.MANAGE,), "required_module": "core"}),
            "Arguments": type("Arguments", (), {"id": graphene.ID(), "input": input_type(required=True)}),
            "perform_mutation": classmethod(perform_mutation),
        },
    )


def _archive_mutation(kind: MasterKind) -> type[BaseMutation]:
    def perform_mutation(cls: type[BaseMutation], root: Any, info: Any, **data: Any) -> BaseMutation:
        pk = pk_from_id(data["id"], kind.api_name)
        if pk is None or not kind.model._default_manager.filter(kind.base_filter, pk=pk).exists():
            raise NotFound("No such record.", field="id")
        kind.archive(pk)
        return cls(errors=[])

    return type(
        f"Archive{kind.api_name}",
        (BaseMutation,),
        {
            "__doc__": f"Archive one record of {kind.key} (refused while it is still needed, e.g. a stocked location).",
            "Meta": type("Meta", (), {"permissions": (Permission.MANAGE,), "required_module": "core"}),
            "Arguments": type("Arguments", (), {"id": graphene.ID(required=True)}),
            "perform_mutation": classmethod(perform_mutation),
        },
    )


def _snake(api_name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in api_name).lstrip("_")


MasterDataMutations = type(
    "MasterDataMutations",
    (graphene.ObjectType,),
    {
        **{f"save_{_snake(k.api_name)}": _save_mutation(k).Field() for k in KINDS.values()},
        **{f"archive_{_snake(k.api_name)}": _archive_mutation(k).Field() for k in KINDS.values()},
    },
)

MasterDataKind = graphene.Enum("MasterDataKind", [(_snake(k.api_name).upper(), k.key) for k in KINDS.values()])


class MasterDataQueries(graphene.ObjectType):
    master_data = graphene.List(
        graphene.NonNull(MasterDataRecord),
        required=True,
        kind=MasterDataKind(required=True),
        search=graphene.String(description="Part of a code or name."),
        archived=graphene.Boolean(default_value=False),
        first=graphene.Int(default_value=100, description="At most 500."),
    )

    @staticmethod
    def resolve_master_data(root: Any, info: Any, kind: Any, **args: Any) -> list[MasterDataRecord]:
        spec = KINDS[getattr(kind, "value", kind)]
        rows = spec.queryset(archived=bool(args.get("archived")), search=args.get("search") or "")
        return [record_of(spec, obj) for obj in rows[: max(0, min(args.get("first") or 100, 500))]]
