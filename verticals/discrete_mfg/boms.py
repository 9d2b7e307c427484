"""BOM and ECO state changes: draft versions, their lines, alternates and routing, and ECO review and release.

A released version is never edited: every change is a new draft version carried by an engineering change
order (ECO), which goes draft → review → released through the core pipeline (EngineeringChange.TRANSITIONS).
Each function is atomic; an ECO and its draft version are locked together (ECO first, then the version).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import Actor, actor_label
from core.catalog.models import Item, UnitConversion
from core.events.documents import lock_document
from core.events.pipeline import record_document_created, transition
from verticals.discrete_mfg import structure
from verticals.discrete_mfg.exceptions import (
    BomNotEditable,
    InvalidMfgQuantity,
    LockedVersion,
    MfgNotFound,
    MissingUnitConversion,
    StaleBaseVersion,
    UnknownMfgItem,
)
from verticals.discrete_mfg.models import (
    BomAlternate,
    BomByProduct,
    BomLine,
    BomState,
    BomVersion,
    EcoState,
    EngineeringChange,
    MakeOrBuy,
    MfgItem,
    RoutingOperation,
    WorkCentre,
)

ZERO = Decimal("0")


@dataclass(frozen=True)
class LineInput:
    component_id: int
    quantity: Decimal
    unit_id: int | None = None  # None: the component's base unit
    scrap_percent: Decimal = ZERO
    position: int | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    backflush: bool = False
    operation_sequence: int | None = None


def _positive(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise InvalidMfgQuantity(_("Enter a number."), field=field) from error
    if not number.is_finite() or number <= 0:
        raise InvalidMfgQuantity(_("The quantity must be positive."), field=field)
    return number


def _item(item_id: int, field: str = "itemId") -> Item:
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise UnknownMfgItem(_("No item with id %(id)s.") % {"id": item_id}, field=field)
    return item


def _locked_draft(bom_id: int) -> BomVersion:
    bom = BomVersion.objects.select_for_update().filter(pk=bom_id).first()
    if bom is None:
        raise MfgNotFound(_("No BOM version with id %(id)s.") % {"id": bom_id}, field="bomId")
    if bom.state != BomState.DRAFT:
        raise BomNotEditable(
            _("BOM version %(v)s is %(state)s: change it through a new ECO.") % {"v": bom.version, "state": bom.state}
        )
    eco = EngineeringChange.objects.filter(new_version=bom).only("state").first()
    if eco is not None and eco.state != EcoState.DRAFT:
        raise BomNotEditable(_("The ECO is in review: send it back to draft to edit its BOM."))
    return bom


def ensure_profile(item: Item, *, make_or_buy: str | None = None, lead_time_days: int | None = None) -> MfgItem:
    profile, _created = MfgItem.objects.get_or_create(item=item)
    changed = []
    if make_or_buy is not None and profile.make_or_buy != make_or_buy:
        profile.make_or_buy = make_or_buy
        changed.append("make_or_buy")
    if lead_time_days is not None and profile.lead_time_days != lead_time_days:
        profile.lead_time_days = lead_time_days
        changed.append("lead_time_days")
    if changed:
        profile.save(update_fields=changed)
    return profile


@transaction.atomic
def set_planning_profile(
    item_id: int,
    *,
    make_or_buy: str,
    lead_time_days: int,
    safety_stock: Decimal = ZERO,
    standard_cost: Decimal = ZERO,
    supplier_id: int | None = None,
) -> MfgItem:
    item = _item(item_id)
    if make_or_buy not in MakeOrBuy.values:
        raise InvalidMfgQuantity(_("Choose make or buy."), field="makeOrBuy")
    if lead_time_days < 0 or safety_stock < 0 or standard_cost < 0:
        raise InvalidMfgQuantity(_("Lead time, safety stock and cost cannot be negative."))
    profile = MfgItem.objects.select_for_update().filter(item=item).first() or MfgItem(item=item)
    profile.make_or_buy, profile.lead_time_days = make_or_buy, lead_time_days
    profile.safety_stock, profile.standard_cost, profile.supplier_id = safety_stock, standard_cost, supplier_id
    profile.save()
    return profile


@transaction.atomic
def create_work_centre(code: str, name: str, *, hourly_rate: Decimal = ZERO) -> WorkCentre:
    if not code.strip() or not name.strip():
        raise InvalidMfgQuantity(_("Enter the work centre's code and name."), field="code")
    centre, _created = WorkCentre.objects.update_or_create(
        code=code.strip(), defaults={"name": name.strip(), "hourly_rate": hourly_rate}
    )
    return centre


@transaction.atomic
def create_eco(
    item_id: int, *, title: str, actor: Actor | str, reason: str = "", effective_from: date | None = None
) -> EngineeringChange:
    """An ECO with a draft version copied from the assembly's released one (or empty for a first BOM)."""
    item = _item(item_id)
    # One ECO drafts at a time per assembly is not required; versions are numbered under a lock on the item.
    Item.objects.select_for_update().filter(pk=item.pk).first()
    base = BomVersion.objects.filter(item=item, state=BomState.RELEASED).order_by("-version").first()
    number = (BomVersion.objects.filter(item=item).aggregate(top=Max("version"))["top"] or 0) + 1
    draft = BomVersion.objects.create(
        item=item,
        version=number,
        phantom=base.phantom if base else False,
        output_quantity=base.output_quantity if base else Decimal("1"),
    )
    if base is not None:
        _copy_structure(base, draft)
    ensure_profile(item, make_or_buy=MakeOrBuy.MAKE)
    eco = EngineeringChange.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:28]}",
        title=title.strip()[:200] or _("BOM change"),
        reason=reason,
        base_version=base,
        new_version=draft,
        effective_from=effective_from,
        created_by=actor_label(actor),
    )
    eco.number = f"ECO{eco.pk:06d}"
    eco.save(update_fields=["number"])
    record_document_created(eco, actor=actor_label(actor), payload={"number": eco.number, "item": item.sku})
    return eco


