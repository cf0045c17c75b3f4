"""The local server's document limits, checked in linear time before GraphQL validation runs. Pure, no I/O.

Why before: graphql-core's validation is quadratic in the fields that share a response name (the rule
OverlappingFieldsCanBeMerged compares them pairwise), and the depth and alias limiters strawberry ships expand
fragment spreads without memory, which is exponential in a chain of fragments that each spread the next twice.
Here every limit is computed from one pass over the tokens and one over the syntax tree, each fragment summarised
once (in dependency order), so the cost is linear in the document whatever its shape. A document over any limit
never reaches the full validation.

Limits, in the order they are checked:
- nesting: brackets of any kind (selection sets, lists, objects, argument lists) and fragment spreads that lead to
  spreads, counted together. It keeps every recursive algorithm downstream (the parser, validation, execution,
  printing ``selectionSetGraphQL``) far from Python's recursion limit;
- fragment cycles (refused with graphql-core's own wording);
- depth, counted as strawberry's QueryDepthLimiter counts it (the root field is level 0; introspection fields are
  not followed), so the documented limit keeps its meaning;
- aliases, counted as strawberry's MaxAliasesLimiter counts them (through fragment spreads, each spread again);
- selections as written: fields, fragment spreads and inline fragments, each fragment definition once. It bounds
  the quadratic part of validation. (Expansion is bounded by the depth and alias limits and by execution, which
  visits each fragment once per selection set.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    TokenKind,
)
from graphql.language import Lexer

_OPENING: Final = frozenset({TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L})
_CLOSING: Final = frozenset({TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R})


@dataclass(frozen=True)
class DocumentLimits:
    max_nesting: int
    max_depth: int
    max_aliases: int
    max_selections: int


@dataclass(frozen=True)
class _Summary:
    """What a selection set contributes, spreads expanded: its height (levels below it), its aliases, and the
    longest chain of fragment spreads it starts."""

    height: int
    aliases: int
    spread_depth: int


def lexical_error(source: str, *, max_tokens: int, max_nesting: int) -> GraphQLError | None:
    """Too many tokens, or a bracket nested deeper than ``max_nesting``: found by the lexer alone, before the
    (recursive) parser runs. A syntax error the lexer meets is returned too: the parser would refuse it anyway.
    """
    lexer = Lexer(Source(source))
    depth = tokens = 0
    try:
        token = lexer.advance()
        while token.kind != TokenKind.EOF:
            tokens += 1
            if tokens > max_tokens:
                # graphql-core's own wording for parse(max_tokens=...).
                return GraphQLError(f"Document contains more than {max_tokens} tokens. Parsing aborted.")
            if token.kind in _OPENING:
                depth += 1
                if depth > max_nesting:
                    return GraphQLError(f"The document is nested more than {max_nesting} levels deep.")
            elif token.kind in _CLOSING:
                depth -= 1
            token = lexer.advance()
    except GraphQLError as error:
        return error
    return None


def limit_errors(document: DocumentNode, limits: DocumentLimits) -> list[GraphQLError]:
    """Every limit ``document`` exceeds, computed in time linear in the document."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            # A repeated name is a validation error later; the first definition is the one summarised here.
            fragments.setdefault(definition.name.value, definition)
    order = _dependency_order(fragments)
    if isinstance(order, GraphQLError):
        return [order]
    cap = limits.max_aliases + 1
    summaries: dict[str, _Summary] = {}
    for name in order:
        summaries[name] = _summarise(fragments[name].selection_set, summaries, cap)
    errors: list[GraphQLError] = []
    aliases = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        summary = _summarise(definition.selection_set, summaries, cap)
        aliases = min(aliases + summary.aliases, cap)
        name = definition.name.value if definition.name else "anonymous"
        if summary.spread_depth > limits.max_nesting:
            errors.append(
                GraphQLError(f"'{name}' spreads fragments more than {limits.max_nesting} levels deep.")
            )
        if summary.height > limits.max_depth:
            # strawberry's wording, so the message a client sees did not change with the implementation.
            errors.append(GraphQLError(f"'{name}' exceeds maximum operation depth of {limits.max_depth}"))
    if aliases > limits.max_aliases:
        errors.append(GraphQLError(f"{_count(aliases, cap)} aliases found. Allowed: {limits.max_aliases}"))
    selections = _selections(document)
    if selections > limits.max_selections:
        errors.append(
            GraphQLError(
                f"{selections} selections found (fields, fragment spreads and inline fragments). "
                f"Allowed: {limits.max_selections}"
            )
        )
    return errors


