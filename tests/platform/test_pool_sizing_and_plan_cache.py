"""Provisioning that stays flat: the spare pool follows the signup rate, and clones reuse the template's plan."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tenants import clone
from tenants.models import Tenant
from tenants.template import pool_target


def _signups(count: int, at: dt.datetime) -> None:
    tenants = [
        Tenant(schema_name=f"t_burst{n}", slug=f"burst{n}", name=f"Burst {n}", owner_email=f"o{n}@burst.example.com")
        for n in range(count)
    ]
    Tenant.objects.bulk_create(tenants)  # rows only: no schema is created for them
    Tenant.objects.filter(slug__startswith="burst").update(created_at=at)


@override_settings(TENANT_SPARE_SCHEMAS=2, TENANT_SPARE_SCHEMAS_MAX=25, TENANT_SPARE_RATE_WINDOW_HOURS=24)
def test_a_quiet_day_keeps_the_pool_at_its_floor(db):
    # given: nothing signed up in the day before `now`
    later = timezone.now() + dt.timedelta(days=3)
    # when / then
    assert pool_target(later) == 2


@override_settings(TENANT_SPARE_SCHEMAS=2, TENANT_SPARE_SCHEMAS_MAX=25, TENANT_SPARE_RATE_WINDOW_HOURS=24)
def test_a_burst_of_20_signups_in_a_minute_grows_the_pool_to_hold_the_next_one(db):
    # given
    later = timezone.now() + dt.timedelta(days=3)
    _signups(20, later - dt.timedelta(hours=5))
    # when
    target = pool_target(later)
    # then: a burst's worth plus the floor, and back to the floor once the burst leaves the window
    assert target == 22
    assert pool_target(later + dt.timedelta(days=1)) == 2


@override_settings(TENANT_SPARE_SCHEMAS=2, TENANT_SPARE_SCHEMAS_MAX=10, TENANT_SPARE_RATE_WINDOW_HOURS=24)
def test_the_pool_never_grows_past_its_cap_and_a_zero_floor_turns_it_off(db):
    # given
    later = timezone.now() + dt.timedelta(days=3)
    _signups(20, later - dt.timedelta(minutes=30))
    # when / then
    assert pool_target(later) == 10
    with override_settings(TENANT_SPARE_SCHEMAS=0):
        assert pool_target(later) == 0


def test_the_template_plan_is_read_once_until_a_migration_changes_the_template(db, monkeypatch):
    # given
    reads: list[str] = []
    real_read = clone._read_plan

    def counting_read(template: str):
        reads.append(template)
        return real_read(template)

    monkeypatch.setattr(clone, "_read_plan", counting_read)
    monkeypatch.setattr(clone, "_plans", {})
    template = settings.TENANT_BASE_SCHEMA
    # when
    first, second = clone.template_plan(template), clone.template_plan(template)
    # then
    assert first is second is not None
    assert reads == [template]
    # when: a migration lands on the template (rolled back with the test)
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{template}".django_migrations (app, name, applied) VALUES (%s, %s, now())', ["x", "0001"])
    clone.template_plan(template)
    # then
    assert reads == [template, template]