def _copy_structure(base: BomVersion, draft: BomVersion) -> None:
    for line in base.lines.prefetch_related("alternates").order_by("pk"):
        alternates = list(line.alternates.all())
        line.pk, line.bom = None, draft
        line.save()
        BomAlternate.objects.bulk_create(
            [BomAlternate(line=line, item_id=a.item_id, priority=a.priority, ratio=a.ratio) for a in alternates]
        )
    RoutingOperation.objects.bulk_create(
        [
            RoutingOperation(
                bom=draft,
                sequence=op.sequence,
                work_centre_id=op.work_centre_id,
                description=op.description,
                setup_minutes=op.setup_minutes,
                run_minutes=op.run_minutes,
            )
            for op in base.operations.all()
        ]
    )
    BomByProduct.objects.bulk_create(
        [BomByProduct(bom=draft, item_id=b.item_id, quantity=b.quantity, unit_cost=b.unit_cost) for b in base.by_products.all()]
    )


@transaction.atomic
def add_bom_line(bom_id: int, line: LineInput) -> BomLine:
    """Add a component to a draft version; refused with the closing path when it would make a cycle."""
    bom = _locked_draft(bom_id)
    component = _item(line.component_id, field="componentId")
    quantity = _positive(line.quantity, "quantity")
    if not ZERO <= Decimal(line.scrap_percent) < 100:
        raise InvalidMfgQuantity(_("Scrap is a percentage from 0 to under 100."), field="scrapPercent")
    unit_id = line.unit_id or component.base_unit_id
    if unit_id != component.base_unit_id and not UnitConversion.objects.filter(item=component, unit_id=unit_id).exists():
        raise MissingUnitConversion(
            _("Item %(sku)s has no conversion for this unit: add the conversion first.") % {"sku": component.sku},
            sku=component.sku,
        )
    if line.effective_from and line.effective_to and line.effective_to <= line.effective_from:
        raise InvalidMfgQuantity(_("The line must end after it starts."), field="effectiveTo")
    structure.refuse_cycle(bom.item_id, component.pk, on=timezone.localdate(), extra=[bom.pk])
    position = line.position or (bom.lines.aggregate(top=Max("position"))["top"] or 0) + 10
    created = BomLine.objects.create(
        bom=bom,
        position=position,
        component=component,
        quantity=quantity,
        unit_id=unit_id,
        scrap_percent=line.scrap_percent,
        effective_from=line.effective_from,
        effective_to=line.effective_to,
        backflush=line.backflush,
        operation_sequence=line.operation_sequence,
    )
    MfgItem.objects.get_or_create(item=component)
    return created


