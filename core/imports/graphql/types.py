"""GraphQL types for bulk imports."""

from __future__ import annotations

import graphene

from core.imports.specs import SPECS

ImportKind = graphene.Enum("ImportKind", [(kind.upper(), kind) for kind in SPECS])


class ImportRowError(graphene.ObjectType):
    row = graphene.Int(required=True, description="Spreadsheet row number (the header is row 1).")
    column = graphene.String(required=True)
    message = graphene.String(required=True)


class ImportJobType(graphene.ObjectType):
    id = graphene.ID(required=True)
    kind = graphene.String(required=True)
    filename = graphene.String(required=True)
    status = graphene.String(required=True, description="imported or rejected")
    row_count = graphene.Int(required=True)
    row_errors = graphene.List(graphene.NonNull(ImportRowError), required=True)
    created_at = graphene.DateTime(required=True)
    actor = graphene.String(required=True)

    @staticmethod
    def resolve_row_errors(root, info) -> list[ImportRowError]:
        return [ImportRowError(**error) for error in root.errors]
