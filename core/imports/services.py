"""Bulk import of items, partners and opening stock: validate every row first, then all or nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from core.catalog.models import Category, Item
from core.catalog.services import create_item, get_or_create_unit
from core.errors import DomainError
from core.imports.exceptions import ImportErrorCode, UnreadableFile
from core.imports.models import ImportJob, ImportStatus
from core.imports.readers import Row, read_table
from core.imports.specs import SPECS, ImportSpec
from core.inventory.services import MoveLine, post_moves
from core.locations.models import Location, LocationKind
from core.locations.services import get_virtual_location
from core.partners.models import Customer, CustomerTier, Supplier
from core.partners.services import create_customer, create_supplier


@dataclass
class RowProblem:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedFile:
    spec: ImportSpec
    rows: list[tuple[Row, dict[str, Any]]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def parse_file(kind: str, data: bytes, filename: str) -> ParsedFile:
    """Read and validate a whole file without writing anything."""
    spec = SPECS.get(kind)
    if spec is None:
        raise UnreadableFile(f"Unknown import kind {kind!r}; use one of {', '.join(SPECS)}.", code=ImportErrorCode.UNKNOWN_KIND)
    header, rows = read_table(data, filename)
    mapping, missing = spec.resolve_headers(header)
    parsed = ParsedFile(spec)
    if missing:
        parsed.problems = [RowProblem(1, name, "required column is missing") for name in missing]
        return parsed
    seen: dict[str, int] = {}
    for row in rows:
        values, problems = spec.parse_row(row, mapping)
        parsed.problems += [RowProblem(row.number, column, message) for column, message in problems]
        unique = spec.unique_column
        key = values.get(unique) if unique else None
        if unique and key:
            if key in seen:
                parsed.problems.append(RowProblem(row.number, unique, f"“{key}” repeats row {seen[key]}"))
            seen.setdefault(key, row.number)
        parsed.rows.append((row, values))
    if not parsed.rows and not parsed.problems:
        parsed.problems.append(RowProblem(2, "", "the file has no data rows"))
    parsed.problems += _check_against_database(spec.kind, parsed.rows)
    parsed.problems.sort(key=lambda p: (p.row, p.column))
    return parsed


def _check_against_database(kind: str, rows: list[tuple[Row, dict[str, Any]]]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    if kind == "items":
        existing = set(Item.objects.filter(sku__in=[v["sku"] for _, v in rows if v.get("sku")]).values_list("sku", flat=True))
        problems += [RowProblem(r.number, "sku", f"SKU “{v['sku']}” already exists") for r, v in rows if v.get("sku") in existing]
    elif kind in ("suppliers", "customers"):
        model = Supplier if kind == "suppliers" else Customer
        codes = [v["code"] for _, v in rows if v.get("code")]
        existing = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
        problems += [
            RowProblem(r.number, "code", f"code “{v['code']}” already exists") for r, v in rows if v.get("code") in existing
        ]
        if kind == "customers":
            tiers = set(CustomerTier.values)
            problems += [
                RowProblem(r.number, "tier", f"must be one of {', '.join(sorted(tiers))}")
                for r, v in rows
                if v.get("tier") and v["tier"].lower() not in tiers
            ]
    elif kind == "opening_stock":
        problems += _check_opening_stock(rows)
    return problems


def _check_opening_stock(rows: list[tuple[Row, dict[str, Any]]]) -> list[RowProblem]:
    items = {i.sku: i for i in Item.objects.filter(sku__in={v["sku"] for _, v in rows if v.get("sku")})}
    locations = {loc.code: loc for loc in Location.objects.filter(code__in={v["location"] for _, v in rows if v.get("location")})}
    problems = []
    for row, values in rows:
        item = items.get(values.get("sku") or "")
        location = locations.get(values.get("location") or "")
        if values.get("sku") and item is None:
            problems.append(RowProblem(row.number, "sku", f"no item with SKU “{values['sku']}”"))
        if values.get("location") and (location is None or location.kind != LocationKind.INTERNAL):
            problems.append(RowProblem(row.number, "location", f"no stock location “{values['location']}”"))
        if item is not None and item.lot_tracked and not values.get("lot_code"):
            problems.append(RowProblem(row.number, "lot_code", f"{item.sku} is lot-tracked: a lot is required"))
        if item is not None and not item.lot_tracked and values.get("lot_code"):
            problems.append(RowProblem(row.number, "lot_code", f"{item.sku} is not lot-tracked: leave the lot empty"))
    return problems


def import_file(kind: str, data: bytes, filename: str, *, actor: str) -> ImportJob:
    """Validate the whole file; import every row in one transaction, or nothing and a list of every problem.

    The same file imported again is recognised by its SHA-256 and returns the first import (double submit).
    """
    digest = hashlib.sha256(data).hexdigest()
    previous = ImportJob.objects.filter(kind=kind, sha256=digest, status=ImportStatus.IMPORTED).first()
    if previous is not None:
        return previous
    parsed = parse_file(kind, data, filename)
    if parsed.problems:
        return _reject(kind, filename, digest, len(parsed.rows), parsed.problems, actor)
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=kind, filename=filename, sha256=digest, status=ImportStatus.IMPORTED, row_count=len(parsed.rows), actor=actor
            )
            APPLY[kind]([values for _, values in parsed.rows], job, actor)
    except IntegrityError:
        # Another request imported the same file a moment ago (the partial UNIQUE decided).
        existing = ImportJob.objects.filter(kind=kind, sha256=digest, status=ImportStatus.IMPORTED).first()
        if existing is not None:
            return existing
        raise
    except DomainError as error:
        return _reject(kind, filename, digest, len(parsed.rows), [RowProblem(0, error.field or "", str(error))], actor)
    return job


def _reject(kind: str, filename: str, digest: str, row_count: int, problems: list[RowProblem], actor: str) -> ImportJob:
    return ImportJob.objects.create(
        kind=kind,
        filename=filename,
        sha256=digest,
        status=ImportStatus.REJECTED,
        row_count=row_count,
        errors=[p.as_dict() for p in problems],
        actor=actor,
    )


def _apply_items(rows: list[dict[str, Any]], job: ImportJob, actor: str) -> None:
    categories: dict[str, int] = {}
    for values in rows:
        category_name = values["category"]
        if category_name and category_name not in categories:
            category, _ = Category.objects.get_or_create(name=category_name, parent=None)
            categories[category_name] = category.pk
        create_item(
            sku=values["sku"],
            name_zh=values["name_zh"],
            name_en=values["name_en"],
            base_unit_id=get_or_create_unit(values["unit"]).pk,
            category_id=categories.get(category_name),
            barcodes=values["barcodes"],
            lot_tracked=values["lot_tracked"],
            shelf_life_days=values["shelf_life_days"],
            cost_method=values["cost_method"],
            removal_strategy=values["removal_strategy"],
            pack_size=values["pack_size"],
            moq=values["moq"],
        )


def _apply_suppliers(rows: list[dict[str, Any]], job: ImportJob, actor: str) -> None:
    for values in rows:
        create_supplier(
            code=values["code"],
            name=values["name"],
            declared_lead_time_days=values["lead_time_days"],
            moq=values["moq"],
            currency=values["currency"].upper(),
        )


def _apply_customers(rows: list[dict[str, Any]], job: ImportJob, actor: str) -> None:
    for values in rows:
        create_customer(
            code=values["code"],
            name=values["name"],
            tier=values["tier"].lower(),
            credit_limit=values["credit_limit"],
            addresses=[values["address"]] if values["address"] else [],
            tags=values["tags"],
        )


def _apply_opening_stock(rows: list[dict[str, Any]], job: ImportJob, actor: str) -> None:
    items = {i.sku: i.pk for i in Item.objects.filter(sku__in={v["sku"] for v in rows})}
    locations = {loc.code: loc.pk for loc in Location.objects.filter(code__in={v["location"] for v in rows})}
    # Opening balances enter from the adjustment counterparty, valued at the cost the file gives.
    source = get_virtual_location(LocationKind.INVENTORY_LOSS)
    lines = [
        MoveLine(
            item_id=items[v["sku"]],
            from_location_id=source.pk,
            to_location_id=locations[v["location"]],
            quantity=v["quantity"],
            unit_cost=v["unit_cost"],
            lot_code=v["lot_code"] or None,
            expiry_date=v["expiry_date"],
        )
        for v in rows
    ]
    post_moves(lines, idempotency_key=f"import:{job.pk}", document_type="opening_stock", document_id=job.pk, actor=actor)


APPLY = {
    "items": _apply_items,
    "suppliers": _apply_suppliers,
    "customers": _apply_customers,
    "opening_stock": _apply_opening_stock,
}
