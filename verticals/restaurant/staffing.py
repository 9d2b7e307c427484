"""Outlet, labour-region and staff state changes behind the management pages (the GraphQL outlet mutation
shares `open_outlet`): each validates all input before writing, so a refused form writes nothing."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from core.locations.models import Store
from verticals.restaurant.exceptions import InvalidScheduleInput, NotFound
from verticals.restaurant.models import LabourRegion, Outlet, StaffMember

# The roles the roster plans for (rostering.COVERS_PER_STAFF and ROLE_MINIMUM); a skill outside them would
# never be scheduled, so the page offers only these.
ROLES = ("chef", "server", "cashier", "manager")
WEEK_HOURS = 168


def _hours(value: object, field: str, *, low: int = 0, high: int = WEEK_HOURS) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidScheduleInput(_("Enter a whole number of hours."), field=field) from None
    if not low <= number <= high:
        raise InvalidScheduleInput(_("Enter a number between %(low)s and %(high)s.") % {"low": low, "high": high}, field=field)
    return number


@transaction.atomic
def update_outlet(
    outlet_id: int, *, name: str, region: str, open_weekdays: Iterable[int | str] = (), pos_secret: str | None = None
) -> Outlet:
    """Rename the outlet's store, move it to a labour region, set its open days; a blank secret keeps the old one."""
    outlet = Outlet.objects.select_for_update().select_related("store").filter(pk=outlet_id).first()
    if outlet is None:
        raise NotFound(_("No outlet with id %(id)s.") % {"id": outlet_id})
    name, region = name.strip(), region.strip()
    if not name:
        raise InvalidScheduleInput(_("An outlet needs a name."), field="name")
    if not region:
        raise InvalidScheduleInput(_("Choose a labour region."), field="region")
    days = sorted({_hours(day, "open_weekdays", high=6) for day in open_weekdays})
    Store.objects.filter(pk=outlet.store_id).update(name=name)
    outlet.store.name = name
    outlet.region = region
    outlet.open_weekdays = [] if len(days) == 7 else days  # all seven days is the default "every day"
    if pos_secret:
        outlet.pos_secret = pos_secret.strip()
    outlet.save(update_fields=["region", "open_weekdays", "pos_secret"])
    return outlet


@transaction.atomic
def save_labour_region(
    *,
    code: str,
    max_weekly_hours: object,
    min_rest_hours: object,
    max_shift_hours: object,
    fatigue_after_hours: object,
    max_days_per_week: object,
) -> LabourRegion:
    """Create or change a region's labour-hour rules (社保/劳动法工时), which every outlet of the region plans by."""
    code = code.strip().upper()
    if not code:
        raise InvalidScheduleInput(_("A labour region needs a code."), field="code")
    values = {
        "max_weekly_hours": _hours(max_weekly_hours, "max_weekly_hours", low=1),
        "min_rest_hours": _hours(min_rest_hours, "min_rest_hours", high=24),
        "max_shift_hours": _hours(max_shift_hours, "max_shift_hours", low=1, high=24),
        "fatigue_after_hours": _hours(fatigue_after_hours, "fatigue_after_hours", low=1, high=24),
        "max_days_per_week": _hours(max_days_per_week, "max_days_per_week", low=1, high=7),
    }
    if values["fatigue_after_hours"] > values["max_shift_hours"]:
        raise InvalidScheduleInput(
            _("Fatigue must start within the longest shift (%(hours)s h).") % {"hours": values["max_shift_hours"]},
            field="fatigue_after_hours",
        )
    region, _created = LabourRegion.objects.update_or_create(code=code, defaults=values)
    return region


@transaction.atomic
def save_staff_member(
    *,
    outlet_id: int,
    name: str,
    roles: Iterable[str],
    min_weekly_hours: object = 0,
    max_weekly_hours: object = "",
    active: bool = True,
    staff_id: int | None = None,
) -> StaffMember:
    """Add a person to an outlet's roster or change their skills and contract hours (blank maximum: the
    region's weekly limit applies)."""
    if not Outlet.objects.filter(pk=outlet_id).exists():
        raise NotFound(_("No outlet with id %(id)s.") % {"id": outlet_id})
    name = name.strip()
    if not name:
        raise InvalidScheduleInput(_("Enter the staff member's name."), field="name")
    skills = sorted({role for role in roles if role})
    unknown = [role for role in skills if role not in ROLES]
    if unknown or not skills:
        raise InvalidScheduleInput(_("Choose at least one role from the list."), field="roles")
    minimum = _hours(min_weekly_hours or 0, "min_weekly_hours")
    maximum = None if str(max_weekly_hours or "").strip() == "" else _hours(max_weekly_hours, "max_weekly_hours", low=1)
    if maximum is not None and maximum < minimum:
        raise InvalidScheduleInput(_("The maximum weekly hours are below the minimum."), field="max_weekly_hours")
    values = {
        "outlet_id": outlet_id,
        "name": name[:120],
        "roles": skills,
        "min_weekly_hours": minimum,
        "max_weekly_hours": maximum,
        "active": active,
    }
    if staff_id is None:
        return StaffMember.objects.create(**values)
    member = StaffMember.objects.select_for_update().filter(pk=staff_id).first()
    if member is None:
        raise NotFound(_("No staff member with id %(id)s.") % {"id": staff_id})
    for key, value in values.items():
        setattr(member, key, value)
    member.save()
    return member
