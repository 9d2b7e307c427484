"""The rules API: create from text, live parse feedback, update with diffs, rollback, switch off; typed errors."""

from __future__ import annotations

import json


def _gql(client, query, **variables):
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


CREATE = """mutation($name: String!, $text: String!) {
  createRule(name: $name, trigger: "sales_order.confirmed", text: $text) {
    rule { id name currentVersion { number } }
    errors { field message code }
  }
}"""


def test_parse_rule_text_gives_the_tree_or_a_positioned_error_with_suggestions(alpha):
    # given
    client = alpha.client()
    query = """mutation($text: String!) { parseRuleText(text: $text) {
      result { ok language condition actions canonicalText error { code position excerpt suggestions } }
      errors { code } } }"""

    # when
    good = _gql(client, query, text="When order total >= 500 then block")["parseRuleText"]["result"]
    bad = _gql(client, query, text="当订单金頟>500时阻止")["parseRuleText"]["result"]

    # then
    assert good["ok"] is True
    assert json.loads(good["condition"]) == {"field": "order.total", "op": "gte", "value": 500}
    assert good["canonicalText"] == "When order total >= 500 then block"
    assert bad["ok"] is False
    assert bad["error"]["code"] == "UNKNOWN_FIELD" and bad["error"]["position"] == 1
    assert "订单金额" in bad["error"]["suggestions"]


def test_create_update_rollback_and_list_with_versions_and_diffs(alpha):
    # given
    client = alpha.client()
    created = _gql(client, CREATE, name="gql big orders", text="当订单金额>20000时，阻止")["createRule"]
    rule_id = created["rule"]["id"]

    # when
    updated = _gql(
        client,
        """mutation($id: ID!) { updateRule(id: $id, text: "When order total > 30000 then block", reason: "raise") {
             version { number diff { kind detail } } errors { code } } }""",
        id=rule_id,
    )["updateRule"]
    rolled = _gql(
        client,
        """mutation($id: ID!) { rollbackRule(id: $id, toVersion: 1, reason: "undo") {
             version { number rolledBackFrom author reason } errors { code } } }""",
        id=rule_id,
    )["rollbackRule"]
    off = _gql(client, "mutation($id: ID!) { deactivateRule(id: $id) { rule { active } errors { code } } }", id=rule_id)
    listed = _gql(client, '{ rules(first: 10) { edges { node { name active versions { number text(language: "en") } } } } }')

    # then
    assert created["errors"] == [] and created["rule"]["currentVersion"]["number"] == 1
    assert updated["version"]["diff"] == [{"kind": "condition_changed", "detail": "order total > 20000 → order total > 30000"}]
    assert rolled["version"] == {"number": 3, "rolledBackFrom": 1, "author": alpha.owner_email, "reason": "undo"}
    assert off["deactivateRule"]["rule"]["active"] is False
    node = next(e["node"] for e in listed["rules"]["edges"] if e["node"]["name"] == "gql big orders")
    assert [v["number"] for v in node["versions"]] == [3, 2, 1]
    assert node["versions"][0]["text"] == "When order total > 20000 then block"


def test_a_broken_rule_comes_back_as_a_typed_error(alpha):
    # given
    client = alpha.client()

    # when
    result = _gql(client, CREATE, name="broken", text='当订单金额包含"x"时阻止')["createRule"]
    tree = _gql(
        client,
        """mutation { createRule(name: "tree", trigger: "sales_order.confirmed",
             condition: "{\\"field\\": \\"customer.shoe\\", \\"op\\": \\"eq\\", \\"value\\": 1}",
             actions: "[{\\"type\\": \\"block\\"}]") { rule { id } errors { field message code } } }""",
    )["createRule"]

    # then
    assert result["rule"] is None
    assert result["errors"][0]["code"] == "INVALID_OPERATOR" and result["errors"][0]["field"] == "text"
    assert tree["rule"] is None
    assert tree["errors"] == [{"field": "condition", "message": "Unknown field 'customer.shoe'", "code": "UNKNOWN_FIELD"}]
