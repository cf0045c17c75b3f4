"""`vend catalog check` end to end, in-process: every error at once, the enum, the budget, readable failures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import pytest

from tests.cli.helpers import (
    EXAMPLE_CATALOG,
    EXAMPLE_SCHEMA,
    EXAMPLE_SCOPES,
    SUB,
    compact_length,
    golden_policy,
    one_scope_catalog,
    one_scope_policy,
    schema_with_scopes,
    vend,
)

BROKEN: Final = """
[claims.tenant]
claim = "custom:tenant_id"
pattern = "[a-z"
description = "Tenant."

[scopes.lower]
description = "A scope name that is not an enum value."
any_signed_in_user = true
role = "files"
max_duration_seconds = 900

[[scopes.lower.statements]]
sid = "A"
effect = "Allow"
actions = ["s3:GetObject"]
resources = ["arn:aws:s3:::b/*"]

[scopes.TOO_LONG]
description = "A session longer than role chaining allows."
groups = ["analysts"]
role = "files"
max_duration_seconds = 7200

[[scopes.TOO_LONG.statements]]
sid = "B"
effect = "Allow"
actions = ["s3:GetObject"]
resources = ["arn:aws:s3:::b/*"]

[scopes.NO_ROLE]
description = "No role, and a misspelt field."
any_signed_in_user = true
max_duration_seconds = 900
colour = "blue"

[[scopes.NO_ROLE.statements]]
sid = "C"
effect = "Allow"
actions = ["s3:GetObject"]
resources = ["arn:aws:s3:::b/*"]

[scopes.MINTS_USERS]
description = "Grants an IAM action."
any_signed_in_user = true
role = "files"
max_duration_seconds = 900

