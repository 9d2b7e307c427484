"""GraphQL types of the cold chain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import graphene
from django.utils import timezone
from graphene_django import DjangoObjectType

from core.graphql.connections import CountedConnection, DataLoader, ModelLoader
from core.locations.graphql.types import LocationLoader, LocationType
from core.locations.models import Location
from verticals.food import selectors
from verticals.food.models import ColdChainReading, ColdChainSensor
from verticals.food.selectors import Excursion


class SensorLoader(ModelLoader):
    model = ColdChainSensor


class LatestReadingLoader(DataLoader[int, ColdChainReading]):
    def batch_load(self, keys: list[int]) -> Mapping[int, ColdChainReading]:
        return selectors.latest_readings(keys)


class OpenExcursionLoader(DataLoader[int, Excursion]):
    def batch_load(self, keys: list[int]) -> Mapping[int, Excursion]:
        return {excursion.sensor_id: excursion for excursion in selectors.open_excursions(keys)}


class ColdChainExcursionType(graphene.ObjectType):
    """A run of out-of-range readings of one sensor (温度超标)."""

    class Meta:
        name = "ColdChainExcursion"

    sensor = graphene.Field(lambda: ColdChainSensorType, required=True)
    started_at = graphene.DateTime(required=True, description="The first out-of-range reading.")
    last_out_of_range_at = graphene.DateTime(required=True)
    ended_at = graphene.DateTime(description="The first reading back in range; null while the excursion is open.")
    open = graphene.Boolean(required=True)
    reading_count = graphene.Int(required=True)
    lowest_c = graphene.Decimal(required=True)
    highest_c = graphene.Decimal(required=True)
    duration_seconds = graphene.Int(required=True, description="Until it ended, or until now while open.")

    @staticmethod
    def resolve_sensor(root: Excursion, info: Any) -> ColdChainSensor | None:
        return SensorLoader.for_request(info).load(root.sensor_id)  # type: ignore[return-value]

    @staticmethod
    def resolve_duration_seconds(root: Excursion, info: Any) -> int:
        return int(root.duration(timezone.now()).total_seconds())


class ColdChainReadingType(DjangoObjectType):
    sensor = graphene.Field(lambda: ColdChainSensorType, required=True)

    class Meta:
        model = ColdChainReading
        name = "ColdChainReading"
        fields = ("id", "recorded_at", "temperature_c", "out_of_range", "received_at")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_sensor(root: ColdChainReading, info: Any) -> ColdChainSensor | None:
        return SensorLoader.for_request(info).load(root.sensor_id)  # type: ignore[return-value]

    @classmethod
    def prepare_page(cls, nodes: list[ColdChainReading], info: Any) -> None:
        SensorLoader.for_request(info).queue(node.sensor_id for node in nodes)


class ColdChainSensorType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    location = graphene.Field(LocationType, required=True)
    latest_reading = graphene.Field(ColdChainReadingType)
    open_excursion = graphene.Field(ColdChainExcursionType, description="Set while the sensor is out of range.")

    class Meta:
        model = ColdChainSensor
        name = "ColdChainSensor"
        fields = ("id", "code", "name", "min_c", "max_c", "active", "created_at")
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_database_id(root: ColdChainSensor, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_location(root: ColdChainSensor, info: Any) -> Location | None:
        return LocationLoader.for_request(info).load(root.location_id)  # type: ignore[return-value]

    @staticmethod
    def resolve_latest_reading(root: ColdChainSensor, info: Any) -> ColdChainReading | None:
        return LatestReadingLoader.for_request(info).load(root.pk)

    @staticmethod
    def resolve_open_excursion(root: ColdChainSensor, info: Any) -> Excursion | None:
        return OpenExcursionLoader.for_request(info).load(root.pk)

    @classmethod
    def prepare_page(cls, nodes: list[ColdChainSensor], info: Any) -> None:
        LocationLoader.for_request(info).queue(node.location_id for node in nodes)
        LatestReadingLoader.for_request(info).queue(node.pk for node in nodes)
        OpenExcursionLoader.for_request(info).queue(node.pk for node in nodes)
