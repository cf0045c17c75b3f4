"""Trust policy, revocation statements and deployment parameters: pure, table-driven."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from trust_eval import READINGS, AssumeRequest, Reading, allowed, documented

from infra.config import InfraConfigError, load_config
from infra.package import package_files
from infra.regions import SUPPORTED_REGIONS
from vend_local.iam.trust import session_deny_policy, trust_policy

SUB = "0f6c1e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
LAMBDA_ROLE = "arn:aws:iam::123456789012:role/resolver"


def test_trust_admits_only_the_lambda_role_for_a_vend_shaped_request() -> None:
    document = trust_policy(LAMBDA_ROLE, ["B_SCOPE", "A_SCOPE"], ["tenant"])
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "VendLambdaSourceIdentity",
                "Effect": "Allow",
                "Principal": {"AWS": LAMBDA_ROLE},
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
                "Condition": {"StringLike": {"sts:SourceIdentity": "????????-????-????-????-????????????"}},
            },
            {
                "Sid": "VendLambdaSessionTags",
                "Effect": "Allow",
                "Principal": {"AWS": LAMBDA_ROLE},
                "Action": "sts:TagSession",
                "Condition": {
                    "Null": {
                        "aws:RequestTag/vend:sub": "false",
                        "aws:RequestTag/vend:scope": "false",
                        "sts:TransitiveTagKeys": "true",
                    },
                    "StringEquals": {"aws:RequestTag/vend:scope": ["A_SCOPE", "B_SCOPE"]},
                    "StringLike": {"aws:RequestTag/vend:sub": "????????-????-????-????-????????????"},
                    "ForAllValues:StringEquals": {"aws:TagKeys": ["tenant", "vend:scope", "vend:sub"]},
                },
            },
        ],
    }


def test_each_trust_statement_conditions_only_on_keys_documented_for_each_of_its_actions() -> None:
    # Before: one statement for all three actions conditioned on sts:SourceIdentity, which the Service
    # Authorization Reference does not list for sts:TagSession.
    for statement in trust_policy(LAMBDA_ROLE, ["S"], ["tenant"])["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            for block in statement["Condition"].values():
                undocumented = [key for key in block if not documented(action, key)]
                assert undocumented == [], f"{statement['Sid']}: {action} has no key {undocumented}"


VEND = AssumeRequest(
    principal=LAMBDA_ROLE,
    source_identity=SUB,
    tags={"vend:sub": SUB, "vend:scope": "A_SCOPE", "tenant": "acme"},
)


@pytest.mark.parametrize("reading", READINGS)
def test_a_vend_is_admitted_under_either_reading_of_the_action_context(reading: Reading) -> None:
    assert allowed(trust_policy(LAMBDA_ROLE, ["A_SCOPE"], ["tenant"]), VEND, reading)


HOSTILE = {
    "another principal": replace(VEND, principal="arn:aws:iam::123456789012:role/other"),
    "no source identity": replace(VEND, source_identity=None),
    "a source identity that is no sub": replace(VEND, source_identity="admin"),
    "a vend:sub that is no sub": replace(VEND, tags={**VEND.tags, "vend:sub": "*"}),
    "a scope of another role": replace(VEND, tags={**VEND.tags, "vend:scope": "OTHER"}),
    "an extra tag key": replace(VEND, tags={**VEND.tags, "admin": "true"}),
    "tags without vend:sub": replace(VEND, tags={"vend:scope": "A_SCOPE"}),
    "tags without vend:scope": replace(VEND, tags={"vend:sub": SUB}),
    "a transitive tag key": replace(VEND, transitive_tag_keys=["vend:sub"]),
}


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_what_the_conditions_refuse_is_refused_under_either_reading(case: str, reading: Reading) -> None:
    assert not allowed(trust_policy(LAMBDA_ROLE, ["A_SCOPE"], ["tenant"]), HOSTILE[case], reading)


def test_the_previous_single_statement_would_refuse_every_vend_under_the_narrow_reading() -> None:
    # The evaluator can tell the difference: today's structure fails where the new one passes.
    old = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": LAMBDA_ROLE},
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"],
                "Condition": {"StringLike": {"sts:SourceIdentity": "????????-????-????-????-????????????"}},
            }
        ]
    }
    assert allowed(old, VEND, "whole request")
    assert not allowed(old, VEND, "documented keys only")


def test_session_denies_require_a_source_identity_and_revoke_by_time_and_caller() -> None:
    (require,) = session_deny_policy(None, [])["Statement"]
    assert require["Sid"] == "RequireSourceIdentity"
    assert require["Effect"] == "Deny"
    assert require["Condition"] == {
        "Null": {"aws:SourceIdentity": "true"},
        "BoolIfExists": {"aws:ViaAWSService": "false"},
    }
    _, by_time, by_sub = session_deny_policy("2026-01-31T12:00:00Z", [SUB, SUB])["Statement"]
    assert by_time["Effect"] == by_sub["Effect"] == "Deny"
    assert by_time["Action"] == by_time["Resource"] == "*"
    assert by_time["Condition"] == {"DateLessThan": {"aws:TokenIssueTime": "2026-01-31T12:00:00Z"}}
    assert by_sub["Condition"] == {"StringEquals": {"aws:SourceIdentity": [SUB]}}


@pytest.mark.parametrize(
    ("when", "subs"), [("yesterday", []), ("2026-01-31T12:00:00+01:00", []), (None, ["*"])]
)
def test_revoke_refuses_anything_but_utc_timestamps_and_subs(when: str | None, subs: list[str]) -> None:
    with pytest.raises(ValueError, match="revoke_"):
        session_deny_policy(when, subs)


def test_config_defaults_are_the_safe_ones() -> None:
    config = load_config({"account": "123456789012", "region": "eu-west-1"}.get, {})
    assert (config.stage, config.mfa, config.password_min_length) == ("dev", "required", 12)
    assert config.self_sign_up is False
    assert config.create_groups is True
    assert config.user_pool_id is None
    assert config.deployment_values() == {"account": "123456789012", "region": "eu-west-1"}
    # Protection on by default: a concurrency cap and a per-IP rate limit; tracing only when asked for.
    assert config.reserved_concurrency == 10
    assert (config.waf, config.waf_rate_limit) == (True, 500)
    assert config.otel_layer_arn is None


def test_config_reads_the_environment_when_context_is_silent_and_context_wins() -> None:
    env = {
        "CDK_DEFAULT_ACCOUNT": "123456789012",
        "VEND_INFRA_REGION": "us-east-1",
        "VEND_INFRA_STAGE": "prod",
        "VEND_INFRA_TABLE_NAME": "items",
        "VEND_INFRA_REVOKE_SUBS": SUB,
    }
    config = load_config({"stage": "qa"}.get, env)
    assert (config.stage, config.region, config.account) == ("qa", "us-east-1", "123456789012")
    assert config.table_arn == "arn:aws:dynamodb:us-east-1:123456789012:table/items"
    assert config.revoke_subs == (SUB,)


def test_the_region_is_never_taken_from_the_cli_default() -> None:
    # Before: CDK_DEFAULT_REGION (whatever the local profile says) was used silently.
    with pytest.raises(InfraConfigError) as info:
        load_config({"account": "123456789012"}.get, {"CDK_DEFAULT_REGION": "us-east-1"})
    (problem,) = info.value.problems
    assert problem.startswith("region: required, given explicitly")


@pytest.mark.parametrize(
    ("region", "reason"),
    [
        ("mx-central-1", "AppSync is not available"),
        ("me-south-1", "no CloudFormation resource schema"),
        ("us-gov-west-1", "Powertools layer"),
        ("cn-north-1", "Powertools layer"),
        ("xx-nowhere-9", "Powertools layer"),
    ],
)
def test_an_unsupported_region_is_refused_listing_the_supported_ones(region: str, reason: str) -> None:
    with pytest.raises(InfraConfigError) as info:
        load_config({"account": "123456789012", "region": region}.get, {})
    (problem,) = info.value.problems
    assert reason in problem
    assert problem.endswith("supported: " + ", ".join(SUPPORTED_REGIONS))
    assert "eu-west-1" in SUPPORTED_REGIONS


def test_config_reports_every_problem_at_once() -> None:
    context = {
        "stage": "Prod!",
        "mfa": "sometimes",
        "password_min_length": "6",
        "revoke_subs": ["x"],
        "reserved_concurrency": "0",
        "waf": "maybe",
        "waf_rate_limit": "9",
        "otel_layer_arn": "arn:aws:lambda:us-east-1:123456789012:layer:otel:1",
        "region": "eu-west-1",
    }
    with pytest.raises(InfraConfigError) as info:
        load_config(context.get, {}, needs={"bucket", "table_arn", "sub"})
    joined = "\n".join(info.value.problems)
    for name in (
        "stage",
        "account",
        "mfa",
        "password_min_length",
        "revoke_subs",
        "reserved_concurrency",
        "waf:",
        "waf_rate_limit",
        "otel_layer_arn: the layer is in us-east-1, the stack in eu-west-1",
        "bucket_name: required, the catalog uses {{bucket}}",
        "table_name: required, the catalog uses {{table_arn}}",
    ):
        assert name in joined
    assert len(info.value.problems) == 11
    assert str(info.value).startswith("11 deployment parameter problem(s)")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1), (1, 1), ("1000", 1000), ("off", None), ("OFF", None)],
)
def test_reserved_concurrency_takes_a_cap_or_off(value: object, expected: int | None) -> None:
    config = load_config(
        {"account": "123456789012", "region": "eu-west-1", "reserved_concurrency": value}.get, {}
    )
    assert config.reserved_concurrency == expected


@pytest.mark.parametrize("value", ["0", 0, "1001", "-1", "ten", True, 2.5])
def test_reserved_concurrency_refuses_zero_and_out_of_range(value: object) -> None:
    # 0 would throttle every request: "off" is how to ask for no reservation.
    with pytest.raises(InfraConfigError, match="reserved_concurrency"):
        load_config({"account": "123456789012", "region": "eu-west-1", "reserved_concurrency": value}.get, {})


@pytest.mark.parametrize(
    ("value", "ok"), [("9", False), ("10", True), ("11", True), ("2000000000", True), ("2000000001", False)]
)
def test_waf_rate_limit_bounds_are_wafs_own(value: str, ok: bool) -> None:
    context = {"account": "123456789012", "region": "eu-west-1", "waf_rate_limit": value}
    if ok:
        assert load_config(context.get, {}).waf_rate_limit == int(value)
    else:
        with pytest.raises(InfraConfigError, match="waf_rate_limit"):
            load_config(context.get, {})


def test_the_package_is_the_resolvers_code_and_catalog_only(repo_root: Path) -> None:
    files = [str(p) for p in package_files(repo_root)]
    assert "resolvers/handler.py" in files
    assert "resolvers/catalog.toml" in files
    assert all(
        f.startswith("resolvers/") and (f.endswith(".py") or f == "resolvers/catalog.toml") for f in files
    )
    assert not any("__pycache__" in f for f in files)
