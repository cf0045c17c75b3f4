"""Threats in the GraphQL request itself (issue 16, points 5 to 8), against the local server over HTTP:

- variables of the wrong type or shape must get AppSync's validation error, not Internal (point 5);
- documents whose validation is quadratic or exponential must be refused by limits before validation, and never
  stop the server (point 6; the event-loop proof is test_prepared_off_the_event_loop.py);
- several operations and no operationName must be refused, as GraphQL over HTTP requires, and run nothing
  (point 7);
- a token in a URL is refused, and no query string ever reaches the access log (point 8).

Refused requests never reach the handler: it writes an audit line for every call. Loopback only."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any, Final

import httpx
import pytest

from tests.e2e.client import VEND, tokens
from tests.e2e.conftest import RunningServer
from tests.security import http_support
from vend_local.server import MAX_NESTING, MAX_SELECTIONS

SCOPES_QUERY: Final = "{ scopes { name } }"


@pytest.fixture(scope="module")
def token(abuse_server: RunningServer) -> str:
    return tokens(abuse_server, "alice")["id"]


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=http_support.HTTP_TIMEOUT_SECONDS) as c:
        yield c


def audit_count(server: RunningServer) -> int:
    return sum('"vend decision"' in line for line in server.output().splitlines())


def request_error(response: httpx.Response) -> dict[str, Any]:
    """The single request error of a refused GraphQL request: 200, no data, path null, ValidationError."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None
    error: dict[str, Any] = body["errors"][0]
    assert len(body["errors"]) == 1
    assert error["errorType"] == "ValidationError", error
    assert error["path"] is None
    assert set(error) == {"path", "data", "errorType", "errorInfo", "locations", "message"}
    message: str = error["message"]
    assert message
    return error


# ---- point 5: variables ---------------------------------------------------------------------------------------------

BAD_VARIABLES: Final[list[tuple[str, dict[str, Any]]]] = [
    ("scope number", {"scope": 42}),
    ("scope list", {"scope": ["S3_OWN_PREFIX"]}),
    ("scope object", {"scope": {"name": "S3_OWN_PREFIX"}}),
    ("scope null", {"scope": None}),
    ("scope unknown", {"scope": "NOT_A_SCOPE"}),
    ("scope missing", {}),
    ("duration string", {"scope": "S3_OWN_PREFIX", "d": "900"}),
    ("duration float", {"scope": "S3_OWN_PREFIX", "d": 900.5}),
    ("duration huge", {"scope": "S3_OWN_PREFIX", "d": 1e100}),
    ("duration over 32 bits", {"scope": "S3_OWN_PREFIX", "d": 2**31}),
    ("duration bool", {"scope": "S3_OWN_PREFIX", "d": True}),
    ("duration list", {"scope": "S3_OWN_PREFIX", "d": [900]}),
    ("duration deep", {"scope": "S3_OWN_PREFIX", "d": json.loads("[" * 500 + "]" * 500)}),
]


@pytest.mark.parametrize("variables", [v for _, v in BAD_VARIABLES], ids=[c for c, _ in BAD_VARIABLES])
def test_variables_of_the_wrong_type_get_a_validation_error_and_run_nothing(
    abuse_server: RunningServer, token: str, client: httpx.Client, variables: dict[str, Any]
) -> None:
    before = audit_count(abuse_server)
    response = http_support.post_json(client, abuse_server, {"query": VEND, "variables": variables}, token)
    error = request_error(response)
    assert "Variable '$" in error["message"]
    assert error["locations"], "a variable error points at the variable's definition"
    assert audit_count(abuse_server) == before


def test_the_right_variables_still_vend(
    abuse_server: RunningServer, token: str, client: httpx.Client
) -> None:
    response = http_support.vend(client, abuse_server, token, "S3_OWN_PREFIX", 900)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["vendCredentials"]["scope"] == "S3_OWN_PREFIX"


# ---- point 6: validation cost ---------------------------------------------------------------------------------------


def selections(count: int) -> str:
    """``{ scopes { name name ... } }``: exactly ``count`` selections (scopes and count - 1 names)."""
    return "{ scopes { " + "name " * (count - 1) + "} }"


