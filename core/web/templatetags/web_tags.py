"""Template helpers for the tenant web app: state labels, human durations, quantities, administration links."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.events.timeline import state_label
from tenants.accounts.roles import Permission, role_has

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


# The administration pages, shown in the navigation only to the roles that may open them.
ADMIN_PAGES = (
    ("web:user_list", gettext_lazy("Users & roles"), Permission.ADMINISTER),
    ("web:api_key_list", gettext_lazy("API keys"), Permission.ADMINISTER),
    ("web:webhook_list", gettext_lazy("Webhooks"), Permission.ADMINISTER),
    ("web:billing", gettext_lazy("Modules & billing"), Permission.ADMINISTER),
)


@register.simple_tag(takes_context=True)
def admin_nav_links(context: dict[str, Any]) -> list[tuple[str, str]]:
    """(url, label) of the administration pages the signed-in user's role may open; none for others."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if context.get("current_tenant") is None or user is None or not user.is_authenticated:
        return []
    return [(reverse(name), str(label)) for name, label, permission in ADMIN_PAGES if role_has(user.role, permission)]


ITEM_CHOICES_SHOWN = 500  # the order-line suggestions; beyond that the scan box still finds by SKU, barcode or name


@register.simple_tag
def item_choices() -> list[tuple[str, str]]:
    """(SKU, name) of the active items, for the order lines' type-ahead (a <datalist>)."""
    from core.catalog.models import Item

    return list(Item.objects.filter(active=True).order_by("sku").values_list("sku", "name_zh")[:ITEM_CHOICES_SHOWN])


@register.filter
def event_label(event: Any) -> str:
    """A timeline event in the reader's language (core.web.labels.event_label)."""
    from core.web.labels import event_label as label

    return label(event.event_type, event.to_state, event.subject_type)


@register.simple_tag
def waiting_approval(document: Any) -> str:
    """Who a pending rule approval of this document waits for ("采购经理"), or "" when none is pending."""
    from core.rules.models import ApprovalRequest
    from core.web.views.common import approver_label

    subject_type = getattr(document, "SUBJECT_TYPE", "")
    roles = ApprovalRequest.objects.filter(
        subject_type=subject_type, subject_id=str(document.pk), status=ApprovalRequest.Status.PENDING
    ).values_list("role", flat=True)
    return "、".join(approver_label(role, subject_type) for role in dict.fromkeys(roles))


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """`{{ po.total|money:po.currency }}` → "$1,234.00"; without a currency, the company's."""
    from core.web.money import company_currency, format_money

    return format_money(amount, currency or company_currency())


# The navigation by the job a person comes to do (进货 / 销货 / 库存 / 计划 / 设置), not 19 flat links.
NAV_GROUPS: tuple[tuple[str, Any], ...] = (
    ("purchasing", gettext_lazy("Purchasing")),
    ("sales", gettext_lazy("Sales")),
    ("stock", gettext_lazy("Stock")),
    ("planning", gettext_lazy("Planning")),
    ("settings", gettext_lazy("Settings")),
)
NAV_GROUP_OF = {
    "web:po_list": "purchasing",
    "web:approval_list": "purchasing",
    "web:so_list": "sales",
    "web:item_list": "stock",
    "web:stock_levels": "stock",
    "web:transfer_list": "stock",
    "web:count_list": "stock",
    "web:replenishment": "planning",
    "web:training_upload": "planning",
    "web:master_index": "settings",
    "web:import_upload": "settings",
    "web:rule_list": "settings",
}


@register.simple_tag(takes_context=True)
def nav_groups(context: dict[str, Any]) -> list[dict[str, Any]]:
    """[{key, label, links: [(url, label, module, active)]}] for the header; a module's own pages go under
    the job its module code names in NAV_GROUP_OF, else under Settings, and the dashboard stays on its own."""
    request = context.get("request")
    path = getattr(request, "path", "")
    groups: dict[str, list[tuple[str, str, str, bool]]] = {key: [] for key, _label in NAV_GROUPS}
    for module in context.get("nav_modules", []):
        for url_name, label in module["entries"]:
            if url_name == "web:dashboard":
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:  # a module whose pages this host does not serve (as `{% url ... as %}` did)
                continue
            group = NAV_GROUP_OF.get(url_name) or NAV_GROUP_OF.get(url_name.split(":")[0], "stock")
            groups[group].append((url, label, module["code"], url == path))
    for url, label in admin_nav_links(context):
        groups["settings"].append((url, label, "", url == path))
    return [
        {"key": key, "label": label, "links": groups[key], "active": any(link[3] for link in groups[key])}
        for key, label in NAV_GROUPS
        if groups[key]
    ]


@register.filter
def training_stage(stage: str) -> str:
    from core.web.labels import training_stage_label

    return training_stage_label(stage or "")


@register.filter
def upload_status(status: str) -> str:
    from core.web.labels import upload_status_label

    return upload_status_label(status or "")
