"""`vend catalog test`: the shipped cases pass, a widened grant fails with the expectation, the verdict and the
deciding statement, and a broken cases file lists every problem. Runs the real `vend` entry point in-process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import EXAMPLE_CATALOG, REPO, vend

EXAMPLE_CASES = REPO / "resolvers" / "catalog.cases.toml"
ALICE = "11111111-2222-4333-8444-555555555555"
BOB = "22222222-3333-4444-8555-666666666666"


def test_the_shipped_cases_pass(capsys: pytest.CaptureFixture[str]) -> None:
    result = vend(capsys, "catalog", "test", str(EXAMPLE_CATALOG))
    assert (result.code, result.err) == (0, "")
    # Only the summary: passing expectations are listed with --verbose.
    lines = result.out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{EXAMPLE_CASES}: 16 case(s), ")
    assert lines[0].endswith(" check(s), 0 failed")


def test_verbose_lists_every_expectation(capsys: pytest.CaptureFixture[str]) -> None:
    result = vend(capsys, "catalog", "test", str(EXAMPLE_CATALOG), "--verbose")
    assert result.code == 0
    assert (
        f"ok   cases[0] 'alice reads, writes, deletes and lists under her own prefix': allow s3:PutObject on arn:aws:s3:::vend-example-uploads/users/{ALICE}/photo.jpg (Allow)"
        in result.out
    )
    assert (
        "ok   cases[10] 'alice is not an analyst: REPORTS_READ is refused': refused ScopeForbidden"
        in result.out
    )


def widened_catalog(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE_CATALOG.read_text(encoding="utf-8")
    assert old in text
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(text.replace(old, new), encoding="utf-8")
    (tmp_path / "catalog.cases.toml").write_text(EXAMPLE_CASES.read_text(encoding="utf-8"), encoding="utf-8")
    return catalog


def failing_output(capsys: pytest.CaptureFixture[str], tmp_path: Path, old: str, new: str) -> str:
    """The output of `vend catalog test` on the example catalog with ``old`` replaced, which must fail."""
    result = vend(capsys, "catalog", "test", str(widened_catalog(tmp_path, old, new)))
    assert (result.code, result.err) == (1, "")
    return result.out


def test_a_widened_resource_fails_with_the_expectation_verdict_and_deciding_statements(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN S3_OWN_PREFIX widened from the caller's prefix to every user's, WHEN the unchanged cases run
    out = failing_output(
        capsys,
        tmp_path,
        'resources = ["arn:aws:s3:::{{bucket}}/users/{{sub}}/*"]',
        'resources = ["arn:aws:s3:::{{bucket}}/users/*"]',
    )
    # THEN it fails, and the first failure says what was expected, what IAM would decide and which statements did
    lines = out.splitlines()
    assert lines[:5] == [
        'FAIL cases[1] "alice cannot touch bob\'s prefix" (S3_OWN_PREFIX as alice)',
        f"  expected: deny s3:PutObject on arn:aws:s3:::vend-example-uploads/users/{BOB}/photo.jpg",
        "  verdict:  Allow",
        (
            "  deciding: vend role 'uploads' identity policy (infra ceiling) statement S3OwnPrefixObjectsUnderOwnPrefix; "
            "session policy statement ObjectsUnderOwnPrefix"
        ),
        (
            "  why:      Allowed: statement S3OwnPrefixObjectsUnderOwnPrefix of \"vend role 'uploads' identity policy "
            "(infra ceiling)\" and statement ObjectsUnderOwnPrefix of 'session policy' allow s3:PutObject on "
            f"arn:aws:s3:::vend-example-uploads/users/{BOB}/photo.jpg."
        ),
    ]
    assert lines[-1] == f"{tmp_path / 'catalog.cases.toml'}: 16 case(s), 67 check(s), 6 failed"


def test_a_widened_list_condition_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = failing_output(
        capsys,
        tmp_path,
        'conditions.StringLike."s3:prefix" = ["users/{{sub}}/", "users/{{sub}}/*"]',
        'conditions.StringLike."s3:prefix" = ["users/*"]',
    )
    assert 'FAIL cases[1] "alice cannot touch bob\'s prefix" (S3_OWN_PREFIX as alice)' in out
    assert (
        f"  expected: deny s3:ListBucket on arn:aws:s3:::vend-example-uploads with s3:prefix=['users/{BOB}/']"
        in out
    )


def test_removing_the_null_guard_lets_a_request_without_leading_keys_through(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = failing_output(capsys, tmp_path, 'conditions.Null."dynamodb:LeadingKeys" = ["false"]\n', "")
    assert (
        "  expected: deny dynamodb:GetItem on arn:aws:dynamodb:eu-west-1:123456789012:table/vend-example-items\n"
        "  verdict:  Allow\n"
    ) in out
    assert out.endswith("1 failed\n")


def test_a_narrowed_grant_fails_the_allow_expectations(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = failing_output(
        capsys,
        tmp_path,
        'actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]',
        'actions = ["s3:GetObject"]',
    )
    assert "  expected: allow s3:PutObject on" in out
    assert (
        "  verdict:  ImplicitDeny\n  why:      Implicitly denied: no identity-based policy statement allows s3:PutObject"
        in out
    )


CALLERS = """
[callers.alice]
sub = "11111111-2222-4333-8444-555555555555"
"""


def run_cases(capsys: pytest.CaptureFixture[str], tmp_path: Path, cases: str) -> tuple[int, str]:
    path = tmp_path / "cases.toml"
    path.write_text(cases, encoding="utf-8")
    result = vend(capsys, "catalog", "test", str(EXAMPLE_CATALOG), "--cases", str(path))
    assert result.err == ""
    return result.code, result.out


def test_an_unexpected_refusal_and_an_unexpected_grant_both_fail(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = run_cases(
        capsys,
        tmp_path,
        CALLERS
        + """
