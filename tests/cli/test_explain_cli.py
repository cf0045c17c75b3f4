"""`vend explain` end to end, in-process: golden policies, every AssumeRole parameter, refusals, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import pytest

from tests.cli.helpers import EXAMPLE_SCOPES, GROUP, SUB, TENANT, compact_length, golden_policy, vend
from vend_local.explain_text import POLICY_HEADING

GOLDEN_CALLER: Final = ("--sub", SUB, "--group", GROUP, "--claim", f"tenant={TENANT}")

# scope -> (role, duration, the tags beyond vend:sub and vend:scope), written from resolvers/catalog.toml.
EXPECTED: Final = {
    "S3_OWN_PREFIX": ("vend-uploads", 3600, []),
    "DYNAMODB_OWN_ITEMS": ("vend-data", 3600, []),
    "REPORTS_READ": ("vend-uploads", 900, []),
    "TENANT_FILES": ("vend-uploads", 1800, [{"Key": "tenant", "Value": "acme"}]),
}


@pytest.mark.parametrize("scope", EXAMPLE_SCOPES)
def test_json_output_matches_the_golden_policy_and_every_parameter(
    capsys: pytest.CaptureFixture[str], scope: str
) -> None:
    # GIVEN the caller the golden policies were written for
    # WHEN explain runs with --json
    result = vend(capsys, "explain", "--scope", scope, *GOLDEN_CALLER, "--json")

    # THEN the policy is the golden one, and so is the exact string AssumeRole would get
    assert (result.code, result.err) == (0, "")
    data = json.loads(result.out)
    golden = golden_policy(scope)
    assert data["allowed"] is True
    assert data["policy"] == golden
    call = data["assume_role"]
    assert json.loads(call["Policy"]) == golden
    role, duration, tags = EXPECTED[scope]
    assert call["RoleArn"] == f"arn:aws:iam::123456789012:role/{role}"
    assert call["RoleSessionName"] == f"{SUB}.{scope}"
    assert call["SourceIdentity"] == SUB
    assert call["DurationSeconds"] == duration
    assert call["PolicyArns"] == []
    assert call["Tags"] == [{"Key": "vend:sub", "Value": SUB}, {"Key": "vend:scope", "Value": scope}, *tags]
    assert data["plaintext"] == {"used": compact_length(golden), "limit": 2048}


@pytest.mark.parametrize("scope", EXAMPLE_SCOPES)
def test_text_output_pretty_prints_the_golden_policy(capsys: pytest.CaptureFixture[str], scope: str) -> None:
    result = vend(capsys, "explain", "--scope", scope, *GOLDEN_CALLER)

    assert (result.code, result.err) == (0, "")
    head, _, policy = result.out.partition(POLICY_HEADING + "\n")
    assert json.loads(policy) == golden_policy(scope)
    assert "\n  " in policy  # pretty-printed, not the compact form
    used = compact_length(golden_policy(scope))
    assert f"{used} of 2048 characters ({used * 100 // 2048}%)" in head
    assert f"RoleSessionName:    {SUB}.{scope}\n" in head
    assert f"SourceIdentity:     {SUB}\n" in head
    assert f"DurationSeconds:    {EXPECTED[scope][1]}\n" in head
    assert "PolicyArns:         none\n" in head
    assert f"  vend:sub = {SUB}\n  vend:scope = {scope}\n" in head


@pytest.mark.parametrize("claim", ["tenant=acme", "custom:tenant_id=acme"])
def test_a_claim_is_named_by_catalog_variable_or_by_raw_claim_name(
    capsys: pytest.CaptureFixture[str], claim: str
) -> None:
    result = vend(capsys, "explain", "--scope", "TENANT_FILES", "--sub", SUB, "--claim", claim, "--json")

    assert result.code == 0
    assert json.loads(result.out)["policy"] == golden_policy("TENANT_FILES")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (
            ["--scope", "REPORTS_READ", "--sub", SUB, "--group", "users"],
            "ScopeForbidden",
            "You are not in a group that may request REPORTS_READ.",
        ),
        (
            ["--scope", "NO_SUCH_SCOPE", "--sub", SUB],
            "ScopeNotFound",
            "No such scope. Query `scopes` for the ones you may request.",
        ),
        (
            ["--scope", "TENANT_FILES", "--sub", SUB],
            "ClaimMissing",
            (
                "Scope TENANT_FILES needs the custom:tenant_id claim, which your token does not carry. "
                "Ask an administrator to set it; it reaches your token at your next sign-in."
            ),
        ),
        (
            # '*' would widen the tenant's prefix to every tenant: the claim pattern refuses it.
            ["--scope", "TENANT_FILES", "--sub", SUB, "--claim", "tenant=acme*"],
            "ClaimInvalid",
            "Your custom:tenant_id claim has a value that scope TENANT_FILES does not accept.",
        ),
        (
            ["--scope", "S3_OWN_PREFIX", "--sub", SUB, "--duration", "899"],
            "InvalidDuration",
            (
                "durationSeconds must be a whole number from 900 to 43200; S3_OWN_PREFIX is granted for at most "
                "3600 seconds."
            ),
        ),
    ],
)
def test_a_refusal_prints_its_code_and_reason_and_exits_3(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: str, message: str
) -> None:
    text = vend(capsys, "explain", *argv)
    assert text.code == 3
    assert f"REFUSED {code}: {message}\n" in text.out
    assert "GRANTED" not in text.out

    machine = vend(capsys, "explain", *argv, "--json")
    assert machine.code == 3
    data = json.loads(machine.out)
    assert (data["allowed"], data["refusal"]["code"], data["refusal"]["message"]) == (False, code, message)
    assert "policy" not in data


@pytest.mark.parametrize(
    ("requested", "granted"),
    [("900", 900), ("3599", 3599), ("3600", 3600), ("3601", 3600), ("43200", 3600)],
)
def test_the_effective_duration_is_clamped_to_the_scope(
    capsys: pytest.CaptureFixture[str], requested: str, granted: int
) -> None:
    result = vend(
        capsys, "explain", "--scope", "S3_OWN_PREFIX", "--sub", SUB, "--duration", requested, "--json"
    )
    assert json.loads(result.out)["assume_role"]["DurationSeconds"] == granted


def test_notes_say_what_the_lambda_would_not(capsys: pytest.CaptureFixture[str]) -> None:
    result = vend(capsys, "explain", "--scope", "NOPE", "--sub", SUB, "--group", "analyst", "--group", "a b")
    assert "note: group 'a b' is not a valid group name here, so the Lambda drops it\n" in result.out
    assert "note: group 'analyst' is not named by any scope in the catalog (a typo?)\n" in result.out
    assert (
        "note: scopes in this catalog: S3_OWN_PREFIX, DYNAMODB_OWN_ITEMS, REPORTS_READ, TENANT_FILES\n"
        in (result.out)
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--sub", "ABC"],
            ["vend explain: error: --sub 'ABC': the Lambda would refuse this identity"],
        ),
        (
            # A UUID in upper case is not what Cognito issues.
            ["--sub", "ABCDEF11-2222-4333-8444-555555555555"],
            ["vend explain: error: --sub 'ABCDEF11-2222-4333-8444-555555555555'"],
        ),
        (
            ["--sub", SUB, "--claim", "tenant", "--claim", "sub=x"],
            [
                "vend explain: error: --claim 'tenant': write NAME=VALUE, for example --claim tenant=acme",
                "vend explain: error: --claim sub: 'sub' comes from --sub, --group and --token-use; drop it",
            ],
        ),
        (
            ["--sub", SUB, "--claim", "tenant=a", "--claim", "custom:tenant_id=b"],
            ["vend explain: error: --claim custom:tenant_id: sets 'custom:tenant_id', which another --claim"],
        ),
        (
            ["--sub", SUB, "--bucket", "Bad_Bucket", "--account", "12", "--role-arn", "nosuch=x"],
            [
                "vend explain: error: --bucket (VEND_BUCKET): 'Bad_Bucket' does not match",
                "vend explain: error: --account (VEND_ACCOUNT_ID): '12' does not match",
                "vend explain: error: --role-arn (VEND_ROLE_ARNS): the value for 'nosuch' is not an IAM role ARN",
            ],
        ),
        (
            ["--sub", SUB, "--role-arn", "typo=arn:aws:iam::123456789012:role/x"],
            [
                "vend explain: error: --role-arn (VEND_ROLE_ARNS): role 'typo' is not used by the catalog (a typo?)"
            ],
        ),
    ],
)
def test_bad_options_name_the_option_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: list[str]
) -> None:
    result = vend(capsys, "explain", "--scope", "S3_OWN_PREFIX", *argv)
    assert result.code == 2
    assert result.out == ""
    for line in expected:
        assert line in result.err
    assert len(result.err.splitlines()) == len(expected)
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read the catalog"),
        (b"[scopes\n", "not valid TOML"),
        (b"[scopes.X]\n", "scopes.X: scope name must be a GraphQL enum value"),
    ],
)
def test_a_bad_catalog_is_reported_with_its_file_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "catalog.toml"
    if content is not None:
        path.write_bytes(content)
    result = vend(capsys, "explain", "--scope", "X", "--sub", SUB, "--catalog", str(path))
    assert result.code == 1
    assert f"{path}: error: " in result.err
    assert expected in result.err
    assert "Traceback" not in result.err


def test_help_gives_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    result = vend(capsys, "explain", "--help")
    assert result.code == 0
    assert "vend explain --scope TENANT_FILES --sub 11111111-2222-4333-8444-555555555555" in result.out
