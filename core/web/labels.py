"""Choice labels the domain models keep in English, marked here so the web app can show them translated.

Templates translate them at run time (`{% translate label %}`); this list only puts them in the catalog.
The document states the events app already translates (core/events/locale) are not repeated.
"""

from django.utils.translation import gettext, gettext_lazy, gettext_noop

CHOICE_LABELS = (
    # sales order states
    gettext_noop("Allocated"),
    # transfer states
    gettext_noop("Shipped (in transit)"),
    # transfer discrepancy reasons
    gettext_noop("Damaged in transit"),
    gettext_noop("Lost in transit"),
    gettext_noop("Short shipped"),
    gettext_noop("Over shipped"),
    gettext_noop("Other"),
    # count adjustment reasons
    gettext_noop("Damage"),
    gettext_noop("Expiry"),
    gettext_noop("Loss"),
    gettext_noop("Found"),
    # item picking order and costing
    gettext_noop("First in, first out"),
    gettext_noop("First expired, first out"),
    gettext_noop("Moving average"),
    gettext_noop("FIFO by lot"),
    # messages of core apps without a catalog of their own (core.planning.selectors, core.rules.approvals)
    gettext_noop("Recent demand (lags)"),
    gettext_noop("Calendar & holidays"),
    gettext_noop("Price & promotion"),
    gettext_noop("Signals: weather / delivery demand"),
    gettext_noop("%(document)s: approval rejected by %(approver)s (rule %(rule)s)."),
    # the header of every page (core/templates/base.html is outside this app's catalog)
    gettext_noop("Menu"),
    # customer tiers
    gettext_noop("Standard"),
    gettext_noop("VIP"),
    gettext_noop("Wholesale"),
    gettext_noop("Key account"),
)


# What happened, for the timeline's event list: "<subject>.<what>" read by its last part. State changes
# ("sales_order.shipped") read as the state they led to; the raw code stays in a details toggle.
EVENT_LABELS = {
    "created": gettext_lazy("Document created"),
    "blocked": gettext_lazy("Waiting"),
    "unblocked": gettext_lazy("No longer waiting"),
    "goods_received": gettext_lazy("Goods received"),
    "in_transit": gettext_lazy("Goods on the way"),
    "returned_to_supplier": gettext_lazy("Returned to the supplier"),
    "returned": gettext_lazy("Returned by the customer"),
    "reallocated": gettext_lazy("Stock re-allocated from a receipt"),
    "approval_granted": gettext_lazy("Approval granted"),
    "approval_rejected": gettext_lazy("Approval rejected"),
    "approval_requested": gettext_lazy("Approval requested"),
    "webhook": gettext_lazy("Webhook sent by a rule"),
    "posted": gettext_lazy("Stock posted"),
}


def event_label(event_type: str, to_state: str, subject_type: str) -> str:
    """The event in the reader's language: its own label, else the state it led to, else its code."""
    from core.events.timeline import state_label

    what = event_type.rsplit(".", 1)[-1]
    if what in EVENT_LABELS:
        return str(EVENT_LABELS[what])
    if to_state and what == to_state:
        return gettext(state_label(subject_type, to_state))
    return what.replace("_", " ")


# Sales-history uploads: their status and the training stage the task reports (ml_models writes codes).
UPLOAD_STATUS_LABELS = {
    "uploaded": gettext_lazy("Uploaded"),
    "rejected": gettext_lazy("Rejected"),
    "validated": gettext_lazy("Checked"),
    "training": gettext_lazy("Training"),
    "done": gettext_lazy("Done"),
    "failed": gettext_lazy("Failed"),
}
TRAINING_STAGE_LABELS = {
    "queued": gettext_lazy("Waiting to start"),
    "preparing": gettext_lazy("Preparing the data"),
    "training": gettext_lazy("Training"),
    "fine-tuning": gettext_lazy("Fine-tuning the model"),
    "fine_tuning": gettext_lazy("Fine-tuning the model"),
    "evaluating": gettext_lazy("Comparing with the current model"),
    "registering": gettext_lazy("Saving the model"),
    "done": gettext_lazy("Done"),
}


def training_stage_label(stage: str) -> str:
    return str(TRAINING_STAGE_LABELS.get(stage, stage.replace("_", " ")))


def upload_status_label(status: str) -> str:
    return str(UPLOAD_STATUS_LABELS.get(status, status))
