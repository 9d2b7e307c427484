"""Master data: unit conversions, category trees, supplier lead-time learning, virtual and transit locations."""

from __future__ import annotations

import statistics
from decimal import Decimal

import pytest

from core.catalog.exceptions import CategoryCycle, DuplicateSku, UnknownUnit
from core.catalog.services import create_category, get_or_create_unit, move_category, set_unit_conversion, to_base_quantity
from core.inventory.factories import make_item, make_stock_location
from core.locations.exceptions import InvalidDestination, NotAVirtualKind
from core.locations.models import LocationKind
from core.locations.services import create_transit_location, get_virtual_location
from core.partners.services import create_supplier, record_lead_time


def test_quantities_convert_to_the_base_unit(in_alpha):
    # given an item in pieces sold by the box of 24
    item = make_item()
    box = get_or_create_unit("box", "箱")
    set_unit_conversion(item.pk, box.pk, Decimal("24"))
    # when / then
    assert to_base_quantity(item, Decimal("3"), box) == Decimal("72")
    assert to_base_quantity(item, Decimal("3"), "box") == Decimal("72")
    assert to_base_quantity(item, Decimal("5"), "pcs") == Decimal("5")
    with pytest.raises(UnknownUnit):
        to_base_quantity(item, Decimal("1"), get_or_create_unit("kg"))


def test_sku_is_unique(in_alpha):
    # given
    make_item("DUP-1")
    # when / then
    with pytest.raises(DuplicateSku):
        make_item("DUP-1")


def test_a_category_cannot_move_under_its_own_descendant(in_alpha):
    # given
    food = create_category("食品")
    rice = create_category("大米", food.pk)
    # when / then
    with pytest.raises(CategoryCycle):
        move_category(food.pk, rice.pk)


def test_supplier_lead_time_is_learned_from_receipts(in_alpha):
    # given
    supplier = create_supplier(code="SUP-LT", name="供应商", declared_lead_time_days=7)
    samples = [5, 9, 6, 8, 12]
    # when
    for days in samples:
        supplier = record_lead_time(supplier, days)
    # then mean and sample standard deviation match the samples
    assert supplier.lead_time_samples == 5
    assert supplier.learned_lead_time_mean_days == Decimal(str(statistics.mean(samples))).quantize(Decimal("0.0001"))
    assert abs(float(supplier.learned_lead_time_std_days) - statistics.stdev(samples)) < 0.001


def test_virtual_locations_exist_once_and_transit_needs_an_internal_destination(in_alpha):
    # given
    shelf = make_stock_location()
    # when
    transit = create_transit_location(shelf, "PO-42")
    # then
    assert transit.kind == LocationKind.TRANSIT and transit.destination_id == shelf.pk
    assert get_virtual_location(LocationKind.SUPPLIER).pk == get_virtual_location(LocationKind.SUPPLIER).pk
    with pytest.raises(NotAVirtualKind):
        get_virtual_location(LocationKind.INTERNAL)
    with pytest.raises(InvalidDestination):
        create_transit_location(get_virtual_location(LocationKind.CUSTOMER), "bad")
