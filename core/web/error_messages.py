"""Every domain error code of the core, in the reader's language.

The services raise typed errors with English text and a stable code (for support and the API). A page shows
the sentence below; the English detail and the code sit in a "details" toggle, never in the main text.
tests/web/test_translations.py fails when a core error code has no sentence here.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ERROR_SUMMARIES: dict[str, Promise] = {
    # common
    "INVALID": _("This input is not valid."),
    "REQUIRED": _("This is required."),
    "NOT_FOUND": _("This record does not exist (any more)."),
    "UNIQUE": _("This is already in use."),
    "NOT_AUTHENTICATED": _("Please sign in."),
    "PERMISSION_DENIED": _("Your role does not allow this."),
    "MODULE_NOT_ENABLED": _("This module is not enabled for your company."),
    "MODULE_READ_ONLY": _("This module is read-only: its subscription is not active."),
    # documents and stock
    "INVALID_TRANSITION": _("This step is not possible in the document's current state."),
    "TRANSITION_VETOED": _("A rule stopped this step."),
    "INSUFFICIENT_STOCK": _("Not enough stock."),
    "OVER_RECEIPT": _("More is received than was ordered."),
    "LOT_REQUIRED": _("Enter the lot code."),
    "EXPIRY_REQUIRED": _("Enter the expiry date."),
    "APPROVAL_NOT_ALLOWED": _("Only a manager may approve."),
    "EMPTY_ORDER": _("Add at least one line."),
    "EMPTY_TRANSFER": _("Add at least one line."),
    "INVALID_QUANTITY": _("Check the quantities."),
    "INVALID_MOVE": _("This stock movement is not possible."),
    "INVALID_LOCATION": _("This location cannot be used here."),
    "INVALID_DESTINATION": _("This destination cannot be used here."),
    "INVALID_REASON": _("Choose a reason for the difference."),
    "NOT_FULLY_ALLOCATED": _("Not all lines have stock allocated yet."),
    "UNCOUNTED_LINES": _("Some lines are not counted yet."),
    "DUPLICATE_REFERENCE": _("This reference was already used for another document."),
    "UNKNOWN_ITEM": _("This item does not exist."),
    "UNKNOWN_LINE": _("This line is not on the document."),
    "UNKNOWN_LOT": _("This lot does not exist."),
    "UNKNOWN_POSTING": _("This stock posting does not exist."),
    "UNKNOWN_UNIT": _("The item has no conversion for this unit."),
    "NOT_VIRTUAL": _("This kind of location is made by the system."),
    # master data
    "DUPLICATE_SKU": _("This SKU is already in use."),
    "DUPLICATE_CODE": _("This code is already in use."),
    "DUPLICATE_NAME": _("This name is already in use."),
    "DUPLICATE_UNIT": _("This unit code is already in use."),
    "DUPLICATE_TERMS": _("This supplier already has terms for this item."),
    "CATEGORY_CYCLE": _("A category cannot sit under itself."),
    "CONVERSION_LOOP": _("This unit conversion would go round in a loop."),
    "UNIT_IN_USE": _("Active items still use this unit."),
    "LOCATION_HOLDS_STOCK": _("This location still holds stock."),
    "INVALID_LEAD_TIME": _("The lead time is not valid."),
    # planning
    "PROPOSAL_NOT_OPEN": _("Some of these proposals were already decided; nothing was changed."),
    "UNKNOWN_PROPOSAL": _("Some of these proposals do not exist; nothing was changed."),
    "NO_PROPOSALS": _("Choose at least one proposal."),
    "PROVIDER_UNAVAILABLE": _("The data provider cannot be reached now; try again later."),
    # imports and uploads
    "BAD_ENCODING": _("The file is not UTF-8 or GBK text."),
    "EMPTY_FILE": _("The file is empty."),
    "FILE_TOO_LARGE": _("The file is too large."),
    "UNSUPPORTED_FORMAT": _("Upload a .csv or .xlsx file."),
    "MISSING_HEADER": _("The file has no header line."),
    "MISSING_COLUMNS": _("Some required columns are missing."),
    "INVALID_ROW": _("A row of the file is not valid."),
    "INVALID_ROWS": _("Some rows of the file are not valid; nothing was imported."),
    "UNKNOWN_KIND": _("Unknown kind of import."),
    # rules and approvals
    "PARSE_ERROR": _("The rule cannot be read; check its wording."),
    "INVALID_ACTION": _("A rule action is not valid."),
    "INVALID_CONDITION": _("A rule condition is not valid."),
    "INVALID_OPERATOR": _("A rule comparison is not valid."),
    "INVALID_TRIGGER": _("The rule's trigger is not valid."),
    "INVALID_EVENT_TYPE": _("Unknown event type."),
    "INVALID_SCHEDULE": _("The schedule is not valid."),
    "INVALID_VALUE": _("A value is not valid."),
    "INVALID_WEBHOOK_URL": _("This webhook address cannot be used."),
    "UNKNOWN_ACTION": _("Unknown rule action."),
    "UNKNOWN_FIELD": _("Unknown field in the rule."),
    "RULE_NOT_FOUND": _("This rule does not exist."),
    "VERSION_NOT_FOUND": _("This rule version does not exist."),
    "APPROVAL_NOT_FOUND": _("This approval request does not exist."),
    "APPROVAL_ALREADY_DECIDED": _("This request was already decided."),
    "APPROVAL_ROLE_TOO_LOW": _("Your role cannot decide this request."),
    "APPROVAL_NOTE_TOO_LONG": _("The note is too long."),
    # uploads and forecasting
    "ARCHIVE_TOO_LARGE": _("The spreadsheet unpacks to too much data; split it into smaller files."),
    "TOO_MANY_COLUMNS": _("The file has too many columns."),
    "TIME_BUDGET_EXCEEDED": _("The file took too long to read; split it into smaller files."),
    "UPLOAD_TOO_LARGE": _("The file is too large."),
    "FINE_TUNE_NOT_ALLOWED": _("This upload cannot start a fine-tune now."),
    "NO_DEMAND_HISTORY": _("There is no sales history to learn from yet: upload some first."),
    "INVALID_PROMOTION": _("The promotion is not valid."),
    "IDEMPOTENCY_KEY_REUSED": _("This request key was already used for a different posting; nothing was booked."),
    "LOT_ON_HOLD": _("This lot is on hold (recall or quality deviation) and cannot be picked."),
}
