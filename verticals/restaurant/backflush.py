"""POS sales in, ingredients out (销售扣料): ticket lines are stored once per (outlet, ticket, line) and each
batch backflushes its dishes' ingredients from the outlet's stock in one ledger posting.

Lock order: the outlet row first (batches of one outlet serialise, so the "already received" check and the
insert cannot race), then the ledger's own order inside `post_moves`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.catalog.models import Item
from core.inventory.models import ItemValuation, StockLevel
from core.inventory.services import MoveLine, post_moves
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location
from verticals.restaurant import events
from verticals.restaurant.exceptions import BadTicketLine, BatchSizeRefused, NotFound, TicketLinesRejected
from verticals.restaurant.models import (
    POS_DOCUMENT_TYPE,
    Dish,
    DishModifier,
    Outlet,
    PosTicketLine,
    TheoreticalUsage,
    TicketLineKind,
    TicketLineStatus,
)
from verticals.restaurant.services import RecipeBook

MAX_BATCH = 20000
DOCUMENT_TYPE = POS_DOCUMENT_TYPE
QTY_PLACES = Decimal("0.0001")
ZERO = Decimal(0)


@dataclass(frozen=True)
class TicketLineInput:
    ticket_no: str
    line_no: int
    dish_code: str
    quantity: Decimal | str | int
    sold_at: datetime
    kind: str = TicketLineKind.SALE
    modifiers: tuple[str, ...] = ()
    unit_price: Decimal | str | int = 0
    reverses_line_no: int | None = None  # the sale line a void or refund undoes


@dataclass
class IngestResult:
    received: int = 0
    already_received: int = 0  # the same (ticket, line) sent before: nothing posted twice
    posted: int = 0
    reversed: int = 0
    in_review: int = 0  # unknown dish, no recipe, unknown original line, or held for stock
    held_for_stock: int = 0
    # Items this batch drove below zero, when the tenant allows negative stock (the policy says so).
    negative_items: list[str] = field(default_factory=list)
    posting_key: str = ""
    messages: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    """A ticket line about to be inserted: plain attributes, so a 5 000-line batch builds no model instances."""

    outlet_id: int
    ticket_no: str
    line_no: int
    kind: str
    dish_code: str
    dish: Dish | None
    quantity: Decimal
    unit_price: Decimal
    modifiers: list[str]
    reverses_line_no: int | None
    sold_at: datetime
    status: str
    review_reason: str = ""
    posting_key: str = ""
    consumed: dict[str, str] = field(default_factory=dict)
    pk: int | None = None

    @property
    def dish_id(self) -> int | None:
        return self.dish.pk if self.dish is not None else None


@dataclass
class _Line:
    data: TicketLineInput
    quantity: Decimal
    row: _Row | None = None
    consumed: dict[int, Decimal] = field(default_factory=dict)  # + taken from stock, − given back


def ingest_ticket_lines(
    outlet_id: int,
    lines: Sequence[TicketLineInput],
    *,
    actor: str = "pos",
    allow_negative: bool | None = None,
) -> IngestResult:
    """Store a batch of POS ticket lines and backflush them, all in one transaction.

    A malformed line refuses the batch (every bad line listed, nothing stored). A well-formed line for an
    unknown dish, a dish without a recipe, or a void without its sale goes to the review queue. Modifiers
    scale their ingredient. Voids and refunds give back what their sale line took. When the tenant does
    not allow negative stock, a sale that would take more than the outlet holds waits in the review queue
    (and the result says which); when it does, the posting goes through and the result names the items
    now below zero."""
    if not lines or len(lines) > MAX_BATCH:
        raise BatchSizeRefused(_("Send between 1 and %(max)s ticket lines per batch.") % {"max": MAX_BATCH})
    checked = _check_rows(lines)
    if allow_negative is None:
        allow_negative = bool(getattr(getattr(connection, "tenant", None), "allow_negative_stock", False))
    with transaction.atomic():
        outlet = Outlet.objects.select_for_update().filter(pk=outlet_id).first()
        if outlet is None:
            raise NotFound(_("No outlet with id %(id)s.") % {"id": outlet_id}, field="outletId")
        return _Batch(outlet, checked, actor, allow_negative).run()


class _Batch:
    def __init__(self, outlet: Outlet, lines: list[_Line], actor: str, allow_negative: bool) -> None:
        self.outlet, self.lines, self.actor, self.allow_negative = outlet, lines, actor, allow_negative
        self.result = IngestResult()
        self.now = timezone.now()

    def run(self) -> IngestResult:
        new = self._drop_already_received()
        if not new:
            return self.result
        dishes = {dish.code: dish for dish in Dish.objects.filter(code__in={line.data.dish_code for line in new})}
        book = RecipeBook()
        modifiers = self._modifiers(dishes)
        sales: dict[tuple[str, int], _Line] = {}
        for line in new:
            line.row = self._row(line, dishes.get(line.data.dish_code))
            if line.data.kind == TicketLineKind.SALE:
                self._explode_sale(line, book, modifiers)
                sales[(line.data.ticket_no, line.data.line_no)] = line
            else:
                self._reverse(line, sales)
        if not self.allow_negative:
            self._hold_short_sales(new)
        self._post(new)
        _insert_rows([line.row for line in new if line.row is not None])
        self._record_usage(new)
        self._count(new)
        if self.result.in_review or any(line.data.kind != TicketLineKind.SALE for line in new):
            self._announce_review()
        return self.result

    # --- steps -----------------------------------------------------------------------------------------

    def _drop_already_received(self) -> list[_Line]:
        keys = {(line.data.ticket_no, line.data.line_no) for line in self.lines}
        existing = set(
            PosTicketLine.objects.filter(outlet=self.outlet, ticket_no__in={ticket for ticket, _ in keys}).values_list(
                "ticket_no", "line_no"
            )
        )
        seen: set[tuple[str, int]] = set()
        new = []
        for line in self.lines:
            key = (line.data.ticket_no, line.data.line_no)
            if key in existing or key in seen:
                self.result.already_received += 1
                continue
            seen.add(key)
            new.append(line)
        self.result.received = len(new)
        return new

    def _row(self, line: _Line, dish: Dish | None) -> _Row:
        data = line.data
        return _Row(
            outlet_id=self.outlet.pk,
            ticket_no=data.ticket_no,
            line_no=data.line_no,
            kind=data.kind,
            dish_code=data.dish_code,
            dish=dish,
            quantity=line.quantity,
            unit_price=Decimal(str(data.unit_price or 0)),
            modifiers=list(data.modifiers),
            reverses_line_no=data.reverses_line_no,
            sold_at=data.sold_at,
            status=TicketLineStatus.POSTED,
        )

    def _modifiers(self, dishes: dict[str, Dish]) -> dict[tuple[int, str], tuple[int, Decimal]]:
        rows = DishModifier.objects.filter(dish_id__in=[dish.pk for dish in dishes.values()])
        return {(m.dish_id, m.code): (m.item_id, m.factor) for m in rows}

    def _explode_sale(self, line: _Line, book: RecipeBook, modifiers: dict[tuple[int, str], tuple[int, Decimal]]) -> None:
        row = line.row
        assert row is not None
        if row.dish is None:
            return self._review(line, _("Unknown dish %(code)s.") % {"code": row.dish_code})
        if not book.has_recipe(row.dish.pk):
            return self._review(line, _("Dish %(code)s has no recipe.") % {"code": row.dish_code})
        per_portion = dict(book.per_portion(row.dish.pk))
        for code in line.data.modifiers:
            modifier = modifiers.get((row.dish.pk, code))
            if modifier is None:
                return self._review(line, _("Unknown modifier %(code)s.") % {"code": code})
            item_id, factor = modifier
            per_portion[item_id] = per_portion.get(item_id, ZERO) * factor
        line.consumed = {item: (q * line.quantity).quantize(QTY_PLACES) for item, q in per_portion.items() if q > 0}
        return None

    def _reverse(self, line: _Line, sales: dict[tuple[str, int], _Line]) -> None:
        """A void or refund gives back what its sale took, in proportion to the quantity undone."""
        row = line.row
        assert row is not None
        key = (line.data.ticket_no, line.data.reverses_line_no or 0)
        in_batch = sales.get(key)
        original_row: _Row | PosTicketLine | None
        if in_batch is not None and in_batch.row is not None and in_batch.row.status == TicketLineStatus.POSTED:
            original_row, taken = in_batch.row, in_batch.consumed
        else:
            original_row = (
                PosTicketLine.objects.select_for_update()
                .filter(outlet=self.outlet, ticket_no=key[0], line_no=key[1], kind=TicketLineKind.SALE)
                .first()
            )
            if original_row is None or original_row.status != TicketLineStatus.POSTED:
                message = _("No backflushed sale line %(line)s on ticket %(ticket)s to reverse.")
                return self._review(line, message % {"line": key[1], "ticket": key[0]})
            taken = {int(item): Decimal(q) for item, q in original_row.consumed.items()}
        share = min(line.quantity / original_row.quantity, Decimal(1))
        line.consumed = {item: -(q * share).quantize(QTY_PLACES) for item, q in taken.items()}
        if share == 1:
            original_row.status = TicketLineStatus.REVERSED
            if original_row.pk is not None:
                PosTicketLine.objects.filter(pk=original_row.pk).update(status=TicketLineStatus.REVERSED)
        self.result.reversed += 1
        return None

    def _hold_short_sales(self, new: list[_Line]) -> None:
        """Keep within what the outlet holds: a sale that would go below zero waits in review, saying why."""
        item_ids = {item for line in new for item in line.consumed}
        available = {
            row["item_id"]: row["total"]
            for row in StockLevel.objects.filter(location_id=self.outlet.stock_location_id, item_id__in=item_ids)
            .values("item_id")
            .annotate(total=Sum("on_hand"))
        }
        for line in new:  # returns first: a void in the batch frees stock for the sales after it
            for item, q in line.consumed.items():
                if q < 0:
                    available[item] = available.get(item, ZERO) - q
        skus: dict[int, str] = {}
        for line in new:
            if not line.consumed or any(q < 0 for q in line.consumed.values()):
                continue
            short = [item for item, q in line.consumed.items() if available.get(item, ZERO) < q]
            if short:
                skus.update(Item.objects.filter(pk__in=set(short) - set(skus)).values_list("pk", "sku"))
                names = ", ".join(skus[item] for item in short)
                self._review(
                    line, _("Held: not enough %(items)s at the outlet (negative stock is not allowed).") % {"items": names}
                )
                self.result.held_for_stock += 1
                continue
            for item, q in line.consumed.items():
                available[item] -= q

    def _post(self, new: list[_Line]) -> None:
        """One posting for the whole batch, net per ingredient: the ledger locks each level once."""
        net: dict[int, Decimal] = {}
        for line in new:
            for item, q in line.consumed.items():
                net[item] = net.get(item, ZERO) + q
        net = {item: q for item, q in net.items() if q != 0}
        if not net:
            return
        kitchen = get_virtual_location(LocationKind.PRODUCTION).pk  # 后厨消耗: ingredients leave stock into dishes
        stock = self.outlet.stock_location_id
        averages = dict(
            ItemValuation.objects.filter(item_id__in=[i for i, q in net.items() if q < 0]).values_list("item_id", "average_cost")
        )
        moves = [
            MoveLine(item_id=item, from_location_id=stock, to_location_id=kitchen, quantity=q)
            if q > 0
            else MoveLine(item_id=item, from_location_id=kitchen, to_location_id=stock, quantity=-q, unit_cost=averages.get(item))
            for item, q in sorted(net.items())
        ]
        keys = sorted(f"{line.data.ticket_no}:{line.data.line_no}" for line in new if line.consumed)
        digest = hashlib.sha256("|".join(keys).encode()).hexdigest()[:32]
        key = f"restaurant.pos:{self.outlet.pk}:{digest}"
        posting = post_moves(
            moves,
            idempotency_key=key,
            document_type=DOCUMENT_TYPE,
            document_id=self.outlet.pk,
            actor=self.actor,
            allow_negative=self.allow_negative,
            reason="pos backflush",
        )
        self.result.posting_key = posting.idempotency_key
        for line in new:
            if line.consumed and line.row is not None:
                line.row.posting_key = key
                line.row.consumed = {str(item): str(q) for item, q in line.consumed.items()}
        if self.allow_negative:
            below = StockLevel.objects.filter(location_id=stock, item_id__in=list(net), on_hand__lt=0)
            self.result.negative_items = sorted(set(below.values_list("item__sku", flat=True)))
            if self.result.negative_items:
                message = _("Negative stock is allowed for this company: %(items)s are now below zero.")
                self.result.messages.append(message % {"items": ", ".join(self.result.negative_items)})

    def _record_usage(self, new: list[_Line]) -> None:
        """Add the batch's theoretical usage per item and business day (one upsert)."""
        usage: dict[tuple[int, object], Decimal] = {}
        days: dict[datetime, object] = {}  # POS batches repeat a few timestamps: convert each once
        for line in new:
            sold_at = line.data.sold_at
            day = days.get(sold_at)
            if day is None:
                day = days[sold_at] = timezone.localdate(sold_at)
            for item, q in line.consumed.items():
                usage[(item, day)] = usage.get((item, day), ZERO) + q
        if not usage:
            return
        keys = sorted(usage, key=lambda k: (k[0], str(k[1])))
        table = connection.ops.quote_name(TheoreticalUsage._meta.db_table)
        sql = f"""
            INSERT INTO {table} (outlet_id, item_id, day, quantity)
            SELECT %s, i, d, q FROM unnest(%s::bigint[], %s::date[], %s::numeric[]) AS u(i, d, q)
            ON CONFLICT (outlet_id, item_id, day) DO UPDATE SET quantity = {table}.quantity + EXCLUDED.quantity
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.outlet.pk, [k[0] for k in keys], [k[1] for k in keys], [usage[k] for k in keys]])

    def _announce_review(self) -> None:
        """`restaurant.pos_reviewed` when this batch grew the review queue or carried voids: the outlet's
        queue size and today's void rate, for the POS rules. A clean batch of sales writes no event."""
        today = timezone.localdate()
        lines = PosTicketLine.objects.filter(outlet=self.outlet)
        queued = lines.filter(status=TicketLineStatus.REVIEW).count()
        kinds = dict(
            lines.filter(sold_at__date=today).order_by().values("kind").annotate(n=Sum("quantity")).values_list("kind", "n")
        )
        sold = kinds.get(TicketLineKind.SALE) or Decimal(0)
        voided = (kinds.get(TicketLineKind.VOID) or Decimal(0)) + (kinds.get(TicketLineKind.REFUND) or Decimal(0))
        void_pct = (voided / sold * 100).quantize(Decimal("0.1")) if sold else None
        events.pos_reviewed(self.outlet, review_count=queued, void_pct=void_pct, actor=self.actor)

    def _review(self, line: _Line, reason: str) -> None:
        assert line.row is not None
        line.row.status = TicketLineStatus.REVIEW
        line.row.review_reason = reason[:300]
        line.consumed = {}

    def _count(self, new: list[_Line]) -> None:
        for line in new:
            status = line.row.status if line.row is not None else ""
            if status == TicketLineStatus.REVIEW:
                self.result.in_review += 1
            elif line.data.kind == TicketLineKind.SALE:
                self.result.posted += 1


