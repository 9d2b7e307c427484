"""The spoilage model (ml_models/spoilage.py) and its use at the outlets: monotone decay with a
condition-dependent rate, generalisation to another generator seed, fine-tuning tracked in MLflow, the
"use first" list, waste alerts and smaller orders."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
import torch
from django.utils import timezone

from ml_models import spoilage
from tests.ml.conftest import _migrated_store_template
from verticals.restaurant import spoilage as outlet_spoilage
from verticals.restaurant.demo import build_hotpot_chain
from verticals.restaurant.models import IngredientProfile, TheoreticalUsage
from verticals.restaurant.waste import record_waste

torch.set_num_threads(1)

FISH = spoilage.LotFeatures(
    storage_temp_c=4, humidity_pct=88, process="steamed", group="fish", hours_since_prep=2, shelf_life_hours=48,
    quantity=5, daily_use=3, horizon_hours=24,
)  # fmt: skip


@pytest.fixture(scope="module")
def base():
    model, _report = spoilage.train_base_model(n=6000, seed=7, epochs=12)
    return model


def test_risk_rises_with_time_and_temperature_and_chopping(base):
    # given: the same lot at rising ages
    ages = [replace(FISH, hours_since_prep=h) for h in (0, 6, 12, 24, 36, 48)]
    # when
    risks = spoilage.predict(base, ages)
    # then: monotone in time, for the probability and the expected waste
    assert all(a.p_spoil <= b.p_spoil for a, b in pairwise(risks))
    assert all(a.expected_waste <= b.expected_waste + 1e-6 for a, b in pairwise(risks))
    warm = spoilage.predict(base, [replace(FISH, storage_temp_c=12, hours_since_prep=24)])[0]
    cold = spoilage.predict(base, [replace(FISH, storage_temp_c=2, hours_since_prep=24)])[0]
    assert warm.p_spoil > cold.p_spoil and warm.hours_left < cold.hours_left
    # "steamed sea bass, 2 hours left" and "chopped-chilli fish head, 2 hours left" carry different risks
    chopped = spoilage.predict(base, [replace(FISH, process="chopped", hours_since_prep=30)])[0]
    steamed = spoilage.predict(base, [replace(FISH, hours_since_prep=30)])[0]
    assert chopped.p_spoil > steamed.p_spoil


def test_the_base_model_learns_the_generators_kinetics_and_holds_on_another_seed(base):
    trained = spoilage.evaluate(base, spoilage.generate_lots(3000, seed=7))
    other = spoilage.evaluate(base, spoilage.generate_lots(3000, seed=8))
    assert other["auc"] > 0.95 and other["brier"] < 0.08
    assert abs(other["brier"] - trained["brier"]) < 0.02
    learned_fish_q10 = float(torch.exp(base.log_q10.detach()[spoilage.GROUPS.index("fish")]))
    assert 2.5 < learned_fish_q10 < 4.5  # the generator's 3.2


def test_fine_tuning_on_a_tenants_own_outcomes_beats_the_base_there(base):
    tenant = spoilage.KineticsProfile(q10_scale=1.3, temp_offset_c=2.0)
    own = spoilage.generate_lots(1500, seed=21, profile=tenant)
    held_out = spoilage.generate_lots(1500, seed=22, profile=tenant)
    tuned, _report = spoilage.fine_tune(base, own, epochs=15)
    assert spoilage.evaluate(tuned, held_out)["brier"] < spoilage.evaluate(base, held_out)["brier"]
    assert not torch.equal(tuned.mu, base.mu) and base.mu.requires_grad  # the base is untouched


@pytest.fixture
def mlflow_uri(tmp_path, settings):
    shutil.copyfile(_migrated_store_template(), tmp_path / "mlflow.db")
    settings.MLFLOW_TRACKING_URI = f"sqlite:///{tmp_path / 'mlflow.db'}"
    settings.MLFLOW_ARTIFACT_ROOT = str(tmp_path / "artifacts")
    return settings.MLFLOW_TRACKING_URI


@pytest.fixture
def chain(in_alpha, base, monkeypatch):
    monkeypatch.setattr(outlet_spoilage, "_base_model", base)
    chain = build_hotpot_chain(outlets=1, prefix="SP")
    for sku, group, process in (("HP-TRIPE", "offal", "raw"), ("HP-TALLOW", "dry", "cured"), ("HP-GREENS", "vegetable", "raw")):
        IngredientProfile.objects.create(item=chain.items[sku], group=group, process=process, storage_temp_c=Decimal("8"))
    return chain


def test_use_first_puts_the_short_lived_ingredient_on_top(chain, mlflow_uri):
    outlet = chain.outlets[0]
    # when: everything was received now; tripe keeps 2 days, tallow 180
    risks = outlet_spoilage.lot_risks(outlet.pk, horizon_hours=72)
    order = [risk.sku for risk in risks]
    # then
    assert order.index("HP-TRIPE") < order.index("HP-TALLOW")
    assert risks[0].p_spoil >= risks[-1].p_spoil


def test_smaller_orders_cap_at_what_is_used_before_a_fresh_lot_spoils(chain, mlflow_uri):
    outlet, tripe = chain.outlets[0], chain.items["HP-TRIPE"]
    TheoreticalUsage.objects.create(outlet=outlet, item=tripe, day=timezone.localdate(), quantity=Decimal("14"))  # 1 kg a day
    capped = outlet_spoilage.smaller_order(outlet.pk, tripe.pk, Decimal("50"))
    assert capped < Decimal("50")


def test_fine_tuning_on_own_waste_records_is_logged_and_registered_in_mlflow(chain, mlflow_uri):
    from mlflow import MlflowClient

    outlet, tripe, greens = chain.outlets[0], chain.items["HP-TRIPE"], chain.items["HP-GREENS"]
    for n in range(12):
        record_waste(outlet_id=outlet.pk, item_id=tripe.pk, quantity="1", reason="spoiled", actor="cook",
                     storage_temp_c=Decimal("9"), hours_since_prep=Decimal("30"), client_key=f"sp{n}")  # fmt: skip
    for n in range(20):
        TheoreticalUsage.objects.create(
            outlet=outlet, item=greens, day=timezone.localdate() - timedelta(days=n + 1), quantity=Decimal("3")
        )
    result = outlet_spoilage.fine_tune_on_own_waste()
    assert result["trained"] is True and result["rows"] == 32
    name = outlet_spoilage.tenant_model_name()
    assert name.endswith(".restaurant.loss")
    versions = MlflowClient(tracking_uri=mlflow_uri, registry_uri=mlflow_uri).search_model_versions(f"name='{name}'")
    assert [str(v.version) for v in versions] == [result["version"]]
    # the registered version is the tuned model: it reloads and, once champion, serves the outlet
    reloaded = spoilage.load_spoilage_version(name, str(result["version"]))
    assert not torch.equal(reloaded.mu, outlet_spoilage.base_model().mu)
    if result["promoted"]:
        assert torch.equal(outlet_spoilage.current_model().mu, reloaded.mu)


def test_the_food_modules_cold_chain_readings_set_the_storage_temperature(chain, mlflow_uri):
    from verticals.food.services import ReadingInput, create_sensor, record_readings

    outlet = chain.outlets[0]
    cold = outlet_spoilage.lot_risks(outlet.pk)
    sensor = create_sensor(code="SP-FRIDGE", location_id=outlet.stock_location_id, min_c=Decimal("0"), max_c=Decimal("4"))
    now = timezone.now()
    record_readings([ReadingInput(sensor.code, now - timedelta(minutes=15 * n), Decimal("11")) for n in range(8)])
    warm = outlet_spoilage.lot_risks(outlet.pk)
    assert {risk.temperature_c for risk in warm} == {11.0}
    by_sku = {risk.sku: risk for risk in cold}
    assert all(risk.hours_left < by_sku[risk.sku].hours_left for risk in warm)


def test_the_periodic_spoilage_check_runs_the_lot_rules_on_every_lot(chain, mlflow_uri):
    from core.rules.models import RuleEvaluation
    from core.rules.packs import load_rule_pack
    from verticals.restaurant.services_rules import check_lots

    load_rule_pack("restaurant")
    checked = check_lots()
    assert checked == 8  # the eight ingredients held at the one outlet
    evaluated = RuleEvaluation.objects.filter(event_type="restaurant.lot_checked")
    assert evaluated.values("subject_id").distinct().count() == 8
    assert check_lots() == 8 and evaluated.count() == 2 * 8 * evaluated.values("version_id").distinct().count()
