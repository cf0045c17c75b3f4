"""Catalog warning: an Allow whose ``ForAllValues:`` condition a request without the key satisfies. Pure, no I/O.

AWS (IAM condition reference, multivalued context keys): ``ForAllValues:`` is true when the key is missing from
the request (or its values are an empty data set). So an Allow with a ``ForAllValues:`` condition also allows
every request that lacks the key, unless the same statement adds ``Null = {key = ["false"]}`` (the key must be
present). In a Deny the same shape denies more, which fails closed: no warning.

These are warnings in `vend catalog check` (errors with ``--strict``, which CI uses), not load errors: the shape is
valid IAM (AWS's own DynamoDB fine-grained access example uses it), whether it is exploitable depends on whether
any of the statement's actions can come without the key, and a load error would stop a deployed Lambda's cold
start on a catalog that AWS accepts.
"""

from __future__ import annotations

from resolvers.catalog_model import Catalog, Statement
from vend_local.findings import Finding, warning


def set_operator_warnings(catalog: Catalog, source: str) -> list[Finding]:
    findings: list[Finding] = []
    for scope in catalog.scopes.values():
        for i, statement in enumerate(scope.statements):
            where = f"scopes.{scope.name}.statements[{i}]"
            findings.extend(warning(source, message) for message in _statement_warnings(statement, where))
    return findings


def _statement_warnings(statement: Statement, where: str) -> list[str]:
    if statement.effect != "Allow":
        return []
    return [
        f'{where}.conditions."{c.operator}"."{c.key}": ForAllValues is true for a request without {c.key}, '
        f'so this Allow also allows requests that lack it; add conditions.Null."{c.key}" = ["false"] to the '
        "statement"
        for c in statement.conditions
        if c.operator.startswith("ForAllValues:") and not _null_guard(statement, c.key, "false")
    ]


def _null_guard(statement: Statement, key: str, value: str) -> bool:
    """Whether the statement also requires ``Null`` = ``value`` on ``key`` (keys compare case-insensitively)."""
    return any(
        c.operator == "Null"
        and c.key.lower() == key.lower()
        and [t.source.lower() for t in c.values] == [value]
        for c in statement.conditions
    )
