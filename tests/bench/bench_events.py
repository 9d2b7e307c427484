"""Cost of the event pipeline: a transition with its event and outbox row, timelines, and webhook throughput.

Cases, measured in one run in a tenant provisioned for the run (deleted afterwards):
  bare_state_save      baseline: lock the row and save the new state, nothing else (what a pipeline-less app does)
  transition           core.events.pipeline.transition: lock, pipeline check, hooks (the rules engine's too),
                       save, DomainEvent + OutboxMessage
  record_event         one event + outbox row on its own
  timeline_10/_200     order_timeline() for a document with 10 and 200 events
  drain_only           process_outbox() for 500 events with no endpoint (consumers only)
  deliver_500          process_outbox() for 500 events to one local HTTP endpoint (signed, logged)

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_events.py

The database must be migrated (`manage.py migrate`). Writes tests/bench/results/events.json. Never a
pass/fail test: the machine's load moves the figures.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.base")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")  # a local measurement, no sessions are signed
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "1")  # the receiver listens on 127.0.0.1
RESULTS = REPO / "tests" / "bench" / "results" / "events.json"
ROUNDS = 300


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    cuts = statistics.quantiles(samples_ns, n=100)
    return {"p50_ms": round(cuts[49] / 1e6, 3), "p95_ms": round(cuts[94] / 1e6, 3), "n": len(samples_ns)}


def timed(fn, rounds: int) -> list[int]:
    samples = []
    for i in range(rounds):
        started = time.perf_counter_ns()
        fn(i)
        samples.append(time.perf_counter_ns() - started)
    return samples


def start_receiver() -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def measure() -> dict[str, object]:
    from django.db import connection, transaction
    from django.utils import timezone

    from core.celery import app, configure_broker
    from core.events import webhooks
    from core.events.models import DomainEvent
    from core.events.pipeline import transition
    from core.events.services import create_webhook_endpoint, record_event
    from core.events.timeline import order_timeline
    from tests.events.documents import Parcel

    # Each committed transition enqueues the outbox drain, as in production; an in-memory broker keeps the
    # messages in this process (the drain is measured on its own below).
    app.conf.task_always_eager = False
    configure_broker("memory://")
    with connection.schema_editor() as editor:
        editor.create_model(Parcel)
    parcels = [Parcel.objects.create() for _ in range(ROUNDS)]
    spare = [Parcel.objects.create() for _ in range(ROUNDS)]

    def bare(i: int) -> None:
        with transaction.atomic():
            row = Parcel.objects.select_for_update().get(pk=spare[i].pk)
            row.state, row.state_changed_at = "submitted", timezone.now()
            row.save()

    def piped(i: int) -> None:
        with transaction.atomic():  # as a service does; the drain is enqueued on commit
            transition(parcels[i], "submitted", actor="bench")

    results: dict[str, object] = {}
    results["bare_state_save"] = percentiles(timed(bare, ROUNDS))
    results["transition"] = percentiles(timed(piped, ROUNDS))
    results["record_event"] = percentiles(
        timed(lambda i: record_event("parcel.note", "parcel", parcels[i].pk, payload={"n": i}), ROUNDS)
    )
    for size in (10, 200):
        subject = 10_000 + size
        start = timezone.now() - timedelta(days=2)
        for n in range(size):
            at = start + timedelta(minutes=n)
            record_event("parcel.moved", "parcel", subject, from_state=f"s{n}", to_state=f"s{n + 1}", occurred_at=at)
        results[f"timeline_{size}"] = percentiles(timed(lambda i, s=subject: order_timeline("parcel", s), 100))
    webhooks.process_outbox()  # empty the outbox of the cases above

    for n in range(500):
        record_event("parcel.noted", "parcel", parcels[n % ROUNDS].pk, payload={"n": n})
    started = time.perf_counter()
    drained = webhooks.process_outbox()
    drain_s = time.perf_counter() - started
    results["drain_only"] = {
        "events": drained.messages,
        "seconds": round(drain_s, 3),
        "events_per_s": round(drained.messages / drain_s),
    }

    server, url = start_receiver()
    try:
        create_webhook_endpoint(url)
        for n in range(500):
            record_event("parcel.noted", "parcel", parcels[n % ROUNDS].pk, payload={"n": n})
        started = time.perf_counter()
        sent = 0
        while True:  # the task sends SEND_BATCH per run; the beat would call it again
            run = webhooks.process_outbox()
            sent += run.sent
            if run.sent == 0:
                break
        deliver_s = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    results["deliver_500"] = {
        "deliveries": sent,
        "seconds": round(deliver_s, 3),
        "deliveries_per_s": round(sent / deliver_s),
    }
    results["events_total"] = DomainEvent.objects.count()
    return results


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.models import Tenant
    from tenants.services import delete_tenant, provision_tenant

    slug = f"bench{uuid.uuid4().hex[:8]}"
    tenant = provision_tenant("Bench Co", slug, f"owner@{slug}.example.com", "Correct-horse-42!", (), "en")
    try:
        with schema_context(tenant.schema_name):
            results = measure()
    finally:
        connection.set_schema_to_public()
        delete_tenant(Tenant.objects.get(pk=tenant.pk))

    result = {
        "benchmark": "events",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        "baseline_bare_state_save": results.pop("bare_state_save"),
        **results,
        "notes": "transition includes the registered hooks (the rules engine's); deliver_500 posts to a local "
        "http.server on 127.0.0.1 sequentially from one process, one HTTP connection per delivery.",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
