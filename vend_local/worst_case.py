"""The synthetic worst-case caller and deployment for the budget check: the longest values the rules allow.
Pure, no I/O.

A claim value is only ever put into a policy verbatim after matching ``variables.CLAIM_BASE`` and the
catalog's own pattern, so the longest value both accept gives the largest policy that scope can render.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from resolvers import variables
from resolvers.catalog_model import Catalog
from resolvers.identity import Caller
from resolvers.settings import Settings
from vend_local.synthetic import make_caller, make_settings, placeholder_role_arns

# Every sub is a 36-character UUID, so any one is as long as the longest.
WORST_SUB: Final = "ffffffff-ffff-4fff-bfff-ffffffffffff"
# S3 bucket names are at most 63 characters.
WORST_BUCKET: Final = "b" * 63
WORST_ACCOUNT: Final = "999999999999"
# The longest region and partition names AWS uses today (14 and 10 characters); the region pattern itself
# has no upper bound, so this is a documented assumption rather than a limit.
WORST_REGION: Final = "ap-southeast-7"
WORST_PARTITION: Final = "aws-us-gov"
# DynamoDB table names are at most 255 characters.
WORST_TABLE_NAME: Final = "t" * 255
WORST_TABLE_ARN: Final = (
    f"arn:{WORST_PARTITION}:dynamodb:{WORST_REGION}:{WORST_ACCOUNT}:table/{WORST_TABLE_NAME}"
)

# Characters CLAIM_BASE accepts; candidates are built only from these.
_BASE_ALPHABET: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
# One or two of each kind of character a pattern tends to allow: lower, upper, digit, '_' and '-'.
_REPRESENTATIVES: Final = "az09AZ_-"
# Fillers either side of a pattern's fixed text; fewer than the alphabet, as this family is the largest.
_SPLIT_FILLS: Final = "az09AZ"
# Characters outside these that follow a backslash are escapes such as \d; the run scanner skips them.
_OPENERS: Final = {"[": "]", "{": "}"}


@dataclass(frozen=True, slots=True)
class WorstCase:
    caller: Caller
    settings: Settings
    # claim variable -> the value used; a claim with no value found is missing here and named in problems.
    claim_values: dict[str, str]
    problems: tuple[str, ...]


def longest_claim_value(pattern: re.Pattern[str]) -> str | None:
    """The longest value that ``CLAIM_BASE`` and ``pattern`` both fully match, or None if none is found.

    Searches down from ``CLAIM_VALUE_MAX`` (the base pattern's own maximum) and returns the first length at
    which a deterministic candidate matches. Candidates are runs of one filler character between a first and
    a last character, alternations of two characters, and the pattern's literal text padded with a filler,
    drawn from representative characters and those the pattern names. That is exact for patterns built from
    character classes and repetitions; a pattern with deeper structure may hide a longer value.
    """
    found = claim_values(pattern, 1)
    return found[0] if found else None


def claim_values(pattern: re.Pattern[str], count: int) -> tuple[str, ...]:
    """Up to ``count`` distinct values that ``CLAIM_BASE`` and ``pattern`` both fully match, longest first,
    found as ``longest_claim_value`` finds its one (fewer when the search finds fewer)."""
    alphabet = _alphabet(pattern.pattern)
    literals = _literal_runs(pattern.pattern)
    found: dict[str, None] = {}
    for length in range(variables.CLAIM_VALUE_MAX, 0, -1):
        for candidate in _candidates(length, alphabet, literals):
            if variables.CLAIM_BASE.fullmatch(candidate) and pattern.fullmatch(candidate):
                found[candidate] = None
                if len(found) == count:
                    return tuple(found)
    return tuple(found)


def worst_case(catalog: Catalog, catalog_path: Path) -> WorstCase:
    """The caller and deployment that make every scope render its largest policy."""
    problems: list[str] = []
    values: dict[str, str] = {}
    for name, declared in sorted(catalog.claims.items()):
        value = longest_claim_value(declared.pattern)
        if value is None:
            problems.append(
                f"claims.{name}.pattern: no value of 1-{variables.CLAIM_VALUE_MAX} characters was found that "
                f"matches both {declared.pattern.pattern!r} and the built-in {variables.CLAIM_BASE.pattern!r}, "
                "so no token could satisfy it; allow only letters, digits, '_' and '-', at most "
                f"{variables.CLAIM_VALUE_MAX} characters"
            )
        else:
            values[name] = value
    caller = make_caller(
        sub=WORST_SUB,
        username="worst-case",
        # Every group any scope names, so that every scope admits this caller and is measured.
        groups=sorted(catalog.groups),
        claims={catalog.claims[name].claim: value for name, value in values.items()},
        token_use="id",  # noqa: S106 - a claim value, not a password
    )
    settings = make_settings(
        catalog,
        catalog_path=catalog_path,
        region=WORST_REGION,
        account=WORST_ACCOUNT,
        bucket=WORST_BUCKET,
        table=WORST_TABLE_ARN,
        role_arns=placeholder_role_arns(catalog, WORST_ACCOUNT),
    )
    return WorstCase(caller=caller, settings=settings, claim_values=values, problems=tuple(problems))


def _alphabet(source: str) -> str:
    named = [c for c in dict.fromkeys(source) if c in _BASE_ALPHABET and c not in _REPRESENTATIVES]
    return _REPRESENTATIVES + "".join(named)


def _literal_runs(source: str) -> tuple[str, ...]:
    """Runs of base characters written outside [...] and {...}: the fixed text a pattern may require."""
    runs: list[str] = []
    current: list[str] = []
    closer = ""
    escaped = False
    for char in source:
        if escaped:
            escaped = False
            if not closer and char in "-_":
                current.append(char)
                continue
        elif char == "\\":
            escaped = True
        elif closer:
            closer = "" if char == closer else closer
            continue
        elif char in _OPENERS:
            closer = _OPENERS[char]
        elif char in _BASE_ALPHABET:
            current.append(char)
            continue
        if current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return tuple(dict.fromkeys(runs))


def _candidates(length: int, alphabet: str, literals: tuple[str, ...]) -> Iterator[str]:
    if length == 1:
        yield from alphabet
        return
    for fill in alphabet:
        for first in alphabet:
            for last in alphabet:
                yield first + fill * (length - 2) + last
    for a in alphabet:
        for b in alphabet:
            yield (a + b) * (length // 2) + a * (length % 2)
    for literal in literals:
        pad = length - len(literal)
        if pad < 0:
            continue
        for fill in alphabet:
            yield literal + fill * pad
            yield fill * pad + literal
        # Fixed text between two runs, such as the '-' in [a-z]{2,8}-[0-9]{4}.
        for before in range(1, pad):
            for left in _SPLIT_FILLS:
                for right in _SPLIT_FILLS:
                    yield left * before + literal + right * (pad - before)
