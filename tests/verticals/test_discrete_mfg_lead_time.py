"""The lead-time model: generator, fine-tuning on the tenant's receipts, MLflow, predictions feeding MRP and safety stock."""

from __future__ import annotations

import shutil
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from core.inventory.factories import make_stock_location
from core.modules import registry
from core.partners.services import create_supplier
from core.planning.models import DemandForecast
from core.purchasing.services import (
    OrderLineInput,
    ReceiptLineInput,
    create_purchase_order,
    receive_purchase_order,
    send_purchase_order,
    submit_purchase_order,
)
from tests.ml.conftest import _migrated_store_template
from verticals.discrete_mfg import lead_times
from verticals.discrete_mfg.factories import make_part
from verticals.discrete_mfg.ml import lead_time as ltm
from verticals.discrete_mfg.models import LeadTimePrediction, MfgItem


@pytest.fixture(scope="module")
def base():
    return lead_times.base_model()


def test_the_module_declares_its_lead_time_model():
    spec = next(s for s in registry.get("discrete_mfg").ml_specs if s.kind == "lead_time")
    receipts = spec.base_data()
    assert len(receipts) == ltm.GeneratorProfile().receipts and spec.features == ltm.FEATURES


def test_the_generator_puts_the_new_year_shutdown_and_order_size_into_lead_times():
    receipts = ltm.generate_receipts(ltm.GeneratorProfile(receipts=4000, seed=3))
    in_cny = [r.days for r in receipts if not r.shipped and ltm.shutdown_overlap(r.ordered_on, r.days)[0] > 1]
    other = [r.days for r in receipts if not r.shipped and ltm.shutdown_overlap(r.ordered_on, r.days)[0] == 0]
    assert np.median(in_cny) > np.median(other) * 1.2


def test_fine_tuning_on_a_tenants_receipts_improves_on_the_base_and_predicts_ordered_quantiles(base):
    # given: a tenant whose suppliers run 40% slower than the generator's world
    tenant = [
        ltm.Receipt(r.supplier, r.category, r.ordered_on, r.size, r.days * 1.4, r.production, r.shipped, r.elapsed_days)
        for r in ltm.generate_receipts(ltm.GeneratorProfile(receipts=1500, suppliers=12, seed=5))
    ]
    # when
    model, history, result = lead_times.fine_tune(tenant, epochs=15)
    # then
    assert result.pinball_after < result.pinball_before
    assert 0.6 < result.coverage_after < 0.95
    quantiles = ltm.predict_days(model, tenant[-50:], history)
    assert (quantiles[:, 0] <= quantiles[:, 1]).all() and (quantiles[:, 1] <= quantiles[:, 2]).all()
    reasons = ltm.explain(model, tenant[-1], history)
    assert set(reasons) == set(ltm.FEATURE_GROUPS)


def test_the_tuned_model_is_logged_and_registered_in_mlflow(tmp_path, base):
    shutil.copyfile(_migrated_store_template(), tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    receipts = ltm.generate_receipts(ltm.GeneratorProfile(receipts=300, suppliers=5, seed=9))
    model, history, result = lead_times.fine_tune(receipts, epochs=2, register_as="t1.discrete_mfg.lead_time", tracking_uri=uri)
    assert result.version == "1"
    loaded = ltm.load_model("t1.discrete_mfg.lead_time", "1", tracking_uri=uri)
    assert np.allclose(ltm.predict_days(loaded, receipts[:5], history), ltm.predict_days(model, receipts[:5], history))


@pytest.mark.usefixtures("in_alpha")
def test_receipts_feed_predictions_which_feed_safety_stock(base):
    # given: four orders from one supplier, sent 10–16 days before they arrived
    plant = make_stock_location("WH-LT")
    supplier = create_supplier(code="S-LT", name="铸件厂")
    casting = make_part("LT-CAST", lead_time_days=7)
    MfgItem.objects.filter(item=casting).update(supplier=supplier)
    now = timezone.now()
    for n, days in enumerate((10, 12, 14, 16)):
        po = create_purchase_order(
            supplier=supplier, destination=plant, lines=[OrderLineInput(casting.pk, Decimal("50"))], actor="buyer"
        )
        submit_purchase_order(po, actor="buyer")
        send_purchase_order(po, actor="buyer", sent_at=now - timedelta(days=days + 30 * n))
        line = po.lines.get()
        receive_purchase_order(
            po,
            [ReceiptLineInput(line.pk, Decimal("50"))],
            actor="dock",
            reference=f"gr-{n}",
            received_at=now - timedelta(days=30 * n),
        )
    receipts = lead_times.tenant_receipts()
    assert sorted(r.days for r in receipts) == [10.0, 12.0, 14.0, 16.0] and {r.supplier for r in receipts} == {"S-LT"}
    # when
    model, history, _result = lead_times.fine_tune(receipts, epochs=5)
    assert lead_times.refresh_predictions(model, history) == 1
    # then
    prediction = LeadTimePrediction.objects.get(item=casting)
    assert prediction.p10 < prediction.p50 < prediction.p90 and 5 < prediction.p50 < 30
    assert set(prediction.explanation) == set(ltm.FEATURE_GROUPS)
    today = timezone.localdate()
    DemandForecast.objects.bulk_create(
        DemandForecast(
            item=casting,
            location=plant,
            made_on=today,
            forecast_date=today + timedelta(days=d),
            horizon_days=d + 1,
            p10=5,
            p50=10,
            p90=15,
        )
        for d in range(28)
    )
    safety = lead_times.safety_stock_from_prediction(casting.pk, plant.pk)
    assert safety > 0 and MfgItem.objects.get(item=casting).safety_stock == safety
