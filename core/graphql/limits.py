"""Query limits: depth, aliases and complexity, as graphql-core validation rules."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, ValidationRule
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

DEFAULT_PAGE = 20  # a connection without `first`/`last` returns this many rows


def _fragments(context: Any) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in context.document.definitions if isinstance(d, FragmentDefinitionNode)}


def _fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode], seen: frozenset[str] = frozenset()
):
    """Yield the field nodes of a selection set, looking through fragments (cycles are cut)."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                yield from _fields(fragments[name].selection_set, fragments, seen | {name})


def _page_size(field: FieldNode, variables: dict[str, Any]) -> int:
    for argument in field.arguments or ():
        if argument.name.value in ("first", "last"):
            if isinstance(argument.value, IntValueNode):
                return int(argument.value.value)
            if isinstance(argument.value, VariableNode):
                value = variables.get(argument.value.name.value)
                if isinstance(value, int):
                    return value
            return DEFAULT_PAGE
    return 1


def depth_of(selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]) -> int:
    children = [f for f in _fields(selection_set, fragments) if not f.name.value.startswith("__")]
    if not children:
        return 0
    return 1 + max(depth_of(f.selection_set, fragments) for f in children)


def complexity_of(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]
) -> int:
    """Each field costs 1, times the page size of every connection above it."""
    total = 0
    for field in _fields(selection_set, fragments):
        multiplier = _page_size(field, variables)
        total += 1 + multiplier * complexity_of(field.selection_set, fragments, variables)
    return total


def build_limit_rules(
    max_depth: int, max_aliases: int, max_complexity: int, variables: dict[str, Any] | None = None
) -> list[type[ValidationRule]]:
    variables = variables or {}

    class QueryLimits(ValidationRule):
        def enter_document(self, node: Any, *args: Any) -> None:
            aliases = sum(1 for _ in _walk_aliases(node))
            if aliases > max_aliases:
                self.report_error(
                    GraphQLError(f"Too many aliases: {aliases} (limit {max_aliases}).", extensions={"code": "QUERY_TOO_COMPLEX"})
                )

        def enter_operation_definition(self, node: OperationDefinitionNode, *args: Any) -> None:
            fragments = _fragments(self.context)
            depth = depth_of(node.selection_set, fragments)
            if depth > max_depth:
                self.report_error(
                    GraphQLError(f"Query is too deep: depth {depth} (limit {max_depth}).", extensions={"code": "QUERY_TOO_DEEP"})
                )
                return
            cost = complexity_of(node.selection_set, fragments, variables)
            if cost > max_complexity:
                self.report_error(
                    GraphQLError(
                        f"Query is too complex: cost {cost} (limit {max_complexity}).", extensions={"code": "QUERY_TOO_COMPLEX"}
                    )
                )

    return [QueryLimits]


def _walk_aliases(node: Any):
    from graphql.language import Visitor, visit

    found: list[FieldNode] = []

    class AliasVisitor(Visitor):
        def enter_field(self, field: FieldNode, *args: Any) -> None:
            if field.alias is not None:
                found.append(field)

    visit(node, AliasVisitor())
    return found
