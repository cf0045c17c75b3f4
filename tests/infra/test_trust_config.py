"""Trust policy, revocation statements and deployment parameters: pure, table-driven."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.config import InfraConfigError, load_config
from infra.package import package_files
from infra.trust import revoke_statements, trust_policy

SUB = "0f6c1e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
LAMBDA_ROLE = "arn:aws:iam::123456789012:role/resolver"


def test_trust_admits_only_the_lambda_role_for_a_vend_shaped_request() -> None:
    document = trust_policy(LAMBDA_ROLE, ["B_SCOPE", "A_SCOPE"], ["tenant"])
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "VendLambdaOnly",
                "Effect": "Allow",
                "Principal": {"AWS": LAMBDA_ROLE},
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"],
                "Condition": {
                    "Null": {
                        "sts:SourceIdentity": "false",
                        "aws:RequestTag/vend:sub": "false",
                        "aws:RequestTag/vend:scope": "false",
                    },
                    "StringEquals": {"aws:RequestTag/vend:scope": ["A_SCOPE", "B_SCOPE"]},
                    "StringLike": {
                        "sts:SourceIdentity": "????????-????-????-????-????????????",
                        "aws:RequestTag/vend:sub": "????????-????-????-????-????????????",
                    },
                    "ForAllValues:StringEquals": {"aws:TagKeys": ["tenant", "vend:scope", "vend:sub"]},
                },
            }
        ],
    }


def test_revoked_callers_are_denied_new_sessions_in_the_trust_policy() -> None:
    deny = trust_policy(LAMBDA_ROLE, ["S"], [], [SUB])["Statement"][1]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"StringEquals": {"sts:SourceIdentity": [SUB]}}


def test_revoke_statements_deny_old_tokens_and_named_callers() -> None:
    assert revoke_statements(None, []) == []
    by_time, by_sub = revoke_statements("2026-01-31T12:00:00Z", [SUB])
    assert by_time["Effect"] == by_sub["Effect"] == "Deny"
    assert by_time["Action"] == by_time["Resource"] == "*"
    assert by_time["Condition"] == {"DateLessThan": {"aws:TokenIssueTime": "2026-01-31T12:00:00Z"}}
    assert by_sub["Condition"] == {"StringEquals": {"aws:SourceIdentity": [SUB]}}


@pytest.mark.parametrize(
    ("when", "subs"), [("yesterday", []), ("2026-01-31T12:00:00+01:00", []), (None, ["*"])]
)
def test_revoke_refuses_anything_but_utc_timestamps_and_subs(when: str | None, subs: list[str]) -> None:
    with pytest.raises(ValueError, match="revoke_"):
        revoke_statements(when, subs)


def test_config_defaults_are_the_safe_ones() -> None:
    config = load_config({"account": "123456789012", "region": "eu-west-1"}.get, {})
    assert (config.stage, config.mfa, config.password_min_length) == ("dev", "required", 12)
    assert config.self_sign_up is False
    assert config.create_groups is True
    assert config.user_pool_id is None
    assert config.deployment_values() == {"account": "123456789012", "region": "eu-west-1"}


def test_config_reads_the_environment_when_context_is_silent_and_context_wins() -> None:
    env = {
        "CDK_DEFAULT_ACCOUNT": "123456789012",
        "CDK_DEFAULT_REGION": "us-east-1",
        "VEND_INFRA_STAGE": "prod",
        "VEND_INFRA_TABLE_NAME": "items",
        "VEND_INFRA_REVOKE_SUBS": SUB,
    }
    config = load_config({"stage": "qa"}.get, env)
    assert (config.stage, config.region) == ("qa", "us-east-1")
    assert config.table_arn == "arn:aws:dynamodb:us-east-1:123456789012:table/items"
    assert config.revoke_subs == (SUB,)


def test_config_reports_every_problem_at_once() -> None:
    context = {"stage": "Prod!", "mfa": "sometimes", "password_min_length": "6", "revoke_subs": ["x"]}
    with pytest.raises(InfraConfigError) as info:
        load_config(context.get, {})
    joined = "\n".join(info.value.problems)
    for name in ("stage", "account", "region", "mfa", "password_min_length", "revoke_subs"):
        assert name in joined


def test_the_package_is_the_resolvers_code_and_catalog_only(repo_root: Path) -> None:
    files = [str(p) for p in package_files(repo_root)]
    assert "resolvers/handler.py" in files
    assert "resolvers/catalog.toml" in files
    assert all(
        f.startswith("resolvers/") and (f.endswith(".py") or f == "resolvers/catalog.toml") for f in files
    )
    assert not any("__pycache__" in f for f in files)
