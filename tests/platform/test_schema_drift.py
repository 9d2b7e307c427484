"""The checked-in schema.graphql is the live schema: integrators generate their clients from it."""

from __future__ import annotations

import difflib
from pathlib import Path

from graphql import print_schema

from core.graphql.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"
REGENERATE = "DEBUG=1 .venv/bin/python manage.py graphql_schema --schema core.graphql.schema.schema --out schema.graphql"


def test_checked_in_schema_matches_the_live_schema():
    # given
    live = print_schema(schema.graphql_schema).strip()
    checked_in = SCHEMA_FILE.read_text(encoding="utf-8").strip() if SCHEMA_FILE.exists() else ""
    # when
    diff = list(difflib.unified_diff(checked_in.splitlines(), live.splitlines(), "schema.graphql", "live schema", lineterm=""))
    # then
    assert not diff, (
        "schema.graphql differs from the live GraphQL schema. Regenerate it and commit the result:\n"
        f"    {REGENERATE}\n" + "\n".join(diff[:60])
    )
