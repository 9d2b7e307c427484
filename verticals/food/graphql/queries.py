"""Cold-chain queries (guarded by the food module: core.graphql.schema reads the registering module)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import graphene
from django.db.models import QuerySet
from django.utils import timezone
from graphene_django import DjangoConnectionField

from core.graphql.connections import max_page_size
from core.graphql.lookups import pk_from_id
from verticals.food import selectors
from verticals.food.graphql.types import ColdChainExcursionType, ColdChainReadingType, ColdChainSensorType
from verticals.food.models import ColdChainReading, ColdChainSensor
from verticals.food.selectors import Excursion

DEFAULT_EXCURSION_WINDOW = timedelta(days=30)


class FoodQueries(graphene.ObjectType):
    cold_chain_sensors = DjangoConnectionField(ColdChainSensorType, active=graphene.Boolean(), search=graphene.String())
    cold_chain_sensor = graphene.Field(ColdChainSensorType, id=graphene.ID(required=True))
    cold_chain_readings = DjangoConnectionField(
        ColdChainReadingType,
        sensor_id=graphene.ID(required=True),
        since=graphene.DateTime(),
        until=graphene.DateTime(),
        description="One sensor's readings, newest first.",
    )
    cold_chain_excursions = graphene.List(
        graphene.NonNull(ColdChainExcursionType),
        required=True,
        sensor_id=graphene.ID(),
        since=graphene.DateTime(description="Default: 30 days ago. Ignored with openOnly."),
        open_only=graphene.Boolean(default_value=False, description="Only sensors that are out of range now."),
        first=graphene.Int(description="At most this many, newest first (capped like a connection page)."),
    )

    @staticmethod
    def resolve_cold_chain_sensors(root: Any, info: Any, **args: Any) -> QuerySet[ColdChainSensor]:
        return selectors.sensors(active=args.get("active"), search=(args.get("search") or "").strip())

    @staticmethod
    def resolve_cold_chain_sensor(root: Any, info: Any, id: str) -> ColdChainSensor | None:
        pk = pk_from_id(id, "ColdChainSensor")
        return selectors.sensors().filter(pk=pk).first() if pk is not None else None

    @staticmethod
    def resolve_cold_chain_readings(root: Any, info: Any, **args: Any) -> QuerySet[ColdChainReading]:
        pk = pk_from_id(args["sensor_id"], "ColdChainSensor")
        if pk is None:
            return ColdChainReading.objects.none()
        return selectors.readings(pk, since=args.get("since"), until=args.get("until"))

    @staticmethod
    def resolve_cold_chain_excursions(root: Any, info: Any, **args: Any) -> list[Excursion]:
        sensor_id = pk_from_id(args["sensor_id"], "ColdChainSensor") if args.get("sensor_id") else None
        if args.get("sensor_id") and sensor_id is None:
            return []
        limit = min(args.get("first") or max_page_size(), max_page_size())
        if args["open_only"]:
            return selectors.open_excursions(None if sensor_id is None else [sensor_id])[:limit]
        since = args.get("since") or timezone.now() - DEFAULT_EXCURSION_WINDOW
        return selectors.excursions(since=since, sensor_id=sensor_id, limit=limit)
