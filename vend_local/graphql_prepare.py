"""Everything CPU-bound about a GraphQL request before it executes: the token and nesting limits, parsing, the
document limits, choosing the operation, validation and variable coercion. Pure, no I/O: the server runs it on a
worker thread, so no document, however hostile, stops the event loop from serving other clients.

Refusals are request errors (GraphQL spec, "Executing Requests"): a list of GraphQLErrors without a path or an
original exception, which the server answers as AppSync's ValidationError. A prepared request carries the parsed
document and the operation to run, and strawberry executes exactly that document (``UsePreparedDocument``)
instead of parsing and validating it again on the event loop.

``PreparedDocuments`` remembers documents that passed: everything but the variables is a pure function of the
document's text and the operation name, so the same text sent again (as every client sends the same few
operations) needs only its variables coerced (``with_variables``), which is cheap for this schema's inputs (an
enum and an Int) and linear in a body the server has already bounded and parsed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
)
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from vend_local.graphql_limits import DocumentLimits, lexical_error, limit_errors

# The context key under which the server hands strawberry the prepared document.
PREPARED_KEY: Final = "prepared"
ALLOWED_OPERATIONS: Final = frozenset({OperationType.QUERY, OperationType.MUTATION})
# graphql-core stops collecting validation or coercion errors here; the answer stays small.
MAX_ERRORS: Final = 20
# Prepared documents remembered, and the longest document text remembered: honest clients send a few short
# documents; the bounds keep what a hostile client can make the server hold small (and each entry already passed
# every document limit).
MAX_REMEMBERED_DOCUMENTS: Final = 128
MAX_REMEMBERED_CHARS: Final = 8_192


@dataclass(frozen=True)
class RequestLimits:
    max_tokens: int
    document: DocumentLimits


@dataclass(frozen=True)
class Prepared:
    document: DocumentNode
    operation_name: str | None


def prepare(  # noqa: PLR0911 - one return per refusal, in the order they are checked
    schema: Any,
    query: str,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    limits: RequestLimits,
) -> Prepared | list[GraphQLError]:
    """The document and operation to execute, or the request errors that refuse it. ``schema`` is strawberry's."""
    early = lexical_error(query, max_tokens=limits.max_tokens, max_nesting=limits.document.max_nesting)
    if early is not None:
        return [_request_error(early)]
    try:
        document = parse(query, max_tokens=limits.max_tokens)
    except GraphQLError as error:
        return [_request_error(error)]
    except RecursionError:
        # Unreachable with the nesting limit in place; still a refusal, never a crash.
        return [GraphQLError("The document is nested too deeply.")]
    limited = limit_errors(document, limits.document)
    if limited:
        return limited
    operation = _operation(document, operation_name)
    if isinstance(operation, GraphQLError):
        return [operation]
    errors = validate_document(schema._schema, document, tuple(specified_rules))
    if errors:
        return [_request_error(e) for e in errors[:MAX_ERRORS]]
    coerced = _coercion_errors(schema, operation, variables)
    if coerced:
        return coerced
    return Prepared(document, operation.name.value if operation.name else None)


def with_variables(
    schema: Any, prepared: Prepared, variables: Mapping[str, Any] | None
) -> Prepared | list[GraphQLError]:
    """A document prepared before (for the same text and operation name), checked against these variables."""
    operation = _operation(prepared.document, prepared.operation_name)
    if isinstance(operation, GraphQLError):  # pragma: no cover - it was chosen once already
        return [operation]
    return _coercion_errors(schema, operation, variables) or prepared


def _coercion_errors(
    schema: Any, operation: OperationDefinitionNode, variables: Mapping[str, Any] | None
) -> list[GraphQLError]:
    coerced = get_variable_values(
        schema._schema, operation.variable_definitions or (), dict(variables or {}), max_errors=MAX_ERRORS
    )
    return [_request_error(e) for e in coerced] if isinstance(coerced, list) else []


class PreparedDocuments:
    """The documents that passed preparation, by (text, operation name); least recently used first out."""

    def __init__(
        self, max_entries: int = MAX_REMEMBERED_DOCUMENTS, max_chars: int = MAX_REMEMBERED_CHARS
    ) -> None:
        self._max_entries = max_entries
        self._max_chars = max_chars
        self._entries: OrderedDict[tuple[str, str | None], Prepared] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, query: str, operation_name: str | None) -> Prepared | None:
        with self._lock:
            found = self._entries.get((query, operation_name))
            if found is not None:
                self._entries.move_to_end((query, operation_name))
            return found

    def remember(self, query: str, operation_name: str | None, prepared: Prepared) -> None:
        if len(query) > self._max_chars:
            return
        with self._lock:
            self._entries[(query, operation_name)] = prepared
            self._entries.move_to_end((query, operation_name))
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | GraphQLError:
    """The operation to run, by the GraphQL spec's GetOperation: with no name, the document must hold one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) != 1:
            # graphql-core's wording; GraphQL over HTTP makes this a request error: nothing runs.
            return GraphQLError("Must provide operation name if query contains multiple operations.")
        chosen = operations[0]
    else:
        named = [o for o in operations if o.name is not None and o.name.value == name]
        if not named:
            return GraphQLError(f"Unknown operation named '{name}'.")
        chosen = named[0]
    if chosen.operation not in ALLOWED_OPERATIONS:
        # AppSync's subscriptions live on its real-time endpoint, which this server does not serve.
        return GraphQLError("Only queries and mutations are served here.")
    return chosen


def _request_error(error: GraphQLError) -> GraphQLError:
    """The same message and locations, without the exception behind it (whose text is not ours to show)."""
    return GraphQLError(error.message, error.nodes, error.source, error.positions)


class UsePreparedDocument(SchemaExtension):
    """strawberry executes the document prepared off the event loop: no second parse, no second validation."""

    def on_parse(self) -> Iterator[None]:
        prepared: Prepared = self.execution_context.context[PREPARED_KEY]
        self.execution_context.graphql_document = prepared.document
        yield

    def on_validate(self) -> Iterator[None]:
        # strawberry skips its own validation when errors are already set; these are the prepared document's.
        self.execution_context.pre_execution_errors = []
        yield
