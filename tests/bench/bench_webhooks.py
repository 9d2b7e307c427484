"""Stripe webhook processing throughput (events/s), with and without the stored-event idempotency.

Each event goes through what the endpoint does after the HTTP layer: signature check
(billing.webhooks.verify), then billing.webhooks.handle, which re-reads the subscription from Stripe (the
extended localstripe of tests/billing, over HTTP on 127.0.0.1) and copies its state into the
entitlements. Cases, measured in one run for a tenant provisioned for the run (deleted afterwards):

  no_dedupe            baseline: verify + re-read + sync, no stored event (handle(dedupe=False))
  dedupe               the real path: insert the event row, lock it, verify + re-read + sync, mark processed
  replay               the same events again: found processed, nothing else (the no-op path)
  dedupe_4_threads     new events from 4 threads at once (each its own DB connection)
  stripe_read_floor    only the subscription read from localstripe, per event: the floor under processing

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_webhooks.py

The database must be migrated. Writes tests/bench/results/webhooks.json. Never a pass/fail test.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.base")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")  # a local measurement, no sessions are signed
RESULTS = REPO / "tests" / "bench" / "results" / "webhooks.json"
EVENTS = 200
API_KEY, SECRET = "sk_test_bench", "whsec_bench"


def start_localstripe(state_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    log = (state_dir / "localstripe.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.billing.localstripe_server", "--state-dir", str(state_dir)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while not (state_dir / "port").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("localstripe did not start")
        time.sleep(0.05)
    return process, f"http://127.0.0.1:{(state_dir / 'port').read_text()}"


def events(subscription: dict, count: int) -> list[tuple[bytes, str]]:
    """Signed customer.subscription.updated events, each with a new id."""
    from tests.billing.conftest import sign

    out = []
    for _ in range(count):
        event = {
            "id": f"evt_bench_{uuid.uuid4().hex}",
            "object": "event",
            "type": "customer.subscription.updated",
            "created": int(time.time()),
            "data": {"object": subscription},
        }
        payload = json.dumps(event).encode()
        out.append((payload, sign(payload, SECRET)))
    return out


def rate(fn: Callable[[tuple[bytes, str]], object], batch: list[tuple[bytes, str]], threads: int = 1) -> dict[str, float]:
    started = time.perf_counter()
    if threads == 1:
        for item in batch:
            fn(item)
    else:
        from django.db import connection

        def run(item: tuple[bytes, str]) -> object:
            try:
                return fn(item)
            finally:
                connection.close()  # each worker thread's own connection

        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(run, batch))
    seconds = time.perf_counter() - started
    return {"events": len(batch), "seconds": round(seconds, 3), "events_per_s": round(len(batch) / seconds, 1)}


def measure(subscription: dict) -> dict[str, object]:
    from billing.models import BillingAccount, StripeEvent
    from billing.stripe_billing import retrieve_subscription
    from billing.webhooks import Outcome, handle, verify

    account = BillingAccount.objects.get(stripe_subscription_id=subscription["id"])

    outcomes: list[Outcome] = []

    def deduped(item: tuple[bytes, str]) -> None:
        outcomes.append(handle(verify(*item)))

    def plain(item: tuple[bytes, str]) -> None:
        handle(verify(*item), dedupe=False)

    rate(deduped, events(subscription, 20))  # warm-up: connections, caches
    fresh = events(subscription, EVENTS)
    cases = {
        "no_dedupe": rate(plain, events(subscription, EVENTS)),
        "dedupe": rate(deduped, fresh),
        "replay": rate(deduped, fresh),
        "dedupe_4_threads": rate(deduped, events(subscription, EVENTS), threads=4),
        "stripe_read_floor": rate(lambda _: retrieve_subscription(account), fresh),
    }
    counts = {outcome.value: outcomes.count(outcome) for outcome in set(outcomes)}
    # 20 warm-up + EVENTS fresh + EVENTS threaded processed once each; the replays all found as duplicates
    cases["outcomes"] = counts
    StripeEvent.objects.filter(event_id__startswith="evt_bench_").delete()
    return cases


def overhead_pct(cases: dict[str, Any]) -> float:
    """How much longer an event takes with the stored-event bookkeeping than without it."""
    return round(100 * (cases["no_dedupe"]["events_per_s"] / cases["dedupe"]["events_per_s"] - 1), 1)


def main() -> None:
    state_dir = Path(tempfile.mkdtemp(prefix="bench-localstripe-"))
    process, base_url = start_localstripe(state_dir)
    os.environ.update({"STRIPE_SECRET_KEY": API_KEY, "STRIPE_WEBHOOK_SECRET": SECRET, "STRIPE_API_BASE": base_url})
    os.environ["STRIPE_MAX_NETWORK_RETRIES"] = "0"
    try:
        import django

        django.setup()
        logging.getLogger("stripe").setLevel(logging.WARNING)  # one INFO line per API call otherwise
        from billing.catalog import sync_catalog
        from billing.models import BillingAccount
        from billing.stripe_api import as_dict, client
        from billing.subscriptions import begin_billing
        from tenants.models import Tenant
        from tenants.services import delete_tenant, provision_tenant

        sync_catalog()
        slug = f"bench{uuid.uuid4().hex[:8]}"
        tenant = provision_tenant("Bench Co", slug, f"owner@{slug}.example.com", "Correct-horse-42!", ("food",), "en")
        try:
            begin_billing(tenant, ["food", "retail"], email=tenant.owner_email, success_url="http://x/", cancel_url="http://x/")
            account = BillingAccount.objects.get(tenant=tenant)
            subscription = as_dict(client().v1.subscriptions.retrieve(account.stripe_subscription_id))
            cases = measure(subscription)
        finally:
            delete_tenant(Tenant.objects.get(pk=tenant.pk))
    finally:
        process.terminate()
        process.wait(timeout=10)
    result = {
        "benchmark": "webhooks",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        "events_per_case": EVENTS,
        "cases": cases,
        "dedupe_overhead_pct": overhead_pct(cases),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
