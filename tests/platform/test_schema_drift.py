"""The checked-in schema.graphql is the live schema: integrators generate their clients from it."""

from __future__ import annotations

import difflib
from pathlib import Path

from graphql import print_schema

from core.graphql.schema import assemble_schema
from core.modules import registry

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"
REGENERATE = "DEBUG=1 .venv/bin/python manage.py graphql_schema --schema core.graphql.schema.schema --out schema.graphql"


def product_schema_text() -> str:
    """The live schema without the test-only modules (tests/fake_vertical): what a deployment serves."""
    test_only = {cfg.code for cfg in registry.all() if cfg.name.startswith("tests.")}
    entries = [entry for entry in registry.graphql_classes() if entry[0] not in test_only]
    return print_schema(assemble_schema(entries).graphql_schema).strip()


def test_checked_in_schema_matches_the_live_schema():
    # given
    live = product_schema_text()
    checked_in = SCHEMA_FILE.read_text(encoding="utf-8").strip() if SCHEMA_FILE.exists() else ""
    # when
    diff = list(difflib.unified_diff(checked_in.splitlines(), live.splitlines(), "schema.graphql", "live schema", lineterm=""))
    # then
    assert not diff, (
        "schema.graphql differs from the live GraphQL schema. Regenerate it and commit the result:\n"
        f"    {REGENERATE}\n" + "\n".join(diff[:60])
    )
