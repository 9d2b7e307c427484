"""Signal queries: each provider's freshness (the dashboard warns when a feed lags)."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils import timezone

from core.signals.providers import providers


class SignalFreshnessType(graphene.ObjectType):
    name = graphene.String(required=True)
    last_updated = graphene.DateTime()
    age_seconds = graphene.Int(description="Null when the provider never had data.")


class SignalQueries(graphene.ObjectType):
    signal_freshness = graphene.List(
        graphene.NonNull(SignalFreshnessType), required=True, description="Per provider: when it last had new data."
    )

    @staticmethod
    def resolve_signal_freshness(root: Any, info: Any) -> list[SignalFreshnessType]:
        now = timezone.now()
        result = []
        for name, provider in sorted(providers().items()):
            freshness = provider.freshness()
            age = freshness.age(now)
            result.append(
                SignalFreshnessType(
                    name=name,
                    last_updated=freshness.last_updated,
                    age_seconds=int(age.total_seconds()) if age is not None else None,
                )
            )
        return result
