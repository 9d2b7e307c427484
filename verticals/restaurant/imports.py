"""POS input formats: the signed JSON batch and the CSV export, both read into TicketLineInput rows."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from verticals.restaurant.backflush import TicketLineInput
from verticals.restaurant.exceptions import BadSignature, BadTicketLine, TicketLinesRejected
from verticals.restaurant.models import Outlet, RestaurantSettings

CSV_COLUMNS = ("ticket_no", "line_no", "dish_code", "quantity", "sold_at", "kind", "modifiers", "unit_price", "reverses_line_no")
SIGNATURE_HEADER = "X-JXC-Signature"  # "sha256=<hex HMAC-SHA256 of the raw body>"


def pos_secret(outlet: Outlet) -> str:
    if outlet.pos_secret:
        return outlet.pos_secret
    return RestaurantSettings.objects.values_list("pos_secret", flat=True).first() or ""


def verify_signature(outlet: Outlet, body: bytes, header: str) -> None:
    """Refuse a body whose HMAC does not match the outlet's (or the company's) POS secret."""
    secret = pos_secret(outlet)
    if not secret:
        raise BadSignature(_("No POS secret is set for outlet %(code)s.") % {"code": outlet.code})
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, header.strip()):
        raise BadSignature(_("The request signature does not match."))


def sign(secret: str, body: bytes) -> str:
    """The header value a POS sends (also what the tests and the docs use)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def lines_from_records(records: Sequence[Mapping[str, Any]]) -> list[TicketLineInput]:
    """Rows of the JSON batch or the CSV file (camelCase or snake_case keys); every bad row is reported."""
    bad: list[BadTicketLine] = []
    lines: list[TicketLineInput] = []
    for row, record in enumerate(records):
        get = _getter(record)
        found = len(bad)
        line_no = _int(get("line_no"))
        if line_no is None:
            bad.append(BadTicketLine(row, "lineNo", _("The line number must be a whole number from 0.")))
        sold_at = get("sold_at")
        when = sold_at if isinstance(sold_at, datetime) else parse_datetime(str(sold_at or "").strip())
        if when is None:
            bad.append(BadTicketLine(row, "soldAt", _("The time of sale must be an ISO date and time.")))
        reverses = get("reverses_line_no")
        reverses_no = _int(reverses) if reverses not in (None, "") else None
        modifiers = get("modifiers") or ()
        if isinstance(modifiers, str):
            modifiers = tuple(part for part in modifiers.replace("；", ";").split(";") if part.strip())
        if len(bad) > found:
            continue
        lines.append(
            TicketLineInput(
                ticket_no=str(get("ticket_no") or ""),
                line_no=line_no,  # type: ignore[arg-type]
                dish_code=str(get("dish_code") or ""),
                quantity=str(get("quantity") or ""),
                sold_at=when,  # type: ignore[arg-type]
                kind=str(get("kind") or "sale").strip().lower(),
                modifiers=tuple(str(m) for m in modifiers),
                unit_price=str(get("unit_price") or "0"),
                reverses_line_no=reverses_no,
            )
        )
    if bad:
        raise TicketLinesRejected(bad, _("%(n)s ticket line(s) refused; nothing was stored.") % {"n": len(bad)})
    return lines


def lines_from_csv(text: str) -> list[TicketLineInput]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in CSV_COLUMNS[:5] if column not in (reader.fieldnames or [])]
    if missing:
        bad = [BadTicketLine(0, "file", _("Missing column: %(column)s.") % {"column": column}) for column in missing]
        raise TicketLinesRejected(bad, _("The CSV file lacks required columns; nothing was stored."))
    return lines_from_records(list(reader))


def _getter(record: Mapping[str, Any]):  # type: ignore[no-untyped-def]
    def get(name: str) -> Any:
        camel = name.split("_")[0] + "".join(part.title() for part in name.split("_")[1:])
        return record.get(name, record.get(camel))

    return get


def _int(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None
