"""Celery entry points for the events app: drain the outbox and send webhooks, per tenant."""

from __future__ import annotations

from core.celery import app


@app.task(name="core.events.tasks.process_outbox", ignore_result=True)
def process_outbox() -> dict[str, int]:
    """Drain the current tenant's outbox and send due webhooks (first tries and retries).

    Enqueued after the commit of every transaction that records events, and every minute by the beat
    (through core.tasks.dispatch_to_tenants), which is what picks up retries once their backoff has passed.
    """
    from core.events import webhooks

    return webhooks.process_outbox().as_dict()


@app.task(name="core.events.tasks.replay_webhook_delivery", ignore_result=True)
def replay_webhook_delivery(delivery_id: int, actor: str = "system") -> str:
    """Send a delivery again (the admin's "replay" button), after the request's transaction commits."""
    from core.events.webhooks import replay_delivery

    return str(replay_delivery(delivery_id, actor=actor).status)


@app.task(name="core.events.tasks.purge_outbox", ignore_result=True)
def purge_outbox() -> int:
    """Daily: drop outbox rows processed a week ago (dispatched per tenant by the beat)."""
    from core.events.services import purge_outbox as purge

    return purge()
