"""Catalog lint: refuse templates that would vend dangerous or unbounded grants. Pure, no I/O.

Rules are data (``RULES``-style tables below) so that a review can see them at a glance.
"""

from __future__ import annotations

import re
from typing import Final

from resolvers import variables
from resolvers.catalog_model import Scope, Statement
from resolvers.templates import Template, wildcard_next_to_variable

# Credentials handed to a browser must never manage identities or mint more credentials.
FORBIDDEN_SERVICES: Final = frozenset({"iam", "sts", "organizations", "account"})

# Actions that AWS documents as not supporting resource-level permissions: only these may use a bare "*"
# resource without the scope opting in. Anything not listed is assumed to support resources (fail closed).
NO_RESOURCE_LEVEL_ACTIONS: Final = frozenset(
    {
        "s3:ListAllMyBuckets",
        "dynamodb:ListTables",
        "sqs:ListQueues",
        "sns:ListTopics",
        "cloudwatch:PutMetricData",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "execute-api:Invoke",
    }
)

# STS session tag values: letters, digits, spaces and _.:/=+-@ (ASCII subset of [\p{L}\p{Z}\p{N}_.:/=+\-@]).
TAG_VALUE_CHARS: Final = re.compile(r"[A-Za-z0-9 _.:/=+@-]*")


def lint_scope(scope: Scope, declared_claims: frozenset[str]) -> list[str]:
    where = f"scopes.{scope.name}"
    problems: list[str] = []
    for i, statement in enumerate(scope.statements):
        problems.extend(_lint_statement(statement, f"{where}.statements[{i}]", scope.allow_wildcard_resource))
    for template in scope.templates():
        problems.extend(_lint_variables(template, where, declared_claims))
    for key, template in scope.session_tags:
        if not TAG_VALUE_CHARS.fullmatch(template.literal_text):
            problems.append(
                f"{where}.session_tags.{key}: {template.source!r} has characters STS refuses in a tag value"
            )
    return problems


def _lint_statement(statement: Statement, at: str, wildcard_opt_in: bool) -> list[str]:
    if statement.effect != "Allow":
        return []
    problems: list[str] = []
    if statement.not_actions or statement.not_resources:
        problems.append(
            f"{at}: NotAction/NotResource with Allow grants everything else; use actions/resources"
        )
    for action in statement.actions:
        service = action.split(":", 1)[0].lower()
        if action == "*":
            problems.append(f"{at}.actions: Allow of '*' grants every AWS action; name the actions")
        elif service in FORBIDDEN_SERVICES:
            problems.append(
                f"{at}.actions: {action!r} is refused; vended credentials must not use "
                f"{', '.join(sorted(FORBIDDEN_SERVICES))} actions"
            )
    bare = any(r.source == "*" for r in statement.resources)
    needs_resources = sorted(set(statement.actions) - NO_RESOURCE_LEVEL_ACTIONS)
    if bare and needs_resources and not wildcard_opt_in:
        problems.append(
            f"{at}.resources: bare '*' with {', '.join(needs_resources)}, which support resource-level "
            "permissions; name the resources, or set allow_wildcard_resource = true on the scope"
        )
    return problems


def _lint_variables(template: Template, where: str, declared_claims: frozenset[str]) -> list[str]:
    problems = [
        f"{where}: {template.source!r} uses unknown variable {{{{{name}}}}} (known: "
        f"{', '.join(sorted(variables.BUILTIN))}, claim.<declared claim>)"
        for name in sorted(template.variables)
        if not variables.is_known(name, declared_claims)
    ]
    beside = wildcard_next_to_variable(template)
    if beside is not None:
        problems.append(
            f"{where}: {template.source!r} puts a wildcard right beside {{{{{beside}}}}}, which would also match "
            "other callers' values; put a delimiter such as '/' between them"
        )
    return problems
