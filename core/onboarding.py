"""The core module's first-run checklist (Odoo's onboarding pattern): what a new company sets up, in order.

Declared as `OnboardingStep`s on CoreConfig; each `is_done` runs in the tenant's schema and reads only
whether something exists, so the dashboard can ask on every visit.
"""

from __future__ import annotations

from core.modules import OnboardingStep


def _units() -> bool:
    from core.catalog.models import Unit

    return Unit.objects.filter(active=True).exists()


def _locations() -> bool:
    from core.locations.models import Location, LocationKind

    return Location.objects.filter(kind=LocationKind.INTERNAL, active=True).exists()


def _suppliers() -> bool:
    from core.partners.models import Supplier

    return Supplier.objects.filter(active=True).exists()


def _items() -> bool:
    from core.catalog.models import Item

    return Item.objects.filter(active=True).exists()


def _opening_stock() -> bool:
    from core.inventory.models import StockLevel

    return StockLevel.objects.filter(on_hand__gt=0).exists()


def _sales_history() -> bool:
    from core.planning.models import DemandHistoryUpload, UploadStatus
    from core.sales.models import SalesOrder

    accepted = (UploadStatus.VALIDATED, UploadStatus.TRAINING, UploadStatus.DONE, UploadStatus.FAILED)
    return (
        DemandHistoryUpload.objects.filter(status__in=accepted).exists()
        or SalesOrder.objects.filter(state__in=("shipped", "delivered")).exists()
    )


CORE_ONBOARDING_STEPS: tuple[OnboardingStep, ...] = (
    OnboardingStep("units", "创建计量单位（瓶、箱、kg…）", "Create your units (bottle, case, kg…)", "web:unit_list", _units, 10),
    OnboardingStep("locations", "创建仓库库位", "Create a stock location", "web:location_list", _locations, 20),
    OnboardingStep("suppliers", "添加供应商", "Add your suppliers", "web:supplier_list", _suppliers, 30),
    OnboardingStep("items", "添加商品或导入商品表", "Add items or import your item list", "web:item_list", _items, 40),
    OnboardingStep("opening_stock", "录入期初库存", "Enter your opening stock", "web:import_upload", _opening_stock, 50),
    OnboardingStep(
        "sales_history",
        "上传销售历史（用于预测）",
        "Upload your sales history (for forecasts)",
        "web:training_upload",
        _sales_history,
        60,
    ),
)
