"""The tenant's one demand history: uploads accumulate into it (a re-upload supersedes, keeping the old row for
audit), the ledger's shipments roll up into it, and everything that forecasts reads it in one fast query."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.inventory.models import StockMove
from core.locations.models import LocationKind
from core.planning.models import DemandHistoryRow, DemandHistoryUpload, HistorySource


@dataclass(frozen=True)
class HistoryEntry:
    """One validated upload row; `quantity` None makes it a plan row (known-future inputs only)."""

    item_id: int
    location_id: int
    date: date
    quantity: Decimal | None
    price: Decimal | None
    promo: bool
    is_open: bool | None


def record_upload_rows(upload: DemandHistoryUpload, entries: Iterable[HistoryEntry]) -> int:
    """Add the upload's rows to the history; returns how many current upload rows they superseded.

    Runs inside the caller's transaction. The superseded rows are locked in (item, location, date) order
    so two uploads touching the same days serialise instead of deadlocking.
    """
    rows = list(entries)
    if not rows:
        return 0
    keys = {(e.item_id, e.location_id, e.date) for e in rows}
    days = {e.date for e in rows}
    current = (
        DemandHistoryRow.objects.select_for_update()
        .filter(source=HistorySource.UPLOAD, superseded_by__isnull=True, date__range=(min(days), max(days)))
        .filter(item_id__in={k[0] for k in keys}, location_id__in={k[1] for k in keys})
        .order_by("item_id", "location_id", "date")
        .values_list("pk", "item_id", "location_id", "date")
    )
    replaced = [pk for pk, item_id, location_id, day in current if (item_id, location_id, day) in keys]
    DemandHistoryRow.objects.filter(pk__in=replaced).update(superseded_by=upload)
    DemandHistoryRow.objects.bulk_create(
        (
            DemandHistoryRow(
                item_id=e.item_id,
                location_id=e.location_id,
                date=e.date,
                source=HistorySource.UPLOAD,
                quantity=e.quantity,
                price=e.price,
                promo=e.promo,
                is_open=e.is_open,
                upload=upload,
            )
            for e in rows
        ),
        batch_size=5000,
    )
    return len(replaced)


def roll_up_shipments(days: int = 3, *, today: date | None = None) -> int:
    """Write the ledger's shipments to customers of the last `days` days (today included) as shipment rows.

    Idempotent: each day × item × location row is rewritten with the ledger's total, so a rerun, a late
    posting or a reversal only corrects the figure; a pair whose shipments were reversed to nothing gets 0.
    Returns the rows written.
    """
    end = today or timezone.localdate()
    start = end - timedelta(days=days - 1)
    totals = {
        (row["item_id"], row["from_location_id"], row["day"]): row["total"]
        for row in StockMove.objects.filter(to_location__kind=LocationKind.CUSTOMER, occurred_at__date__range=(start, end))
        .annotate(day=TruncDate("occurred_at"))
        .values("item_id", "from_location_id", "day")
        .annotate(total=Sum("quantity"))
    }
    with transaction.atomic():
        existing = DemandHistoryRow.objects.select_for_update().filter(
            source=HistorySource.SHIPMENT, superseded_by__isnull=True, date__range=(start, end)
        )
        for row in existing.order_by("pk"):
            total = totals.pop((row.item_id, row.location_id, row.date), Decimal(0))
            if row.quantity != total:
                row.quantity = total
                row.save(update_fields=["quantity"])
        DemandHistoryRow.objects.bulk_create(
            DemandHistoryRow(item_id=i, location_id=loc, date=day, source=HistorySource.SHIPMENT, quantity=total)
            for (i, loc, day), total in totals.items()
        )
    return len(totals) + existing.count()


@dataclass
class HistoryTable:
    """The current history aggregated per item × location × day, as columns (numpy, no model instances).

    Per day the uploaded figure wins over the ledger's (it is what the tenant says it sold); shipment and
    POS figures add up. `quantity` is NaN on plan rows, `price` NaN where unknown, `is_open` NaN where the
    rows do not say (the calendar decides).
    """

    item_id: np.ndarray
    location_id: np.ndarray
    date: np.ndarray  # datetime64[D]
    quantity: np.ndarray
    price: np.ndarray
    promo: np.ndarray
    is_open: np.ndarray

    def __len__(self) -> int:
        return len(self.item_id)


_HISTORY_SQL = """
    SELECT item_id, location_id, date - DATE '1970-01-01',
           COALESCE(MAX(quantity) FILTER (WHERE source = 'upload'), SUM(quantity) FILTER (WHERE source <> 'upload')),
           COALESCE(MAX(price) FILTER (WHERE source = 'upload'), MAX(price)),
           BOOL_OR(promo)::int,
           BOOL_AND(is_open)::int
      FROM planning_demandhistoryrow
     WHERE superseded_by_id IS NULL {where}
  GROUP BY item_id, location_id, date
"""


def read_history(*, start: date | None = None, end: date | None = None, item_ids: Iterable[int] | None = None) -> HistoryTable:
    """The current history between `start` and `end` (both optional) in one COPY: 1.5 M rows load in seconds,
    where the ORM needed over a minute."""
    where: list[str] = []
    params: list[object] = []
    if start is not None:
        where.append("date >= %s")
        params.append(start)
    if end is not None:
        where.append("date <= %s")
        params.append(end)
    if item_ids is not None:
        where.append("item_id = ANY(%s)")
        params.append(list(item_ids))
    sql = _HISTORY_SQL.format(where="".join(f" AND {clause}" for clause in where))
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3: COPY streams text, much faster than fetching Python tuples
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    names = ["item_id", "location_id", "date", "quantity", "price", "promo", "is_open"]
    if buffer.getbuffer().nbytes == 0:
        frame = pd.DataFrame({name: [] for name in names})
    else:
        # Every column is numeric (the date as days since 1970): the C parser reads 1.5 M rows in well under a second.
        frame = pd.read_csv(buffer, header=None, names=names, dtype=np.float64, engine="c")
    return HistoryTable(
        item_id=frame["item_id"].to_numpy(np.int64),
        location_id=frame["location_id"].to_numpy(np.int64),
        date=frame["date"].to_numpy(np.int64).astype("datetime64[D]"),
        quantity=frame["quantity"].to_numpy(np.float64),
        price=frame["price"].to_numpy(np.float64),
        promo=frame["promo"].to_numpy(np.float64),
        is_open=frame["is_open"].to_numpy(np.float64),
    )


def last_actual_date() -> date | None:
    """The last day with an actual quantity: the forecast starts the day after."""
    found = DemandHistoryRow.objects.filter(superseded_by__isnull=True, quantity__isnull=False).order_by("-date")
    return found.values_list("date", flat=True).first()
