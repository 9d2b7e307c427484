"""Shared fixtures: a real PostgreSQL test database with real schemas, two committed tenants.

pytest-django creates `test_<db>` and runs our `migrate` (public + template). Two tenants, alpha and
beta, are provisioned once per session and committed. Ordinary tests use the `db` fixture and run in a
transaction that is rolled back. Tests that need committed data seen by other processes (Celery worker,
parallel posting) use `committed_tenant`, which provisions a fresh tenant and deletes it afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tests.processes import stop

OWNER_PASSWORD = "Correct-horse-42!"


@dataclass
class TenantInfo:
    tenant: Tenant
    owner_email: str
    password: str = OWNER_PASSWORD

    @property
    def host(self) -> str:
        return self.tenant.domains.get(is_primary=True).domain

    @property
    def schema(self) -> str:
        return self.tenant.schema_name

    def client(self, login: bool = True) -> Client:
        """A Django test client on this tenant's host, signed in as the owner by default."""
        client = Client(HTTP_HOST=self.host)
        if login:
            response = client.post("/login/", {"username": self.owner_email, "password": self.password})
            assert response.status_code == 302, "owner could not sign in"
        return client


def _provision(slug: str, modules: tuple[str, ...] = ()) -> TenantInfo:
    from tenants.services import provision_tenant

    email = f"owner@{slug}.example.com"
    tenant = provision_tenant(f"{slug.title()} Co", slug, email, OWNER_PASSWORD, modules, "zh-hans")
    return TenantInfo(tenant, email)


def _without_rule_packs(info: TenantInfo) -> TenantInfo:
    """Drop the rule packs signup loaded: alpha's and beta's tests start from an empty rule book, and the rules
    tests load the packs they test (a fresh `committed_tenant` keeps them, as a real signup does)."""
    from core.rules.models import Rule, RulePackEntry

    with schema_context(info.schema):
        RulePackEntry.objects.all().delete()
        Rule.objects.all().delete()
    return info


@pytest.fixture(scope="session")
def tenants_setup(django_db_setup, django_db_blocker) -> Iterator[dict[str, TenantInfo]]:
    with django_db_blocker.unblock():
        created = {
            "alpha": _without_rule_packs(_provision("alpha", ("food",))),
            "beta": _without_rule_packs(_provision("beta", ("retail",))),
        }
    yield created


@pytest.fixture
def alpha(tenants_setup, db) -> TenantInfo:
    return tenants_setup["alpha"]


@pytest.fixture
def beta(tenants_setup, db) -> TenantInfo:
    return tenants_setup["beta"]


@pytest.fixture
def in_alpha(alpha: TenantInfo) -> Iterator[TenantInfo]:
    """Run the test body inside alpha's schema."""
    with schema_context(alpha.schema):
        yield alpha


@pytest.fixture(autouse=True)
def _reset_schema() -> Iterator[None]:
    yield
    connection.set_schema_to_public()


@pytest.fixture
def committed(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Database access outside the per-test transaction: writes are committed and visible to other
    processes. Tests using it must clean up after themselves (use `committed_tenant`). It asks for
    django_db_setup so that a run made only of such tests still gets the test database, not the real one."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def committed_tenant(tenants_setup, committed) -> Iterator[TenantInfo]:
    """A brand-new committed tenant (all modules enabled), deleted after the test."""
    from core.modules import registry
    from tenants.services import delete_tenant

    info = _provision(f"t{uuid.uuid4().hex[:10]}", tuple(registry.codes()))
    try:
        yield info
    finally:
        connection.set_schema_to_public()
        delete_tenant(Tenant.objects.get(pk=info.tenant.pk))


# --- a real Celery worker -------------------------------------------------------------------------


@dataclass
class CeleryWorker:
    process: object
    log_path: object
    broker_dir: object
    # The worker's own MLflow store (tmp sqlite + artifacts); tests read it with override_settings.
    mlflow_tracking_uri: str = ""
    mlflow_artifact_root: str = ""

    def wait_for(self, condition, timeout: float = 30.0, interval: float = 0.1):
        """Poll `condition()` until it returns something truthy; fail with the worker log on timeout."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(interval)
        pytest.fail(f"condition not met within {timeout}s; worker log:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, tmp_path_factory) -> Iterator[CeleryWorker]:
    """A real worker process, `celery -A core worker --pool=solo`, on the pytest test database.

    The worker is another process, so it sees committed rows only: use it with `committed_tenant`
    (or `committed`), never with `db`/`alpha`/`in_alpha`, whose writes are rolled back. Enqueue as the
    app does, inside the tenant's schema (`core.tasks.enqueue_on_commit(task, ...)` or `task.delay(...)`
    under `schema_context`), then assert the effect a user would see by polling the database:

        def test_x(celery_worker, committed_tenant):
            with schema_context(committed_tenant.schema):
                enqueue_on_commit(my_task, 42)
                celery_worker.wait_for(lambda: Thing.objects.filter(n=42).exists())

    The broker is a `filesystem://` folder private to this session; this process's producer is pointed
    at the same folder for the session (core.celery.configure_broker) and back afterwards. The worker's
    log is at `celery_worker.log_path`; `wait_for` prints its tail when a condition times out.
    """
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.conf import settings

    from core.celery import configure_broker, restore_broker

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    database_url = f"postgresql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    base = tmp_path_factory.mktemp("celery")
    broker_dir, log_path = base / "broker", base / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "core.settings.test"),
        "DATABASE_URL": database_url,
        "JXC_VAR_DIR": str(settings.VAR_DIR),
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_FILESYSTEM_DIR": str(broker_dir),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "TENANT_SPARE_SCHEMAS": "0",
        "SENTRY_DSN": "",
        "MLFLOW_TRACKING_URI": f"sqlite:///{base / 'mlflow.db'}",
        "MLFLOW_ARTIFACT_ROOT": str(base / "mlartifacts"),
    }
    previous_broker = configure_broker("filesystem://", broker_dir)
    celery_bin = Path(sys.executable).parent / "celery"
    command = [str(celery_bin), "-A", "core", "worker", "--pool=solo", "-l", "info"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"pytest-{os.getpid()}@%h"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = CeleryWorker(process, log_path, broker_dir, env["MLFLOW_TRACKING_URI"], env["MLFLOW_ARTIFACT_ROOT"])
    try:
        deadline = time.monotonic() + 90
        while " ready." not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start; its log:\n{worker.log_tail()}")
            time.sleep(0.2)
        yield worker
    finally:
        stop(process, timeout=20)
        restore_broker(previous_broker)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb, django_db_createdb):
    """pytest-django's test database set-up, except that it always creates `test_<db>`.

    pytest-django only creates the test database when some collected test uses `db`/`transactional_db`
    or the django_db marker. A session made only of `committed`/`committed_tenant`/`celery_worker`
    tests (e.g. `pytest tests/platform/test_celery_worker.py`) then ran against the database in
    DATABASE_URL itself, provisioning and deleting tenants there. Whoever needs this fixture needs a
    test database, so it is always set up.
    """
    from django.test.utils import setup_databases, teardown_databases

    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=request.config.option.verbose, interactive=False, keepdb=keepdb, aliases={"default"})
    yield
    if not keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)
