"""cognito_rules: an app client's read and write attributes, with Cognito's defaults. Pure, table-driven."""

from __future__ import annotations

import pytest

from vend_local.cognito_rules import (
    NO_ACCESS,
    STANDARD_ATTRIBUTES,
    VERIFICATION_ATTRIBUTES,
    client_access,
)

ATTRIBUTES = [
    {"Name": "sub", "Value": "11111111-2222-4333-8444-555555555555"},
    {"Name": "email", "Value": "carol@example.com"},
    {"Name": "email_verified", "Value": "true"},
    {"Name": "custom:tenant_id", "Value": "acme"},
]


def test_an_explicit_client_reads_and_writes_exactly_its_lists() -> None:
    access = client_access(["email", "custom:tenant_id"], ["email"])
    assert access.may_write(["email"])
    assert not access.may_write(["custom:tenant_id"])
    assert not access.may_write(["email", "custom:tenant_id"])  # all or nothing
    assert [a["Name"] for a in access.readable_only(ATTRIBUTES)] == ["sub", "email", "custom:tenant_id"]


def test_cognitos_defaults_cover_standard_attributes_and_no_custom_one() -> None:
    unsets: tuple[list[str] | None, ...] = (None, [])
    for unset in unsets:
        access = client_access(unset, unset)
        assert access.readable == STANDARD_ATTRIBUTES | VERIFICATION_ATTRIBUTES | {"sub"}
        assert access.writable == STANDARD_ATTRIBUTES
        assert not access.may_write(["custom:tenant_id"])
        assert not access.may_write(["email_verified"])
        assert "custom:tenant_id" not in {a["Name"] for a in access.readable_only(ATTRIBUTES)}


@pytest.mark.parametrize("lists", [(["sub"], ["sub"]), (None, None), (["email"], ["email"])])
def test_sub_is_always_readable_and_never_writable(lists: tuple[list[str] | None, list[str] | None]) -> None:
    access = client_access(*lists)
    assert "sub" in access.readable
    assert not access.may_write(["sub"])


def test_id_token_claims_lose_only_unreadable_attributes() -> None:
    access = client_access(["email"], None)
    claims = {"sub": "s", "aud": "client", "cognito:groups": ["g"], "email": "e", "custom:tenant_id": "acme"}
    names = {"sub", "email", "custom:tenant_id"}
    assert access.readable_claims(claims, names) == {
        "sub": "s",
        "aud": "client",
        "cognito:groups": ["g"],
        "email": "e",
    }


def test_an_unknown_client_reads_only_sub_and_writes_nothing() -> None:
    assert [a["Name"] for a in NO_ACCESS.readable_only(ATTRIBUTES)] == ["sub"]
    assert not NO_ACCESS.may_write(["email"])
    assert NO_ACCESS.may_write([])
