"""`vend revoke` and `vend unrevoke` at the command line: where they act (flags, stack outputs, the state file) and
the usage they refuse, each with one line on stderr, exit 2, and nothing written. No AWS: every case stops before
a client is made."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

import pytest

from tests.cli.helpers import SUB, vend
from vend_local.cli import build_parser
from vend_local.local_state import ServerState, write_state
from vend_local.revocation.aws import OperatorError
from vend_local.revocation.target import resolve_target


def args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["revoke", *argv])


def state(path: Path, **overrides: object) -> Path:
    base = ServerState(
        pid=1,
        mode="embedded",
        graphql_url="http://127.0.0.1:1/graphql",
        host="127.0.0.1",
        port=1,
        region="us-east-1",
        user_pool_id="us-east-1_Local",
        app_client_id="client",
        issuer="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Local",
        aws_endpoint="http://127.0.0.1:2",
        bucket=None,
        table_arn=None,
        users=[],
        revocation_table="vend-local-revocations",
        revocation_policy_arn="arn:aws:iam::123456789012:policy/vend-local-revocations",
    )
    write_state(path, ServerState(**{**asdict(base), **overrides}))
    return path


def test_explicit_flags_name_a_deployed_stack_without_cloudformation() -> None:
    target = resolve_target(
        args(
            "--table",
            "t",
            "--policy-arn",
            "arn:aws:iam::123456789012:policy/vend-prod-revocations",
            "--user-pool-id",
            "eu-west-1_Pool",
            "--region",
            "eu-west-1",
        )
    )
    assert (target.table, target.user_pool_id, target.region) == ("t", "eu-west-1_Pool", "eu-west-1")
    assert target.endpoint_url is None  # AWS itself, with the operator's own credentials


def test_a_stack_needs_its_region_and_every_output() -> None:
    with pytest.raises(OperatorError, match="--region is required"):
        resolve_target(args("--table", "t"))
    with pytest.raises(OperatorError, match=r"missing RevocationPolicyArn \(--policy-arn\), UserPoolId"):
        resolve_target(args("--table", "t", "--region", "eu-west-1"))


def test_the_running_vend_serve_is_found_through_its_state_file(tmp_path: Path) -> None:
    target = resolve_target(args("--state-file", str(state(tmp_path / "serve.json"))))
    assert target.endpoint_url == "http://127.0.0.1:2"
    assert target.table == "vend-local-revocations"


def test_a_vend_serve_against_real_aws_has_no_store_of_its_own(tmp_path: Path) -> None:
    path = state(tmp_path / "serve.json", mode="aws", aws_endpoint=None, revocation_table=None)
    with pytest.raises(OperatorError, match="pass --stack"):
        resolve_target(args("--state-file", str(path)))


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["revoke"], "say what to revoke"),
        (["unrevoke"], "say what to lift"),
        (["revoke", "--list", "--sub", SUB], "--list changes nothing"),
        (["revoke", "--json", "--sub", SUB], "--json goes with --list"),
        (["revoke", "--sub", "not-a-sub"], "is not a Cognito sub"),
        (["revoke", "--sub", SUB, "--hours", "721"], "--hours 721"),
        (["revoke", "--sub", SUB, "--reason", "a\nb"], "--reason"),
        (["unrevoke", "--sub", SUB.upper() + "X"], "is not a Cognito sub"),
        (["revoke", "--sub", SUB], "start the local server first"),  # no state file in the working directory
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str, tmp_path: Path
) -> None:
    result = vend(capsys, *argv, "--state-file", str(tmp_path / "absent.json"))
    assert result.code == 2
    assert result.out == ""
    assert says in result.err
    assert result.err.startswith(f"vend {argv[0]}: ")
    assert result.err.count("\n") == 1, result.err
