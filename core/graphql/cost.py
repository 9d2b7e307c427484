"""Cost control before validation: a cheap lexical pre-pass and a time budget for validation itself.

graphql-core's validation is not linear in the document: OverlappingFieldsCanBeMerged compares fields
pairwise, so a 66 KB document of repeated fields cost 6.5 s of CPU before the limit rules refused it. The
pre-pass reads tokens only (no AST): it counts them, the nesting of braces and the fields, and stops at
the first limit passed. What gets through is small enough to validate, and validation still runs
against a clock (a rule that checks it at every node) so no document can hold a worker for long.
"""

from __future__ import annotations

import time
from typing import Any

from django.utils.translation import gettext as _
from graphql import GraphQLError, ValidationContext, ValidationRule
from graphql.error import GraphQLSyntaxError
from graphql.language import Lexer, Source, TokenKind


class ValidationTimeout(Exception):
    """Validation ran past its budget; the request is refused as too expensive."""


def prepass(document: str, *, max_tokens: int, max_nesting: int, max_fields: int) -> GraphQLError | None:
    """The first limit the document passes, as a client error; None when it is within all of them.

    Fields are counted as names that start a selection (a name inside braces that is not an argument name,
    a fragment name or a type condition); aliases count as fields, which is what they cost.
    """
    lexer = Lexer(Source(document))
    tokens = nesting = fields = 0
    previous = TokenKind.SOF
    previous_value = ""
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF:
            tokens += 1
            if tokens > max_tokens:
                return _refusal(_("The query has more than %(limit)d tokens.") % {"limit": max_tokens}, "QUERY_TOO_LARGE")
            if token.kind is TokenKind.BRACE_L:
                nesting += 1
                if nesting > max_nesting:
                    return _refusal(_("The query nests deeper than %(limit)d levels.") % {"limit": max_nesting}, "QUERY_TOO_DEEP")
            elif token.kind is TokenKind.BRACE_R:
                nesting -= 1
            elif (
                token.kind is TokenKind.NAME
                and nesting > 0
                and previous in (TokenKind.BRACE_L, TokenKind.NAME, TokenKind.BRACE_R, TokenKind.PAREN_R, TokenKind.STRING)
                and previous_value not in ("...", "on")
            ):
                fields += 1
                if fields > max_fields:
                    return _refusal(
                        _("The query selects more than %(limit)d fields.") % {"limit": max_fields}, "QUERY_TOO_COMPLEX"
                    )
            previous, previous_value = token.kind, token.value or ""
            if token.kind is TokenKind.SPREAD:
                previous_value = "..."
            token = lexer.advance()
    except GraphQLSyntaxError:
        return None  # the parser reports it properly
    return None


def _refusal(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def validation_budget_rule(seconds: float) -> type[ValidationRule]:
    """A validation rule that aborts validation once it has used `seconds` of this thread's CPU time.

    CPU time, not wall time: on a loaded machine a trivial query can wait a second for a core, and must not
    be refused for the load others cause.
    """
    deadline = time.thread_time() + seconds

    class ValidationBudget(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)

        def enter(self, *args: Any) -> None:
            if time.thread_time() > deadline:
                raise ValidationTimeout

    return ValidationBudget
