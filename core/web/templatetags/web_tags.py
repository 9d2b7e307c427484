"""Template helpers for the tenant web app: state labels, human durations, bar widths."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from core.events.timeline import state_label

register = template.Library()


@register.filter
def doc_state(document: Any) -> str:
    """The document's state in the active language (labels the events app does not know come from ours)."""
    return _(state_label(document.SUBJECT_TYPE, document.state))


@register.filter
def human_duration(value: timedelta | None) -> str:
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("under a minute")


@register.filter
def qty(value: Decimal | None) -> str:
    """A quantity without trailing zeros: 12.5000 → 12.5."""
    if value is None:
        return ""
    normalized = value.normalize() if isinstance(value, Decimal) else Decimal(str(value)).normalize()
    return f"{normalized:f}"
