"""Rules center: the tenant's rules in plain language, their version history, rollback, and a dry-run of a draft."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core.rules import services
from core.rules.catalog import KNOWN_TRIGGERS
from core.rules.dryrun import Draft, DryRunReport, dry_run
from core.rules.exceptions import RuleParseError
from core.rules.grammar.parser import parse_rule
from core.rules.grammar.render import render as render_rule
from core.rules.models import Rule
from core.web.decorators import require
from core.web.views.common import ActionFailed, actor, domain_call, run_action
from tenants.accounts.roles import Permission


def page_language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def trigger_choices() -> list[tuple[str, str]]:
    index = 1 if page_language() == "en" else 0
    return [(code, f"{labels[index]} ({code})") for code, labels in KNOWN_TRIGGERS.items()]


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    trigger = forms.ChoiceField(label=gettext_lazy("Trigger"), choices=())
    text = forms.CharField(label=gettext_lazy("Rule text"), widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label=gettext_lazy("Reason for the change"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trigger"].choices = trigger_choices()


def rule_text(rule: Rule, language: str) -> str:
    version = rule.current_version
    return render_rule(version.condition, version.actions, language) if version else ""


@require(Permission.VIEW)
def rule_list(request: HttpRequest) -> HttpResponse:
    language = page_language()
    rules = Rule.objects.select_related("current_version").order_by("priority", "name")
    rows = [{"rule": rule, "text": rule_text(rule, language)} for rule in rules]
    return render(request, "web/rules/list.html", {"rows": rows})


@require(Permission.VIEW)
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule.objects.select_related("current_version"), pk=pk)
    context = {
        "rule": rule,
        "text": rule_text(rule, page_language()),
        "versions": rule.versions.order_by("-number"),
        "can_manage": actor(request).can(Permission.MANAGE),
    }
    return render(request, "web/rules/detail.html", context)


def _edit_page(request: HttpRequest, rule: Rule | None) -> HttpResponse:
    """The shared create/edit form: save a new version, or dry-run the draft without saving anything."""
    initial = {"name": rule.name, "trigger": rule.trigger, "text": rule_text(rule, page_language())} if rule else {}
    form = RuleForm(request.POST or None, initial=initial)
    if rule:
        form.fields["name"].disabled = True
    parse_error: RuleParseError | None = None
    report: DryRunReport | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            parsed = parse_rule(data["text"], "auto")
        except RuleParseError as error:
            parse_error = error
        else:
            if request.POST.get("submit") == "dryrun":
                draft = Draft(data["trigger"], parsed.condition, parsed.actions, rule.pk if rule else None)
                report = dry_run(draft, days=30, language=page_language())
            else:
                saved = _save(request, rule, data, parsed.language)
                if saved is not None:
                    return HttpResponseRedirect(reverse("web:rule_detail", args=[saved.pk]))
    context = {"form": form, "rule": rule, "parse_error": parse_error, "report": report}
    return render(request, "web/rules/edit.html", context)


def _save(request: HttpRequest, rule: Rule | None, data: dict[str, Any], language: str) -> Rule | None:
    who = actor(request).label()
    try:
        with domain_call(request):
            if rule is None:
                return services.create_rule(
                    name=data["name"],
                    trigger=data["trigger"],
                    text=data["text"],
                    language=language,
                    actor=who,
                    reason=data["reason"],
                )
            services.update_rule(
                rule, text=data["text"], language=language, trigger=data["trigger"], actor=who, reason=data["reason"]
            )
            return rule
    except ActionFailed:
        return None


@require(Permission.MANAGE)
def rule_create(request: HttpRequest) -> HttpResponse:
    return _edit_page(request, None)


@require(Permission.MANAGE)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_page(request, get_object_or_404(Rule, pk=pk))


@require(Permission.MANAGE)
def rule_rollback(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        run_action(
            request,
            lambda: services.rollback_rule(rule, number, actor=actor(request).label(), reason=reason),
            _("Rolled back to version %(number)s.") % {"number": number},
        )
    return HttpResponseRedirect(reverse("web:rule_detail", args=[rule.pk]))


@require(Permission.MANAGE)
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    if request.method == "POST":
        if request.POST.get("active") == "1":
            run_action(request, lambda: services.activate_rule(rule), _("The rule is active."))
        else:
            run_action(request, lambda: services.deactivate_rule(rule), _("The rule is inactive."))
    return HttpResponseRedirect(reverse("web:rule_detail", args=[rule.pk]))