[[cases]]
name = "wrongly expects a grant"
caller = "alice"
scope = "REPORTS_READ"
allow = [{ action = "s3:GetObject", resource = "arn:aws:s3:::{{bucket}}/reports/a" }]

[[cases]]
name = "wrongly expects a refusal"
caller = "alice"
scope = "S3_OWN_PREFIX"
refused = "ScopeForbidden"

[[cases]]
name = "the wrong refusal code"
caller = "alice"
scope = "TENANT_FILES"
refused = "ClaimInvalid"
""",
    )
    assert code == 1
    assert (
        "FAIL cases[0] 'wrongly expects a grant' (REPORTS_READ as alice)\n"
        "  expected: the vend to be granted\n"
        "  verdict:  refused ScopeForbidden\n"
        "  why:      the vend itself was refused, ScopeForbidden: You are not in a group that may request REPORTS_READ.\n"
    ) in out
    assert "  expected: refused ScopeForbidden\n  verdict:  granted\n" in out
    assert "  expected: refused ClaimInvalid\n  verdict:  refused ClaimMissing\n" in out
    assert out.endswith(": 3 case(s), 3 check(s), 3 failed\n")


def test_not_modelled_never_passes_even_a_deny_expectation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A ListBucket whose s3:prefix is given twice: a multivalued key without a set operator cannot be judged.
    code, out = run_cases(
        capsys,
        tmp_path,
        CALLERS
        + """
[[cases]]
name = "a request the evaluator cannot judge"
caller = "alice"
scope = "S3_OWN_PREFIX"
deny = [{ action = "s3:ListBucket", resource = "arn:aws:s3:::{{bucket}}", context = { "s3:prefix" = ["a/", "b/"] } }]
""",
    )
    assert code == 1
    assert "  verdict:  NotModelled\n" in out
    assert "multivalued key needs ForAllValues: or ForAnyValue:" in out


def test_a_broken_cases_file_lists_every_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = run_cases(
        capsys,
        tmp_path,
        """
