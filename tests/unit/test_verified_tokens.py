"""VerifiedTokens: only accepted tokens are remembered, and a remembered one is used only while it would still be
accepted (exp, and the JWKS cache's age), with an injected clock and a counting verifier."""

from __future__ import annotations

from typing import Any

import pytest

from vend_local.jwt_verify import TokenRejected
from vend_local.verified_tokens import MAX_AGE_SECONDS, VerifiedTokens

NOW = 1_800_000_000.0
# Sooner than MAX_AGE_SECONDS, so the exp is what ends an entry unless a test says otherwise.
EXP = int(NOW) + 200


class Verifier:
    def __init__(self, exp: object = EXP) -> None:
        self.calls: list[str | None] = []
        self.exp = exp

    def __call__(self, token: str | None) -> dict[str, Any]:
        self.calls.append(token)
        if token is None or token.startswith("bad"):
            raise TokenRejected("malformed", "test")
        return {"sub": f"sub-of-{token}", "exp": self.exp, "cognito:groups": ["analysts"]}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def tokens(verifier: Verifier, clock: Clock, **kwargs: Any) -> VerifiedTokens:
    return VerifiedTokens(verifier, leeway_seconds=0, clock=clock, **kwargs)


def test_an_accepted_token_is_verified_once_and_then_remembered() -> None:
    verifier, clock = Verifier(), Clock()
    cache = tokens(verifier, clock)
    assert cache.lookup("tok") is None
    assert cache.verify("tok")["sub"] == "sub-of-tok"
    assert cache.lookup("tok") == {"sub": "sub-of-tok", "exp": EXP, "cognito:groups": ["analysts"]}
    assert verifier.calls == ["tok"]


def test_a_refused_token_is_never_remembered() -> None:
    verifier, clock = Verifier(), Clock()
    cache = tokens(verifier, clock)
    for _ in range(2):
        with pytest.raises(TokenRejected):
            cache.verify("bad-token")
        assert cache.lookup("bad-token") is None
    assert verifier.calls == ["bad-token", "bad-token"]
    assert len(cache) == 0


@pytest.mark.parametrize(("at", "remembered"), [(EXP - 1, True), (EXP, False), (EXP + 1, False)])
def test_a_remembered_token_ends_at_its_exp(at: float, remembered: bool) -> None:
    verifier, clock = Verifier(), Clock()
    cache = tokens(verifier, clock)
    cache.verify("tok")
    clock.now = at
    assert (cache.lookup("tok") is not None) is remembered


def test_the_leeway_given_extends_the_exp_by_that_much_only() -> None:
    verifier, clock = Verifier(), Clock()
    cache = VerifiedTokens(verifier, leeway_seconds=30, clock=clock)
    cache.verify("tok")
    clock.now = EXP + 29
    assert cache.lookup("tok") is not None
    clock.now = EXP + 30
    assert cache.lookup("tok") is None


@pytest.mark.parametrize(
    ("age", "remembered"),
    [(MAX_AGE_SECONDS - 1, True), (MAX_AGE_SECONDS, False), (MAX_AGE_SECONDS + 1, False)],
)
def test_a_remembered_token_ends_when_the_key_cache_would_be_refreshed(age: float, remembered: bool) -> None:
    verifier, clock = Verifier(exp=int(NOW) + 10 * 3600), Clock()
    cache = tokens(verifier, clock)
    cache.verify("tok")
    clock.now = NOW + age
    assert (cache.lookup("tok") is not None) is remembered


@pytest.mark.parametrize("exp", [None, "soon", True, [EXP]])
def test_a_token_without_a_numeric_exp_is_not_remembered(exp: object) -> None:
    cache = tokens(Verifier(exp=exp), Clock())
    cache.verify("tok")
    assert cache.lookup("tok") is None


@pytest.mark.parametrize("size", [3, 4, 5])
def test_the_least_recently_used_token_goes_first_past_the_bound(size: int) -> None:
    cache = tokens(Verifier(), Clock(), max_entries=4)
    for n in range(size):
        cache.verify(f"tok{n}")
    assert len(cache) == min(size, 4)
    assert (cache.lookup("tok0") is not None) is (size <= 4)
    assert cache.lookup(f"tok{size - 1}") is not None


def test_a_lookup_hands_out_a_copy() -> None:
    cache = tokens(Verifier(), Clock())
    cache.verify("tok")
    first = cache.lookup("tok")
    assert first is not None
    first["sub"] = "someone-else"
    assert cache.lookup("tok") == {"sub": "sub-of-tok", "exp": EXP, "cognito:groups": ["analysts"]}


@pytest.mark.parametrize("token", [None, ""])
def test_no_token_is_never_looked_up(token: str | None) -> None:
    assert tokens(Verifier(), Clock()).lookup(token) is None
