"""The fixed vocabulary of template variables and the pattern each value must match. Pure, no I/O.

A value reaches a policy only after a full match against its pattern; it is never escaped or trimmed. Every
pattern excludes IAM wildcards (``*``, ``?``), policy-variable syntax (``$``, ``{``, ``}``), quotes,
backslashes, whitespace and anything outside ASCII, so no value can widen the resource it is put into.
"""

from __future__ import annotations

import re
from typing import Final

# Cognito subs are lowercase UUIDs and never change.
SUB: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Deployment settings, validated once at cold start.
SETTINGS: Final[dict[str, re.Pattern[str]]] = {
    # S3 bucket naming rules, minus dots next to each other.
    "bucket": re.compile(r"(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"),
    "table_arn": re.compile(
        r"arn:aws[a-z-]*:dynamodb:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:table/[A-Za-z0-9_.-]{3,255}"
    ),
    "account": re.compile(r"\d{12}"),
    "region": re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d"),
}

# Placeholders whose value is itself an ARN, so a resource may start with one.
ARN_PLACEHOLDERS: Final = ("{{table_arn}}",)

# Every claim value must match this before the catalog's own, narrower pattern is even tried: no '/', '.',
# wildcards, '$', braces, quotes or non-ASCII can get through, whatever pattern a catalog author writes.
CLAIM_BASE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
CLAIM_VALUE_MAX: Final = 64

CLAIM_PREFIX: Final = "claim."
BUILTIN: Final = frozenset({"sub", *SETTINGS})


def is_known(name: str, declared_claims: frozenset[str]) -> bool:
    """Whether ``name`` is in the vocabulary: a built-in, or ``claim.<n>`` for a claim the catalog declares."""
    if name in BUILTIN:
        return True
    return name.startswith(CLAIM_PREFIX) and name.removeprefix(CLAIM_PREFIX) in declared_claims
