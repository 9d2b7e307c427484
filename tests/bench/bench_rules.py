"""Rules engine cost per event with 100 active rules, against a baseline of 1 rule measured in the same run.

Cases (p50/p95 in µs per event):
  conditions_only   the compiled conditions of every active rule over one event's context (pure in-process work);
                    conditions_only_best_of_5 times each event 5 times and keeps the minimum, which removes the
                    preemptions a loaded 2-core machine adds to the tail
  evaluate_preload  evaluate() with the rules preloaded and no audit: conditions plus the matched rules' actions
                    (each action claims its idempotency row, so a match costs database writes)
  evaluate_full     evaluate() as production calls it: the active-rule query, conditions, actions and the audit
                    log batched into one INSERT per event

Dry run over 30 days of history: ~50 events a day for 30 days over three triggers (sales orders confirmed with real
order and customer rows, weather updates each covering several store-days, lots near expiry with their lot
rows); each trigger's pack-like draft is dry-run over the whole window, timed end to end (event query, subject
loading, contexts, conditions, conflict check), reported as seconds and events/s.

The rules live in a scratch schema created for the run and dropped afterwards; nothing else is touched.

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_rules.py

Writes tests/bench/results/rules.json. Never a pass/fail test: the machine's load moves the figures.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.base")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")  # a local measurement, no sessions are signed
RESULTS = REPO / "tests" / "bench" / "results" / "rules.json"
TRIGGER = "sales_order.confirmed"
TIERS = ["VIP", "gold", "silver", "standard"]
CATEGORIES = ["生鲜", "冷冻", "饮料", "日用", "家电", "服装"]
CITIES = ["北京", "上海", "广州", "成都", "机场", "杭州"]


def random_rule_text(rng: random.Random) -> str:
    """A rule of the shape strategists write: three or four tests, mostly AND, about 1% of events match."""
    tests = [
        f"客户等级为{rng.choice(['VIP', '金牌', '银牌', '普通'])}",
        f"订单金额>{rng.randrange(5000, 40000, 500)}",
        f'商品类别属于("{rng.choice(CATEGORIES)}"、"{rng.choice(CATEGORIES)}")',
        f'收货地址包含"{rng.choice(CITIES)}"',
        f"批次剩余天数在{rng.randint(0, 5)}和{rng.randint(6, 30)}之间",
        f"降水概率>={rng.randint(40, 90)}",
    ]
    chosen = rng.sample(tests, 3)
    if rng.random() < 0.3:
        chosen[2] = f"({chosen[2]}或周末)"
    return f'当{"且".join(chosen)}时，添加标签"r{rng.randint(1, 999)}"'


def random_event(rng: random.Random) -> dict:
    return {
        "customer": {"tier": rng.choice(TIERS)},
        "order": {
            "total": Decimal(rng.randint(100, 50000)),
            "shipping_address": f"{rng.choice(CITIES)}市某路{rng.randint(1, 99)}号",
        },
        "item": {"category": rng.choice(CATEGORIES)},
        "lot": {"days_to_expiry": rng.randint(0, 60)},
        "signal": {"precipitation_probability": rng.randint(0, 100)},
        "calendar": {"is_weekend": rng.random() < 2 / 7},
    }


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    cuts = statistics.quantiles(samples_ns, n=100)
    return {"p50_us": round(cuts[49] / 1000, 1), "p95_us": round(cuts[94] / 1000, 1), "n": len(samples_ns)}


def measure(rule_count: int, events: list[dict], full_events: int) -> dict[str, dict[str, float]]:
    from core.rules import services
    from core.rules.evaluator import evaluate, load_rules, make_lookup
    from core.rules.models import Rule

    Rule.objects.all().delete()
    rng = random.Random(rule_count)
    for i in range(rule_count):
        services.create_rule(name=f"bench {i}", trigger=TRIGGER, text=random_rule_text(rng), actor="bench")
    rules = load_rules(TRIGGER)
    assert len(rules) == rule_count

    conditions, best_of_5, preload, full, matches = [], [], [], [], []
    for event in events:
        runs = []
        for _ in range(5):
            started = time.perf_counter_ns()
            lookup = make_lookup(event)
            matched = sum(1 for rule in rules if rule.predicate(lookup))
            runs.append(time.perf_counter_ns() - started)
        conditions.append(runs[0])
        best_of_5.append(min(runs))  # the same event 5 times: the minimum drops the scheduler's preemptions
        matches.append(matched)
    for event in events:
        subject = {"type": "sales_order", "id": uuid.uuid4().hex[:12], "tags": []}
        started = time.perf_counter_ns()
        evaluate(TRIGGER, event, subject, uuid.uuid4().hex, rules=rules, audit=False)
        preload.append(time.perf_counter_ns() - started)
    for event in events[:full_events]:
        subject = {"type": "sales_order", "id": uuid.uuid4().hex[:12], "tags": []}
        started = time.perf_counter_ns()
        evaluate(TRIGGER, event, subject, uuid.uuid4().hex)
        full.append(time.perf_counter_ns() - started)
    return {
        "conditions_only": percentiles(conditions),
        "conditions_only_best_of_5": percentiles(best_of_5),
        "evaluate_preload": percentiles(preload),
        "evaluate_full": percentiles(full),
        "matched_rules_per_event": {"mean": round(statistics.mean(matches), 2), "max": max(matches)},
    }


DRY_RUN_DAYS = 30
DRAFTS = {
    "sales_order.confirmed": '当客户等级为VIP且订单金额>20000且收货地址包含"机场"时，设置配送方式为空运优先',
    "signal.weather_updated": '当降水概率>=60且周末时，调整类别"叶菜"的安全库存15%持续2天',
    "lot.near_expiry": '当批次剩余天数<=3时，创建单据"transfer"(destination="donation")',
}


def seed_history(rng: random.Random, per_day: dict[str, int], stores: int = 5) -> dict[str, int]:
    """30 days of DomainEvents with the rows behind them, written in bulk (the bench measures reading them)."""
    import datetime as dt

    from django.utils import timezone

    from core.catalog.models import Category, Item, Unit
    from core.events.models import DomainEvent
    from core.inventory.models import Lot
    from core.locations.models import Location
    from core.partners.models import Customer
    from core.sales.models import SalesOrder
    from core.signals.models import WeatherDay

    now = timezone.now()
    unit = Unit.objects.create(code="pcs", name="件")
    greens = Category.objects.create(name="叶菜")
    items = Item.objects.bulk_create(
        Item(sku=f"SKU-{n}", name_zh=f"商品{n}", base_unit=unit, category=greens, lot_tracked=True) for n in range(20)
    )
    locations = Location.objects.bulk_create(Location(code=f"ST-{n}", name=f"门店{n}", kind="internal") for n in range(stores))
    customers = Customer.objects.bulk_create(
        Customer(code=f"C-{n}", name=f"客户{n}", tier=rng.choice(["vip", "standard", "wholesale"])) for n in range(200)
    )
    events: list[DomainEvent] = []
    orders: list[SalesOrder] = []
    for day in range(DRY_RUN_DAYS):
        stamp = now - dt.timedelta(days=day, hours=1)
        for _ in range(per_day["sales_order.confirmed"]):
            orders.append(
                SalesOrder(
                    number=f"SO-{len(orders):06d}",
                    customer=rng.choice(customers),
                    source=rng.choice(locations),
                    state="confirmed",
                    total=Decimal(rng.randint(500, 60000)),
                    shipping_address=f"{rng.choice(CITIES)}某路{rng.randint(1, 99)}号",
                )
            )
        WeatherDay.objects.bulk_create(
            WeatherDay(
                location=location,
                date=timezone.localdate(stamp),
                precipitation_probability=Decimal(rng.randint(0, 100)) / 100,
                temperature_c=Decimal(rng.randint(-5, 30)),
            )
            for location in locations
        )
        for n in range(per_day["signal.weather_updated"]):
            payload = {"locations": [loc.pk for loc in locations], "from": timezone.localdate(stamp).isoformat()}
            payload["to"] = payload["from"]
            events.append(DomainEvent(event_type="signal.weather_updated", subject_type="weather", subject_id=0,
                                      occurred_at=stamp - dt.timedelta(minutes=n), payload=payload))  # fmt: skip
        on = timezone.localdate(stamp)
        lots = Lot.objects.bulk_create(
            Lot(
                item=rng.choice(items),
                code=f"L{day}-{n}",
                expiry_date=on + dt.timedelta(days=rng.randint(0, 10)),
                received_at=stamp - dt.timedelta(days=20),
            )
            for n in range(per_day["lot.near_expiry"])
        )
        for lot in lots:
            events.append(DomainEvent(event_type="lot.near_expiry", subject_type="lot", subject_id=lot.pk,
                                      occurred_at=stamp, payload={"on": on.isoformat(), "code": lot.code}))  # fmt: skip
    orders = SalesOrder.objects.bulk_create(orders)
    for order in orders:
        minutes = rng.randint(0, DRY_RUN_DAYS * 24 * 60 - 120)
        events.append(DomainEvent(event_type="sales_order.confirmed", subject_type="sales_order", subject_id=order.pk,
                                  occurred_at=now - dt.timedelta(minutes=minutes + 60)))  # fmt: skip
    DomainEvent.objects.bulk_create(events, batch_size=1000)
    return {trigger: DomainEvent.objects.filter(event_type=trigger).count() for trigger in per_day}


def _one_event_at_a_time(trigger: str) -> dict[str, object]:
    """Baseline: the trigger's subjects expanded event by event, as the live path does for one event."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.events.models import DomainEvent
    from core.rules.events import expander_for

    expander = expander_for(trigger)
    if expander is None:
        return {}
    events = list(DomainEvent.objects.filter(event_type=trigger).order_by("pk"))
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        for event in events:
            list(expander(event))
    return {
        "baseline_expansion_queries_one_at_a_time": len(captured.captured_queries),
        "baseline_expansion_seconds_one_at_a_time": round(time.perf_counter() - started, 3),
    }


