"""The embedded Cognito's run of the deployed token trigger (vend_local/token_trigger.py), on a stand-in for moto's
user pool: access tokens get what resolvers.token_claims answers, ID tokens and other pools are left alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from vend_local import token_trigger

DECLARED = ("custom:tenant_id",)


@dataclass
class User:
    attributes: list[dict[str, str]]


@dataclass
class FakePool:
    """The two methods of moto's CognitoIdpUserPool the trigger uses; records what each token was minted with."""

    users: dict[str, User]
    id: str = "us-east-1_Pool"
    region: str = "us-east-1"
    minted: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)

    def _get_user(self, username: str) -> User:
        return self.users[username]

    def create_jwt(
        self,
        client_id: str,
        username: str,
        token_use: str,
        expires_in: int = 3600,
        extra_data: dict[str, Any] | None = None,
    ) -> tuple[str, int]:
        self.minted.append((token_use, extra_data))
        return f"{token_use}-token", expires_in


def pool() -> FakePool:
    carol = User([{"Name": "custom:tenant_id", "Value": "acme"}, {"Name": "email", "Value": "c@example.com"}])
    return FakePool(users={"carol": carol, "alice": User([{"Name": "email", "Value": "a@example.com"}])})


def test_access_tokens_get_the_declared_claims_on_top_of_moto_s_own_extra_data() -> None:
    p = pool()
    token_trigger.install(p, DECLARED)
    assert p.create_jwt("client", "carol", "access", 900, {"origin_jti": "j", "scope": "s"}) == (
        "access-token",
        900,
    )
    assert p.minted == [("access", {"origin_jti": "j", "scope": "s", "custom:tenant_id": "acme"})]


def test_a_user_without_the_attribute_gets_nothing_added() -> None:
    p = pool()
    token_trigger.install(p, DECLARED)
    p.create_jwt("client", "alice", "access", 900, {"scope": "s"})
    assert p.minted == [("access", {"scope": "s"})]


def test_id_tokens_are_minted_as_moto_makes_them() -> None:
    p = pool()
    token_trigger.install(p, DECLARED)
    p.create_jwt("client", "carol", "id", 900, {"custom:tenant_id": "acme"})
    assert p.minted == [("id", {"custom:tenant_id": "acme"})]


def test_the_event_is_the_v2_shape_with_the_stored_attributes() -> None:
    event = token_trigger.trigger_event(pool(), "carol", "client")
    assert event["version"] == "2"
    assert event["request"]["userAttributes"] == {"custom:tenant_id": "acme", "email": "c@example.com"}
    assert event["userPoolId"] == "us-east-1_Pool"
    assert event["callerContext"]["clientId"] == "client"


def test_only_the_pool_it_was_installed_on_changes() -> None:
    installed, other = pool(), pool()
    token_trigger.install(installed, DECLARED)
    other.create_jwt("client", "carol", "access", 900, {})
    assert other.minted == [("access", {})]


def test_a_moto_without_create_jwt_refuses_to_start_instead_of_minting_tokens_without_claims() -> None:
    class Changed:
        id = "p"
        region = "r"

    with pytest.raises(RuntimeError, match="create_jwt"):
        token_trigger.install(Changed(), DECLARED)  # type: ignore[arg-type]
