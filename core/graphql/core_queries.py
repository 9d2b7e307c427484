"""The core module's platform queries: who am I, which tenant, which modules."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils import translation

from core.access import actor_from_request


class ModuleType(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True, description="In the request's language.")
    name_zh = graphene.String(required=True)
    name_en = graphene.String(required=True)
    enabled = graphene.Boolean(required=True)
    writable = graphene.Boolean(required=True)
    status = graphene.String(description="trialing, active, past_due, read_only, disabled; null when never enabled.")


class TenantType(graphene.ObjectType):
    name = graphene.String(required=True)
    slug = graphene.String(required=True)
    language = graphene.String(required=True)
    enabled_modules = graphene.List(graphene.NonNull(graphene.String), required=True)


class MeType(graphene.ObjectType):
    email = graphene.String()
    full_name = graphene.String()
    role = graphene.String(description="The user's role; null for an API key.")
    api_key_prefix = graphene.String(description="Set when the request is authenticated by an API key.")
    api_key_scope = graphene.String()


def module_list(request: Any) -> list[ModuleType]:
    from billing.entitlements import module_access
    from core.modules import registry

    access = module_access(request.tenant)
    language = translation.get_language() or "zh-hans"
    result = []
    for cfg in registry.all():
        item = access.get(cfg.code)
        result.append(
            ModuleType(
                code=cfg.code,
                name=cfg.display_name(language),
                name_zh=cfg.name_zh,
                name_en=cfg.name_en,
                enabled=bool(item and item.readable),
                writable=bool(item and item.writable),
                status=item.status if item else None,
            )
        )
    return result


class CoreQueries(graphene.ObjectType):
    # Platform fields: any signed-in actor may read them, whatever modules its API key is scoped to.
    required_module = None

    me = graphene.Field(MeType, required=True)
    tenant = graphene.Field(TenantType, required=True)
    modules = graphene.List(graphene.NonNull(ModuleType), required=True)

    @staticmethod
    def resolve_me(root: Any, info: Any) -> MeType:
        actor = actor_from_request(info.context)
        if actor.api_key is not None:
            return MeType(api_key_prefix=actor.api_key.prefix, api_key_scope=actor.api_key.scope)
        user = actor.user
        return MeType(email=user.email, full_name=user.full_name, role=user.role)  # type: ignore[union-attr]

    @staticmethod
    def resolve_tenant(root: Any, info: Any) -> TenantType:
        from billing.entitlements import enabled_modules

        tenant = info.context.tenant
        return TenantType(name=tenant.name, slug=tenant.slug, language=tenant.language, enabled_modules=enabled_modules(tenant))

    @staticmethod
    def resolve_modules(root: Any, info: Any) -> list[ModuleType]:
        return module_list(info.context)
