"""BaseMutation: declares its permission and module in Meta; the base class enforces both.

Domain exceptions and ValidationErrors become typed `errors { field message code }`; anything else is an
internal error whose text never reaches the client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import graphene
from django.core.exceptions import ValidationError
from graphene.types.mutation import MutationOptions

from core.access import AccessDenied, actor_from_request, check_access
from core.graphql.errors import DomainError, Error, errors_from_validation_error
from tenants.accounts.roles import Permission


class BaseMutationOptions(MutationOptions):
    permissions: Sequence[Permission] = ()
    required_module: str | None = None


class BaseMutation(graphene.Mutation):
    errors = graphene.List(graphene.NonNull(Error), required=True)

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
        _meta.permissions = tuple(permissions)
        _meta.required_module = required_module
        options.setdefault("resolver", cls._mutate_entry)
        super().__init_subclass_with_meta__(_meta=_meta, **options)

    @classmethod
    def _mutate_entry(cls, root: Any, info: Any, **data: Any) -> BaseMutation:
        request = info.context
        try:
            for permission in cls._meta.permissions or (Permission.OPERATE,):
                # A mutation always writes, whatever permission it names.
                check_access(request, permission if permission.writes else Permission.OPERATE, cls._meta.required_module)
            actor = actor_from_request(request)
            if actor.api_key is not None and not actor.api_key.can_write:
                raise AccessDenied("This API key is read-only.")
        except AccessDenied as error:
            return cls(errors=[Error(field=None, message=str(error), code=error.code)])
        try:
            return cls.perform_mutation(root, info, **data)
        except ValidationError as error:
            return cls(errors=errors_from_validation_error(error))
        except DomainError as error:
            return cls(errors=[Error(field=error.field, message=str(error), code=error.code)])

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> BaseMutation:
        raise TypeError(f"{cls.__name__} must define perform_mutation")  # abstract