[[scopes.MINTS_USERS.statements]]
sid = "D"
effect = "Allow"
actions = ["iam:CreateUser"]
resources = ["arn:aws:iam::123456789012:user/x"]
"""

# One line per problem, in the catalog's order: what the check must print for BROKEN, all in one run.
BROKEN_PROBLEMS: Final = [
    "claims.tenant.pattern: not a valid regular expression",
    "scopes.lower: scope name must be a GraphQL enum value",
    "scopes.TOO_LONG.max_duration_seconds: 7200 is outside 900-3600",
    "scopes.NO_ROLE: unknown field 'colour'",
    "scopes.NO_ROLE.role: required",
    "scopes.MINTS_USERS.statements[0].actions: 'iam:CreateUser' is refused",
]


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_catalog_passes_and_names_its_largest_worst_case(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Expected sizes come from the hand-written golden policies with the worst-case values put in by hand:
    # a 63-character bucket, a 255-character table name, another 36-character sub, a 32-character tenant.
    replacements = {
        "arn:aws:dynamodb:eu-west-1:123456789012:table/vend-example-items": (
            "arn:aws-us-gov:dynamodb:ap-southeast-7:999999999999:table/" + "t" * 255
        ),
        "vend-example-uploads": "b" * 63,
        SUB: "ffffffff-ffff-4fff-bfff-ffffffffffff",
        "tenants/acme/": "tenants/" + "a" * 32 + "/",
    }
    sizes = {}
    for scope in EXAMPLE_SCOPES:
        text = json.dumps(golden_policy(scope))
        for old, new in replacements.items():
            text = text.replace(old, new)
        sizes[scope] = compact_length(json.loads(text))
    largest = max(sizes, key=lambda s: sizes[s])

    result = vend(capsys, "catalog", "check", str(EXAMPLE_CATALOG), "--schema", str(EXAMPLE_SCHEMA))

    assert (result.code, result.err) == (0, "")
    assert result.out == (
        f"{EXAMPLE_CATALOG}: 4 scope(s), 0 error(s), 0 warning(s); "
        f"largest worst-case policy {largest} at {sizes[largest]} of 2048\n"
    )


def test_a_broken_catalog_reports_all_of_its_errors_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, "catalog.toml", BROKEN)

    result = vend(capsys, "catalog", "check", str(path), "--schema", str(EXAMPLE_SCHEMA))

    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == len(BROKEN_PROBLEMS) + 1
    for line, problem in zip(lines, BROKEN_PROBLEMS, strict=False):
        assert line.startswith(f"{path}: error: {problem}")
    assert lines[-1] == f"{path}: 6 error(s); fix them and run the check again"
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read the catalog: No such file or directory"),
        (b"[scopes.A\n", "not valid TOML"),
        (b"\xff\xfe", "not valid TOML"),
        (b"", "scopes: the catalog must define at least one scope"),
    ],
)
def test_an_unreadable_catalog_is_one_readable_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None, problem: str
) -> None:
    path = tmp_path / "catalog.toml"
    if content is not None:
        path.write_bytes(content)

    result = vend(capsys, "catalog", "check", str(path), "--schema", str(EXAMPLE_SCHEMA))

    assert result.code == 1
    assert result.out.startswith(f"{path}: error: {problem}")
    assert result.out.endswith(f"{path}: 1 error(s); fix them and run the check again\n")
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize(
    ("scopes", "problems"),
    [
        (EXAMPLE_SCOPES, []),
        (
            (*EXAMPLE_SCOPES[:3], "TENANT_FILE"),
            [
                "enum Scope lacks TENANT_FILES, which the catalog defines",
                "enum Scope has TENANT_FILE, which the catalog does not define",
            ],
        ),
    ],
)
def test_the_scope_enum_must_match_the_catalog(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scopes: tuple[str, ...], problems: list[str]
) -> None:
    schema = _write(tmp_path, "schema.graphql", schema_with_scopes(*scopes))

    result = vend(capsys, "catalog", "check", str(EXAMPLE_CATALOG), "--schema", str(schema))

    assert result.code == (1 if problems else 0)
    findings = result.out.splitlines()[:-1]
    assert len(findings) == len(problems)
    for line, problem in zip(findings, problems, strict=True):
        assert line.startswith(f"{schema}: error: {problem}")
        assert line.endswith("run `make schema` and commit schema.graphql")


def test_a_missing_schema_says_how_to_point_at_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"

    result = vend(capsys, "catalog", "check", str(EXAMPLE_CATALOG), "--schema", str(schema))

    assert result.code == 1
    assert result.out.startswith(
        f"{schema}: error: cannot read the schema (No such file or directory); pass --schema PATH or run "
        "`make schema`\n"
    )


@pytest.mark.parametrize(
    ("used", "strict", "code", "warnings"),
    [
        (1843, False, 0, 0),
        (1843, True, 0, 0),
        (1844, False, 0, 1),
        (1844, True, 1, 1),
    ],
)
def test_budget_warnings_pass_unless_strict(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, *, used: int, strict: bool, code: int, warnings: int
) -> None:
    prefix = "arn:aws:s3:::"
    resource = prefix + "x" * (used - compact_length(one_scope_policy(prefix)))
    catalog = _write(tmp_path, "catalog.toml", one_scope_catalog(resource))
    schema = _write(tmp_path, "schema.graphql", schema_with_scopes("BIG"))

    result = vend(
        capsys, "catalog", "check", str(catalog), "--schema", str(schema), *(["--strict"] if strict else [])
    )

    assert result.code == code
    lines = result.out.splitlines()
    assert len(lines) == warnings + 1
    if warnings:
        assert lines[0].startswith(
            f"{catalog}: warning: scopes.BIG: the worst-case caller uses {used} of 2048"
        )
    assert lines[-1] == (
        f"{catalog}: 1 scope(s), 0 error(s), {warnings} warning(s); largest worst-case policy BIG at {used} of 2048"
    )


def test_a_claim_no_token_can_satisfy_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    claim = '[claims.t]\nclaim = "custom:t"\npattern = "[a-z]{65}"\ndescription = "Longer than any claim."\n'
    catalog = _write(tmp_path, "catalog.toml", claim + one_scope_catalog("arn:aws:s3:::b/{{claim.t}}/*"))
    schema = _write(tmp_path, "schema.graphql", schema_with_scopes("BIG"))

    result = vend(capsys, "catalog", "check", str(catalog), "--schema", str(schema))

    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith(f"{catalog}: error: claims.t.pattern: no value of 1-64 characters was found")
    assert lines[1] == f"{catalog}: error: scopes.BIG: not measured, no value found for claim.t"
    assert lines[2] == f"{catalog}: 1 scope(s), 2 error(s), 0 warning(s)"


@pytest.mark.parametrize(
    ("argv", "example"),
    [
        (["catalog", "--help"], "vend catalog check resolvers/catalog.toml --schema schema.graphql --strict"),
        (["catalog", "check", "--help"], "vend catalog check resolvers/catalog.toml --schema schema.graphql"),
    ],
)
def test_help_gives_an_example(capsys: pytest.CaptureFixture[str], argv: list[str], example: str) -> None:
    result = vend(capsys, *argv)
    assert result.code == 0
    assert example in result.out


def test_an_action_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    result = vend(capsys, "catalog")
    assert result.code == 2
    assert "the following arguments are required: ACTION" in result.err