@pytest.mark.parametrize(
    ("count", "served"),
    [(MAX_SELECTIONS - 1, True), (MAX_SELECTIONS, True), (MAX_SELECTIONS + 1, False)],
    ids=["limit-1", "limit", "limit+1"],
)
def test_selections_are_capped_before_validation(
    abuse_server: RunningServer, token: str, client: httpx.Client, count: int, served: bool
) -> None:
    assert MAX_SELECTIONS == 128
    response = http_support.post_json(client, abuse_server, {"query": selections(count)}, token)
    if served:
        assert response.status_code == 200
        assert response.json()["data"]["scopes"]
    else:
        assert f"{count} selections found" in request_error(response)["message"]


def test_the_quadratic_document_is_refused_by_the_limit(
    abuse_server: RunningServer, token: str, client: httpx.Client
) -> None:
    # About 490 same-named fields took seconds of validation on the event loop.
    query = "{ " + "scopes { name } " * 490 + "}"
    assert (
        "selections found"
        in request_error(http_support.post_json(client, abuse_server, {"query": query}, token))["message"]
    )


def fan_out(levels: int) -> str:
    """A chain of fragments, each spreading the next twice: 2**levels paths to expand without memory."""
    fragments = " ".join(f"fragment F{i} on ScopeInfo {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"{{ scopes {{ ...F0 }} }} {fragments} fragment F{levels} on ScopeInfo {{ name }}"


def test_a_fragment_fan_out_is_served_in_linear_time(
    abuse_server: RunningServer, token: str, client: httpx.Client
) -> None:
    # 2**26 expansions: strawberry's depth and alias limiters (and selectionSetList) would take hours.
    response = http_support.post_json(client, abuse_server, {"query": fan_out(26)}, token)
    assert response.status_code == 200, response.text
    assert "S3_OWN_PREFIX" in [s["name"] for s in response.json()["data"]["scopes"]]


@pytest.mark.parametrize(
    ("levels", "served"),
    [(MAX_NESTING - 2, True), (MAX_NESTING - 1, True), (MAX_NESTING, False)],
    ids=["limit-1", "limit", "limit+1"],
)
def test_fragment_spread_chains_are_capped(
    abuse_server: RunningServer, token: str, client: httpx.Client, levels: int, served: bool
) -> None:
    """fan_out(levels) spreads levels + 1 fragments deep (the operation spreads F0)."""
    response = http_support.post_json(client, abuse_server, {"query": fan_out(levels)}, token)
    if served:
        assert response.status_code == 200, response.text
        assert response.json()["data"]["scopes"]
    else:
        assert "spreads fragments more than" in request_error(response)["message"]


@pytest.mark.parametrize(
    ("depth", "served"),
    [(MAX_NESTING - 1, True), (MAX_NESTING, True), (MAX_NESTING + 1, False)],
    ids=["limit-1", "limit", "limit+1"],
)
def test_bracket_nesting_is_capped_before_parsing(
    abuse_server: RunningServer, token: str, client: httpx.Client, depth: int, served: bool
) -> None:
    """A list argument nested inside ``scopes(x: ...)``: the field's selection set and argument list are two
    levels, so the list adds depth - 2."""
    lists = depth - 2
    query = "{ scopes(x: " + "[" * lists + "]" * lists + ") { name } }"
    message = request_error(http_support.post_json(client, abuse_server, {"query": query}, token))["message"]
    if served:
        # Deep enough to parse: refused only because scopes takes no argument x.
        assert "Unknown argument 'x'" in message
    else:
        assert f"nested more than {MAX_NESTING} levels" in message


def test_deep_nesting_never_reaches_the_recursive_parser(
    abuse_server: RunningServer, token: str, client: httpx.Client
) -> None:
    query = "{ " + "a { " * 900 + "b" + " }" * 901
    assert (
        "nested more than"
        in request_error(http_support.post_json(client, abuse_server, {"query": query}, token))["message"]
    )


# ---- point 7: choosing the operation --------------------------------------------------------------------------------

MUTATION_FIRST: Final = (
    "mutation A { vendCredentials(scope: S3_OWN_PREFIX) { scope } } query B { scopes { name } }"
)


@pytest.mark.parametrize(
    "query",
    [
        MUTATION_FIRST,
        "mutation { vendCredentials(scope: S3_OWN_PREFIX) { scope } } query B { scopes { name } }",
    ],
    ids=["two-named", "anonymous-and-named"],
)
def test_several_operations_without_an_operation_name_are_refused_and_run_nothing(
    abuse_server: RunningServer, token: str, client: httpx.Client, query: str
) -> None:
    before = audit_count(abuse_server)
    response = http_support.post_json(client, abuse_server, {"query": query}, token)
    error = request_error(response)
    assert error["message"] == "Must provide operation name if query contains multiple operations."
    assert audit_count(abuse_server) == before


def test_the_named_operation_is_the_one_that_runs(
    abuse_server: RunningServer, token: str, client: httpx.Client
) -> None:
    before = audit_count(abuse_server)
    response = http_support.post_json(
        client, abuse_server, {"query": MUTATION_FIRST, "operationName": "B"}, token
    )
    assert response.status_code == 200, response.text
    assert set(response.json()["data"]) == {"scopes"}
    assert audit_count(abuse_server) == before
    unknown = http_support.post_json(
        client, abuse_server, {"query": MUTATION_FIRST, "operationName": "C"}, token
    )
    assert request_error(unknown)["message"] == "Unknown operation named 'C'."


# ---- point 8: tokens in URLs ----------------------------------------------------------------------------------------


def assert_refused_for_a_token_in_the_url(response: httpx.Response) -> None:
    http_support.keep_if_error(response)
    assert response.status_code == 400, response.text
    assert response.json() == {
        "errors": [
            {
                "errorType": "BadRequestException",
                "message": "Send the token in the Authorization header, never in the URL.",
            }
        ]
    }


@pytest.mark.parametrize("name", ["token", "access_token", "Authorization", "id_token"])
def test_a_token_in_a_get_query_string_is_refused(
    abuse_server: RunningServer, client: httpx.Client, name: str
) -> None:
    token = tokens(abuse_server, "carol")["id"]
    response = client.get(abuse_server.url, params={name: token}, headers={"accept": "text/html"})
    assert_refused_for_a_token_in_the_url(response)


def test_a_token_in_a_post_query_string_is_refused_even_with_a_valid_header(
    abuse_server: RunningServer, client: httpx.Client
) -> None:
    token = tokens(abuse_server, "carol")["id"]
    before = audit_count(abuse_server)
    response = client.post(
        abuse_server.url,
        params={"access_token": token},
        content=http_support.VEND_BODY,
        headers={"content-type": "application/json", "authorization": token},
    )
    assert_refused_for_a_token_in_the_url(response)
    assert audit_count(abuse_server) == before


def test_query_strings_never_reach_the_access_log(abuse_server: RunningServer, client: httpx.Client) -> None:
    token = tokens(abuse_server, "carol")["id"]
    marker = f"marker-{uuid.uuid4().hex}"
    start = len(abuse_server.output().splitlines())
    # An ordinary request with a query string, a refused one carrying a token, and an unknown path.
    ok = client.post(
        f"{abuse_server.url}?{marker}=1",
        content=json.dumps({"query": SCOPES_QUERY}),
        headers={"content-type": "application/json", "authorization": token},
    )
    assert ok.status_code == 200, ok.text
    assert_refused_for_a_token_in_the_url(client.get(abuse_server.url, params={"token": token, "m": marker}))
    other = client.get(abuse_server.url.replace("/graphql", f"/{marker}"), params={"q": marker})
    http_support.keep_if_error(other)
    assert other.status_code == 404
    abuse_server.wait_for_line(lambda line: '"GET -" 404' in line, start=start)
    logged = "\n".join(abuse_server.output().splitlines()[start:])
    assert '"POST /graphql" 200' in logged, "the access log no longer shows requests"
    assert marker not in logged
    assert token not in logged