@transaction.atomic
def update_bom_line(line_id: int, *, quantity: Decimal | None = None, scrap_percent: Decimal | None = None) -> BomLine:
    line = BomLine.objects.filter(pk=line_id).first()
    if line is None:
        raise MfgNotFound(_("No BOM line with id %(id)s.") % {"id": line_id}, field="lineId")
    _locked_draft(line.bom_id)
    if quantity is not None:
        line.quantity = _positive(quantity, "quantity")
    if scrap_percent is not None:
        if not ZERO <= Decimal(scrap_percent) < 100:
            raise InvalidMfgQuantity(_("Scrap is a percentage from 0 to under 100."), field="scrapPercent")
        line.scrap_percent = scrap_percent
    line.save()
    return line


@transaction.atomic
def remove_bom_line(line_id: int) -> None:
    line = BomLine.objects.filter(pk=line_id).first()
    if line is None:
        raise MfgNotFound(_("No BOM line with id %(id)s.") % {"id": line_id}, field="lineId")
    _locked_draft(line.bom_id)
    line.delete()


@transaction.atomic
def add_alternate(line_id: int, item_id: int, *, priority: int = 1, ratio: Decimal = Decimal("1")) -> BomAlternate:
    line = BomLine.objects.filter(pk=line_id).first()
    if line is None:
        raise MfgNotFound(_("No BOM line with id %(id)s.") % {"id": line_id}, field="lineId")
    bom = _locked_draft(line.bom_id)
    item = _item(item_id)
    if item.pk == line.component_id:
        raise InvalidMfgQuantity(_("A part cannot be its own alternate."), field="itemId")
    structure.refuse_cycle(bom.item_id, item.pk, on=timezone.localdate(), extra=[bom.pk])
    alternate, _created = BomAlternate.objects.update_or_create(
        line=line, item=item, defaults={"priority": priority, "ratio": _positive(ratio, "ratio")}
    )
    return alternate


@transaction.atomic
def add_operation(
    bom_id: int, *, sequence: int, work_centre_id: int, run_minutes: Decimal, setup_minutes: Decimal = ZERO, description: str = ""
) -> RoutingOperation:
    bom = _locked_draft(bom_id)
    if run_minutes < 0 or setup_minutes < 0:
        raise InvalidMfgQuantity(_("Standard times cannot be negative."), field="runMinutes")
    if not WorkCentre.objects.filter(pk=work_centre_id).exists():
        raise MfgNotFound(_("No work centre with id %(id)s.") % {"id": work_centre_id}, field="workCentreId")
    operation, _created = RoutingOperation.objects.update_or_create(
        bom=bom,
        sequence=sequence,
        defaults={
            "work_centre_id": work_centre_id,
            "run_minutes": run_minutes,
            "setup_minutes": setup_minutes,
            "description": description,
        },
    )
    return operation


@transaction.atomic
def add_by_product(bom_id: int, item_id: int, *, quantity: Decimal, unit_cost: Decimal = ZERO) -> BomByProduct:
    bom = _locked_draft(bom_id)
    return BomByProduct.objects.create(
        bom=bom, item=_item(item_id), quantity=_positive(quantity, "quantity"), unit_cost=unit_cost
    )


@transaction.atomic
def set_phantom(bom_id: int, phantom: bool) -> BomVersion:
    bom = _locked_draft(bom_id)
    bom.phantom = phantom
    bom.save(update_fields=["phantom"])
    return bom


@transaction.atomic
def lock_version(bom_id: int, locked: bool = True) -> BomVersion:
    """Freeze a released version (a customer's approved build): no ECO may supersede it until unlocked."""
    bom = BomVersion.objects.select_for_update().filter(pk=bom_id).first()
    if bom is None:
        raise MfgNotFound(_("No BOM version with id %(id)s.") % {"id": bom_id}, field="bomId")
    bom.locked = locked
    bom.save(update_fields=["locked"])
    return bom


def _locked_eco(eco: EngineeringChange) -> EngineeringChange:
    return lock_document(eco)


