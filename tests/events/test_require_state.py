"""require_state: the one state check for service steps, and a scan that services name only declared states."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from core.events.documents import StatefulDocument
from core.events.exceptions import ActionNotAllowed, InvalidTransition
from core.events.pipeline import declared_states, require_state

ROOT = Path(__file__).resolve().parents[2]
STATE_CALLS = {"require_state": 1, "transition": 1}  # positional arguments before the first state


def test_require_state_passes_in_an_allowed_state(parcels):
    # given
    parcel = parcels.objects.create()
    # when / then: no error
    require_state(parcel, "draft", "submitted", action="weigh")


def test_require_state_refuses_the_action_naming_state_and_allowed_states(parcels):
    # given
    parcel = parcels.objects.create()
    # when
    with pytest.raises(InvalidTransition) as caught:
        require_state(parcel, "submitted", "approved", action="weigh")
    # then
    assert isinstance(caught.value, ActionNotAllowed)
    assert (caught.value.code, caught.value.field) == ("INVALID_TRANSITION", "state")
    assert caught.value.allowed == ("submitted", "approved")
    assert "'draft'" in str(caught.value) and "weigh" in str(caught.value)


def test_require_state_refuses_a_state_the_pipeline_does_not_declare(parcels):
    # given
    parcel = parcels.objects.create()
    # when / then
    with pytest.raises(ValueError, match="in_transit"):
        require_state(parcel, "draft", "in_transit", action="weigh")


def _state_arguments(tree: ast.AST) -> list[tuple[int, ast.expr, bool]]:
    """(line, expression, starred) for every state argument of require_state/transition calls in a module."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in STATE_CALLS:
            continue
        for argument in node.args[STATE_CALLS[name] :]:
            starred = isinstance(argument, ast.Starred)
            found.append((node.lineno, argument.value if starred else argument, starred))
    return found


def _service_modules() -> list[Path]:
    folders = [ROOT / "core", ROOT / "verticals"]
    return sorted(
        path
        for folder in folders
        for path in folder.rglob("*.py")
        if "migrations" not in path.parts and "graphql" not in path.parts and path.name != "pipeline.py"
    )


def test_every_state_a_service_names_is_declared_in_some_transitions():
    # given: the states every pipeline document declares
    declared = set().union(*(declared_states(model) for model in apps.get_models() if issubclass(model, StatefulDocument)))
    unknown: list[str] = []
    checked = 0
    # when: each state argument of require_state()/transition() in core/ and verticals/ is evaluated in its module
    for path in _service_modules():
        source = path.read_text(encoding="utf-8")
        if "require_state(" not in source and "transition(" not in source:
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for line, expression, starred in _state_arguments(ast.parse(source)):
            try:
                value: Any = eval(compile(ast.Expression(expression), str(path), "eval"), vars(module))
            except NameError:
                continue  # a local variable (e.g. the caller's `to_state`): checked where it is spelled out
            for state in value if starred else (value,):
                checked += 1
                if str(state) not in declared:
                    unknown.append(f"{path.relative_to(ROOT)}:{line}: {state}")
    # then
    assert checked >= 9, "the scan found too few state arguments to be looking at the services"
    assert unknown == []


def test_no_service_raises_invalid_transition_by_hand():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _service_modules()
        if "raise InvalidTransition(" in path.read_text(encoding="utf-8") and path.parent.name != "events"
    ]
    assert offenders == []
