"""`manage.py seed_demo`: the demo tenant a new user signs in to after `./jxc run`.

Idempotent. The first run provisions tenant `demo` (food + retail) with an owner account, builds each
enabled module's demo data, and writes the credentials to <VAR_DIR>/demo_credentials.txt. Later runs
print the stored credentials; if the file was lost, the owner gets a new password and a new file.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_tenants.utils import schema_context

from core.modules import registry
from tenants.models import Tenant
from tenants.services import provision_tenant, tenant_host

DEMO_SLUG = "demo"
DEMO_NAME = "演示商贸 Demo Trading"
DEMO_OWNER_EMAIL = "owner@demo.example.com"
DEMO_MODULES = ("food", "retail")


def credentials_file() -> Path:
    return Path(settings.VAR_DIR) / "demo_credentials.txt"


def new_password() -> str:
    # 16 URL-safe characters: long enough for the validators, never all digits in practice.
    return "Demo-" + secrets.token_urlsafe(12)


def write_credentials(email: str, password: str, url: str) -> None:
    path = credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": url, "email": email, "password": password}, indent=2) + "\n")
    path.chmod(0o600)


def read_credentials() -> dict[str, str] | None:
    path = credentials_file()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError:
        return None
    return data if {"email", "password"} <= data.keys() else None


def demo_url() -> str:
    return f"{settings.SITE_SCHEME}://{tenant_host(DEMO_SLUG)}{settings.PUBLIC_PORT_SUFFIX}/"


def build_demo_data(tenant: Tenant) -> None:
    """Each enabled module's `demo_data` builder, called with no arguments inside the tenant's schema."""
    codes = {*registry.always_on_codes(), *DEMO_MODULES}
    with schema_context(tenant.schema_name):
        for module in registry.all():
            if module.code in codes and module.demo_data is not None:
                with transaction.atomic():
                    module.demo_data()


def mark_owner_verified(tenant: Tenant) -> None:
    """No mail is sent for the demo and its address is not real: the owner must not be asked to verify it."""
    from django.utils import timezone

    from tenants.accounts.models import User

    with schema_context(tenant.schema_name):
        User.objects.filter(email=DEMO_OWNER_EMAIL, email_verified_at__isnull=True).update(email_verified_at=timezone.now())


class Command(BaseCommand):
    help = "Create the demo tenant (food + retail) and print its sign-in credentials; safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])
        parser.add_argument("--migrate", action="store_true", help="run `migrate` first, in the same process")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
        stored = read_credentials()
        if tenant is None:
            password = new_password()
            tenant = provision_tenant(DEMO_NAME, DEMO_SLUG, DEMO_OWNER_EMAIL, password, DEMO_MODULES, options["language"])
            build_demo_data(tenant)
            mark_owner_verified(tenant)
            write_credentials(DEMO_OWNER_EMAIL, password, demo_url())
            self.stdout.write(self.style.SUCCESS("Created the demo tenant."))
        elif stored is None or not self._password_works(tenant, stored):
            password = new_password()
            self._reset_owner_password(tenant, password)
            write_credentials(DEMO_OWNER_EMAIL, password, demo_url())
            self.stdout.write(self.style.WARNING("Demo credentials were missing or stale; the owner has a new password."))
        mark_owner_verified(tenant)  # also demo tenants made before the owner was marked verified
        credentials = read_credentials() or {}
        self.stdout.write(f"Demo tenant:  {demo_url()}")
        self.stdout.write(f"  email:      {credentials.get('email')}")
        self.stdout.write(f"  password:   {credentials.get('password')}")
        self.stdout.write(f"  (saved in {credentials_file()})")

    @staticmethod
    def _password_works(tenant: Tenant, stored: dict[str, str]) -> bool:
        from tenants.accounts.models import User

        with schema_context(tenant.schema_name):
            user = User.objects.filter(email=stored["email"]).first()
            return user is not None and user.check_password(stored["password"])

    @staticmethod
    def _reset_owner_password(tenant: Tenant, password: str) -> None:
        from tenants.accounts.models import User
        from tenants.accounts.roles import Role

        with schema_context(tenant.schema_name), transaction.atomic():
            user = User.objects.filter(email=DEMO_OWNER_EMAIL).first()
            if user is None:
                User.objects.create_user(email=DEMO_OWNER_EMAIL, password=password, role=Role.OWNER.value, is_staff=True)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
