"""GraphQL for the tenant's users and API keys: administrators only (Permission.ADMINISTER)."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType
from graphql_relay import from_global_id

from core.graphql.base import BaseMutation
from core.graphql.connections import CountedConnection, ModelLoader
from core.graphql.errors import CommonErrorCode, DomainError
from tenants.accounts import selectors, services
from tenants.accounts.models import ApiKey, ApiKeyScope, User
from tenants.accounts.roles import Permission, Role

RoleEnum = graphene.Enum.from_enum(Role, description="A person's role in the company.")


class ApiKeyScopeEnum(graphene.Enum):
    READ = ApiKeyScope.READ.value
    READ_WRITE = ApiKeyScope.READ_WRITE.value


class UserLoader(ModelLoader):
    model = User


class UserType(DjangoObjectType):
    role = graphene.Field(RoleEnum, required=True)

    class Meta:
        model = User
        name = "User"
        fields = ("email", "full_name", "language", "is_active", "date_joined", "last_login")  # never the password
        interfaces = (relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_role(root: User, info: Any) -> Role:
        return Role(root.role)


class ApiKeyType(DjangoObjectType):
    scope = graphene.Field(ApiKeyScopeEnum, required=True)
    modules = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="Module codes the key may reach; empty = all."
    )
    created_by = graphene.Field(UserType)

    class Meta:
        model = ApiKey
        name = "ApiKey"
        fields = ("name", "prefix", "created_at", "last_used_at", "revoked_at")  # never the hash
        interfaces = (relay.Node,)
        connection_class = CountedConnection

    @staticmethod
    def resolve_scope(root: ApiKey, info: Any) -> str:
        return root.scope

    @staticmethod
    def resolve_modules(root: ApiKey, info: Any) -> list[str]:
        return list(root.modules or [])

    @staticmethod
    def resolve_created_by(root: ApiKey, info: Any) -> User | None:
        return UserLoader.for_request(info).load(root.created_by_id)  # type: ignore[return-value]

    @classmethod
    def prepare_page(cls, nodes: list[ApiKey], info: Any) -> None:
        UserLoader.for_request(info).queue(node.created_by_id for node in nodes)


class AccountQueries(graphene.ObjectType):
    required_permission = Permission.ADMINISTER  # read by core.graphql.schema for the field guard

    users = DjangoConnectionField(UserType, is_active=graphene.Boolean(description="Only active (or inactive) people."))
    api_keys = DjangoConnectionField(ApiKeyType, active=graphene.Boolean(description="Only unrevoked (or revoked) keys."))

    @staticmethod
    def resolve_users(root: Any, info: Any, is_active: bool | None = None, **kwargs: Any) -> QuerySet[User]:
        users = selectors.user_list()
        return users if is_active is None else users.filter(is_active=is_active)

    @staticmethod
    def resolve_api_keys(root: Any, info: Any, active: bool | None = None, **kwargs: Any) -> QuerySet[ApiKey]:
        keys = selectors.api_key_list()
        return keys if active is None else keys.filter(revoked_at__isnull=active)


def _user_from_global_id(global_id: str) -> User:
    try:
        type_name, pk = from_global_id(global_id)
        user = selectors.user_by_id(int(pk)) if type_name == UserType._meta.name else None
    except (ValueError, TypeError, UnicodeDecodeError):
        user = None
    if user is None:
        raise DomainError("No such user.", field="userId", code=CommonErrorCode.NOT_FOUND)
    return user


def _enum_value(value: Any) -> Any:
    # graphene 3 hands enum arguments to resolvers as enum members
    return getattr(value, "value", value)


class CreateUser(BaseMutation):
    """Add a person; only an owner may create another owner."""

    user = graphene.Field(UserType)

    class Meta:
        permissions = (Permission.ADMINISTER,)
        required_module = "core"

    class Arguments:
        email = graphene.String(required=True)
        password = graphene.String(required=True)
        role = RoleEnum(required=True)
        full_name = graphene.String(default_value="")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateUser:
        user = services.create_user(
            data["email"], data["password"], _enum_value(data["role"]), data.get("full_name") or "", actor=info.context.user
        )
        return cls(user=user)


class ChangeUserRole(BaseMutation):
    """Give a person another role; only an owner makes, or unmakes, an owner."""

    user = graphene.Field(UserType)

    class Meta:
        permissions = (Permission.ADMINISTER,)
        required_module = "core"

    class Arguments:
        user_id = graphene.ID(required=True)
        role = RoleEnum(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> ChangeUserRole:
        user = services.change_role(info.context.user, _user_from_global_id(data["user_id"]), _enum_value(data["role"]))
        return cls(user=user)


class DeactivateUser(BaseMutation):
    """Stop a person signing in; their open sessions end at their next request."""

    user = graphene.Field(UserType)

    class Meta:
        permissions = (Permission.ADMINISTER,)
        required_module = "core"

    class Arguments:
        user_id = graphene.ID(required=True)
        reassign_keys_to = graphene.ID(
            description="An owner may hand the API keys this person created to another user; otherwise they are revoked."
        )

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> DeactivateUser:
        keys_to = _user_from_global_id(data["reassign_keys_to"]) if data.get("reassign_keys_to") else None
        return cls(user=services.deactivate_user(info.context.user, _user_from_global_id(data["user_id"]), keys_to=keys_to))


class CreateApiKey(BaseMutation):
    """Create an integrator's key. `key` is the only time the secret is shown: store it now."""

    api_key = graphene.Field(ApiKeyType)
    key = graphene.String(description="The secret, shown once: send it as `Authorization: Bearer <key>`.")

    class Meta:
        permissions = (Permission.ADMINISTER,)
        required_module = "core"

    class Arguments:
        name = graphene.String(required=True, description="Unique among the active keys.")
        scope = ApiKeyScopeEnum(default_value=ApiKeyScope.READ.value)
        modules = graphene.List(graphene.NonNull(graphene.String), description="Module codes; empty or null = all.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> CreateApiKey:
        api_key, plaintext = services.create_api_key(
            info.context.user, data["name"], _enum_value(data.get("scope")) or ApiKeyScope.READ.value, data.get("modules") or ()
        )
        return cls(api_key=api_key, key=plaintext)


class RevokeApiKey(BaseMutation):
    """Revoke a key at once; requests with it get 401 from then on."""

    api_key = graphene.Field(ApiKeyType)

    class Meta:
        permissions = (Permission.ADMINISTER,)
        required_module = "core"

    class Arguments:
        prefix = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, **data: Any) -> RevokeApiKey:
        key = selectors.api_key_by_prefix(data["prefix"])
        if key is None:
            raise DomainError("No API key has this prefix.", field="prefix", code=CommonErrorCode.NOT_FOUND)
        return cls(api_key=services.revoke_api_key(info.context.user, key))


class AccountMutations(graphene.ObjectType):
    create_user = CreateUser.Field()
    change_user_role = ChangeUserRole.Field()
    deactivate_user = DeactivateUser.Field()
    create_api_key = CreateApiKey.Field()
    revoke_api_key = RevokeApiKey.Field()
