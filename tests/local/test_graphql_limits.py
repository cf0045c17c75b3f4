"""graphql_limits: the limits are computed in linear time and mean what strawberry's limiters meant.

A differential test runs strawberry's own QueryDepthLimiter and MaxAliasesLimiter validators beside
limit_errors over generated documents (fragments, spreads, inline fragments, aliases, introspection fields) small
enough for strawberry's exponential expansion, and requires the same verdicts. Pure, no I/O."""

from __future__ import annotations

from typing import Final

import pytest
from graphql import GraphQLError, parse, validate
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from resolvers.catalog import load_catalog
from tests.fuzzing import examples
from vend_local.graphql_limits import DocumentLimits, lexical_error, limit_errors
from vend_local.schema import build_schema

LIMITS: Final = DocumentLimits(max_nesting=32, max_depth=3, max_aliases=4, max_selections=128)
SCHEMA: Final = build_schema(load_catalog())._schema


def messages(errors: list[GraphQLError]) -> list[str]:
    return [e.message for e in errors]


def strawberry_verdicts(query: str, limits: DocumentLimits) -> tuple[bool, bool]:
    """(depth exceeded, aliases exceeded) by strawberry's own validators."""
    document = parse(query)
    depth = validate(SCHEMA, document, [depth_validator(limits.max_depth, None)])
    aliases = validate(SCHEMA, document, [alias_validator(limits.max_aliases)])
    return bool(depth), bool(aliases)


def our_verdicts(query: str, limits: DocumentLimits) -> tuple[bool, bool]:
    found = messages(limit_errors(parse(query), limits))
    return any("depth" in m for m in found), any("aliases" in m for m in found)


# A field of ScopeInfo (a leaf, optionally aliased or introspection), an inline fragment, or a spread.
FIELDS: Final = st.sampled_from(["name", "description", "a: name", "b: description", "__typename"])


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Fragments on ScopeInfo spreading only later ones (no cycles), and an operation using some of them."""
    count = draw(st.integers(0, 5))
    fragments = []
    for i in range(count):
        selections = draw(st.lists(FIELDS, min_size=1, max_size=3))
        later = [f"...F{j}" for j in range(i + 1, count)]
        if later:
            selections += draw(st.lists(st.sampled_from(later), max_size=3))
        if draw(st.booleans()):
            selections.append("... on ScopeInfo { " + draw(FIELDS) + " }")
        fragments.append(f"fragment F{i} on ScopeInfo {{ {' '.join(selections)} }}")
    inner = draw(
        st.lists(FIELDS | st.sampled_from([f"...F{i}" for i in range(count)] or ["name"]), min_size=1)
    )
    root = draw(st.sampled_from(["scopes", "s1: scopes", "s2: scopes", "__schema { types { name } } scopes"]))
    operation = f"{{ {root} {{ {' '.join(inner)} }} }}"
    return " ".join([operation, *fragments])


@settings(max_examples=examples(300), deadline=None)
@given(query=documents(), depth=st.integers(0, 3), aliases=st.integers(0, 6))
def test_depth_and_aliases_mean_what_strawberrys_limiters_meant(query: str, depth: int, aliases: int) -> None:
    limits = DocumentLimits(max_nesting=32, max_depth=depth, max_aliases=aliases, max_selections=10_000)
    assert our_verdicts(query, limits) == strawberry_verdicts(query, limits), query


def fan_out(levels: int) -> str:
    fragments = " ".join(
        f"fragment F{i} on ScopeInfo {{ a{i}: name ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{{ scopes {{ ...F0 }} }} {fragments} fragment F{levels} on ScopeInfo {{ name }}"


def test_a_fragment_fan_out_is_counted_without_expanding_it() -> None:
    # 2**30 aliases once expanded: counted in linear time, and reported without the (huge) number.
    found = messages(limit_errors(parse(fan_out(30)), LIMITS))
    assert "More than 4 aliases found. Allowed: 4" in found


@pytest.mark.parametrize(("count", "refused"), [(127, False), (128, False), (129, True)])
def test_selections_as_written_are_capped(count: int, refused: bool) -> None:
    query = "{ scopes { " + "name " * (count - 1) + "} }"
    found = messages(limit_errors(parse(query), LIMITS))
    assert (
        f"{count} selections found (fields, fragment spreads and inline fragments). Allowed: 128" in found
    ) is refused


def test_a_fragment_counts_once_towards_selections_however_often_it_is_spread() -> None:
    spreads = " ".join(["...F"] * 100)
    query = f"{{ scopes {{ {spreads} }} }} fragment F on ScopeInfo {{ name description }}"
    assert messages(limit_errors(parse(query), LIMITS)) == []  # 1 + 100 spreads + 2 fields = 103


@pytest.mark.parametrize(("chain", "refused"), [(31, False), (32, False), (33, True)])
def test_spread_chains_are_capped(chain: int, refused: bool) -> None:
    """The operation spreads F1, which spreads F2, ... F<chain>: a chain of ``chain`` spreads."""
    fragments = " ".join(f"fragment F{i} on ScopeInfo {{ ...F{i + 1} }}" for i in range(1, chain))
    query = f"{{ scopes {{ ...F1 }} }} {fragments} fragment F{chain} on ScopeInfo {{ name }}"
    found = messages(limit_errors(parse(query), LIMITS))
    assert ("'anonymous' spreads fragments more than 32 levels deep." in found) is refused


def test_a_fragment_cycle_is_refused_with_graphql_cores_wording() -> None:
    query = (
        "{ scopes { ...A } } fragment A on ScopeInfo { ...B } fragment B on ScopeInfo { ...A } "
        "fragment C on ScopeInfo { ...A }"
    )
    assert messages(limit_errors(parse(query), LIMITS)) in (
        ["Cannot spread fragment 'A' within itself."],
        ["Cannot spread fragment 'B' within itself."],
    )


@pytest.mark.parametrize(("depth", "refused"), [(31, False), (32, False), (33, True)])
def test_brackets_are_capped_before_parsing(depth: int, refused: bool) -> None:
    query = "{ scopes(x: " + "[" * (depth - 2) + "]" * (depth - 2) + ") { name } }"
    error = lexical_error(query, max_tokens=2_000, max_nesting=32)
    assert (
        error is not None and error.message == "The document is nested more than 32 levels deep."
    ) is refused


@pytest.mark.parametrize(("tokens", "refused"), [(1_999, False), (2_000, False), (2_001, True)])
def test_tokens_are_counted_by_the_lexer(tokens: int, refused: bool) -> None:
    query = "{ scopes { " + "name " * (tokens - 5) + "} }"  # four braces and scopes, then the names
    error = lexical_error(query, max_tokens=2_000, max_nesting=32)
    assert (error is not None and "more than 2000 tokens" in error.message) is refused


def test_a_syntax_error_found_by_the_lexer_is_returned() -> None:
    error = lexical_error('{ scopes { name } } "unterminated', max_tokens=2_000, max_nesting=32)
    assert error is not None
    assert error.message.startswith("Syntax Error")