def _insert_rows(rows: list[_Row]) -> None:
    """One INSERT … SELECT FROM unnest(…) for the batch: the ORM's bulk_create spends most of a 5 000-line
    batch building placeholders. The outlet lock taken first means no other batch inserts these keys."""
    if not rows:
        return
    table = connection.ops.quote_name(PosTicketLine._meta.db_table)
    columns = (
        "outlet_id", "ticket_no", "line_no", "kind", "dish_code", "dish_id", "quantity", "unit_price", "modifiers",
        "reverses_line_no", "sold_at", "status", "review_reason", "posting_key", "consumed",
    )  # fmt: skip
    types = (
        "bigint", "text", "integer", "text", "text", "bigint", "numeric", "numeric", "jsonb", "integer", "timestamptz",
        "text", "text", "text", "jsonb",
    )  # fmt: skip
    values: list[list[Any]] = [
        [r.outlet_id for r in rows], [r.ticket_no for r in rows], [r.line_no for r in rows], [r.kind for r in rows],
        [r.dish_code for r in rows], [r.dish_id for r in rows], [r.quantity for r in rows], [r.unit_price for r in rows],
        [json.dumps(r.modifiers) for r in rows], [r.reverses_line_no for r in rows], [r.sold_at for r in rows],
        [r.status for r in rows], [r.review_reason for r in rows], [r.posting_key for r in rows],
        [json.dumps(r.consumed) for r in rows],
    ]  # fmt: skip
    unnest = ", ".join(f"%s::{kind}[]" for kind in types)
    sql = f"INSERT INTO {table} ({', '.join(columns)}, received_at) SELECT *, now() FROM unnest({unnest})"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def _check_rows(lines: Sequence[TicketLineInput]) -> list[_Line]:
    bad: list[BadTicketLine] = []
    checked: list[_Line] = []
    kinds = set(TicketLineKind.values)
    for row, data in enumerate(lines):
        problems = len(bad)
        if not str(data.ticket_no).strip():
            bad.append(BadTicketLine(row, "ticketNo", _("A ticket number is required.")))
        if not isinstance(data.line_no, int) or data.line_no < 0:
            bad.append(BadTicketLine(row, "lineNo", _("The line number must be a whole number from 0.")))
        if not str(data.dish_code).strip():
            bad.append(BadTicketLine(row, "dishCode", _("A dish code is required.")))
        if data.kind not in kinds:
            bad.append(BadTicketLine(row, "kind", _("The kind must be sale, void or refund.")))
        elif data.kind != TicketLineKind.SALE and data.reverses_line_no is None:
            bad.append(BadTicketLine(row, "reversesLineNo", _("A void or refund names the sale line it undoes.")))
        if not isinstance(data.sold_at, datetime):
            bad.append(BadTicketLine(row, "soldAt", _("The time of sale is required.")))
        quantity = _quantity(data.quantity)
        if quantity is None:
            bad.append(BadTicketLine(row, "quantity", _("The quantity must be a positive number.")))
        if len(bad) == problems:
            sold_at = data.sold_at if data.sold_at.tzinfo is not None else timezone.make_aware(data.sold_at)
            clean = TicketLineInput(
                ticket_no=str(data.ticket_no).strip(),
                line_no=data.line_no,
                dish_code=str(data.dish_code).strip(),
                quantity=data.quantity,
                sold_at=sold_at,
                kind=data.kind,
                modifiers=tuple(m.strip() for m in data.modifiers if m.strip()),
                unit_price=data.unit_price,
                reverses_line_no=data.reverses_line_no,
            )
            checked.append(_Line(clean, quantity))  # type: ignore[arg-type]
    if bad:
        raise TicketLinesRejected(bad, _("%(n)s ticket line(s) refused; nothing was stored.") % {"n": len(bad)})
    return checked


