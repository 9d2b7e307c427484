"""Mutations: upload demand history (multipart file or base64), fine-tune, refresh forecasts, promotions."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any

import graphene
from django.utils.translation import gettext as _

from core.access import actor_from_request
from core.graphql.base import BaseMutation
from core.graphql.errors import DomainError
from core.graphql.lookups import pk_from_id
from core.graphql.upload import Upload
from core.planning.exceptions import UploadTooLarge
from core.planning.forecasting import start_fine_tune, start_forecast_refresh
from core.planning.graphql.history_types import ForecastRunType, PromotionType, SalesHistoryUploadType
from core.planning.models import DemandHistoryUpload
from core.planning.promotions import PromotionInput, delete_promotion, save_promotion
from core.planning.uploads import max_upload_bytes, upload_demand_history
from tenants.accounts.roles import Permission


def _file_bytes(file: Any, content_base64: str | None) -> bytes:
    limit = max_upload_bytes()
    if file is not None:
        if file.size > limit:
            raise UploadTooLarge(limit // (1024 * 1024))
        return bytes(file.read())
    if content_base64 is None:
        raise DomainError(_("Send the file (multipart `file`) or `contentBase64`."), field="file")
    if len(content_base64) > limit * 4 // 3 + 4:
        raise UploadTooLarge(limit // (1024 * 1024))
    try:
        return base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(_("contentBase64 is not valid base64."), field="contentBase64") from None


class UploadSalesHistory(BaseMutation):
    """Upload a CSV (date, sku, location[, quantity][, price][, promo][, open]; Chinese headers accepted) as a
    multipart file (graphql-multipart-request-spec) or base64. Rows join the tenant's demand history; rows
    without a quantity are plan rows (known-future promo/price/open). A bad file comes back `rejected` with
    its `rowErrors` and nothing imported."""

    upload = graphene.Field(SalesHistoryUploadType)

    class Arguments:
        filename = graphene.String(description="Defaults to the multipart file's name.")
        file = Upload(description="The CSV, sent by the multipart request convention.")
        content_base64 = graphene.String(description="The CSV as base64 (small files; the limit is the document's).")

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> UploadSalesHistory:
        file = data.get("file")
        content = _file_bytes(file, data.get("content_base64"))
        filename = data.get("filename") or getattr(file, "name", None) or "sales.csv"
        upload = upload_demand_history(content, filename, actor_from_request(info.context))
        return cls(upload=upload, errors=[])


class StartFineTune(BaseMutation):
    """Fine-tune the tenant's demand model on the whole demand history, then write forecasts; poll
    `salesHistoryUploads` for progress."""

    upload = graphene.Field(SalesHistoryUploadType)

    class Arguments:
        upload_id = graphene.ID(required=True)

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> StartFineTune:
        pk = pk_from_id(data["upload_id"], "SalesHistoryUpload")
        if pk is None or not DemandHistoryUpload.objects.filter(pk=pk).exists():
            raise DomainError(_("No such upload."), field="uploadId", code="NOT_FOUND")
        return cls(upload=start_fine_tune(pk), errors=[])


class RefreshForecasts(BaseMutation):
    """Write forecasts now from the current champion choice; poll `forecastRuns` for progress and the start date."""

    run = graphene.Field(ForecastRunType)

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> RefreshForecasts:
        return cls(run=start_forecast_refresh(actor_from_request(info.context)), errors=[])


class PromotionFields(graphene.InputObjectType):
    name = graphene.String(required=True)
    kind = graphene.String(description="discount (default), bundle, display or other.")
    item_id = graphene.ID(description="The item on promotion; or give categoryId.")
    category_id = graphene.ID(description="A whole category on promotion; or give itemId.")
    location_ids = graphene.List(graphene.NonNull(graphene.ID), description="Omit for every location.")
    start_date = graphene.Date(required=True)
    end_date = graphene.Date(required=True)
    discount = graphene.Decimal(description="Share off the price, 0 < d ≤ 1 (0.2 = 20 % off).")


def _promotion_input(fields: Any) -> PromotionInput:
    def pk(value: Any) -> int | None:
        return None if value is None else (pk_from_id(value) or -1)

    discount = fields.get("discount")
    return PromotionInput(
        name=fields["name"],
        start_date=fields["start_date"],
        end_date=fields["end_date"],
        kind=fields.get("kind") or "discount",
        item_id=pk(fields.get("item_id")),
        category_id=pk(fields.get("category_id")),
        location_ids=tuple(pk_from_id(v) or -1 for v in fields.get("location_ids") or ()),
        discount=Decimal(str(discount)) if discount is not None else None,
    )


class SavePromotion(BaseMutation):
    """Create a promotion (no id) or change one."""

    promotion = graphene.Field(PromotionType)

    class Arguments:
        id = graphene.ID(description="The promotion to change; omit to create one.")
        fields = PromotionFields(required=True)

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> SavePromotion:
        promotion_id = None if data.get("id") is None else (pk_from_id(data["id"], "Promotion") or -1)
        return cls(promotion=save_promotion(_promotion_input(data["fields"]), promotion_id), errors=[])


class DeletePromotion(BaseMutation):
    ok = graphene.Boolean()

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        permissions = (Permission.MANAGE,)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> DeletePromotion:
        delete_promotion(pk_from_id(data["id"], "Promotion") or -1)
        return cls(ok=True, errors=[])


class DemandHistoryMutations(graphene.ObjectType):
    upload_sales_history = UploadSalesHistory.Field()
    start_fine_tune = StartFineTune.Field()
    refresh_forecasts = RefreshForecasts.Field()
    save_promotion = SavePromotion.Field()
    delete_promotion = DeletePromotion.Field()
