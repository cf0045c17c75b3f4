"""Threat: a token that AppSync accepted but that is not a Cognito token from our pool and app client
(another pool, another app client, an OIDC provider, an API key, IAM, a Lambda authorizer) gets credentials."""

from __future__ import annotations

from typing import Any

import pytest

from tests import support
from tests.security import harness


@pytest.mark.parametrize(
    ("fixture", "scope"),
    [
        ("foreign_issuer", "S3_OWN_PREFIX"),  # a real Cognito token, from another pool
        ("oidc", "S3_OWN_PREFIX"),  # has a `sub`, so powertools would call it Cognito
        ("api_key", "S3_OWN_PREFIX"),  # identity: null
        ("iam", "S3_OWN_PREFIX"),
        ("lambda_authorizer", "S3_OWN_PREFIX"),
    ],
)
def test_identity_that_is_not_our_user_pool_is_unauthorized(fixture: str, scope: str) -> None:
    outcome = harness.run(harness.event(fixture, scope=scope))
    harness.assert_refused(outcome, "Unauthorized")
    harness.assert_audited(outcome, "Unauthorized")
    assert outcome.telemetry.records[0].sub is None


def test_api_key_request_cannot_list_scopes_either() -> None:
    ev = harness.event("api_key")
    ev["info"] = {**ev["info"], "parentTypeName": "Query", "fieldName": "scopes"}
    ev["arguments"] = {}
    outcome = harness.run(ev)
    assert outcome.envelope["error"]["type"] == "Unauthorized"


def _mutated(**changes: Any) -> dict[str, Any]:
    ev = harness.event(scope="S3_OWN_PREFIX")
    ident = ev["identity"]
    for key, value in changes.items():
        if key.startswith("claims_"):
            ident["claims"][key.removeprefix("claims_").replace("__", ":")] = value
        else:
            ident[key] = value
    return ev


FOREIGN = f"https://cognito-idp.{support.REGION}.amazonaws.com/eu-west-1_Attacker9"

FORGED_IDENTITIES: dict[str, dict[str, Any]] = {
    "issuer from another pool in identity only": {"issuer": FOREIGN},
    "issuer from another pool in the token only": {"claims_iss": FOREIGN},
    "issuer with a trailing slash": {"issuer": support.ISSUER + "/", "claims_iss": support.ISSUER + "/"},
    "issuer with a path suffix": {"issuer": support.ISSUER + "x", "claims_iss": support.ISSUER + "x"},
    "issuer over http": {
        "issuer": support.ISSUER.replace("https", "http"),
        "claims_iss": support.ISSUER.replace("https", "http"),
    },
    "access token for another app client": {"claims_client_id": "otherclientid000000000000"},
    "access token with no client_id": {"claims_client_id": None},
    "client id as a list": {"claims_client_id": [support.CLIENT_ID]},
    "refresh token use": {"claims_token_use": "refresh"},
    "no token use": {"claims_token_use": None},
    "claims missing": {"claims": None},
    "claims as a string": {"claims": "{}"},
    "IAM keys beside Cognito ones": {"accountId": support.ACCOUNT},
    "Lambda-authorizer context beside Cognito": {"resolverContext": {"sub": support.SUB}},
}


@pytest.mark.parametrize("case", sorted(FORGED_IDENTITIES))
def test_forged_or_foreign_cognito_identity_is_unauthorized(case: str) -> None:
    outcome = harness.run(_mutated(**FORGED_IDENTITIES[case]))
    harness.assert_refused(outcome, "Unauthorized")
    harness.assert_audited(outcome, "Unauthorized")


def test_id_token_for_another_app_client_is_unauthorized() -> None:
    ev = harness.event(harness.ID_TOKEN, scope="S3_OWN_PREFIX")
    ev["identity"]["claims"]["aud"] = "otherclientid000000000000"
    harness.assert_refused(harness.run(ev), "Unauthorized")


def test_id_token_with_a_client_id_claim_still_names_its_client_in_aud() -> None:
    # An ID token's client is `aud`; a smuggled `client_id` claim must not stand in for it.
    ev = harness.event(harness.ID_TOKEN, scope="S3_OWN_PREFIX")
    ev["identity"]["claims"]["aud"] = "otherclientid000000000000"
    ev["identity"]["claims"]["client_id"] = support.CLIENT_ID
    harness.assert_refused(harness.run(ev), "Unauthorized")


def test_control_our_pool_and_client_is_granted() -> None:
    harness.assert_granted(harness.run(_mutated()), "S3_OWN_PREFIX")
