"""The Stripe catalog is synced from the registry, idempotently, through the SDK against localstripe."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from billing.catalog import sync_catalog
from billing.stripe_api import lookup_key, parse_lookup_key
from core.modules import registry


def _active_prices(localstripe, keys):
    prices = localstripe.client().v1.prices.list(params={"lookup_keys": keys, "active": True, "limit": 100}).data
    return {price["lookup_key"]: price.to_dict() for price in prices}


def test_every_module_has_a_monthly_price_per_currency(stripe_mode):
    keys = [lookup_key(code, currency) for code in registry.codes() for currency in ("CNY", "USD")]
    prices = _active_prices(stripe_mode, keys)
    assert set(prices) == set(keys)
    core, retail = registry.get("core"), registry.get("retail")
    assert prices["core"]["unit_amount"] == core.monthly_price_cny * 100 and prices["core"]["currency"] == "cny"
    assert prices["retail_usd"]["unit_amount"] == retail.monthly_price_usd * 100
    assert prices["retail_usd"]["currency"] == "usd"
    assert all(price["recurring"]["interval"] == "month" for price in prices.values())
    product = stripe_mode.client().v1.products.retrieve("jxc_retail")
    assert product["metadata"]["module_code"] == "retail"


def test_a_second_sync_creates_nothing(stripe_mode):
    report = sync_catalog()
    assert not report.changed
    assert report.created_prices == [] and report.created_products == []


def test_a_changed_price_gets_a_new_price_that_takes_the_lookup_key(stripe_mode, monkeypatch):
    old = _active_prices(stripe_mode, ["retail"])["retail"]
    new_price = registry.get("retail").monthly_price_cny + 10
    monkeypatch.setattr(apps.get_app_config("retail"), "monthly_price_cny", new_price)
    try:
        report = sync_catalog()
        current = _active_prices(stripe_mode, ["retail"])["retail"]
        old_now = stripe_mode.client().v1.prices.retrieve(old["id"])
        assert report.created_prices == ["retail"]
        assert report.deactivated_prices == [old["id"]]
        assert current["id"] != old["id"] and current["unit_amount"] == new_price * 100
        assert old_now["active"] is False and old_now["lookup_key"] is None
        assert not sync_catalog().changed  # and the new state is stable
    finally:
        monkeypatch.undo()
        sync_catalog()  # back to the registry's price for the other tests


def test_sync_command_prints_what_it_did(stripe_mode, capsys):
    call_command("sync_stripe_catalog")
    assert "catalog up to date" in capsys.readouterr().out


def test_sync_command_refuses_without_keys(local_mode):
    with pytest.raises(CommandError, match="local trial"):
        call_command("sync_stripe_catalog")


def test_lookup_keys_round_trip():
    assert lookup_key("retail", "CNY") == "retail"
    assert lookup_key("retail", "usd") == "retail_usd"
    assert parse_lookup_key("discrete_mfg_usd") == ("discrete_mfg", "USD")
    assert parse_lookup_key("discrete_mfg") == ("discrete_mfg", "CNY")
    assert parse_lookup_key(None) is None
