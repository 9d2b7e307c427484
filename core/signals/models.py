"""Demand signals kept per tenant: delivery-platform demand indices, weather per location and day, market prices."""

from __future__ import annotations

from django.db import models


class DeliveryDemandIndex(models.Model):
    """A delivery platform's demand index (外卖平台热度) for an area at a moment; re-ingesting the same
    (platform, area, observed_at) replaces the value."""

    platform = models.CharField(max_length=40)
    area = models.CharField(max_length=80)
    observed_at = models.DateTimeField()
    value = models.DecimalField(max_digits=12, decimal_places=4)
    location = models.ForeignKey("locations.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("platform", "area", "observed_at")
        constraints = [
            models.UniqueConstraint(fields=("platform", "area", "observed_at"), name="signals_delivery_unique_observation")
        ]
        indexes = [models.Index(fields=("location", "observed_at"))]

    def __str__(self) -> str:
        return f"{self.platform}/{self.area} {self.observed_at:%Y-%m-%d %H:%M}: {self.value}"


class WeatherDay(models.Model):
    """Forecast or observed weather for a location on a day; re-ingesting the same (location, date) replaces it."""

    location = models.ForeignKey("locations.Location", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    precipitation_probability = models.DecimalField(max_digits=5, decimal_places=4)  # 0–1
    temperature_c = models.DecimalField(max_digits=6, decimal_places=2)
    source = models.CharField(max_length=40, default="ingest")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("location", "date")
        constraints = [
            models.UniqueConstraint(fields=("location", "date"), name="signals_weather_unique_location_day"),
            models.CheckConstraint(
                condition=models.Q(precipitation_probability__gte=0) & models.Q(precipitation_probability__lte=1),
                name="signals_weather_probability_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location_id} {self.date}: {self.precipitation_probability} / {self.temperature_c}°C"


class MarketPrice(models.Model):
    """A material's market price (市场价) on a day, from a price feed; re-ingesting the same (item, date) replaces it.

    Rules read the day-over-day move from it (`market.price_change_pct`), e.g. to let an urgent purchase skip
    approval while prices swing.
    """

    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    price = models.DecimalField(max_digits=14, decimal_places=4)
    currency = models.CharField(max_length=3, default="CNY")
    source = models.CharField(max_length=40, default="ingest")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("item", "date")
        constraints = [
            models.UniqueConstraint(fields=("item", "date"), name="signals_market_price_unique_item_day"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="signals_market_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.date}: {self.price} {self.currency}"