surprise = 1
[deployment]
bucket = "Bad_Bucket"
[callers.alice]
sub = "not-a-uuid"
[callers.claim]
sub = "11111111-2222-4333-8444-555555555555"
[callers.bob]
sub = "22222222-3333-4444-8555-666666666666"
claims = { "sub" = "x" }
[[cases]]
name = "x"
caller = "nobody"
scope = "NOPE"
[[cases]]
name = "y"
caller = "bob"
scope = "S3_OWN_PREFIX"
allow = [{ action = "s3:GetObject", resource = "arn:aws:s3:::{{bucket}}/{{nope}}" }, { resource = "x" }]
refused = "ScopeForbidden"
""",
    )
    assert code == 1
    path = tmp_path / "cases.toml"
    problems = [line.removeprefix(f"{path}: error: ") for line in out.splitlines()[:-1]]
    assert problems == [
        "cases file: unknown field 'surprise' (allowed: callers, cases, deployment, managed_policies)",
        "deployment.bucket: 'Bad_Bucket' does not match (?!.*\\.\\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]",
        (
            "callers.alice.sub: the Lambda would refuse this identity (sub is missing, malformed or differs from the "
            "token's); use a lowercase UUID"
        ),
        (
            "callers.claim: a caller name must match [a-z][a-z0-9_]{0,31} and not be one of account, bucket, claim, "
            "region, sub, table_arn"
        ),
        "callers.bob.claims: sub: 'sub' comes from --sub, --group and --token-use; drop it",
        "cases[0].caller: 'nobody' is not one of the [callers] ()",
        "cases[0].scope: 'NOPE' is not in the catalog (S3_OWN_PREFIX, DYNAMODB_OWN_ITEMS, REPORTS_READ, TENANT_FILES)",
        'cases[0]: give allow and/or deny expectations, or refused = "<code>", not both',
        "cases[1].caller: 'bob' is not one of the [callers] ()",
        'cases[1]: give allow and/or deny expectations, or refused = "<code>", not both',
    ]
    assert out.splitlines()[-1] == f"{path}: 10 error(s); fix them and run the test again"


def test_expectation_problems_are_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = run_cases(
        capsys,
        tmp_path,
        CALLERS
        + """
[[cases]]
name = "y"
caller = "alice"
scope = "S3_OWN_PREFIX"
allow = [
    { action = "s3:GetObject", resource = "arn:aws:s3:::{{bucket}}/{{nope}}" },
    { resource = "x" },
    { action = "s3:GetObject", resource = "arn:aws:s3:::b", context = { "s3:prefix" = 3 } },
]
""",
    )
    assert code == 1
    assert "cases[0].allow[0].resource: 'arn:aws:s3:::{{bucket}}/{{nope}}' uses {{nope}}; known here: " in out
    assert 'cases[0].allow[1].action: required, an IAM action such as "s3:PutObject"' in out
    assert "cases[0].allow[2].context.s3:prefix: values must be strings" in out


def test_a_missing_cases_file_is_one_readable_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    result = vend(capsys, "catalog", "test", str(EXAMPLE_CATALOG), "--cases", str(tmp_path / "none.toml"))
    assert result.code == 1
    assert (
        result.out.splitlines()[0]
        == f"{tmp_path / 'none.toml'}: error: cannot read the cases file: No such file or directory"
    )


def test_a_managed_policy_is_judged_only_with_its_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        """
[scopes.READ_SHARED]
description = "Read shared files."
any_signed_in_user = true
role = "files"
max_duration_seconds = 900
managed_policy_arns = ["arn:aws:iam::{{account}}:policy/shared-read"]

[[scopes.READ_SHARED.statements]]
sid = "Own"
effect = "Allow"
actions = ["s3:GetObject"]
resources = ["arn:aws:s3:::{{bucket}}/users/{{sub}}/*"]
""",
        encoding="utf-8",
    )
    cases = (
        CALLERS
        + """
[[cases]]
name = "reads her own files"
caller = "alice"
scope = "READ_SHARED"
allow = [{ action = "s3:GetObject", resource = "arn:aws:s3:::{{bucket}}/users/{{sub}}/a" }]
"""
    )
    (tmp_path / "catalog.cases.toml").write_text(cases, encoding="utf-8")
    missing = vend(capsys, "catalog", "test", str(catalog))
    assert missing.code == 1
    assert (
        "managed policy arn:aws:iam::123456789012:policy/shared-read is passed as a session policy"
        in missing.out
    )

    (tmp_path / "shared-read.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
        encoding="utf-8",
    )
    with_doc = cases.replace(
        "[[cases]]",
        '[managed_policies]\n"arn:aws:iam::{{account}}:policy/shared-read" = "shared-read.json"\n\n[[cases]]',
        1,
    )
    (tmp_path / "catalog.cases.toml").write_text(with_doc, encoding="utf-8")
    known = vend(capsys, "catalog", "test", str(catalog))
    assert (known.code, known.out.splitlines()[-1].endswith("0 failed")) == (0, True)


def test_help_shows_an_example_and_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    result = vend(capsys, "catalog", "test", "--help")
    assert result.code == 0
    assert "vend catalog test resolvers/catalog.toml --cases resolvers/catalog.cases.toml" in result.out
    assert "exit codes: 0 every case passed, 1 a case failed" in result.out
