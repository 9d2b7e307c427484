from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.web.decorators import require
from tenants.accounts.roles import Permission
from tests.fake_vertical.tasks import tally_testkit_items


@require(Permission.VIEW, module="testkit")
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"testkit items: {tally_testkit_items()}", content_type="text/plain; charset=utf-8")
