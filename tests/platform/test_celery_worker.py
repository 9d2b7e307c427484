"""Celery in a real worker process: on-commit enqueueing and tenant schemas carried by every task."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from core.tasks import clear_expired_sessions, dispatch_to_tenants, enqueue_on_commit
from tenants.models import Tenant

pytestmark = [pytest.mark.worker, pytest.mark.slow]


@pytest.fixture
def second_committed_tenant(committed_tenant) -> Iterator[str]:
    """Another committed tenant's schema, so a task has somewhere it must NOT write."""
    from tenants.services import delete_tenant, provision_tenant

    tenant = provision_tenant("Other Co", f"o{uuid.uuid4().hex[:10]}", "owner@other.example.com", "Correct-horse-42!")
    try:
        yield tenant.schema_name
    finally:
        connection.set_schema_to_public()
        delete_tenant(Tenant.objects.get(pk=tenant.pk))


def add_session(schema: str, expired: bool) -> str:
    key = uuid.uuid4().hex
    expire_date = timezone.now() + (timedelta(days=-1) if expired else timedelta(days=1))
    with schema_context(schema):
        Session.objects.create(session_key=key, session_data="", expire_date=expire_date)
    return key


def session_exists(schema: str, key: str) -> bool:
    with schema_context(schema):
        return Session.objects.filter(session_key=key).exists()


def test_task_runs_in_the_schema_of_the_tenant_that_enqueued_it(celery_worker, committed_tenant, second_committed_tenant):
    # given an expired session in each of two tenants
    a, b = committed_tenant.schema, second_committed_tenant
    expired_a, expired_b = add_session(a, expired=True), add_session(b, expired=True)
    # when tenant A enqueues the clean-up
    with schema_context(a):
        enqueue_on_commit(clear_expired_sessions)
    # then A's expired session goes, B's stays
    celery_worker.wait_for(lambda: not session_exists(a, expired_a))
    assert session_exists(b, expired_b)


def test_task_enqueued_in_a_rolled_back_transaction_is_never_sent(celery_worker, committed_tenant, second_committed_tenant):
    # given
    a, b = committed_tenant.schema, second_committed_tenant
    expired_a, expired_b = add_session(a, expired=True), add_session(b, expired=True)
    # when A enqueues inside a transaction that rolls back, then B enqueues and commits
    with schema_context(a), transaction.atomic():
        enqueue_on_commit(clear_expired_sessions)
        transaction.set_rollback(True)
    with schema_context(b), transaction.atomic():
        enqueue_on_commit(clear_expired_sessions)
    # then B's task ran (the worker is single and in order, so A's would have run first) and A's never did
    celery_worker.wait_for(lambda: not session_exists(b, expired_b))
    assert session_exists(a, expired_a)


def test_dispatcher_runs_a_job_once_in_every_tenants_own_schema(celery_worker, committed_tenant, second_committed_tenant):
    # given expired and live sessions in two tenants
    a, b = committed_tenant.schema, second_committed_tenant
    expired = {a: add_session(a, expired=True), b: add_session(b, expired=True)}
    live = {a: add_session(a, expired=False), b: add_session(b, expired=False)}
    # when the periodic dispatcher fans the job out from the public schema
    dispatch_to_tenants.delay("core.tasks.clear_expired_sessions")
    # then each tenant's expired session is gone and its live one kept
    celery_worker.wait_for(lambda: not any(session_exists(schema, key) for schema, key in expired.items()))
    assert all(session_exists(schema, key) for schema, key in live.items())
