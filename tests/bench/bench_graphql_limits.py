"""Benchmark: what the query-limit rule adds to GraphQL validation (baseline: graphql-core's standard rules).

Run: DATABASE_URL=... .venv/bin/python tests/bench/bench_graphql_limits.py
Prints the figures and writes tests/bench/results/graphql_limits.json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django

django.setup()

from django.conf import settings  # noqa: E402
from graphql import parse, specified_rules, validate  # noqa: E402

from core.graphql.limits import build_limit_rules  # noqa: E402
from core.graphql.schema import schema  # noqa: E402

PAGE = "users(first: 10) { totalCount edges { node { id email fullName role } } }"
DOCUMENTS = {
    "one_field": "{ me { email } }",
    "seven_aliased_pages": "{ " + " ".join(f"p{i}: {PAGE}" for i in range(7)) + " }",
    "api_keys_with_fragments": (
        "fragment U on User { email role } fragment K on ApiKey { name prefix scope createdBy { ...U } } "
        "query { apiKeys(first: 50) { totalCount edges { node { ...K } } } users { edges { node { ...U } } } }"
    ),
}
REPEATS = 300


def _time_pair(document: str, baseline_rules: list, candidate_rules: list) -> tuple[float, float]:
    """Median microseconds of validate() under each rule set, samples interleaved so load drift hits both."""
    ast = parse(document)
    graphql_schema = schema.graphql_schema
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(REPEATS):
        for rules, bucket in ((baseline_rules, samples[0]), (candidate_rules, samples[1])):
            start = time.perf_counter()
            validate(graphql_schema, ast, rules)
            bucket.append(time.perf_counter() - start)
    return statistics.median(samples[0]) * 1e6, statistics.median(samples[1]) * 1e6


def main() -> None:
    limits = build_limit_rules(settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_ALIASES, settings.GRAPHQL_MAX_COMPLEXITY, {})
    figures = {}
    for name, document in DOCUMENTS.items():
        baseline, with_limits = _time_pair(document, list(specified_rules), [*specified_rules, *limits])
        figures[name] = {
            "baseline_median_us": round(baseline, 1),
            "with_limits_median_us": round(with_limits, 1),
            "overhead_pct": round(100 * (with_limits - baseline) / baseline, 1),
        }
        overhead = figures[name]["overhead_pct"]
        print(f"{name:28s} standard rules {baseline:8.1f} µs   + limits {with_limits:8.1f} µs   ({overhead:+.1f}%)")
    result = {
        "benchmark": "graphql_limits",
        "repeats": REPEATS,
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        "figures": figures,
    }
    out = Path(__file__).resolve().parent / "results" / "graphql_limits.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
