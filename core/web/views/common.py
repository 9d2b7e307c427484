"""Helpers every page shares: the acting user, typed-error messages, one-shot form tokens, paging."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import Actor, actor_from_request
from core.errors import DomainError, run_after_rollback
from core.web.admin_forms import reader_messages
from core.web.error_messages import ERROR_SUMMARIES
from tenants.accounts.roles import Permission

T = TypeVar("T")
PAGE_SIZE = 25
_TOKENS = "web_form_tokens"
_TOKENS_KEPT = 50


def actor(request: HttpRequest) -> Actor:
    return actor_from_request(request)


def error_text(error: Exception) -> str:
    """The message a person reads: the summary in their language; the service's own (English) text and the
    stable code, which support searches for, inside a details toggle."""
    if isinstance(error, DomainError):
        summary = ERROR_SUMMARIES.get(error.code) or _("This could not be done.")
        return format_html(
            '{} <details class="error-details"><summary>{}</summary>{} ({})</details>',
            summary,
            _("Details"),
            str(error),
            error.code,
        )
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            parts = [
                " ".join(msgs) if field == "__all__" else f"{field}: {' '.join(msgs)}"
                for field, msgs in error.message_dict.items()
            ]
            return "; ".join(parts)
        return " ".join(error.messages)
    return str(error)


class ActionFailed(Exception):
    """Raised inside `domain_call` so the view knows the service refused (the message is already queued)."""


@contextmanager
def domain_call(request: HttpRequest, subject_type: str = "") -> Iterator[None]:
    """Turn a service's typed refusal into a message on the page instead of a 500."""
    try:
        yield
    except (DomainError, ValidationError) as error:
        # The service's transaction has rolled back by now: run what its refusal must leave behind.
        run_after_rollback(error)
        waiting_for = approval_roles(error, subject_type)
        if waiting_for:
            # Not a failure: a rule sent the step for approval, and the approval will finish it.
            messages.info(request, _("Sent for approval: waiting for %(who)s.") % {"who": "、".join(waiting_for)})
        else:
            messages.error(request, error_text(error))
        raise ActionFailed(str(error)) from error


def approval_roles(error: Exception, subject_type: str = "") -> list[str]:
    """Who must approve, when `error` is a transition a require_approval rule stopped (else [])."""
    from core.events.exceptions import TransitionVetoed

    if not isinstance(error, TransitionVetoed) or error.reasons != ["approval_required"]:
        return []
    params = getattr(error.error, "params", None) or {}
    roles = [v.get("role", "") for v in params.get("verdicts", ()) if v.get("type") == "require_approval"]
    return [approver_label(role, subject_type) for role in dict.fromkeys(roles) if role]


def approver_label(role: str, subject_type: str) -> str:
    """ "采购经理" rather than "manager": the role as the business calls it for this kind of document."""
    from core.web.admin_forms import ROLE_LABELS

    if role == "manager" and subject_type in MANAGER_TITLES:
        return str(MANAGER_TITLES[subject_type])
    return str(ROLE_LABELS.get(role, role))


MANAGER_TITLES = {
    "purchase_order": gettext_lazy("Purchasing manager"),
    "sales_order": gettext_lazy("Sales manager"),
    "transfer": gettext_lazy("Warehouse manager"),
    "cycle_count": gettext_lazy("Warehouse manager"),
}


def run_action(request: HttpRequest, call: Callable[[], T], success: str, subject_type: str = "") -> T | None:
    """Call one service; on success queue `success`, on a typed refusal queue the error. None when refused."""
    try:
        with domain_call(request, subject_type):
            result = call()
    except ActionFailed:
        return None
    messages.success(request, success)
    return result


def change_and_redirect(request: HttpRequest, call: Callable[[], object], success: str, target: str) -> HttpResponse:
    """Call a settings service that refuses with ValidationError: queue its messages in the reader's words, or
    `success`; then redirect to `target` either way."""
    try:
        call()
    except ValidationError as error:
        for text in reader_messages(error):
            messages.error(request, text)
    else:
        messages.success(request, success)
    return HttpResponseRedirect(target)


def create_once(
    request: HttpRequest,
    token: str,
    create: Callable[[], T],
    target: Callable[[T], str],
    success: Callable[[T], str] | None = None,
) -> HttpResponse | None:
    """Run a create service once per form token and redirect to what it made.

    A double submit lands where the first one did; None when the service refused (its message is queued), so
    the view renders the form again with what was typed.
    """
    earlier = token_seen(request, token)
    if earlier:
        return HttpResponseRedirect(earlier)
    try:
        with domain_call(request):
            created = create()
    except ActionFailed:
        return None
    url = target(created)
    remember_token(request, token, url)
    if success is not None:
        messages.success(request, success(created))
    return HttpResponseRedirect(url)


def new_form_token() -> str:
    """A token rendered into a form; posting it twice is recognised (see `token_seen` / `remember_token`)."""
    return uuid.uuid4().hex


def token_seen(request: HttpRequest, token: str) -> str | None:
    """Where the first post of this form token led, if the form was already posted (a double submit)."""
    return request.session.get(_TOKENS, {}).get(token) if token else None


def remember_token(request: HttpRequest, token: str, target: str) -> None:
    if not token:
        return
    seen: dict[str, str] = dict(request.session.get(_TOKENS, {}))
    seen[token] = target
    # keep the newest few: the session is a cookie-sized store, not a log
    request.session[_TOKENS] = dict(list(seen.items())[-_TOKENS_KEPT:])


def paginate(request: HttpRequest, queryset: QuerySet[Any], size: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def state_choices(model: Any) -> list[tuple[str, str]]:
    return list(model._meta.get_field("state").choices)


@dataclass(frozen=True)
class DocumentAction:
    """A button on a document page: shown when the document's TRANSITIONS allow `target` from its state."""

    name: str
    label: Promise | str
    target: str
    call: Callable[[Any, Actor], Any]
    permission: Permission = Permission.OPERATE
    danger: bool = False


def allowed_actions(document: Any, actions: Sequence[DocumentAction], who: Actor) -> list[DocumentAction]:
    reachable = document.TRANSITIONS.get(document.state, ())
    return [action for action in actions if action.target in reachable and who.can(action.permission)]


def perform_action(request: HttpRequest, document: Any, actions: Sequence[DocumentAction], name: str) -> None:
    """Run the named action through its service; a refusal (wrong state, no stock...) becomes a message."""
    action = next((a for a in actions if a.name == name), None)
    if action is None:
        raise Http404("Unknown action.")
    who = actor(request)
    if not who.can(action.permission):
        raise PermissionDenied(_("Your role does not allow this."))
    done = _("%(action)s: done.") % {"action": action.label}
    run_action(request, lambda: action.call(document, who), done, getattr(document, "SUBJECT_TYPE", ""))
