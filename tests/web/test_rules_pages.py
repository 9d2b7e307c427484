"""The rules center pages: write a rule in plain language, edit it, roll it back, and see the history."""

from __future__ import annotations

import uuid

from django_tenants.utils import schema_context

from core.rules.models import Rule
from tenants.accounts.roles import Role
from tests.web.support import client_with_role


def _name() -> str:
    return f"大单审批-{uuid.uuid4().hex[:6]}"


def _create(client, name: str, text: str = "当订单金额>50000时，需要经理审批"):
    return client.post(
        "/rules/new/", {"name": name, "trigger": "sales_order.confirmed", "text": text, "reason": "新规", "submit": "save"}
    )


def _rule(schema: str, name: str) -> Rule:
    with schema_context(schema):
        return Rule.objects.select_related("current_version").get(name=name)


def test_rule_pages_render_in_chinese_and_english(alpha):
    # given
    client = alpha.client()
    name = _name()
    _create(client, name)
    rule = _rule(alpha.schema, name)

    for url, zh, en in [
        ("/rules/", "新建规则", "New rule"),
        ("/rules/new/", "试运行（最近 30 天）", "Dry run (last 30 days)"),
        (f"/rules/{rule.pk}/", "版本历史", "Version history"),
        (f"/rules/{rule.pk}/edit/", "编辑规则", "Edit rule"),
    ]:
        # when
        chinese = client.get(url)
        english = client.get(url + "?lang=en")

        # then
        assert chinese.status_code == 200, url
        assert zh in chinese.content.decode(), url
        assert english.status_code == 200, url
        assert en in english.content.decode(), url


def test_a_rule_written_in_chinese_through_the_form_is_saved_as_version_1(alpha):
    # given
    client = alpha.client()
    name = _name()

    # when
    response = _create(client, name)

    # then
    rule = _rule(alpha.schema, name)
    assert response.status_code == 302
    assert rule.current_version.number == 1
    listing = client.get("/rules/").content.decode()
    assert name in listing and "v1" in listing


def test_an_edit_creates_version_2_and_the_page_shows_its_diff(alpha):
    # given
    client = alpha.client()
    name = _name()
    _create(client, name)
    rule = _rule(alpha.schema, name)

    # when
    client.post(
        f"/rules/{rule.pk}/edit/",
        {"trigger": "sales_order.confirmed", "text": "当订单金额>80000时，需要经理审批", "reason": "提高门槛", "submit": "save"},
    )

    # then
    assert _rule(alpha.schema, name).current_version.number == 2
    page = client.get(f"/rules/{rule.pk}/").content.decode()
    assert "修改条件" in page  # the "condition_changed" diff badge, in zh-hans
    assert "80000" in page and "提高门槛" in page


def test_rollback_restores_the_earlier_text(alpha):
    # given
    client = alpha.client()
    name = _name()
    _create(client, name)
    rule = _rule(alpha.schema, name)
    client.post(
        f"/rules/{rule.pk}/edit/",
        {"trigger": "sales_order.confirmed", "text": "当订单金额>80000时，需要经理审批", "submit": "save"},
    )

    # when
    client.post(f"/rules/{rule.pk}/rollback/1/", {"reason": "门槛太高"})

    # then
    current = _rule(alpha.schema, name).current_version
    assert current.number == 3
    assert current.rolled_back_from == 1
    assert "50000" in current.source_text


def test_a_text_that_does_not_parse_shows_the_position_and_creates_nothing(alpha):
    # given
    client = alpha.client()
    name = _name()

    # when
    response = _create(client, name, text="当订单金頟>500时阻止")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "parse-error" in page and "^" in page
    with schema_context(alpha.schema):
        assert not Rule.objects.filter(name=name).exists()


def test_a_dry_run_saves_nothing_and_shows_the_report(alpha):
    # given
    client = alpha.client()
    name = _name()

    # when
    response = client.post(
        "/rules/new/",
        {"name": name, "trigger": "sales_order.confirmed", "text": "当订单金额>50000时阻止", "submit": "dryrun"},
    )

    # then
    assert response.status_code == 200
    assert "dry-run" in response.content.decode()
    with schema_context(alpha.schema):
        assert not Rule.objects.filter(name=name).exists()


def test_a_viewer_sees_rules_but_gets_403_on_every_post(alpha):
    # given
    name = _name()
    _create(alpha.client(), name)
    rule = _rule(alpha.schema, name)
    viewer = client_with_role(alpha, Role.VIEWER)

    # when
    listing = viewer.get("/rules/")
    create = _create(viewer, _name())
    rollback = viewer.post(f"/rules/{rule.pk}/rollback/1/", {"reason": "x"})
    toggle = viewer.post(f"/rules/{rule.pk}/active/", {"active": "0"})

    # then
    assert listing.status_code == 200
    assert (create.status_code, rollback.status_code, toggle.status_code) == (403, 403, 403)
    assert _rule(alpha.schema, name).active
