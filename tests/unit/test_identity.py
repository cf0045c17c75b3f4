"""Only Cognito user pool identities from our pool and app clients become a Caller; everything else is refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from resolvers.errors import Unauthorized
from resolvers.identity import SIGN_IN_MESSAGE, caller_from_identity
from tests import support


def parse(identity: object) -> Any:
    return caller_from_identity(identity, issuer=support.ISSUER, client_ids=frozenset({support.CLIENT_ID}))


def fixture_identity(name: str) -> Any:
    return support.load_event(name)["identity"]


def test_access_token_identity() -> None:
    caller = parse(fixture_identity("cognito_access_token"))
    assert (caller.sub, caller.token_use, caller.client_id) == (support.SUB, "access", support.CLIENT_ID)
    assert caller.groups == {"analysts"}
    assert caller.username == "alice"


def test_id_token_identity_names_its_client_in_aud() -> None:
    caller = parse(fixture_identity("cognito_id_token"))
    assert (caller.token_use, caller.client_id) == ("id", support.CLIENT_ID)
    assert caller.claims["custom:tenant_id"] == "acme"


def test_groups_null_means_no_groups() -> None:
    assert parse(fixture_identity("cognito_groups_null")).groups == frozenset()


@pytest.mark.parametrize("name", ["api_key", "iam", "oidc", "foreign_issuer", "lambda_authorizer"])
def test_non_cognito_or_foreign_identities_are_refused(name: str) -> None:
    with pytest.raises(Unauthorized) as info:
        parse(fixture_identity(name))
    assert str(info.value) == SIGN_IN_MESSAGE


def mutated(path: tuple[str, ...], value: object) -> dict[str, Any]:
    ident: dict[str, Any] = copy.deepcopy(fixture_identity("cognito_access_token"))
    target = ident
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return ident


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("claims", "iss"), "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"),
        (("issuer",), KeyError),
        (("claims",), KeyError),
        (("claims",), "not a mapping"),
        (("sub",), "11111111-2222-4333-8444-55555555555"),  # one digit short
        (("sub",), "11111111-2222-4333-8444-555555555555 "),
        (("sub",), "99999999-8888-4777-8666-555555555555"),  # differs from the token's sub
        (("sub",), 7),
        (("claims", "token_use"), "refresh"),
        (("claims", "token_use"), KeyError),
        (("claims", "client_id"), "someotherclient"),
        (("claims", "client_id"), KeyError),
        (("groups",), "analysts"),
        (("groups",), [["analysts"]]),
        (("resolverContext",), {}),
        (("userArn",), "arn:aws:sts::123456789012:assumed-role/x/y"),
    ],
)
def test_malformed_cognito_identities_are_refused(path: tuple[str, ...], value: object) -> None:
    with pytest.raises(Unauthorized):
        parse(mutated(path, value))


def test_groups_never_come_from_claims_the_identity_does_not_carry() -> None:
    # AppSync derives identity.groups from the verified token; a look-alike claim does not add a group.
    ident = mutated(("groups",), None)
    ident["claims"]["custom:groups"] = "analysts"
    assert parse(ident).groups == frozenset()


def test_group_names_we_would_never_grant_are_dropped() -> None:
    assert parse(mutated(("groups",), ["analysts", "bad group", "*"])).groups == {"analysts"}


def test_claims_are_read_only() -> None:
    caller = parse(fixture_identity("cognito_access_token"))
    with pytest.raises(TypeError):
        caller.claims["sub"] = "x"
