"""Mutations: upload a sales history (base64), start fine-tuning on it."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import graphene

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.graphql.errors import DomainError
from core.graphql.lookups import pk_from_id
from ml_models.graphql.types import SalesHistoryUploadType
from ml_models.models import SalesHistoryUpload
from ml_models.services import FineTuneNotAllowed, start_fine_tune
from ml_models.uploads import max_upload_bytes, upload_sales_history
from tenants.accounts.roles import Permission


class UploadSalesHistory(BaseMutation):
    """Upload a CSV (date, sku, location, quantity[, price][, promo]); a bad file comes back `rejected`
    with its `rowErrors` and nothing imported."""

    upload = graphene.Field(SalesHistoryUploadType)

    class Arguments:
        filename = graphene.String(required=True)
        content_base64 = graphene.String(required=True)

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, filename: str, content_base64: str) -> UploadSalesHistory:
        if len(content_base64) > max_upload_bytes() * 4 // 3 + 4:
            raise DomainError("The file is too large.", field="contentBase64")
        try:
            data = base64.b64decode(content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise DomainError("contentBase64 is not valid base64.", field="contentBase64") from None
        upload = upload_sales_history(data, filename, actor_from_request(info.context))
        return cls(upload=upload, errors=[])


class StartFineTune(BaseMutation):
    """Fine-tune the tenant's demand model on a validated upload; poll `salesHistoryUploads` for progress."""

    upload = graphene.Field(SalesHistoryUploadType)

    class Arguments:
        upload_id = graphene.ID(required=True)

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, upload_id: str) -> StartFineTune:
        pk = pk_from_id(upload_id, "SalesHistoryUpload")
        if pk is None or not SalesHistoryUpload.objects.filter(pk=pk).exists():
            raise DomainError("No such upload.", field="uploadId", code="not_found")
        try:
            upload = start_fine_tune(pk)
        except FineTuneNotAllowed as error:
            raise DomainError(str(error), field="uploadId") from None
        return cls(upload=upload, errors=[])


class MlModelsMutations(graphene.ObjectType):
    upload_sales_history = UploadSalesHistory.Field()
    start_fine_tune = StartFineTune.Field()
