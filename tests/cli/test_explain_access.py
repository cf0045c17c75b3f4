"""`vend explain --action --resource --context`: may this caller's session do ACTION on RESOURCE under SCOPE?"""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import SUB, vend

BUCKET = "arn:aws:s3:::vend-example-uploads"
OTHER = "99999999-8888-4777-8666-555555555555"


def explain(capsys: pytest.CaptureFixture[str], scope: str, *argv: str) -> tuple[int, str]:
    result = vend(capsys, "explain", "--scope", scope, "--sub", SUB, *argv)
    assert result.err == ""
    return result.code, result.out


def test_an_allowed_action_names_both_deciding_statements_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = explain(
        capsys, "S3_OWN_PREFIX", "--action", "s3:PutObject", "--resource", f"{BUCKET}/users/{SUB}/a.txt"
    )
    assert code == 0
    section = out.split("\n\n")[2].splitlines()
    assert section == [
        f"May this session do s3:PutObject on {BUCKET}/users/{SUB}/a.txt?",
        (
            "ALLOWED (Allow): Allowed: statement S3OwnPrefixObjectsUnderOwnPrefix of \"vend role 'uploads' identity "
            "policy (infra ceiling)\" and statement ObjectsUnderOwnPrefix of 'session policy' allow s3:PutObject on "
            f"{BUCKET}/users/{SUB}/a.txt."
        ),
        "Deciding statements:",
        "  vend role 'uploads' identity policy (infra ceiling): statement S3OwnPrefixObjectsUnderOwnPrefix",
        "  session policy: statement ObjectsUnderOwnPrefix",
    ]
    # The policy stays last, so it can still be cut out and parsed.
    assert (
        json.loads(out.split("Session policy (sent compact; pretty-printed here):\n", 1)[1])["Version"]
        == "2012-10-17"
    )


def test_a_denied_action_says_why_and_exits_4(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = explain(
        capsys, "S3_OWN_PREFIX", "--action", "s3:PutObject", "--resource", f"{BUCKET}/users/{OTHER}/a.txt"
    )
    assert code == 4
    assert (
        "DENIED (ImplicitDeny): Implicitly denied: no session policy statement allows s3:PutObject on "
        f"{BUCKET}/users/{OTHER}/a.txt (statement S3OwnPrefixObjectsUnderOwnPrefix of \"vend role 'uploads' "
        'identity policy (infra ceiling)" would allow it).'
    ) in out


@pytest.mark.parametrize(
    ("prefix", "code"),
    [(f"users/{SUB}/", 0), (f"users/{SUB}/photos/", 0), ("users/", 4), (f"users/{OTHER}/", 4)],
)
def test_list_bucket_with_a_prefix_from_context(
    capsys: pytest.CaptureFixture[str], prefix: str, code: int
) -> None:
    result, _ = explain(
        capsys,
        "S3_OWN_PREFIX",
        "--action",
        "s3:ListBucket",
        "--resource",
        BUCKET,
        "--context",
        f"s3:prefix={prefix}",
    )
    assert result == code


def test_a_repeated_context_key_is_multivalued(capsys: pytest.CaptureFixture[str]) -> None:
    table = "arn:aws:dynamodb:eu-west-1:123456789012:table/vend-example-items"
    base = [
        "--action",
        "dynamodb:BatchGetItem",
        "--resource",
        table,
        "--context",
        f"dynamodb:LeadingKeys={SUB}",
    ]
    own, _ = explain(capsys, "DYNAMODB_OWN_ITEMS", *base, "--context", f"dynamodb:LeadingKeys={SUB}")
    mixed, _ = explain(capsys, "DYNAMODB_OWN_ITEMS", *base, "--context", f"dynamodb:LeadingKeys={OTHER}")
    assert (own, mixed) == (0, 4)


def test_json_carries_the_access_answer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = explain(
        capsys,
        "S3_OWN_PREFIX",
        "--json",
        "--action",
        "s3:ListBucket",
        "--resource",
        BUCKET,
        "--context",
        "s3:prefix=users/",
    )
    assert code == 4
    access = json.loads(out)["access"]
    assert access == {
        "action": "s3:ListBucket",
        "resource": BUCKET,
        "context": {"s3:prefix": ["users/"]},
        "allowed": False,
        "outcome": "ImplicitDeny",
        "deciding": [],
        "message": f"Implicitly denied: no identity-based policy statement allows s3:ListBucket on {BUCKET}.",
    }


def test_a_refused_vend_is_answered_before_any_action(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = explain(
        capsys, "REPORTS_READ", "--action", "s3:GetObject", "--resource", f"{BUCKET}/reports/a"
    )
    assert code == 3
    assert "REFUSED ScopeForbidden" in out
    assert "May this session" not in out


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--action", "s3:GetObject"], "--resource: give the resource ARN"),
        (["--resource", BUCKET], "--action: give an IAM action such as s3:PutObject"),
        (["--action", "GetObject", "--resource", BUCKET], "--action: give an IAM action"),
        (["--context", "s3:prefix=x"], "--context: only with --action and --resource"),
        (["--action", "s3:ListBucket", "--resource", BUCKET, "--context", "s3:prefix"], "write KEY=VALUE"),
    ],
)
def test_bad_access_options_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], problem: str) -> None:
    result = vend(capsys, "explain", "--scope", "S3_OWN_PREFIX", "--sub", SUB, *argv)
    assert result.code == 2
    assert problem in result.err
