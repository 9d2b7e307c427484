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
from core.rules.grammar.render import render_condition
from core.rules.models import Rule
from core.web.decorators import require
from core.web.rule_forms import ACTION_LABELS, ACTION_PARAMS, ActionRowForm, RuleFormEditor, choice_field, enum_values
from core.web.views.common import ActionFailed, actor, domain_call, run_action
from tenants.accounts.roles import Permission


def page_language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def trigger_choices() -> list[tuple[str, str]]:
    index = 1 if page_language() == "en" else 0
    return [(code, f"{labels[index]} ({code})") for code, labels in KNOWN_TRIGGERS.items()]


class RuleMetaForm(forms.Form):
    """What both editors share: the rule's name, its trigger and why it changes."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    trigger = forms.ChoiceField(label=gettext_lazy("Trigger"), choices=())
    reason = forms.CharField(label=gettext_lazy("Reason for the change"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "trigger").choices = trigger_choices()


class RuleForm(RuleMetaForm):
    text = forms.CharField(label=gettext_lazy("Rule text"), widget=forms.Textarea(attrs={"rows": 4}))
    field_order = ["name", "trigger", "text", "reason"]


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
    """The shared create/edit page; the `editor` parameter picks the text tab (default) or the form tab."""
    if (request.POST.get("editor") or request.GET.get("editor")) == "form":
        return _form_editor_page(request, rule)
    return _text_editor_page(request, rule)


def _meta_initial(rule: Rule | None) -> dict[str, Any]:
    return {"name": rule.name, "trigger": rule.trigger} if rule else {}


def _text_editor_page(request: HttpRequest, rule: Rule | None) -> HttpResponse:
    """Plain-language text: save a new version, or dry-run the draft without saving anything."""
    initial = {**_meta_initial(rule), "text": rule_text(rule, page_language())} if rule else {}
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
                saved = _save(request, rule, data, text=data["text"], language=parsed.language)
                if saved is not None:
                    return HttpResponseRedirect(reverse("web:rule_detail", args=[saved.pk]))
    context = {"form": form, "rule": rule, "parse_error": parse_error, "report": report, "editor": "text"}
    return render(request, "web/rules/edit.html", context)


def _form_editor_page(request: HttpRequest, rule: Rule | None) -> HttpResponse:
    """Condition and action rows: the same service call and dry run as the text editor, built from the rows."""
    language = page_language()
    version = rule.current_version if rule else None
    data = request.POST if request.method == "POST" else None
    form = RuleMetaForm(data, initial=_meta_initial(rule))
    if rule:
        form.fields["name"].disabled = True
    editor = RuleFormEditor(data, version.condition if version else None, version.actions if version else [], language)
    report: DryRunReport | None = None
    refusal = ""
    if data is not None and editor.nested:
        # the form cannot rebuild nested groups; saving the flat rows would silently drop them
        refusal = _(
            "This rule's condition has nested groups, which the form cannot edit. Use the text editor. Nothing was saved."
        )
    elif data is not None and all([form.is_valid(), editor.is_valid()]):
        meta, condition, actions = form.cleaned_data, editor.condition(), editor.action_list()
        if request.POST.get("submit") == "dryrun":
            report = dry_run(Draft(meta["trigger"], condition, actions, rule.pk if rule else None), days=30, language=language)
        else:
            saved = _save(request, rule, meta, condition=condition, actions=actions, language=language)
            if saved is not None:
                return HttpResponseRedirect(reverse("web:rule_detail", args=[saved.pk]))
    context: dict[str, Any] = {"form": form, "rule": rule, "report": report, "editor": "form", "rows": editor, "refusal": refusal}
    nested_text = render_condition(version.condition, language) if version and editor.nested else ""
    context |= {"nested_text": nested_text, "action_help": action_help(), "enum_values": enum_values(language)}
    return render(request, "web/rules/edit.html", context)


def action_help() -> list[tuple[str, list[str]]]:
    """Which inputs each action type reads, for the note above the action rows."""
    labels = {name: str(field.label) for name, field in ActionRowForm.base_fields.items()}
    return [(str(ACTION_LABELS[kind]), [labels[name] for name in params]) for kind, params in ACTION_PARAMS.items()]


def _save(request: HttpRequest, rule: Rule | None, data: dict[str, Any], **source: Any) -> Rule | None:
    """Create the rule or append a version; `source` is text= and language=, or condition=, actions= and language=."""
    who = actor(request).label()
    try:
        with domain_call(request):
            if rule is None:
                return services.create_rule(
                    name=data["name"], trigger=data["trigger"], actor=who, reason=data["reason"], **source
                )
            services.update_rule(rule, trigger=data["trigger"], actor=who, reason=data["reason"], **source)
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
