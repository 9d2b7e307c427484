"""The template catalog: a published rule carries none of its tenant's data; an import is a separate rule."""

from __future__ import annotations

import json

import pytest
from django.forms.models import model_to_dict
from django_tenants.utils import schema_context

from core.rule_catalog.models import RuleTemplate
from core.rules import services
from core.rules.exceptions import RuleError
from core.rules.models import Rule
from core.rules.templates import import_template, list_templates, publish_template

SECRET_CUSTOMER = "杭州西湖鲜果行"
SECRET_CHANNEL = "wx-alpha-ops"
SECRET_PERSON = "张三丰"


def _alpha_rule(owner_email: str) -> Rule:
    return services.create_rule(
        name="阿尔法大客户审批",
        trigger="sales_order.confirmed",
        condition={
            "all": [
                {"field": "customer.name", "op": "eq", "value": SECRET_CUSTOMER},
                {"field": "customer.tier", "op": "eq", "value": "VIP"},
                {"field": "order.total", "op": "gt", "value": 88888},
                {"field": "order.is_urgent", "op": "eq", "value": True},
            ]
        },
        actions=[
            {"type": "notify", "channel": SECRET_CHANNEL, "message": f"请{SECRET_PERSON}跟进"},
            {"type": "set_field", "field": "order.shipping_method", "value": "air_priority"},
        ],
        actor=owner_email,
    )


def test_a_published_template_holds_none_of_the_authors_data(in_alpha):
    # given
    rule = _alpha_rule(in_alpha.owner_email)

    # when
    template = publish_template(rule, in_alpha.owner_email, "大客户加急订单", "VIP 加急订单走空运并通知跟进人")

    # then
    stored = json.dumps(model_to_dict(RuleTemplate.objects.get(pk=template.pk)), ensure_ascii=False, default=str)
    for secret in (rule.name, SECRET_CUSTOMER, "88888", SECRET_CHANNEL, SECRET_PERSON, in_alpha.owner_email, in_alpha.schema):
        assert secret not in stored
    assert "VIP" in stored and "air_priority" in stored  # enum values are the catalog's words and stay
    assert len(template.placeholders) == 4


def test_another_tenant_imports_a_template_and_its_edits_stay_its_own(in_alpha, beta):
    # given
    rule = _alpha_rule(in_alpha.owner_email)
    template = publish_template(rule, in_alpha.owner_email, "大客户加急订单")
    before = model_to_dict(RuleTemplate.objects.get(pk=template.pk), exclude=["import_count"])
    values = {"value_1": "宁波海鲜城", "value_2": 30000, "value_3": "ops-beta", "value_4": "请销售经理跟进"}

    # when
    with schema_context(beta.schema):
        assert template.pk in list_templates().values_list("pk", flat=True)
        imported = import_template(template.pk, values, beta.owner_email)
        services.update_rule(
            imported,
            condition={"field": "customer.name", "op": "eq", "value": "温州"},
            actions=[{"type": "block", "reason": "edited in beta"}],
            actor=beta.owner_email,
        )
        imported_versions = imported.versions.count()
        imported_first = imported.versions.get(number=1)

    # then
    assert imported_versions == 2
    assert imported_first.condition["all"][0] == {"field": "customer.name", "op": "eq", "value": "宁波海鲜城"}
    assert imported_first.condition["all"][2] == {"field": "order.total", "op": "gt", "value": 30000}
    rule.refresh_from_db()
    assert rule.versions.count() == 1
    assert rule.current_version.condition["all"][0]["value"] == SECRET_CUSTOMER
    assert model_to_dict(RuleTemplate.objects.get(pk=template.pk), exclude=["import_count"]) == before
    assert not Rule.objects.filter(name="大客户加急订单").exists()  # alpha did not get beta's copy


def test_an_import_must_fill_every_placeholder(in_alpha):
    # given
    template = publish_template(_alpha_rule(in_alpha.owner_email), None, "大客户加急订单")

    # when / then
    with pytest.raises(RuleError) as caught:
        import_template(template.pk, {"value_1": "x"}, None)
    assert "value_2" in str(caught.value)


def _gql(client, query, **variables):
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json")
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_publish_list_and_import_over_graphql(alpha):
    # given
    with schema_context(alpha.schema):
        rule = _alpha_rule(alpha.owner_email)
    client = alpha.client()
    publish = """mutation($id: ID!) { publishRuleTemplate(ruleId: $id, title: "VIP 加急") {
      template { id placeholders } errors { code } } }"""
    importing = """mutation($id: ID!, $values: JSONString!) {
      importRuleTemplate(templateId: $id, values: $values, name: "导入的规则") {
      rule { name active currentVersion { number } } errors { code message } } }"""

    # when
    published = _gql(client, publish, id=rule.pk)["publishRuleTemplate"]["template"]
    listed = _gql(client, '{ ruleTemplates(trigger: "sales_order.confirmed") { id title } }')["ruleTemplates"]
    values = json.dumps({"value_1": "某客户", "value_2": 1000, "value_3": "ops", "value_4": "跟进"})
    imported = _gql(client, importing, id=published["id"], values=values)["importRuleTemplate"]

    # then
    assert sorted(json.loads(published["placeholders"])) == ["value_1", "value_2", "value_3", "value_4"]
    assert {"id": published["id"], "title": "VIP 加急"} in listed
    assert imported["errors"] == []
    assert imported["rule"] == {"name": "导入的规则", "active": False, "currentVersion": {"number": 1}}
