"""The worst-case caller: the longest claim value two patterns both accept, and the longest deployment names."""

from __future__ import annotations

import re

import pytest

from resolvers import variables
from resolvers.catalog import load_catalog
from tests.cli.helpers import EXAMPLE_CATALOG
from vend_local.worst_case import (
    WORST_BUCKET,
    WORST_TABLE_ARN,
    WORST_TABLE_NAME,
    claim_values,
    longest_claim_value,
    worst_case,
)


@pytest.mark.parametrize(
    ("pattern", "length"),
    [
        (r"[a-z0-9][a-z0-9-]{1,30}[a-z0-9]", 32),  # the example catalog's tenant pattern
        (r"[a-z]+", 64),  # unbounded: CLAIM_BASE's 64 is the limit
        (r".*", 64),
        (r"[a-z]{63}", 63),  # limit-1
        (r"[a-z]{64}", 64),  # limit
        (r"[a-z]{1,64}", 64),
        (r"[0-9]{4}", 4),
        (r"x", 1),
        (r"a|bb", 2),
        (r"acme|globex", 6),
        (r"[A-Z][a-z]{0,9}", 10),
        (r"t-[0-9]{4}", 6),
        (r"[a-z]{2,8}-[0-9]{4}", 13),
        (r"[0-9a-f]{8}-[0-9a-f]{4}", 13),
        (r"[a-z]+(?:_[a-z]+)*", 64),
        (r"\d{3}-\d{2}", 6),
    ],
)
def test_the_longest_value_both_patterns_accept(pattern: str, length: int) -> None:
    value = longest_claim_value(re.compile(pattern))

    assert value is not None
    assert len(value) == length
    assert re.fullmatch(pattern, value)
    assert variables.CLAIM_BASE.fullmatch(value)


@pytest.mark.parametrize(
    "pattern",
    [
        r"[a-z]{65}",  # limit+1: longer than CLAIM_BASE allows
        r"[a-z]{65,}",
        r"[.]+",  # '.' is never in a claim value
        r"-[a-z]+",  # CLAIM_BASE needs a letter or digit first
        r"[a-z]*\*",  # a wildcard is never in a claim value
        r"é+",  # nor anything outside ASCII
    ],
)
def test_no_value_when_the_patterns_cannot_agree(pattern: str) -> None:
    assert longest_claim_value(re.compile(pattern)) is None


@pytest.mark.parametrize(
    ("setting", "value", "valid"),
    [
        ("bucket", "b" * 62, True),
        ("bucket", "b" * 63, True),
        ("bucket", "b" * 64, False),
    ],
)
def test_63_is_the_longest_bucket_name(setting: str, value: str, valid: bool) -> None:
    assert bool(variables.SETTINGS[setting].fullmatch(value)) is valid


def test_the_worst_deployment_uses_the_longest_names() -> None:
    assert len(WORST_BUCKET) == 63
    assert len(WORST_TABLE_NAME) == 255
    assert variables.SETTINGS["bucket"].fullmatch(WORST_BUCKET)
    assert variables.SETTINGS["table_arn"].fullmatch(WORST_TABLE_ARN)


def test_the_example_catalog_worst_case() -> None:
    catalog = load_catalog(EXAMPLE_CATALOG)

    worst = worst_case(catalog, EXAMPLE_CATALOG)

    assert worst.problems == ()
    assert {name: len(value) for name, value in worst.claim_values.items()} == {"tenant": 32}
    assert worst.caller.claims["custom:tenant_id"] == worst.claim_values["tenant"]
    assert worst.caller.groups == frozenset({"analysts"})
    assert worst.settings.deployment["bucket"] == WORST_BUCKET
    assert worst.settings.deployment["table_arn"] == WORST_TABLE_ARN
    assert set(worst.settings.role_arns) == {"uploads", "data"}


@pytest.mark.parametrize(
    ("pattern", "count", "expected"),
    [
        ("[a-z]{2,3}", 2, ("aaa", "aaz")),
        ("acme", 2, ("acme",)),  # a pattern with one value gives one
        ("acme|globex", 3, ("globex", "acme")),  # longest first
        ("(?!)", 2, ()),  # a pattern no value matches gives none
    ],
)
def test_claim_values_are_distinct_matching_values_longest_first(
    pattern: str, count: int, expected: tuple[str, ...]
) -> None:
    assert claim_values(re.compile(pattern), count) == expected
