"""AssumeRole's plaintext limits, enforced before STS is called: 2048 characters, Latin-1, ten managed ARNs."""

from __future__ import annotations

import pytest

from resolvers import limits
from resolvers.errors import PolicyTooLarge
from resolvers.policy import check_plaintext, plaintext_used, policy_hash


def policy_of_length(n: int) -> str:
    head, tail = '{"Version":"2012-10-17","Statement":[],"Pad":"', '"}'
    return head + "x" * (n - len(head) - len(tail)) + tail


def test_limit_constants_are_sts() -> None:
    assert (limits.POLICY_PLAINTEXT_MAX, limits.MANAGED_POLICY_ARNS_MAX) == (2048, 10)
    assert (limits.DURATION_MIN, limits.DURATION_MAX_CHAINED, limits.DURATION_MAX_STS) == (900, 3600, 43200)
    assert (limits.SESSION_NAME_MAX, limits.SOURCE_IDENTITY_MAX, limits.SESSION_TAGS_MAX) == (64, 64, 50)


@pytest.mark.parametrize(("length", "ok"), [(2047, True), (2048, True), (2049, False)])
def test_inline_policy_length_limit(length: int, ok: bool) -> None:
    policy = policy_of_length(length)
    assert len(policy) == length
    if ok:
        assert check_plaintext(policy, (), scope="S") == length
    else:
        with pytest.raises(PolicyTooLarge, match="2048-character limit"):
            check_plaintext(policy, (), scope="S")


@pytest.mark.parametrize(("total", "ok"), [(2047, True), (2048, True), (2049, False)])
def test_managed_arns_count_in_the_same_budget(total: int, ok: bool) -> None:
    arn = "arn:aws:iam::123456789012:policy/p"
    policy = policy_of_length(total - len(arn))
    assert plaintext_used(policy, [arn]) == total
    if ok:
        assert check_plaintext(policy, [arn], scope="S") == total
    else:
        with pytest.raises(PolicyTooLarge):
            check_plaintext(policy, [arn], scope="S")


@pytest.mark.parametrize(("count", "ok"), [(9, True), (10, True), (11, False)])
def test_managed_arn_count_limit(count: int, ok: bool) -> None:
    arns = [f"arn:aws:iam::123456789012:policy/p{i}" for i in range(count)]
    if ok:
        assert check_plaintext("{}", arns, scope="S") > 0
    else:
        with pytest.raises(PolicyTooLarge, match="too many managed policies"):
            check_plaintext("{}", arns, scope="S")


@pytest.mark.parametrize("bad", ["", '{"a":"\u2603"}', '{"a":"\x00"}', '{"a":"\x1f"}', '{"a":"\u0100"}'])
def test_characters_sts_refuses_are_refused(bad: str) -> None:
    with pytest.raises(PolicyTooLarge, match="cannot accept"):
        check_plaintext(bad, (), scope="S")


@pytest.mark.parametrize("ok", ['{"a":"\t\n\r"}', '{"a":"\u00ff"}', '{"a":" ~"}'])
def test_latin1_and_whitespace_are_accepted(ok: str) -> None:
    assert check_plaintext(ok, (), scope="S") == len(ok)


def test_error_message_is_browser_safe() -> None:
    with pytest.raises(PolicyTooLarge) as info:
        check_plaintext(policy_of_length(3000), ["arn:aws:iam::123456789012:policy/p"], scope="S")
    assert "arn:" not in str(info.value)
    assert "123456789012" not in str(info.value)


def test_policy_hash_covers_managed_arns() -> None:
    assert policy_hash("{}", []) != policy_hash("{}", ["arn:aws:iam::123456789012:policy/p"])
    assert policy_hash("{}", []) == policy_hash("{}", [])
