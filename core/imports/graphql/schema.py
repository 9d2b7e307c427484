"""Bulk import over GraphQL: send the file base64-encoded; get every bad row back, or the import."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import graphene

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.graphql.errors import DomainError
from core.imports import selectors, services
from core.imports.exceptions import ImportErrorCode
from core.imports.graphql.types import ImportJobType, ImportKind
from core.imports.readers import MAX_BYTES
from tenants.accounts.roles import Permission


class ImportQueries(graphene.ObjectType):
    import_jobs = graphene.List(graphene.NonNull(ImportJobType), required=True, limit=graphene.Int(default_value=20))

    @staticmethod
    def resolve_import_jobs(root: Any, info: Any, limit: int) -> Any:
        return selectors.recent_import_jobs(min(max(limit, 1), 100))


class ImportData(BaseMutation):
    """Import items, suppliers, customers or opening stock from a CSV/XLSX file (all rows or none)."""

    job = graphene.Field(ImportJobType)

    class Arguments:
        kind = ImportKind(required=True)
        filename = graphene.String(required=True)
        content_base64 = graphene.String(required=True)

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, kind: Any, filename: str, content_base64: str) -> ImportData:
        if len(content_base64) > MAX_BYTES * 4 // 3 + 4:
            raise DomainError("The file is too large.", field="contentBase64", code=ImportErrorCode.FILE_TOO_LARGE)
        try:
            data = base64.b64decode(content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise DomainError("contentBase64 is not valid base64.", field="contentBase64") from None
        kind_value = kind.value if hasattr(kind, "value") else kind
        job = services.import_file(kind_value, data, filename, actor=actor_from_request(info.context).label())
        return cls(job=job, errors=[])


class ImportMutations(graphene.ObjectType):
    import_data = ImportData.Field()
