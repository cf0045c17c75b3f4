"""The plaintext-budget rule: warn from 1844 of 2048 characters (90%, rounded up), fail above 2048."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resolvers.catalog import parse_catalog
from resolvers.catalog_model import Catalog
from tests.cli.helpers import compact_length, one_scope_catalog, one_scope_policy
from vend_local.budget import Usage, check_budget, warn_threshold
from vend_local.worst_case import worst_case

PREFIX = "arn:aws:s3:::"
ARN = "arn:aws:iam::{{account}}:policy/p"
# Every account id has 12 digits, so the rendered ARN's length does not depend on which one.
ARN_LENGTH = len("arn:aws:iam::123456789012:policy/p")


def _catalog(text: str) -> Catalog:
    return parse_catalog(tomllib.loads(text), source="test.toml", version="test")


def _resource_for(total: int, *, fixed: int = 0) -> str:
    """A literal resource that makes the one-scope policy, plus ``fixed`` more characters, total ``total``."""
    return PREFIX + "x" * (total - fixed - compact_length(one_scope_policy(PREFIX)))


def _check(catalog: Catalog) -> tuple[list[Usage], list[tuple[str, str]]]:
    usages, findings = check_budget(catalog, worst_case(catalog, Path("test.toml")), source="test.toml")
    return usages, [(f.severity, f.message) for f in findings]


def test_the_threshold_is_90_percent_of_2048_rounded_up() -> None:
    # 90% of 2048 is 1843.2: 1843 characters are below it, 1844 are not.
    assert warn_threshold() == 1844
    assert warn_threshold(100) == 90
    assert warn_threshold(101) == 91


@pytest.mark.parametrize(
    ("used", "severities"),
    [
        (1843, []),  # threshold-1
        (1844, ["warning"]),  # threshold
        (1845, ["warning"]),  # threshold+1
        (2047, ["warning"]),
        (2048, ["warning"]),  # AssumeRole's limit: still accepted
    ],
)
def test_the_warning_fires_at_the_threshold_and_not_below(used: int, severities: list[str]) -> None:
    resource = _resource_for(used)
    assert compact_length(one_scope_policy(resource)) == used

    usages, findings = _check(_catalog(one_scope_catalog(resource)))

    assert usages == [Usage("BIG", used)]
    assert [severity for severity, _ in findings] == severities
    for _, message in findings:
        assert message.startswith(
            f"scopes.BIG: the worst-case caller uses {used} of 2048 plaintext characters"
        )


def test_over_2048_is_an_error_naming_the_scope() -> None:
    usages, findings = _check(_catalog(one_scope_catalog(_resource_for(2049))))

    assert usages == []
    assert len(findings) == 1
    severity, message = findings[0]
    assert severity == "error"
    assert message.startswith("scopes.BIG: AssumeRole would refuse the worst-case caller: PolicyTooLarge:")
    assert "(2049 characters)" in message


@pytest.mark.parametrize(("used", "warns"), [(1843, False), (1844, True)])
def test_managed_policy_arns_count_against_the_budget(used: int, warns: bool) -> None:
    text = one_scope_catalog(_resource_for(used, fixed=ARN_LENGTH), extra=f'managed_policy_arns = ["{ARN}"]')

    usages, findings = _check(_catalog(text))

    assert usages == [Usage("BIG", used)]
    assert bool(findings) is warns


@pytest.mark.parametrize(("used", "warns"), [(1843, False), (1844, True)])
def test_the_longest_claim_value_is_measured(used: int, warns: bool) -> None:
    # GIVEN a resource ending in a claim whose pattern allows 10 characters at most
    claim = '[claims.t]\nclaim = "custom:t"\npattern = "[a-z]{1,10}"\ndescription = "A ten-letter claim."\n'
    resource = _resource_for(used, fixed=len("/") + 10) + "/{{claim.t}}"

    # WHEN the worst case is rendered
    usages, findings = _check(_catalog(claim + one_scope_catalog(resource)))

    # THEN it used a 10-character value: a shorter one would stay under the line
    assert usages == [Usage("BIG", used)]
    assert bool(findings) is warns