def _quantity(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number <= 0 or number != number.quantize(QTY_PLACES):
        return None
    return number


@transaction.atomic
def resolve_review_line(line_id: int, *, dish_code: str | None = None, actor: str = "system") -> PosTicketLine:
    """Settle a line in the review queue: with a dish (the POS used another code), backflush it under its
    own key; without, mark it reviewed with nothing to post (e.g. a test ticket)."""
    row = PosTicketLine.objects.select_for_update().filter(pk=line_id, status=TicketLineStatus.REVIEW).first()
    if row is None:
        raise NotFound(_("No ticket line %(id)s awaiting review.") % {"id": line_id}, field="lineId")
    if dish_code is None:
        row.status = TicketLineStatus.RESOLVED
        row.save(update_fields=["status"])
        return row
    dish = Dish.objects.filter(code=dish_code.strip()).first()
    if dish is None:
        raise NotFound(_("No dish with code %(code)s.") % {"code": dish_code}, field="dishCode")
    outlet_id, ticket_no, line_no = row.outlet_id, row.ticket_no, row.line_no
    # Re-ingest under a fresh line key derived from the original, so the usual checks and posting apply.
    row.delete()
    result = ingest_ticket_lines(
        outlet_id,
        [
            TicketLineInput(
                ticket_no=ticket_no,
                line_no=line_no,
                dish_code=dish.code,
                quantity=row.quantity,
                sold_at=row.sold_at,
                kind=row.kind,
                modifiers=tuple(row.modifiers),
                unit_price=row.unit_price,
                reverses_line_no=row.reverses_line_no,
            )
        ],
        actor=actor,
    )
    del result
    return PosTicketLine.objects.get(outlet_id=outlet_id, ticket_no=ticket_no, line_no=line_no)
