"""BaseMutation: declares its permission and module in Meta; the base class enforces both.

    class CreateApiKey(BaseMutation):
        class Meta:
            permissions = (Permission.ADMINISTER,)
            required_module = "core"

        @classmethod
        def perform_mutation(cls, root, info, **data):
            ...  # call a service; raise ValidationError or a DomainError for the client

Every mutation writes, so whatever permission it names, the actor must at least be able to OPERATE
(a viewer or a read-only key never gets through) and the module must be writable. The mutation runs in
one transaction: a typed error rolls back everything it wrote, and then the follow-ups the error carries
(`DomainError.after_rollback`, e.g. opening an approval request for a vetoed transition) run. Domain
exceptions and ValidationErrors become typed `errors { field message code }`; anything else is an internal
error whose text never reaches the client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import graphene
from django.core.exceptions import ValidationError
from django.db import transaction
from graphene.types.mutation import MutationOptions

from core.access import AccessDenied, Actor, check_access
from core.graphql.errors import DomainError, Error, errors_from_validation_error, run_after_rollback
from tenants.accounts.roles import Permission


class BaseMutationOptions(MutationOptions):
    permissions: Sequence[Permission] = ()
    required_module: str | None = None


class BaseMutation(graphene.Mutation):
    errors = graphene.List(graphene.NonNull(Error), required=True, description="Empty when the mutation succeeded.")

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(  # type: ignore[override]
        cls,
        permissions: Sequence[Permission] = (Permission.OPERATE,),
        required_module: str | None = "core",
        _meta: Any = None,
        **options: Any,
    ) -> None:
        if _meta is None:
            _meta = BaseMutationOptions(cls)
        _meta.permissions = tuple(permissions) or (Permission.OPERATE,)
        _meta.required_module = required_module
        options.setdefault("resolver", cls._mutate_entry)
        super().__init_subclass_with_meta__(_meta=_meta, **options)

    @classmethod
    def check_permissions(cls, request: Any) -> Actor:
        """Raise AccessDenied unless the request's actor may run this mutation."""
        actor: Actor | None = None
        for permission in cls._meta.permissions:
            # A mutation always writes, whatever permission it names.
            needed = permission if permission.writes else Permission.OPERATE
            actor = check_access(request, needed, cls._meta.required_module)
        assert actor is not None  # permissions is never empty (see __init_subclass_with_meta__)
        return actor

    @classmethod
    def _mutate_entry(cls, root: Any, info: Any, **data: Any) -> BaseMutation:
        try:
            cls.check_permissions(info.context)
        except AccessDenied as error:
            return cls(errors=[Error(field=None, message=str(error), code=error.code)])
        try:
            with transaction.atomic():
                result = cls.perform_mutation(root, info, **data)
        except ValidationError as error:
            return cls(errors=errors_from_validation_error(error))
        except DomainError as error:
            # Outside the atomic block: what the refusal must leave behind (e.g. an approval request) survives.
            run_after_rollback(error)
            return cls(errors=[Error(field=error.field, message=str(error), code=error.code)])
        if result.errors is None:
            result.errors = []
        return result

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *args: Any, **data: Any) -> BaseMutation:
        raise NotImplementedError(f"{cls.__name__} must define perform_mutation")
