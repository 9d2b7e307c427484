"""Food (食品) data: cold-chain sensors and their temperature readings (冷链温度记录)."""

from __future__ import annotations

from django.db import models

from core.locations.models import Location

# Temperatures are °C to the hundredth a logger reports: NUMERIC(5, 2).


class ColdChainSensor(models.Model):
    """A temperature logger in a cold room, freezer or chilled shelf, with the range its goods need."""

    code = models.CharField(max_length=60, unique=True, help_text="The logger's id as it appears in its exports.")
    name = models.CharField(max_length=200, blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="cold_chain_sensors")
    min_c = models.DecimalField(max_digits=5, decimal_places=2)
    max_c = models.DecimalField(max_digits=5, decimal_places=2)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(condition=models.Q(min_c__lt=models.F("max_c")), name="food_sensor_min_below_max"),
        ]

    def __str__(self) -> str:
        return self.code


class ColdChainReading(models.Model):
    """One temperature a sensor recorded. (sensor, recorded_at) is unique, so re-sending a logger's export
    stores nothing twice."""

    sensor = models.ForeignKey(ColdChainSensor, on_delete=models.PROTECT, related_name="readings")
    recorded_at = models.DateTimeField()
    temperature_c = models.DecimalField(max_digits=5, decimal_places=2)
    # Judged against the sensor's range when the reading arrived: the range that applied at the time is
    # the one an inspection asks about, and it keeps excursion queries to an index scan.
    out_of_range = models.BooleanField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("sensor", "recorded_at")
        constraints = [
            models.UniqueConstraint(fields=("sensor", "recorded_at"), name="food_reading_unique_sensor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.sensor_id}@{self.recorded_at:%Y-%m-%d %H:%M}: {self.temperature_c} °C"


class HoldReason(models.TextChoices):
    RECALL = "recall", "Recall quarantine"
    DEVIATION = "deviation", "Quality deviation"


class LotHold(models.Model):
    """A lot blocked from picking (质量冻结) until released; the ledger reads the active ones through the
    food module's declared lot hold. `reference` names what put it on hold, e.g. "recall:12"."""

    lot = models.ForeignKey("inventory.Lot", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=HoldReason.choices)
    reference = models.CharField(max_length=80)
    held_at = models.DateTimeField()
    held_by = models.CharField(max_length=200)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-held_at", "pk")
        constraints = [
            # one active hold per lot and cause: quarantining twice holds once
            models.UniqueConstraint(
                fields=("lot", "reference"), condition=models.Q(released_at__isnull=True), name="food_lothold_one_active"
            ),
        ]
        indexes = [models.Index(fields=("lot",), condition=models.Q(released_at__isnull=True), name="food_lothold_active")]

    def __str__(self) -> str:
        return f"{self.lot_id} ({self.reference})"


class Recall(models.Model):
    """One recall (召回): a supplier lot traced forward, with how long the trace took (the mock-recall timer)
    and when its lots were quarantined."""

    lot = models.ForeignKey("inventory.Lot", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    started_by = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    trace_ms = models.DecimalField(max_digits=10, decimal_places=1)
    traced_lot_count = models.PositiveIntegerField()
    move_count = models.PositiveIntegerField()
    quarantined_at = models.DateTimeField(null=True, blank=True)
    quarantined_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-started_at", "-pk")

    def __str__(self) -> str:
        return f"recall {self.pk}: lot {self.lot_id}"


class DeviationState(models.TextChoices):
    OPEN = "open", "Open"
    RELEASED = "released", "Released"
    REWORKED = "reworked", "Reworked"
    DESTROYED = "destroyed", "Destroyed"


class Deviation(models.Model):
    """A deviation investigation (偏差调查), opened when a sensor first reads out of range: an owner, a
    deadline and the lots that were in the room, on quality hold until the owner decides."""

    sensor = models.ForeignKey(ColdChainSensor, on_delete=models.PROTECT, related_name="deviations")
    opened_at = models.DateTimeField()
    excursion_started_at = models.DateTimeField()
    temperature_c = models.DecimalField(max_digits=5, decimal_places=2, help_text="The first out-of-range reading.")
    owner = models.CharField(max_length=200)
    deadline = models.DateTimeField()
    state = models.CharField(max_length=12, choices=DeviationState.choices, default=DeviationState.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=200, blank=True)
    decision_note = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-opened_at", "-pk")
        constraints = [
            # one open investigation per sensor: further out-of-range readings join it
            models.UniqueConstraint(
                fields=("sensor",), condition=models.Q(state="open"), name="food_deviation_one_open_per_sensor"
            ),
        ]

    def __str__(self) -> str:
        return f"deviation {self.pk} ({self.sensor_id})"


class DeviationLot(models.Model):
    """A lot that was in the room when the deviation opened, with the quantity there then."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="lots")
    lot = models.ForeignKey("inventory.Lot", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        ordering = ("deviation", "pk")
        constraints = [
            models.UniqueConstraint(fields=("deviation", "lot", "location"), name="food_deviationlot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.deviation_id}: lot {self.lot_id}"
