"""The core module's onboarding checklist: what a new tenant does before the ledger is useful.

CoreConfig declares these as `onboarding_steps`; `registry.onboarding_steps(tenant)` orders them with the
enabled modules' steps and reads each one's done state in the tenant's schema. Units and locations have no
page of their own yet: their steps link to the item form and the stock page, where both are used.
"""

from __future__ import annotations

from core.modules import OnboardingStep


def units_defined() -> bool:
    from core.catalog.models import Unit

    return Unit.objects.exists()


def stock_locations_defined() -> bool:
    from core.locations.models import Location, LocationKind

    return Location.objects.filter(kind=LocationKind.INTERNAL).exists()


def suppliers_defined() -> bool:
    from core.partners.models import Supplier

    return Supplier.objects.exists()


def items_defined() -> bool:
    from core.catalog.models import Item

    return Item.objects.exists()


def opening_stock_posted() -> bool:
    from core.inventory.models import Posting

    return Posting.objects.exists()  # an opening-stock import or any receipt: the ledger holds stock


def sales_history_uploaded() -> bool:
    from ml_models.models import SalesHistoryUpload, UploadStatus

    return SalesHistoryUpload.objects.exclude(status=UploadStatus.REJECTED).exists()


CORE_ONBOARDING: tuple[OnboardingStep, ...] = (
    OnboardingStep("units", "设置计量单位", "Set up units", "web:item_create", units_defined, order=10),
    OnboardingStep(
        "locations", "设置仓库与门店库位", "Set up warehouses and stores", "web:stock_levels", stock_locations_defined, order=20
    ),
    OnboardingStep("suppliers", "添加或导入供应商", "Add or import suppliers", "web:import_upload", suppliers_defined, order=30),
    OnboardingStep("items", "添加或导入商品", "Add or import items", "web:import_upload", items_defined, order=40),
    OnboardingStep("opening_stock", "导入期初库存", "Import opening stock", "web:import_upload", opening_stock_posted, order=50),
    OnboardingStep(
        "sales_history", "上传销售历史", "Upload sales history", "web:training_upload", sales_history_uploaded, order=60
    ),
)
