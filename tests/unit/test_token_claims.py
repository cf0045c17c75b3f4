"""The pre token generation trigger (resolvers/token_claims.py): V2_0 answers that add the declared claims from the
user's stored attributes, and nothing else. Its cold start and handler run in a fresh interpreter, as in Lambda."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolvers.token_claims import ENV, RESERVED, claims_to_add, declared_claims, respond
from tests import support
from tests.fuzzing import examples

DECLARED = ("custom:tenant_id",)


def v2_event(attributes: Any, **request: Any) -> dict[str, Any]:
    """A V2_0 event as Cognito sends it (the shape of AWS's documented example)."""
    return {
        "version": "2",
        "triggerSource": "TokenGeneration_Authentication",
        "region": "eu-west-1",
        "userPoolId": "eu-west-1_Abc123",
        "userName": "carol",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client"},
        "request": {
            "userAttributes": attributes,
            "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None},
            "scopes": ["aws.cognito.signin.user.admin"],
            **request,
        },
        "response": {"claimsAndScopeOverrideDetails": None},
    }


def added(event: dict[str, Any]) -> dict[str, str]:
    details = event["response"]["claimsAndScopeOverrideDetails"]
    assert set(details) == {"accessTokenGeneration"}, "the ID token and groups are left as Cognito makes them"
    assert set(details["accessTokenGeneration"]) == {"claimsToAddOrOverride"}
    result: dict[str, str] = details["accessTokenGeneration"]["claimsToAddOrOverride"]
    return result


def test_the_declared_claim_is_copied_from_the_user_s_attributes() -> None:
    attributes = {
        "sub": "11111111-2222-4333-8444-555555555555",
        "email": "c@example.com",
        "custom:tenant_id": "acme",
    }
    assert added(respond(v2_event(attributes), DECLARED)) == {"custom:tenant_id": "acme"}


@pytest.mark.parametrize(
    "attributes",
    [
        {},
        {"custom:tenant_id": None},
        {"custom:tenant_id": 7},
        {"custom:tenant_id": ["acme"]},
        {"custom:tenant": "acme", "custom:tenant_id ": "acme", "Custom:tenant_id": "acme"},
        None,
        ["custom:tenant_id", "acme"],
    ],
    ids=repr,
)
def test_nothing_is_added_for_a_user_without_the_attribute(attributes: Any) -> None:
    assert added(respond(v2_event(attributes), DECLARED)) == {}


def test_undeclared_attributes_never_reach_the_token() -> None:
    attributes = {
        "custom:tenant_id": "acme",
        "custom:role": "admin",
        "email": "c@example.com",
        "cognito:groups": "x",
    }
    assert added(respond(v2_event(attributes), DECLARED)) == {"custom:tenant_id": "acme"}
    assert added(respond(v2_event(attributes), ())) == {}


def test_client_metadata_is_never_a_source() -> None:
    # clientMetadata is whatever the app sent with InitiateAuth: attacker input.
    event = v2_event({}, clientMetadata={"custom:tenant_id": "other-tenant"})
    assert added(respond(event, DECLARED)) == {}


@pytest.mark.parametrize("version", ["1", "3", 2, None, ""])
def test_any_other_event_version_is_answered_unchanged(version: object) -> None:
    event = v2_event({"custom:tenant_id": "acme"})
    event["version"] = version
    before = copy.deepcopy(event)
    assert respond(event, DECLARED) == before


@pytest.mark.parametrize("event", [None, [], "event"], ids=repr)
def test_what_is_not_an_event_is_answered_unchanged(event: Any) -> None:
    assert respond(event, DECLARED) == event


@pytest.mark.parametrize("request_part", [None, "x", [], {}], ids=repr)
def test_a_v2_event_without_a_usable_request_adds_nothing(request_part: Any) -> None:
    event: dict[str, Any] = {"version": "2"}
    if request_part is not None:
        event["request"] = request_part
    assert added(respond(event, DECLARED)) == {}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[]", ()),
        ('["custom:tenant_id"]', ("custom:tenant_id",)),
        ('["custom:b", "custom:a", "custom:b"]', ("custom:a", "custom:b")),
    ],
)
def test_the_setting_is_a_json_list_of_names(raw: str, expected: tuple[str, ...]) -> None:
    assert declared_claims(raw) == expected


@pytest.mark.parametrize(
    "raw", ['"custom:tenant_id"', "{}", "[1]", '[""]', '["sub"]', '["custom:a", "cognito:groups"]']
)
def test_a_bad_setting_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=ENV):
        declared_claims(raw)


attribute_names = st.one_of(
    st.sampled_from(["custom:tenant_id", "custom:x", "email", *sorted(RESERVED)]), st.text(max_size=12)
)
attribute_values = st.one_of(
    st.text(max_size=20), st.none(), st.integers(), st.lists(st.text(max_size=3), max_size=2)
)


@settings(max_examples=examples(200), deadline=None)
@given(
    attributes=st.dictionaries(attribute_names, attribute_values, max_size=8),
    declared=st.lists(st.sampled_from(["custom:tenant_id", "custom:x", "email"]), max_size=3, unique=True),
)
def test_only_declared_string_attributes_are_copied_verbatim(
    attributes: dict[str, Any], declared: list[str]
) -> None:
    got = claims_to_add(attributes, tuple(declared))
    assert set(got) <= set(declared)
    assert not set(got) & RESERVED
    for name, value in got.items():
        assert attributes[name] == value
    assert {n for n in declared if isinstance(attributes.get(n), str)} == set(got)


def _run_handler(setting: str, event: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """The module as Lambda runs it: a fresh interpreter, the setting in the environment, handler(event, None)."""
    code = (
        "import json, sys\n"
        "from resolvers import token_claims\n"
        "print(json.dumps(token_claims.handler(json.loads(sys.stdin.read()), None)))\n"
    )
    return subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        env={**os.environ, ENV: setting},
        timeout=60,
        check=False,
    )


def test_the_handler_reads_its_setting_at_cold_start() -> None:
    done = _run_handler(
        '["custom:tenant_id"]', v2_event({"custom:tenant_id": "acme", "custom:role": "admin"})
    )
    assert done.returncode == 0, done.stderr
    assert added(json.loads(done.stdout)) == {"custom:tenant_id": "acme"}


def test_a_malformed_setting_fails_the_cold_start_instead_of_guessing() -> None:
    done = _run_handler('["sub"]', v2_event({"custom:tenant_id": "acme"}))
    assert done.returncode != 0
    assert "VEND_TOKEN_CLAIMS names claims Cognito reserves: sub" in done.stderr


def test_the_catalog_hands_the_trigger_its_declared_claims_but_never_one_cognito_sets() -> None:
    catalog = support.catalog()
    assert catalog.token_claims == ("custom:tenant_id",)
    tenant = catalog.claims["tenant"]
    declared = {"t": "custom:tenant_id", "u": "cognito:username", "s": "sub", "e": "email"}
    widened = replace(catalog, claims={k: replace(tenant, name=k, claim=v) for k, v in declared.items()})
    assert widened.token_claims == ("custom:tenant_id", "email")