def measure_dry_run(rounds: int = 3) -> dict[str, object]:
    """Each draft dry-run over the 30 days of seeded history; best and median of `rounds` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.rules.dryrun import Draft, dry_run
    from core.rules.grammar import parse_rule

    per_day = {"sales_order.confirmed": 30, "signal.weather_updated": 4, "lot.near_expiry": 16}
    counts = seed_history(random.Random(7), per_day)
    cases: dict[str, dict[str, float]] = {}
    for trigger, text in DRAFTS.items():
        parsed = parse_rule(text, "zh")
        draft = Draft(trigger, parsed.condition, parsed.actions)
        times, report = [], None
        for _ in range(rounds):
            started = time.perf_counter()
            report = dry_run(draft, days=DRY_RUN_DAYS)
            times.append(time.perf_counter() - started)
        assert report is not None
        with CaptureQueriesContext(connection) as captured:
            dry_run(draft, days=DRY_RUN_DAYS)
        baseline = _one_event_at_a_time(trigger)
        cases[trigger] = {
            **baseline,
            "queries": len(captured.captured_queries),
            "events": counts[trigger],
            "subjects_evaluated": report.evaluated,
            "matched": report.matched,
            "seconds_median": round(statistics.median(times), 3),
            "seconds_best": round(min(times), 3),
            "events_per_second": round(counts[trigger] / statistics.median(times), 1),
        }
    total_events = sum(counts.values())
    total_seconds = sum(case["seconds_median"] for case in cases.values())
    return {
        "days": DRY_RUN_DAYS,
        "events_per_day": sum(per_day.values()),
        "cases": cases,
        "total_events": total_events,
        "total_seconds": round(total_seconds, 3),
        "events_per_second": round(total_events / total_seconds, 1),
    }


def measure_floors(count: int) -> dict[str, dict[str, float]]:
    """The database floors under every writing case on this machine at this load: one `SELECT 1`, and one
    committed one-row INSERT (the WAL flush that any evaluate() that writes pays once)."""
    from django.db import connection, transaction

    select, commit = [], []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_commit_floor (id serial PRIMARY KEY)")
        for _ in range(count):
            started = time.perf_counter_ns()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            select.append(time.perf_counter_ns() - started)
            started = time.perf_counter_ns()
            with transaction.atomic():
                cursor.execute("INSERT INTO bench_commit_floor DEFAULT VALUES")
            commit.append(time.perf_counter_ns() - started)
    return {"select_1": percentiles(select), "insert_commit": percentiles(commit)}


def memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(next(line for line in meminfo if line.startswith("MemTotal:")).split()[1])
    except (OSError, StopIteration, ValueError):
        return None
    return round(kib / 1024 / 1024, 1)


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    from core.catalog.models import Category, Item, Unit
    from core.events.models import DomainEvent
    from core.inventory.models import Lot
    from core.locations.models import Location, Store, Warehouse
    from core.partners.models import Customer
    from core.rules.models import (
        ApprovalRequest,
        Rule,
        RuleActionLog,
        RuleEvaluation,
        RuleNotification,
        RulePackEntry,
        RuleVersion,
        ScheduledRuleRun,
    )
    from core.sales.models import SalesOrder
    from core.signals.models import WeatherDay

    schema = f"bench_rules_{os.getpid()}"
    events = [random_event(random.Random(seed)) for seed in range(2000)]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    try:
        connection.set_schema(schema)
        with connection.schema_editor() as editor:
            for model in (
                Rule,
                RuleVersion,
                RuleEvaluation,
                RuleActionLog,
                ApprovalRequest,
                RuleNotification,
                ScheduledRuleRun,
                RulePackEntry,
            ):
                editor.create_model(model)
            for model in (Warehouse, Store, Location, Customer, SalesOrder, WeatherDay, DomainEvent, Category, Unit, Item, Lot):
                editor.create_model(model)
        # autocommit, as in production: one transaction around thousands of savepoints would measure
        # PostgreSQL's subtransaction overflow instead of the engine
        floors = measure_floors(400)
        baseline = measure(1, events, full_events=400)
        hundred = measure(100, events, full_events=400)
        Rule.objects.all().delete()  # the dry runs' conflict check then reads an empty rule set
        dry = measure_dry_run()
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')

    result = {
        "benchmark": "rules",
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average_1m": round(os.getloadavg()[0], 2),
            "memory_gib": memory_gib(),
        },
        "db_floors": floors,
        "baseline_1_rule": baseline,
        "rules_100": hundred,
        "dry_run_30_days": dry,
        "events": len(events),
        "notes": "conditions_only is the in-process target (<1 ms p95); evaluate_full includes one rule query and one "
        "batched audit INSERT per event, plus an idempotency claim per matched action.",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"{'case':<28}{'1 rule p50/p95 µs':>24}{'100 rules p50/p95 µs':>26}")
    for case in ("conditions_only", "conditions_only_best_of_5", "evaluate_preload", "evaluate_full"):
        one, many = baseline[case], hundred[case]
        print(f"{case:<28}{one['p50_us']:>12} / {one['p95_us']:<9}{many['p50_us']:>14} / {many['p95_us']:<9}")
    print(f"matched rules per event (100 rules): {hundred['matched_rules_per_event']}")
    for name, floor in floors.items():
        print(f"database floor {name:<14} p50/p95 µs: {floor['p50_us']} / {floor['p95_us']}")
    print(f"dry run over {dry['days']} days, {dry['events_per_day']} events/day:")
    for trigger, case in dry["cases"].items():  # type: ignore[union-attr]
        print(
            f"  {trigger:<26} {case['events']:>5} events ({case['subjects_evaluated']} subjects, {case['matched']} matched)"
            f" in {case['seconds_median']} s = {case['events_per_second']} events/s"
        )
    print(f"  total {dry['total_events']} events in {dry['total_seconds']} s = {dry['events_per_second']} events/s")
    print(f"load average (1 min): {result['machine']['load_average_1m']}")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
