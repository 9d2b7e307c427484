"""Celery entry points for the tenant's demand models (thin: the work is in ml_models.services)."""

from __future__ import annotations

from core.celery import app


@app.task(name="ml_models.tasks.fine_tune_on_upload")
def fine_tune_on_upload(upload_id: int) -> dict[str, object]:
    """Fine-tune the tenant's model on one upload; progress is written to the upload row as it goes."""
    from ml_models.services import fine_tune_upload

    upload = fine_tune_upload(upload_id)
    return {"upload_id": upload.pk, "model_version": upload.model_version, "promoted": upload.promoted}


@app.task(name="ml_models.tasks.refresh_forecasts")
def refresh_forecasts() -> int:
    """Nightly, per tenant (core.celery beat → dispatch_to_tenants): today's demand forecasts."""
    from ml_models.services import refresh_forecasts as refresh

    return refresh()
