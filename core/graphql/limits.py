"""Query limits as one graphql-core validation rule: depth, aliases, page size and complexity.

Complexity: every field costs 1; a connection multiplies the cost of what is below it by its page size
(`first`/`last`, or the maximum page when the client gives neither), so `users(first: 100) { ... }`
costs a hundred times its node. A plain list counts once, so anything unbounded must be a connection.
Fragments are followed (each named fragment is measured once, which keeps a document of nested
fragment spreads from making validation itself exponential) and variables are read from the request.
Introspection fields are left out of the depth (GraphiQL's standard query is deeper than any business
query); `GRAPHQL_INTROSPECTION` switches introspection off altogether.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    ValidationRule,
    get_named_type,
    is_interface_type,
    is_object_type,
)
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

from core.graphql.connections import max_page_size


def is_connection(graphql_type: GraphQLNamedType | None) -> bool:
    return is_object_type(graphql_type) and {"edges", "pageInfo"} <= set(graphql_type.fields)  # type: ignore[union-attr]


class QueryAnalysis:
    """Depth and cost of one document's operations, each named fragment measured once."""

    def __init__(self, schema: GraphQLSchema, document: Any, variables: dict[str, Any], max_page: int) -> None:
        self.schema = schema
        self.variables = variables
        self.max_page = max_page
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.oversized_pages: list[tuple[str, int]] = []
        self._depth: dict[str, int] = {}
        self._cost: dict[str, int] = {}
        self._open: set[str] = set()  # fragments being measured: a cycle counts 0 (graphql-core reports it)

    def depth(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None) -> int:
        return self._measure(selection_set, parent, self._depth, self._field_depth, max)

    def cost(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None) -> int:
        return self._measure(selection_set, parent, self._cost, self._field_cost, sum)

    def _measure(
        self, selection_set: SelectionSetNode | None, parent: Any, memo: dict[str, int], of_field: Any, combine: Any
    ) -> int:
        if selection_set is None:
            return 0
        parts: list[int] = []
        spread: set[str] = set()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                parts.append(of_field(selection, parent))
            elif isinstance(selection, InlineFragmentNode):
                condition = self._type(selection.type_condition.name.value) if selection.type_condition else parent
                parts.append(self._measure(selection.selection_set, condition, memo, of_field, combine))
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
                spread.add(selection.name.value)  # the same fragment twice in one selection merges into one
                parts.append(self._fragment(selection.name.value, memo, of_field, combine))
        return combine(parts) if parts else 0

    def _fragment(self, name: str, memo: dict[str, int], of_field: Any, combine: Any) -> int:
        if name in memo:
            return memo[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self._open:
            return 0
        self._open.add(name)
        value = self._measure(fragment.selection_set, self._type(fragment.type_condition.name.value), memo, of_field, combine)
        self._open.discard(name)
        memo[name] = value
        return value

    def _field_depth(self, field: FieldNode, parent: Any) -> int:
        if field.name.value.startswith("__"):
            return 0
        return 1 + self.depth(field.selection_set, self._field_type(field, parent))

    def _field_cost(self, field: FieldNode, parent: Any) -> int:
        field_type = self._field_type(field, parent)
        page = self._page_size(field) if is_connection(field_type) else 1
        return 1 + page * self.cost(field.selection_set, field_type)

    def _page_size(self, field: FieldNode) -> int:
        sizes = [self.max_page]
        given = False
        for argument in field.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value: Any = None
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value)
            if isinstance(value, int) and not isinstance(value, bool):
                if not given:
                    sizes = []
                    given = True
                sizes.append(value)
        page = max(sizes)
        if page > self.max_page:
            self.oversized_pages.append((field.name.value, page))
        return page

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)

    @staticmethod
    def _field_type(field: FieldNode, parent: Any) -> GraphQLNamedType | None:
        if not (is_object_type(parent) or is_interface_type(parent)):
            return None
        definition = parent.fields.get(field.name.value)
        return get_named_type(definition.type) if definition is not None else None


def _root_type(schema: GraphQLSchema, operation: OperationDefinitionNode) -> GraphQLNamedType | None:
    return schema.get_root_type(operation.operation)


def build_limit_rules(
    max_depth: int, max_aliases: int, max_complexity: int, variables: dict[str, Any] | None = None
) -> list[type[ValidationRule]]:
    """A validation rule bound to this request's limits and variables."""
    bound_variables = variables if isinstance(variables, dict) else {}

    class QueryLimits(ValidationRule):
        # Aliases are counted during graphql-core's own walk of the document; depth and cost are
        # measured once it is done, from the fragment-aware analysis.
        def __init__(self, context: Any) -> None:
            super().__init__(context)
            self.aliases = 0

        def enter_field(self, node: FieldNode, *args: Any) -> None:
            if node.alias is not None:
                self.aliases += 1

        def leave_document(self, node: Any, *args: Any) -> None:
            if self.aliases > max_aliases:
                self.report_error(
                    GraphQLError(
                        f"Too many aliases: {self.aliases} (limit {max_aliases}).", extensions={"code": "QUERY_TOO_COMPLEX"}
                    )
                )
                return
            analysis = QueryAnalysis(self.context.schema, node, bound_variables, max_page_size())
            for operation in (d for d in node.definitions if isinstance(d, OperationDefinitionNode)):
                if not self._check(analysis, operation):
                    return

        def _check(self, analysis: QueryAnalysis, operation: OperationDefinitionNode) -> bool:
            root = _root_type(self.context.schema, operation)
            depth = analysis.depth(operation.selection_set, root)
            if depth > max_depth:
                self.report_error(
                    GraphQLError(f"Query is too deep: depth {depth} (limit {max_depth}).", extensions={"code": "QUERY_TOO_DEEP"})
                )
                return False
            cost = analysis.cost(operation.selection_set, root)
            if analysis.oversized_pages:
                field, page = analysis.oversized_pages[0]
                self.report_error(
                    GraphQLError(
                        f"`{field}` asks for {page} rows; a page holds at most {analysis.max_page}.",
                        extensions={"code": "PAGE_TOO_LARGE"},
                    )
                )
                return False
            if cost > max_complexity:
                self.report_error(
                    GraphQLError(
                        f"Query is too complex: cost {cost} (limit {max_complexity}). Ask for smaller pages or fewer fields.",
                        extensions={"code": "QUERY_TOO_COMPLEX"},
                    )
                )
                return False
            return True

    return [QueryLimits]


class NoIntrospection(ValidationRule):
    """Refuses `__schema` and `__type` (GRAPHQL_INTROSPECTION=0). Unlike graphene's DisableIntrospection it
    lets `__typename` through: Apollo and Relay clients add it to every selection set."""

    def enter_field(self, node: FieldNode, *args: Any) -> None:
        if node.name.value in ("__schema", "__type"):
            self.report_error(
                GraphQLError(
                    f"Cannot query '{node.name.value}': introspection is disabled. Use the published schema.graphql.",
                    node,
                    extensions={"code": "INTROSPECTION_DISABLED"},
                )
            )
