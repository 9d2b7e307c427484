"""Cold-chain mutations: register a sensor, ingest readings. Each needs the food module writable."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.base import BaseMutation
from core.graphql.errors import Error
from core.graphql.lookups import require_pk
from tenants.accounts.roles import Permission
from verticals.food import services
from verticals.food.exceptions import ReadingsRejected, UnknownLocation
from verticals.food.graphql.types import ColdChainSensorType
from verticals.food.services import ReadingInput


class CreateColdChainSensor(BaseMutation):
    """Register a temperature logger at a location with the range its goods must stay in."""

    sensor = graphene.Field(ColdChainSensorType)

    class Meta:
        permissions = (Permission.MANAGE,)
        required_module = "food"

    class Arguments:
        code = graphene.String(required=True, description="The logger's id as it appears in its exports.")
        name = graphene.String(default_value="")
        location_id = graphene.ID(required=True)
        min_c = graphene.Decimal(required=True)
        max_c = graphene.Decimal(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateColdChainSensor:
        sensor = services.create_sensor(
            code=data["code"],
            name=data["name"],
            location_id=require_pk(data["location_id"], "locationId", "Location", UnknownLocation),
            min_c=data["min_c"],
            max_c=data["max_c"],
        )
        return cls(sensor=sensor, errors=[])


class ColdChainReadingInput(graphene.InputObjectType):
    sensor_code = graphene.String(required=True)
    recorded_at = graphene.DateTime(required=True, description="Without an offset, the company's time zone.")
    temperature_c = graphene.Decimal(required=True)


class RecordColdChainReadings(BaseMutation):
    """Store a batch of readings, all or nothing; re-sending readings already stored is a no-op.

    A refused batch lists every bad row as `field: "readings.<row>.<field>"` and stores nothing."""

    stored = graphene.Int(description="Readings newly stored.")
    already_stored = graphene.Int(description="Identical readings that were stored before (skipped).")
    out_of_range = graphene.Int(description="How many of the newly stored readings are outside their sensor's range.")

    class Meta:
        permissions = (Permission.OPERATE,)
        required_module = "food"

    class Arguments:
        readings = graphene.List(graphene.NonNull(ColdChainReadingInput), required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> RecordColdChainReadings:
        rows = [ReadingInput(row.sensor_code, row.recorded_at, row.temperature_c) for row in data["readings"]]
        try:
            result = services.record_readings(rows)
        except ReadingsRejected as rejected:
            return cls(errors=[_row_error(bad) for bad in rejected.bad_rows])
        return cls(stored=result.stored, already_stored=result.already_stored, out_of_range=result.out_of_range, errors=[])


def _row_error(bad: Any) -> Error:
    return Error(field=f"readings.{bad.row}.{bad.field}", message=bad.message, code=bad.code.value)


class FoodMutations(graphene.ObjectType):
    create_cold_chain_sensor = CreateColdChainSensor.Field()
    record_cold_chain_readings = RecordColdChainReadings.Field()