@transaction.atomic
def submit_eco(eco: EngineeringChange, *, actor: Actor | str) -> EngineeringChange:
    """Send the draft to review; the rules engine may ask for an approval on `engineering_change.review`."""
    _locked_eco(eco)
    if not eco.new_version.lines.exists():
        raise BomNotEditable(_("A BOM needs at least one component before review."), field="lines")
    from verticals.discrete_mfg.impact import eco_impact

    impact = eco_impact(eco)
    return transition(eco, EcoState.REVIEW, actor=actor_label(actor), payload=impact.summary())


@transaction.atomic
def reopen_eco(eco: EngineeringChange, *, actor: Actor | str, reason: str = "") -> EngineeringChange:
    return transition(eco, EcoState.DRAFT, actor=actor_label(actor), reason=reason)


@transaction.atomic
def cancel_eco(eco: EngineeringChange, *, actor: Actor | str, reason: str = "") -> EngineeringChange:
    return transition(eco, EcoState.CANCELLED, actor=actor_label(actor), reason=reason)


@transaction.atomic
def release_eco(eco: EngineeringChange, *, actor: Actor | str, today: date | None = None) -> EngineeringChange:
    """Make the ECO's version the released one and supersede the base.

    Refused over a locked base version, when another ECO released a newer version meanwhile, or when the
    new structure would close a cycle. Lock order: ECO, then the assembly's versions by pk."""
    _locked_eco(eco)
    today = today or timezone.localdate()
    versions = {v.pk: v for v in BomVersion.objects.select_for_update().filter(item_id=eco.new_version.item_id).order_by("pk")}
    draft = versions[eco.new_version_id]
    current = next((v for v in versions.values() if v.state == BomState.RELEASED), None)
    if current is not None and current.pk != eco.base_version_id:
        raise StaleBaseVersion(
            _("Version %(v)s was released after this ECO was drafted: start a new ECO from it.") % {"v": current.version}
        )
    if current is not None and current.locked:
        raise LockedVersion(
            _("Version %(v)s of %(sku)s is locked: unlock it before releasing a change over it.")
            % {"v": current.version, "sku": draft.item.sku}
        )
    for component_id in draft.lines.values_list("component_id", flat=True):
        structure.refuse_cycle(draft.item_id, component_id, on=today, hidden=[current.pk] if current else [], extra=[draft.pk])
    effective = eco.effective_from or today
    if current is not None:
        current.state, current.effective_to = BomState.SUPERSEDED, effective
        current.save(update_fields=["state", "effective_to"])
    draft.state, draft.effective_from, draft.released_at = BomState.RELEASED, effective, timezone.now()
    draft.save(update_fields=["state", "effective_from", "released_at"])
    released = transition(eco, EcoState.RELEASED, actor=actor_label(actor))
    structure.refresh_low_level_codes(on=today)
    return released


@dataclass(frozen=True)
class LineChange:
    component_id: int
    sku: str
    change: str  # added | removed | changed
    before_quantity: Decimal | None
    after_quantity: Decimal | None
    before_scrap: Decimal | None
    after_scrap: Decimal | None


def diff_versions(before: BomVersion | None, after: BomVersion) -> list[LineChange]:
    """What changed between two versions, per component (quantities summed when a part appears twice)."""

    def lines(bom: BomVersion | None) -> dict[int, tuple[Decimal, Decimal, str, int]]:
        result: dict[int, tuple[Decimal, Decimal, str, int]] = {}
        if bom is None:
            return result
        for line in bom.lines.select_related("component"):
            quantity, _scrap, sku, _unit = result.get(
                line.component_id, (ZERO, line.scrap_percent, line.component.sku, line.unit_id)
            )
            result[line.component_id] = (quantity + line.quantity, line.scrap_percent, sku, line.unit_id)
        return result

    old, new = lines(before), lines(after)
    changes: list[LineChange] = []
    for component_id in sorted(set(old) | set(new), key=lambda pk: (old.get(pk) or new[pk])[2]):
        o, n = old.get(component_id), new.get(component_id)
        if o is None and n is not None:
            changes.append(LineChange(component_id, n[2], "added", None, n[0], None, n[1]))
        elif n is None and o is not None:
            changes.append(LineChange(component_id, o[2], "removed", o[0], None, o[1], None))
        elif o is not None and n is not None and (o[0], o[1], o[3]) != (n[0], n[1], n[3]):
            changes.append(LineChange(component_id, n[2], "changed", o[0], n[0], o[1], n[1]))
    return changes
