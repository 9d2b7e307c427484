"""File uploads over GraphQL by the multipart request convention (jaydenseric/graphql-multipart-request-spec).

A multipart request carries `operations` (the JSON document and variables, with null where a file goes),
`map` ({"0": ["variables.file"]}) and the files themselves. The document limit applies to `operations` and
`map`; each file has its own limit (the upload's), so a 20 MB CSV is not refused as an oversized query.
"""

from __future__ import annotations

import json
from typing import Any

import graphene
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from graphql.language.ast import ValueNode

MULTIPART = "multipart/form-data"
DEFAULT_MAX_FILE_MB = 20


class Upload(graphene.Scalar):
    """A file sent in the same multipart request (graphql-multipart-request-spec); only usable as a variable."""

    @staticmethod
    def serialize(value: Any) -> Any:
        return getattr(value, "name", None)

    @staticmethod
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        return None  # a file cannot be written inline in a document

    @staticmethod
    def parse_value(value: Any) -> Any:
        return value


class MultipartError(ValueError):
    """The multipart request does not follow the convention; the message says how."""


def max_file_bytes() -> int:
    return int(getattr(settings, "ML_UPLOAD_MAX_MB", DEFAULT_MAX_FILE_MB) * 1024 * 1024)


def is_multipart(request: HttpRequest) -> bool:
    return (request.content_type or "").startswith(MULTIPART)


def document_size(request: HttpRequest) -> int:
    """The bytes of the GraphQL document part of a multipart request (operations + map)."""
    return len(request.POST.get("operations", "")) + len(request.POST.get("map", ""))


def multipart_operations(request: HttpRequest) -> dict[str, Any]:
    """The operations with each mapped file placed at its variable path; MultipartError when malformed."""
    try:
        operations = json.loads(request.POST["operations"])
        mapping = json.loads(request.POST.get("map", "{}"))
    except (KeyError, ValueError):
        raise MultipartError("A multipart GraphQL request needs `operations` and `map` JSON fields.") from None
    if not isinstance(operations, dict) or not isinstance(mapping, dict):
        raise MultipartError("`operations` must be one operation (an object) and `map` an object.")
    for key, paths in mapping.items():
        upload = request.FILES.get(key)
        if upload is None:
            raise MultipartError(f"The map names file {key!r}, which the request does not carry.")
        for path in paths if isinstance(paths, list) else []:
            _place(operations, str(path).split("."), upload)
    return operations


def _place(target: Any, path: list[str], upload: UploadedFile) -> None:
    for part in path[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    last = path[-1]
    if isinstance(target, list):
        target[int(last)] = upload
    else:
        target[last] = upload
