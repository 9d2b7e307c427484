"""Tenant provisioning and deletion: the template clone, the spare pool, validation, commands, stale templates."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from billing.entitlements import has_module
from billing.models import ModuleEntitlement
from tenants.models import Domain, SpareSchema, Tenant
from tenants.services import StaleTemplateError, delete_tenant, provision_tenant, reset_template_check
from tenants.template import drop_spares, fill_pool, template_missing_migrations, template_missing_tables

PASSWORD = "Correct-horse-42!"


def schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def signs_in(slug: str, email: str, password: str = PASSWORD) -> bool:
    client = Client(HTTP_HOST=f"{slug}.{settings.BASE_DOMAIN}")
    return client.post("/login/", {"username": email, "password": password}).status_code == 302


def new_slug() -> str:
    return f"p{uuid.uuid4().hex[:10]}"


def test_provisioned_tenant_has_its_host_owner_and_module_trials(db):
    # given
    slug = new_slug()
    # when
    tenant = provision_tenant("Acme Foods", slug, "Boss@Acme.example.com", PASSWORD, ["food"], "en")
    # then
    assert tenant.schema_name in schemas()
    assert tenant.domains.get(is_primary=True).domain == f"{slug}.{settings.BASE_DOMAIN}"
    assert signs_in(slug, "boss@acme.example.com")
    assert has_module(tenant, "food") and not has_module(tenant, "retail")
    with schema_context(tenant.schema_name):
        from tenants.accounts.models import User

        assert User.objects.get().role == "owner"


@pytest.mark.parametrize(
    ("slug", "expected_code"),
    [
        ("www", "reserved"),
        ("admin", "reserved"),
        ("public", "reserved"),
        ("ab", "length"),
        ("a" * 31, "length"),
        ("my_shop", "invalid"),
        ("shop.cn", "invalid"),
        ("-shop", "invalid"),
        ("shop-", "invalid"),
        ("9shop", "invalid"),
        ("小店铺", "invalid"),
        ("alpha", "taken"),
    ],
)
def test_bad_slug_is_refused_with_a_clear_reason_and_nothing_created(alpha, slug, expected_code):
    # given
    before = (Tenant.objects.count(), Domain.objects.count(), schemas())
    # when
    with pytest.raises(ValidationError) as raised:
        provision_tenant("Shop", slug, "owner@shop.example.com", PASSWORD, [], "zh-hans")
    # then
    assert [error.code for error in raised.value.error_dict["slug"]] == [expected_code]
    assert (Tenant.objects.count(), Domain.objects.count(), schemas()) == before


def test_bad_signup_reports_every_problem_at_once_and_creates_nothing(alpha):
    # given
    before = (Tenant.objects.count(), Domain.objects.count(), schemas())
    # when
    with pytest.raises(ValidationError) as raised:
        provision_tenant("", "alpha", "not-an-email", "12345", ["food", "bakery"], "fr")
    # then
    problems = raised.value.message_dict
    assert set(problems) == {"slug", "name", "owner_email", "password", "modules", "language"}
    assert "already taken" in problems["slug"][0]
    assert "bakery" in problems["modules"][0] and "food" not in problems["modules"][0]
    assert (Tenant.objects.count(), Domain.objects.count(), schemas()) == before


def test_failure_after_the_rows_are_written_rolls_everything_back(db):
    # given an orphaned schema squatting on the name the new tenant's schema would get
    slug = new_slug()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "t_{slug}"')
    # when
    with pytest.raises(ValidationError):
        provision_tenant("Orphan Co", slug, "owner@orphan.example.com", PASSWORD, ["food"], "en")
    # then
    assert not Tenant.objects.filter(slug=slug).exists()
    assert not Domain.objects.filter(domain__startswith=f"{slug}.").exists()
    assert not ModuleEntitlement.objects.filter(tenant__slug=slug).exists()


def test_provisioning_takes_a_spare_schema_from_the_pool(db):
    # given
    assert fill_pool(size=1) == 1
    spare = SpareSchema.objects.get().schema_name
    slug = new_slug()
    # when
    tenant = provision_tenant("Pooled Co", slug, "owner@pooled.example.com", PASSWORD, [], "zh-hans")
    # then the spare became the tenant's schema and the tenant works
    assert not SpareSchema.objects.exists()
    assert spare not in schemas() and tenant.schema_name in schemas()
    assert signs_in(slug, "owner@pooled.example.com")


def test_spare_cloned_from_an_older_template_is_never_handed_out(db):
    # given a spare recorded against another template version
    assert fill_pool(size=1) == 1
    SpareSchema.objects.update(template_version="older")
    stale = SpareSchema.objects.get().schema_name
    # when
    tenant = provision_tenant("Fresh Co", new_slug(), "owner@fresh.example.com", PASSWORD, [], "zh-hans")
    dropped = drop_spares(stale_only=True)
    # then the tenant got a fresh clone, and the stale spare is gone
    assert tenant.schema_name in schemas()
    assert dropped == 1 and stale not in schemas()


def test_clone_keeps_the_templates_tables_keys_indexes_and_triggers_by_name(alpha):
    # given / when: alpha was cloned from the template
    def catalog(schema: str) -> dict[str, set[tuple[str, str]]]:
        with connection.cursor() as cursor:
            queries = {
                "tables": "SELECT 'table', c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind = 'r'",
                "constraints": "SELECT k.contype::text, k.conname FROM pg_constraint k JOIN pg_namespace n "
                "ON n.oid = k.connamespace WHERE n.nspname = %s",
                "indexes": "SELECT 'index', c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind = 'i'",
                "triggers": "SELECT 'trigger', t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal",
            }
            found = {}
            for kind, query in queries.items():
                cursor.execute(query, [schema])
                found[kind] = set(cursor.fetchall())
            return found

    # then: names matter, because later migrations drop and alter constraints and indexes by name
    assert catalog(alpha.schema) == catalog(settings.TENANT_BASE_SCHEMA)


@pytest.mark.slow
def test_two_signups_racing_for_one_subdomain_get_one_tenant(tenants_setup, committed):
    # given two signups for the same subdomain at the same moment
    slug, outcomes = new_slug(), []
    barrier = threading.Barrier(2)

    def sign_up(n: int) -> None:
        try:
            barrier.wait()
            provision_tenant(f"Racer {n}", slug, f"owner{n}@race.example.com", PASSWORD, [], "en")
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append(error.error_dict["slug"][0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in (1, 2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then one tenant exists and the other signup is told the subdomain is taken
    try:
        assert sorted(outcomes) == ["created", "taken"]
        assert Tenant.objects.filter(slug=slug).count() == 1
    finally:
        for tenant in Tenant.objects.filter(slug=slug):
            delete_tenant(tenant)


def test_our_tenant_commands_shadow_django_tenants_ones():
    # given / when
    commands = get_commands()
    # then
    assert commands["create_tenant"] == "core"
    assert commands["delete_tenant"] == "core"
    assert commands["migrate_schemas"] == "core" and commands["migrate"] == "core"
    assert commands["check_template"] == "core" and commands["fill_schema_pool"] == "core"


def test_create_tenant_command_provisions_a_tenant(db, capsys):
    # given
    slug = new_slug()
    # when
    call_command(
        "create_tenant",
        "--name=Command Co",
        f"--slug={slug}",
        "--email=owner@command.example.com",
        f"--password={PASSWORD}",
        "--modules=food,retail",
        "--language=en",
    )
    # then
    assert f"Created tenant {slug}" in capsys.readouterr().out
    tenant = Tenant.objects.get(slug=slug)
    assert tenant.language == "en"
    assert has_module(tenant, "food") and has_module(tenant, "retail")
    assert signs_in(slug, "owner@command.example.com")


def test_create_tenant_command_lists_every_problem(db, monkeypatch):
    # given no password anywhere and no terminal to ask on
    monkeypatch.delenv("JXC_TENANT_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="password"):
        call_command("create_tenant", "--name=X", "--slug=xyz-shop", "--email=a@b.example.com")
    # when the input is bad in several ways
    with pytest.raises(CommandError) as raised:
        call_command("create_tenant", "--name=X", "--slug=www", "--email=nope", "--password=short", "--modules=bakery")
    # then
    message = str(raised.value)
    for field in ("slug", "owner_email", "password", "modules"):
        assert f"{field}:" in message
    assert not Tenant.objects.filter(slug="www").exists()


def test_create_tenant_command_reads_the_password_from_the_environment(db, monkeypatch):
    # given
    slug = new_slug()
    monkeypatch.setenv("JXC_TENANT_PASSWORD", PASSWORD)
    # when
    call_command("create_tenant", "--name=Env Co", f"--slug={slug}", "--email=owner@env.example.com")
    # then
    assert signs_in(slug, "owner@env.example.com")


def test_delete_tenant_command_needs_confirmation(db):
    # given
    tenant = provision_tenant("Keep Co", new_slug(), "owner@keep.example.com", PASSWORD, [], "zh-hans")
    # when / then: no --yes and no terminal → refused, nothing deleted
    with pytest.raises(CommandError, match="--yes"):
        call_command("delete_tenant", tenant.slug)
    assert Tenant.objects.filter(pk=tenant.pk).exists()
    # when / then: with --yes the schema goes
    call_command("delete_tenant", tenant.slug, "--yes")
    assert not Tenant.objects.filter(pk=tenant.pk).exists()
    assert tenant.schema_name not in schemas()


def test_deleting_a_tenant_removes_schema_rows_entitlements_cache_and_files(alpha):
    # given a tenant with entitlements (cached), and files of its own and of another tenant
    tenant = provision_tenant("Gone Co", new_slug(), "owner@gone.example.com", PASSWORD, ["food"], "zh-hans")
    assert has_module(tenant, "food")  # fills the entitlement cache
    storage = storages["default"]
    own = storage.save(f"tenants/{tenant.schema_name}/uploads/history.csv", ContentFile(b"sku,qty\n"))
    other = storage.save(f"tenants/{alpha.schema}/uploads/history.csv", ContentFile(b"sku,qty\n"))
    try:
        # when
        delete_tenant(tenant)
        # then
        assert tenant.schema_name not in schemas()
        assert not Tenant.objects.filter(pk=tenant.pk).exists()
        assert not Domain.objects.filter(tenant_id=tenant.pk).exists()
        assert not ModuleEntitlement.objects.filter(tenant_id=tenant.pk).exists()
        assert caches["platform"].get(f"entitlements:{tenant.schema_name}") is None
        assert not storage.exists(own)
        assert not os.path.exists(storage.path(f"tenants/{tenant.schema_name}"))
        assert storage.exists(other)
    finally:
        storage.delete(other)


@pytest.fixture
def throwaway_template(committed):
    """A separate, fully migrated template schema; the session's real template is never touched."""
    name = f"tpl_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{name}"')
    with override_settings(TENANT_BASE_SCHEMA=name):
        reset_template_check()
        call_command("migrate_schemas", schema_name=name, tenant=True, verbosity=0)
        try:
            yield name
        finally:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            reset_template_check()


