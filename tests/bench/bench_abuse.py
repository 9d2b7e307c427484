"""Benchmark: a normal tenant's query latency while six abusive clients hammer the API from another tenant,
against the same query with no abuse, in the same run.

The app runs under gunicorn (4 sync workers, as in production) with the production rate limits and a private
Redis for the limits store. The calm client sends a trivial `items(first: 5)` query with its read key, one
request at a time. Each abusive client (a process of its own) sends, as fast as it can and without backing
off on 429, the 66 KB document of repeated fields that cost 6.5 s of validation before this work.

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_abuse.py

Writes tests/bench/results/abuse.json. Not a pass/fail test; the goal is p95 under abuse ≤ 2 × p95 without.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402

RESULTS = REPO / "tests" / "bench" / "results" / "abuse.json"
CALM_REQUESTS = 80
ABUSERS = 6
CALM_QUERY = "query { items(first: 5) { edges { node { sku nameZh } } } }"
ABUSIVE_QUERY = "query { " + " ".join(f"f{i}: items(first: 1) {{ edges {{ node {{ sku }} }} }}" for i in range(1300)) + " }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def abuse(url: str, host: str, key: str, stop_at: float, counts: multiprocessing.Queue) -> None:
    session = requests.Session()
    statuses: dict[int, int] = {}
    body = json.dumps({"query": ABUSIVE_QUERY})
    headers = {"Host": host, "Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    while time.monotonic() < stop_at:
        try:
            status = session.post(url, data=body, headers=headers, timeout=30).status_code
        except requests.RequestException:
            status = 0
        statuses[status] = statuses.get(status, 0) + 1
    counts.put(statuses)


def calm_latencies(url: str, host: str, key: str) -> list[float]:
    session = requests.Session()
    headers = {"Host": host, "Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = json.dumps({"query": CALM_QUERY})
    samples = []
    for _ in range(CALM_REQUESTS):
        began = time.perf_counter()
        response = session.post(url, data=body, headers=headers, timeout=60)
        samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
        time.sleep(0.1)  # a normal integration, well under its own 20/s
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1)}


def main() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import schema_context

    from core.inventory.factories import make_item
    from tenants.accounts.models import User
    from tenants.accounts.services import create_api_key
    from tenants.models import Tenant
    from tenants.services import delete_tenant, provision_tenant

    call_command("migrate", verbosity=0)
    tenants, keys = [], {}
    work = Path(tempfile.mkdtemp(prefix="jxc-bench-abuse-"))
    redis = server = None
    try:
        for role in ("calm", "abuser"):
            slug = f"{role}-{uuid.uuid4().hex[:6]}"
            tenant = provision_tenant(f"{role} Co", slug, f"owner@{slug}.example.com", "Correct-horse-42!", (), "zh-hans")
            tenants.append(tenant)
            with schema_context(tenant.schema_name):
                for _ in range(5):
                    make_item()
                _, keys[role] = create_api_key(User.objects.get(email=f"owner@{slug}.example.com"), "bench", "read")
        hosts = {role: tenant.domains.get().domain for role, tenant in zip(("calm", "abuser"), tenants, strict=True)}

        redis_port, port = free_port(), free_port()
        redis = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(redis_port), "--save", "", "--dir", str(work)],
            stdout=subprocess.DEVNULL,
        )
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port}/0",
            "GRAPHQL_RATE_PER_KEY": "20/second;600/minute",
            "GRAPHQL_RATE_PER_TENANT": "50/second;1500/minute",
            "SENTRY_DSN": "",
        }
        command = [str(Path(sys.executable).parent / "gunicorn"), "core.wsgi:application", "--workers", "4"]
        command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
        server = subprocess.Popen(command, cwd=REPO, env=env)
        url = f"http://127.0.0.1:{port}/graphql/"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.5)
        calm_latencies(url, hosts["calm"], keys["calm"])  # warm every worker

        quiet = calm_latencies(url, hosts["calm"], keys["calm"])
        counts: multiprocessing.Queue = multiprocessing.Queue()
        stop_at = time.monotonic() + 3600
        abusers = [
            multiprocessing.Process(target=abuse, args=(url, hosts["abuser"], keys["abuser"], stop_at, counts))
            for _ in range(ABUSERS)
        ]
        for process in abusers:
            process.start()
        time.sleep(3)  # the abuse is in full swing before the calm client measures
        loud = calm_latencies(url, hosts["calm"], keys["calm"])
        for process in abusers:
            process.terminate()
        for process in abusers:
            process.join(timeout=10)
    finally:
        for process in (server, redis):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        for tenant in tenants:
            delete_tenant(Tenant.objects.get(pk=tenant.pk))
        shutil.rmtree(work, ignore_errors=True)

    results = {"no_abuse_baseline": summary(quiet), "six_abusive_clients": summary(loud)}
    results["p95_ratio"] = round(results["six_abusive_clients"]["p95_ms"] / results["no_abuse_baseline"]["p95_ms"], 2)
    report = {
        "benchmark": "abuse",
        "calm_requests": CALM_REQUESTS,
        "abusive_clients": ABUSERS,
        "abusive_document_bytes": len(ABUSIVE_QUERY),
        "results": results,
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average": os.getloadavg(),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
