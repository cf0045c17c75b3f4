"""Parse the explain command's NAME=VALUE options into token claims and role ARNs. Pure, no I/O.

Every problem is collected and reported at once, each naming the option and what to write instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from resolvers.catalog_model import Catalog
from vend_local.access import Question
from vend_local.synthetic import IDENTITY_CLAIMS


class UsageError(Exception):
    """Command-line values that cannot be used; ``problems`` says what to change, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def split_pairs(option: str, pairs: Iterable[str], problems: list[str]) -> dict[str, str]:
    """``["a=1", "b=2"]`` -> ``{"a": "1", "b": "2"}``; a missing '=' or a repeated name is a problem."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            problems.append(f"{option} {pair!r}: write NAME=VALUE, for example {option} {_EXAMPLES[option]}")
        elif name in out:
            problems.append(f"{option} {name}: given twice; give each name once")
        else:
            out[name] = value
    return out


def token_claims(pairs: Iterable[str], catalog: Catalog) -> dict[str, str]:
    """Map ``--claim`` options to token claims.

    A name the catalog declares under [claims] (``tenant``) means that variable's token claim
    (``custom:tenant_id``); any other name is taken as a raw token claim name.
    """
    problems: list[str] = []
    claims: dict[str, str] = {}
    for name, value in split_pairs("--claim", pairs, problems).items():
        declared = catalog.claims.get(name)
        claim = declared.claim if declared is not None else name
        if claim in IDENTITY_CLAIMS:
            problems.append(f"--claim {name}: {claim!r} comes from --sub, --group and --token-use; drop it")
        elif claim in claims:
            problems.append(f"--claim {name}: sets {claim!r}, which another --claim already sets")
        else:
            claims[claim] = value
    if problems:
        raise UsageError(problems)
    return claims


def role_arns(pairs: Iterable[str], defaults: dict[str, str]) -> dict[str, str]:
    """``--role-arn uploads=arn:...`` overrides the placeholder ARN of one catalog role."""
    problems: list[str] = []
    given = split_pairs("--role-arn", pairs, problems)
    if problems:
        raise UsageError(problems)
    return {**defaults, **given}


def question(action: str | None, resource: str | None, context: Iterable[str]) -> Question | None:
    """``--action``/``--resource``/``--context`` as the may-I question, or None when not asked."""
    problems: list[str] = []
    pairs = list(context)
    if action is None and resource is None:
        if pairs:
            problems.append("--context: only with --action and --resource")
            raise UsageError(problems)
        return None
    if action is None or ":" not in action:
        problems.append("--action: give an IAM action such as s3:PutObject, together with --resource")
    if resource is None or not (resource == "*" or resource.startswith("arn:")):
        problems.append("--resource: give the resource ARN, such as arn:aws:s3:::bucket/users/<sub>/a.txt")
    values: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            problems.append(
                f"--context {pair!r}: write KEY=VALUE, for example --context {_EXAMPLES['--context']}"
            )
        else:
            values.setdefault(key, []).append(value)
    if problems:
        raise UsageError(problems)
    return Question(str(action), str(resource), {key: tuple(v) for key, v in values.items()})


_EXAMPLES = {
    "--claim": "tenant=acme",
    "--role-arn": "uploads=arn:aws:iam::123456789012:role/vend-uploads",
    "--context": "s3:prefix=users/",
}
