"""The public pages: landing, pricing and signup render in zh-hans (default) and English, from the registry."""

from __future__ import annotations

import re

import pytest

from core.modules import registry
from tests.site.support import public_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/pricing/", "/signup/"])
def test_pages_default_to_simplified_chinese(path: str) -> None:
    # given a visitor with no language preference
    client = public_client()

    # when the page is opened
    response = client.get(path)

    # then it is served in zh-hans
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "免费试用" in html or "创建" in html


@pytest.mark.parametrize("path", ["/", "/pricing/", "/signup/"])
def test_pages_render_in_english(path: str) -> None:
    response = public_client("en").get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "free trial" in html.lower() or "Create account" in html


def test_language_switch_sets_the_cookie_and_returns_to_the_page() -> None:
    client = public_client()

    response = client.post("/language/", {"language": "en", "next": "/pricing/"})

    assert response.status_code == 302 and response["Location"] == "/pricing/"
    assert client.get("/pricing/").content.decode().count('lang="en"') == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_landing_explains_every_module_in_its_language(language: str) -> None:
    html = public_client(language).get("/").content.decode()

    for cfg in registry.all():
        assert cfg.display_name(language) in html
        assert (cfg.description_en if language == "en" else cfg.description_zh) in html


def test_pricing_table_is_built_from_the_registry_prices() -> None:
    html = public_client("en").get("/pricing/").content.decode()

    rows = dict(re.findall(r'<tr data-module="([a-z_]+)">(.*?)</tr>', html, flags=re.S))
    assert set(rows) == set(registry.codes())
    for cfg in registry.all():
        assert f'data-price-cny="{cfg.monthly_price_cny}">¥{cfg.monthly_price_cny}<' in rows[cfg.code]
        assert f'data-price-usd="{cfg.monthly_price_usd}">${cfg.monthly_price_usd}<' in rows[cfg.code]


def test_pricing_follows_a_price_change_in_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    # given the food module's price changes
    food = registry.get("food")
    monkeypatch.setattr(food, "monthly_price_cny", 177)

    # then the table shows the new price, not a copy kept in a template
    html = public_client().get("/pricing/").content.decode()
    assert 'data-price-cny="177">¥177<' in html


def test_signup_form_offers_only_sellable_modules() -> None:
    html = public_client("en").get("/signup/?module=food").content.decode()

    offered = set(re.findall(r'name="modules" value="([a-z_]+)"', html))
    assert offered == {cfg.code for cfg in registry.sellable()}
    assert re.search(r'name="modules" value="food"[^>]*checked', html), "?module=food preselects it"


def test_public_pages_load_nothing_from_other_hosts() -> None:
    for path in ("/", "/pricing/", "/signup/"):
        html = public_client().get(path).content.decode()
        assert not re.search(r'(src|href)="(https?:)?//', html), f"{path} refers to another host"


def test_a_link_can_choose_english() -> None:
    html = public_client().get("/pricing/", {"lang": "en"}).content.decode()

    assert '<html lang="en">' in html and "CNY / month" in html
