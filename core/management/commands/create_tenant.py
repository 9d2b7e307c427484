"""`create_tenant`: provision a tenant from the command line (replaces django-tenants' interactive one).

`core` is first in INSTALLED_APPS, so this command shadows django_tenants' `create_tenant`.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.services import StaleTemplateError, provision_tenant

PASSWORD_ENV = "JXC_TENANT_PASSWORD"  # noqa: S105 - the name of a variable, not a password


def format_validation_error(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "\n".join(f"  {field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return "\n".join(f"  {message}" for message in error.messages)


class Command(BaseCommand):
    help = "Create a tenant: its schema (from the template), host, owner account and module trials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="Company name")
        parser.add_argument("--slug", required=True, help="Subdomain: <slug>.<BASE_DOMAIN>")
        parser.add_argument("--email", required=True, help="Owner's email (the login)")
        parser.add_argument("--password", help=f"Owner's password; otherwise ${PASSWORD_ENV}, otherwise asked for on a terminal")
        parser.add_argument("--modules", default="", help="Comma-separated module codes, e.g. food,retail")
        parser.add_argument("--language", default="zh-hans", help="zh-hans or en")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or os.environ.get(PASSWORD_ENV) or self._ask_password()
        modules = [code.strip() for code in options["modules"].split(",") if code.strip()]
        try:
            tenant = provision_tenant(options["name"], options["slug"], options["email"], password, modules, options["language"])
        except ValidationError as error:
            raise CommandError("The tenant was not created:\n" + format_validation_error(error)) from error
        except StaleTemplateError as error:
            raise CommandError(str(error)) from error
        host = tenant.domains.get(is_primary=True).domain
        self.stdout.write(
            self.style.SUCCESS(
                f"Created tenant {tenant.slug} (schema {tenant.schema_name}): "
                f"{settings.SITE_SCHEME}://{host}{settings.PUBLIC_PORT_SUFFIX}/"
            )
        )

    def _ask_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(f"Give the owner's password with --password or ${PASSWORD_ENV}.")
        first = getpass.getpass("Owner password: ")
        if first != getpass.getpass("Again: "):
            raise CommandError("The passwords differ.")
        return first