def _count(value: int, cap: int) -> str:
    return f"More than {cap - 1}" if value >= cap else str(value)


def _selection_sets(document: DocumentNode) -> Iterator[SelectionSetNode]:
    """Every selection set of the document as written (operations, fragments, fields, inline fragments)."""
    pending = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(
            s.selection_set
            for s in current.selections
            if isinstance(s, FieldNode | InlineFragmentNode) and s.selection_set is not None
        )


def _selections(document: DocumentNode) -> int:
    return sum(len(selection_set.selections) for selection_set in _selection_sets(document))


def _spreads(selection_set: SelectionSetNode) -> Iterable[str]:
    """The fragment names spread anywhere in ``selection_set``, inline fragments and sub-selections included."""
    pending = [selection_set]
    while pending:
        current = pending.pop()
        for selection in current.selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                pending.append(selection.selection_set)


def _dependency_order(fragments: Mapping[str, FragmentDefinitionNode]) -> list[str] | GraphQLError:
    """Fragment names, each after every fragment it spreads (Kahn's algorithm); a cycle is graphql-core's error."""
    depends = {
        name: {s for s in _spreads(f.selection_set) if s in fragments} for name, f in fragments.items()
    }
    users: dict[str, list[str]] = {name: [] for name in fragments}
    for name, needed in depends.items():
        for dependency in needed:
            users[dependency].append(name)
    waiting = {name: len(needed) for name, needed in depends.items()}
    ready = [name for name, count in waiting.items() if count == 0]
    order: list[str] = []
    while ready:
        name = ready.pop()
        order.append(name)
        for user in users[name]:
            waiting[user] -= 1
            if waiting[user] == 0:
                ready.append(user)
    if len(order) < len(fragments):
        return GraphQLError(f"Cannot spread fragment '{_on_a_cycle(depends, waiting)}' within itself.")
    return order


def _on_a_cycle(depends: Mapping[str, set[str]], waiting: Mapping[str, int]) -> str:
    """A fragment on a cycle: from any fragment still waiting, follow waiting dependencies until one repeats."""
    current = min(name for name, count in waiting.items() if count > 0)
    seen: set[str] = set()
    while current not in seen:
        seen.add(current)
        current = min(d for d in depends[current] if waiting[d] > 0)
    return current


def _summarise(selection_set: SelectionSetNode, fragments: Mapping[str, _Summary], cap: int) -> _Summary:
    """The summary of one selection set; fragments it spreads are already in ``fragments``.

    Recursion follows brackets only, which ``nesting_error`` has bounded before the document was parsed.
    """
    height = aliases = spread_depth = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            aliases += selection.alias is not None
            if selection.selection_set is not None:
                inner = _summarise(selection.selection_set, fragments, cap)
                aliases += inner.aliases
                spread_depth = max(spread_depth, inner.spread_depth)
                if not selection.name.value.startswith("__"):
                    height = max(height, 1 + inner.height)
        elif isinstance(selection, InlineFragmentNode):
            inner = _summarise(selection.selection_set, fragments, cap)
            height, spread_depth = max(height, inner.height), max(spread_depth, inner.spread_depth)
            aliases += inner.aliases
        elif isinstance(selection, FragmentSpreadNode):
            spread = fragments.get(selection.name.value)
            if spread is not None:  # an unknown fragment is a validation error later
                height, spread_depth = max(height, spread.height), max(spread_depth, 1 + spread.spread_depth)
                aliases += spread.aliases
        aliases = min(aliases, cap)
    return _Summary(height, aliases, spread_depth)
