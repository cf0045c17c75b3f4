"""Threat: a signed-in user outside `analysts` obtains REPORTS_READ by putting group names anywhere but the
verified identity's `groups` (claims, custom attributes, arguments, headers, stash, source)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.security import harness

Mutation = Callable[[dict[str, Any]], None]


def no_groups() -> dict[str, Any]:
    """An access token from our pool, in no group, asking for the analysts-only scope."""
    return harness.event("cognito_groups_null", scope="REPORTS_READ")


def _set(path: tuple[str, ...], value: Any) -> Mutation:
    def mutate(ev: dict[str, Any]) -> None:
        target = ev
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value

    return mutate


SMUGGLED: dict[str, Mutation] = {
    "claims.cognito:groups": _set(("identity", "claims", "cognito:groups"), ["analysts"]),
    "claims.custom:groups": _set(("identity", "claims", "custom:groups"), "analysts"),
    "claims.groups": _set(("identity", "claims", "groups"), ["analysts"]),
    "claims.cognito:roles": _set(("identity", "claims", "cognito:roles"), ["analysts"]),
    "arguments.groups": _set(("arguments", "groups"), ["analysts"]),
    "headers.x-cognito-groups": _set(("request", "headers", "x-cognito-groups"), "analysts"),
    "stash.groups": _set(("stash", "groups"), ["analysts"]),
    "source.groups": _set(("source",), {"groups": ["analysts"]}),
    "prev.result.groups": _set(("prev",), {"result": {"groups": ["analysts"]}}),
    "info.variables.groups": _set(("info", "variables", "groups"), ["analysts"]),
}


@pytest.mark.parametrize("where", sorted(SMUGGLED))
def test_groups_from_anywhere_but_the_verified_identity_are_ignored(where: str) -> None:
    ev = no_groups()
    SMUGGLED[where](ev)
    outcome = harness.run(ev)
    harness.assert_refused(outcome, "ScopeForbidden")
    harness.assert_audited(outcome, "ScopeForbidden")


def test_control_the_same_event_with_verified_groups_is_granted() -> None:
    ev = no_groups()
    ev["identity"]["groups"] = ["analysts"]
    harness.assert_granted(harness.run(ev), "REPORTS_READ")


@pytest.mark.parametrize(
    "groups",
    [
        ["Analysts"],
        ["analysts "],
        ["analysts*"],
        ["*"],
        ["analyst"],
        ["analysts\x00"],
        ["\u0430nalysts"],
    ],  # \u0430: Cyrillic a
    ids=repr,
)
def test_group_names_match_exactly_never_by_pattern_or_case(groups: list[str]) -> None:
    ev = no_groups()
    ev["identity"]["groups"] = groups
    harness.assert_refused(harness.run(ev), "ScopeForbidden")


@pytest.mark.parametrize("groups", ["analysts", {"analysts": True}, [["analysts"]], [1], 1], ids=repr)
def test_groups_of_the_wrong_shape_are_refused_outright(groups: Any) -> None:
    ev = no_groups()
    ev["identity"]["groups"] = groups
    outcome = harness.run(ev)
    harness.assert_refused(outcome, "Unauthorized")
    harness.assert_audited(outcome, "Unauthorized")


def test_scopes_query_says_available_only_for_what_the_verified_groups_admit() -> None:
    ev = harness.event("cognito_groups_null")
    ev["info"] = {**ev["info"], "parentTypeName": "Query", "fieldName": "scopes"}
    ev["arguments"] = {"groups": ["analysts"]}
    ev["identity"]["claims"]["cognito:groups"] = ["analysts"]
    ev["identity"]["claims"]["custom:groups"] = "analysts"
    outcome = harness.run(ev)
    available = {s["name"] for s in outcome.envelope["data"] if s["available"]}
    assert available == {"S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS"}
    reports = next(s for s in outcome.envelope["data"] if s["name"] == "REPORTS_READ")
    assert reports["unavailableReason"] == "NOT_IN_GROUP"
    # The answer never names the groups that would admit the caller
    assert "analysts" not in reports["unavailableMessage"]