def check_template_exit_code(template: str) -> int:
    """`manage.py check_template` as an operator (or CI) runs it, against the test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "TENANT_BASE_SCHEMA": template,
        "DJANGO_SETTINGS_MODULE": "core.settings.test",
    }
    command = [sys.executable, "manage.py", "check_template"]
    return subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, check=False).returncode


@pytest.mark.slow
def test_stale_template_is_reported_refused_and_fixed_by_migrate(throwaway_template):
    # given a template that lacks a migration (sessions unapplied: no session table)
    call_command("migrate_schemas", "sessions", "zero", schema_name=throwaway_template, tenant=True, verbosity=0)
    reset_template_check()
    before = (Tenant.objects.count(), Domain.objects.count(), schemas())
    # when / then: it is reported, and provisioning refuses and creates nothing
    assert template_missing_migrations() == ["sessions.0001_initial"]
    with pytest.raises(CommandError, match=r"sessions\.0001_initial"):
        call_command("check_template")
    assert check_template_exit_code(throwaway_template) != 0
    with pytest.raises(StaleTemplateError, match=r"sessions\.0001_initial"):
        provision_tenant("Broken Co", new_slug(), "owner@broken.example.com", PASSWORD, [], "en")
    assert (Tenant.objects.count(), Domain.objects.count(), schemas()) == before
    # when `migrate` runs, the template is current again and tenants cloned from it can sign in
    call_command("migrate", verbosity=0)
    assert template_missing_migrations() == []
    call_command("check_template")
    assert check_template_exit_code(throwaway_template) == 0
    tenant = provision_tenant("Fixed Co", new_slug(), "owner@fixed.example.com", PASSWORD, [], "en")
    try:
        assert signs_in(tenant.slug, "owner@fixed.example.com")
    finally:
        delete_tenant(tenant)


@pytest.mark.slow
def test_template_with_a_dropped_table_is_refused_and_rebuilt_by_migrate(throwaway_template):
    # given a table dropped behind Django's back: its migration still counts as applied
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{throwaway_template}".django_session')
    reset_template_check()
    # when / then
    assert template_missing_tables() == ["django_session"]
    with pytest.raises(StaleTemplateError, match="django_session"):
        provision_tenant("Broken Co", new_slug(), "owner@broken.example.com", PASSWORD, [], "en")
    call_command("migrate", verbosity=0)
    assert template_missing_tables() == [] and template_missing_migrations() == []
