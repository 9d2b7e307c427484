"""The lead-time fine-tune task end to end in a real Celery worker: enqueued from a tenant with a receipt history,
it fine-tunes, registers the tenant's model in the worker's MLflow store and refreshes the predictions MRP reads."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import mlflow
from django_tenants.utils import schema_context

from core.inventory.factories import make_stock_location
from core.partners.services import create_supplier
from core.purchasing.services import (
    OrderLineInput,
    ReceiptLineInput,
    create_purchase_order,
    receive_purchase_order,
    send_purchase_order,
    submit_purchase_order,
)
from core.tasks import enqueue_on_commit
from ml_models.tracking import registered_model_name
from verticals.discrete_mfg import lead_times
from verticals.discrete_mfg.factories import make_part
from verticals.discrete_mfg.models import LeadTimePrediction, MfgItem
from verticals.discrete_mfg.tasks import fine_tune_lead_times


def _receipt_history(count: int) -> int:
    """`count` orders of one casting from one supplier, each received 9–20 days after it was sent."""
    from django.utils import timezone

    plant = make_stock_location("WH-LTW")
    supplier = create_supplier(code="S-LTW", name="铸件厂")
    casting = make_part("LTW-CAST", lead_time_days=7)
    MfgItem.objects.filter(item=casting).update(supplier=supplier)
    now = timezone.now()
    for n in range(count):
        days = 9 + (n * 7) % 12
        po = create_purchase_order(
            supplier=supplier, destination=plant, lines=[OrderLineInput(casting.pk, Decimal("20"))], actor="buyer"
        )
        submit_purchase_order(po, actor="buyer")
        send_purchase_order(po, actor="buyer", sent_at=now - timedelta(days=days + 8 * n))
        receive_purchase_order(
            po,
            [ReceiptLineInput(po.lines.get().pk, Decimal("20"))],
            actor="dock",
            reference=f"ltw-{n}",
            received_at=now - timedelta(days=8 * n),
        )
    return casting.pk


def test_the_fine_tune_task_runs_in_a_worker_registers_the_tenants_model_and_refreshes_predictions(
    celery_worker, committed_tenant
):
    # given: a committed tenant with more receipts than the fine-tune needs, and no prediction yet
    with schema_context(committed_tenant.schema):
        casting_id = _receipt_history(lead_times.MIN_RECEIPTS + 4)
        assert len(lead_times.tenant_receipts()) == lead_times.MIN_RECEIPTS + 4
        assert not LeadTimePrediction.objects.exists()
        # when: the app enqueues the task from the tenant
        enqueue_on_commit(fine_tune_lead_times)
        # then: the worker writes the casting's prediction, ordered quantiles in a plausible range
        prediction = celery_worker.wait_for(
            lambda: LeadTimePrediction.objects.filter(item_id=casting_id).first(), timeout=300, interval=1.0
        )
    assert prediction.p10 < prediction.p50 < prediction.p90 and 4 < prediction.p50 < 40
    assert prediction.model_version == "1"
    # and the tenant's model is registered in the worker's MLflow store under the tenant's own name
    # The registry URI is given too: without it MLflow uses the process-wide one an earlier test may have set.
    uri = celery_worker.mlflow_tracking_uri
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    name = registered_model_name(committed_tenant.schema, "discrete_mfg", "lead_time")  # tenant<pk>.…
    assert [str(v.version) for v in client.search_model_versions(f"name='{name}'")] == ["1"]
