"""Choice labels the domain models keep in English, marked here so the web app can show them translated.

Templates translate them at run time (`{% translate label %}`); this list only puts them in the catalog.
The document states the events app already translates (core/events/locale) are not repeated.
"""

from django.utils.translation import gettext_noop

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
    # customer tiers
    gettext_noop("Standard"),
    gettext_noop("VIP"),
    gettext_noop("Wholesale"),
    gettext_noop("Key account"),
)
