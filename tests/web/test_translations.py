"""The Chinese UI is complete: no untranslated or fuzzy message in any zh-hans catalogue, compiled catalogues
match their sources, and every domain error code, document state, waiting reason and timeline event of the
core reads in Chinese (and in English)."""

from __future__ import annotations

import ast
import gettext
import importlib
import pkgutil
from enum import Enum
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

REPO = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    path
    for top in ("core", "tenants", "billing", "ml_models", "verticals")
    for path in (REPO / top).rglob("locale/zh_Hans/LC_MESSAGES/django.po")
)


def entries(po: Path) -> list[tuple[str, str, bool, str]]:
    """(msgid, msgstr, fuzzy, context) of every live entry; plural entries are read by their first form."""
    found = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = ""
        for line in lines:
            if line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ", "msgctxt ")):
                current, _space, rest = line.partition(" ")
                fields[current] = ast.literal_eval(rest)
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        msgid = fields.get("msgid", "")
        if msgid:
            found.append((msgid, fields.get("msgstr", fields.get("msgstr[0]", "")), fuzzy, fields.get("msgctxt", "")))
    return found


def test_the_catalogues_are_found() -> None:
    assert len(CATALOGUES) >= 6, CATALOGUES


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_untranslated_or_fuzzy_message_in_the_chinese_catalogue(po: Path) -> None:
    problems = [
        f"{'fuzzy' if fuzzy else 'untranslated'}: {msgid!r}" for msgid, msgstr, fuzzy, _ctx in entries(po) if fuzzy or not msgstr
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(REPO)))
def test_the_compiled_catalogue_matches_its_source(po: Path) -> None:
    with po.with_suffix(".mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    stale = [
        msgid
        for msgid, msgstr, _fuzzy, context in entries(po)
        if (catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)) != msgstr
    ]
    assert not stale, f"run msgfmt: {stale[:5]}"


def core_error_codes() -> set[str]:
    """Every value of an `*ErrorCode` enum in the core's packages (the codes the services raise)."""
    import core

    codes: set[str] = set()
    for module_info in pkgutil.walk_packages(core.__path__, "core."):
        if module_info.name.startswith(("core.settings", "core.management")) or ".migrations" in module_info.name:
            continue
        if not module_info.name.endswith(("exceptions", "errors", "approvals", "services")):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Enum) and value.__name__.endswith("ErrorCode"):
                codes |= {str(member.value) for member in value}
    return codes


def test_every_core_error_code_reads_in_chinese_and_english() -> None:
    from core.web.error_messages import ERROR_SUMMARIES

    codes = core_error_codes()
    assert {"INSUFFICIENT_STOCK", "CONVERSION_LOOP", "LOCATION_HOLDS_STOCK"} <= codes
    assert not codes - set(ERROR_SUMMARIES), f"no sentence for {sorted(codes - set(ERROR_SUMMARIES))}"
    untranslated = []
    for code, summary in ERROR_SUMMARIES.items():
        with translation.override("zh-hans"):
            chinese = str(summary)
        with translation.override("en"):
            english = str(summary)
        if chinese == english or not any("\u4e00" <= ch <= "\u9fff" for ch in chinese):
            untranslated.append(code)
    assert not untranslated, untranslated


def chinese(text: object) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


def test_every_document_state_waiting_reason_and_event_reads_in_chinese() -> None:
    from core.events.documents import StatefulDocument
    from core.events.timeline import REASON_LABELS, state_label
    from core.planning.models import UploadStatus
    from core.web.labels import EVENT_LABELS, TRAINING_STAGE_LABELS, UPLOAD_STATUS_LABELS

    missing = []
    with translation.override("zh-hans"):
        for model in apps.get_models():
            if issubclass(model, StatefulDocument) and model.__module__.startswith("core."):
                for state in model.TRANSITIONS:
                    if not chinese(translation.gettext(state_label(model.SUBJECT_TYPE, state))):
                        missing.append(f"{model.SUBJECT_TYPE}.{state}")
        missing += [f"reason {key}" for key, label in REASON_LABELS.items() if not chinese(label)]
        missing += [f"event {key}" for key, label in EVENT_LABELS.items() if not chinese(label)]
        missing += [f"upload status {s}" for s in UploadStatus.values if not chinese(UPLOAD_STATUS_LABELS.get(s, s))]
        missing += [f"training stage {key}" for key, label in TRAINING_STAGE_LABELS.items() if not chinese(label)]
        # the timeline's steps and events of a document read as the states they reached
        from core.web.labels import event_label

        for model in apps.get_models():
            if issubclass(model, StatefulDocument) and model.__module__.startswith("core."):
                for state in model.TRANSITIONS:
                    if not chinese(event_label(f"{model.SUBJECT_TYPE}.{state}", state, model.SUBJECT_TYPE)):
                        missing.append(f"event {model.SUBJECT_TYPE}.{state}")
    assert not missing, missing
