"""Shared test data for the operator CLI tests: the golden caller, a runner for `vend`, catalog builders."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest

from vend_local.cli import main

REPO: Final = Path(__file__).resolve().parents[2]
GOLDEN: Final = REPO / "tests" / "golden"
EXAMPLE_CATALOG: Final = REPO / "resolvers" / "catalog.toml"
EXAMPLE_SCHEMA: Final = REPO / "schema.graphql"

# The caller the golden policies were written for (see tests/golden/).
SUB: Final = "11111111-2222-4333-8444-555555555555"
GROUP: Final = "analysts"
TENANT: Final = "acme"
EXAMPLE_SCOPES: Final = ("S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "REPORTS_READ", "TENANT_FILES")


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def vend(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    """Run `vend ARGV` in-process; argparse's own exits (usage, --help) become a Result too."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def golden_policy(scope: str) -> Any:
    path = GOLDEN / f"{scope}.json"
    assert path.is_file(), f"missing golden policy {path}: it is written by hand, never by explain"
    return json.loads(path.read_text(encoding="utf-8"))


def compact_length(document: Any) -> int:
    """AssumeRole's count for a policy sent compact with sorted keys (the documented serialisation)."""
    return len(json.dumps(document, separators=(",", ":"), sort_keys=True))


def one_scope_catalog(resource: str, *, extra: str = "") -> str:
    """A valid catalog with one scope and one literal resource, for size-controlled tests."""
    return f"""
[scopes.BIG]
description = "A scope whose size the test controls."
any_signed_in_user = true
role = "files"
max_duration_seconds = 900
{extra}
[[scopes.BIG.statements]]
sid = "S"
effect = "Allow"
actions = ["s3:GetObject"]
resources = ["{resource}"]
"""


def one_scope_policy(resource: str) -> dict[str, Any]:
    """The session policy ``one_scope_catalog(resource)`` must render, written out by hand."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "S", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [resource]}],
    }


def schema_with_scopes(*names: str) -> str:
    values = "\n".join(f"  {name}" for name in names)
    return f'"""A scope."""\nenum Scope {{\n{values}\n}}\n\ntype Query {{ scopes: [Scope!]! @aws_cognito_user_pools }}\n'
