"""Rules AWS applies at deploy time that synth alone does not: each checked on the synthesised stack.

Each test here failed on the stack as it was before deploy readiness (issue 14): a first `cdk deploy` would have
been refused by Cognito or IAM, or would have deployed something other than what the tests assumed.

I/O: offline CDK synths under pytest's temporary directory, and `python app.py` in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import aws_cdk
import pytest
from synth_support import CDK_JSON_CONTEXT, REGION, Synth, synth_with

from infra.config import InfraConfigError
from infra.iam_limits import policy_size
from infra.regions import SUPPORTED_REGIONS
from infra.stack import OTEL_EXEC_WRAPPER, RUNTIME, SNAPSTART_ALIAS, missing_required_writes
from resolvers.catalog import load_catalog
from vend_local.iam.quotas import MANAGED_POLICY_MAX, TRUST_POLICY_MAX

SUBS = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(200)]


def _vend_roles(synth: Synth) -> dict[str, dict[str, Any]]:
    return {
        r["Properties"]["RoleName"]: r["Properties"]
        for r in synth.resources("AWS::IAM::Role").values()
        if r["Properties"].get("RoleName", "").startswith("vend-")
    }


# --- Cognito ---------------------------------------------------------------------------------------------------


def test_every_attribute_the_pool_requires_is_writable_by_the_app_client(synth: Synth) -> None:
    # Cognito: "Invalid write attributes specified while creating a client" when a required one is missing.
    _, pool = synth.one("AWS::Cognito::UserPool")
    required = [a["Name"] for a in pool["Properties"]["Schema"] if a.get("Required")]
    assert required == ["email"]
    _, client = synth.one("AWS::Cognito::UserPoolClient")
    assert missing_required_writes(required, client["Properties"]["WriteAttributes"]) == []
    # ... and still none the catalog reads.
    read_by_catalog = {c.claim for c in load_catalog().claims.values()}
    assert not read_by_catalog & set(client["Properties"]["WriteAttributes"])


def test_the_required_write_check_names_what_is_missing() -> None:
    assert missing_required_writes(["email", "phone_number"], ["name", "email"]) == ["phone_number"]
    assert missing_required_writes(["email"], ["email"]) == []


def test_a_changed_email_takes_effect_only_once_verified(synth: Synth) -> None:
    _, pool = synth.one("AWS::Cognito::UserPool")
    assert pool["Properties"]["UserAttributeUpdateSettings"] == {
        "AttributesRequireVerificationBeforeUpdate": ["email"]
    }


# --- AppSync -----------------------------------------------------------------------------------------------------


def test_appsync_admits_tokens_of_our_app_client_only(synth: Synth) -> None:
    _, api = synth.one("AWS::AppSync::GraphQLApi")
    separator, parts = api["Properties"]["UserPoolConfig"]["AppIdClientRegex"]["Fn::Join"]
    client_ref = {"Ref": synth.logical_id(synth.stack.app_client)}
    assert parts[1] == client_ref
    # The regex CloudFormation will render, for a real-looking client id: exactly that id, nothing around it.
    client_id = "3n4b5urk1ft4fl3mg5e62d9ado"
    pattern = re.compile(str(separator).join([parts[0], client_id, parts[2]]))
    assert pattern.search(client_id)
    for other in ("3n4b5urk1ft4fl3mg5e62d9adoX", "X3n4b5urk1ft4fl3mg5e62d9ado", "7f3k2urk1ft4fl3mg5e62d9ado"):
        assert not pattern.search(other)


# --- IAM sizes -------------------------------------------------------------------------------------------------


def test_revoking_many_callers_keeps_every_trust_policy_within_iams_limit(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # Before: each revoked sub went into every trust policy, which overflowed 2,048 characters at about 27.
    synth = synth_with(tmp_path_factory.mktemp("revoked"), revoke_subs=SUBS[:140])
    for name, role in _vend_roles(synth).items():
        assert policy_size(role["AssumeRolePolicyDocument"]) <= TRUST_POLICY_MAX, name
        assert "140" not in json.dumps(role["AssumeRolePolicyDocument"])
    document = synth.template["Resources"]["SessionDenies"]["Properties"]["PolicyDocument"]
    assert policy_size(document) <= MANAGED_POLICY_MAX
    revoke = next(s for s in document["Statement"] if s["Sid"] == "RevokeCallers")
    assert revoke["Condition"]["StringEquals"]["aws:SourceIdentity"] == sorted(SUBS[:140])


def test_a_deny_policy_over_iams_limit_fails_the_synth_naming_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with pytest.raises(RuntimeError, match=r"vend-dev-session-denies.*characters; IAM allows 6144"):
        synth_with(tmp_path_factory.mktemp("overflow"), revoke_subs=SUBS)


# --- Protecting the account ------------------------------------------------------------------------------------


def test_a_web_acl_with_a_per_ip_rate_rule_guards_the_api(synth: Synth) -> None:
    acl_id, acl = synth.one("AWS::WAFv2::WebACL")
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL"
    assert props["DefaultAction"] == {"Allow": {}}
    (rule,) = props["Rules"]
    assert rule["Action"] == {"Block": {}}
    assert rule["Statement"] == {
        "RateBasedStatement": {"AggregateKeyType": "IP", "EvaluationWindowSec": 300, "Limit": 500}
    }
    _, association = synth.one("AWS::WAFv2::WebACLAssociation")
    assert association["Properties"] == {
        "ResourceArn": {"Fn::GetAtt": [synth.logical_id(synth.stack.api), "Arn"]},
        "WebACLArn": {"Fn::GetAtt": [acl_id, "Arn"]},
    }


def test_protection_can_be_tuned_or_turned_off(tmp_path_factory: pytest.TempPathFactory) -> None:
    synth = synth_with(
        tmp_path_factory.mktemp("unprotected"), waf="false", reserved_concurrency="off", mfa="optional"
    )
    assert synth.resources("AWS::WAFv2::WebACL") == {}
    assert synth.resources("AWS::WAFv2::WebACLAssociation") == {}
    function = synth.resource(synth.stack.function)
    assert "ReservedConcurrentExecutions" not in function["Properties"]


# --- Tracing -----------------------------------------------------------------------------------------------------


def test_tracing_through_the_adot_layer_when_its_arn_is_given(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    layer = f"arn:aws:lambda:{REGION}:615299751070:layer:AWSOpenTelemetryDistroPython:18"
    synth = synth_with(tmp_path_factory.mktemp("otel"), otel_layer_arn=layer)
    function = synth.resource(synth.stack.function)
    props = function["Properties"]
    assert layer in props["Layers"]
    assert len(props["Layers"]) == 2  # and Powertools
    env = props["Environment"]["Variables"]
    assert env["AWS_LAMBDA_EXEC_WRAPPER"] == OTEL_EXEC_WRAPPER
    assert env["VEND_TRACING"] == "otel"
    assert props["TracingConfig"] == {"Mode": "Active"}


def test_without_the_layer_the_function_opens_no_spans_of_its_own(synth: Synth) -> None:
    function = synth.resource(synth.stack.function)
    env = function["Properties"]["Environment"]["Variables"]
    assert "VEND_TRACING" not in env
    assert "AWS_LAMBDA_EXEC_WRAPPER" not in env
    assert not any(k.startswith("POWERTOOLS_TRACER_") for k in env)


# --- SnapStart ---------------------------------------------------------------------------------------------------


def test_snapstart_is_off_by_default_and_appsync_invokes_the_function(synth: Synth) -> None:
    function = synth.resource(synth.stack.function)
    assert "SnapStart" not in function["Properties"]
    assert synth.resources("AWS::Lambda::Version") == {}
    assert synth.resources("AWS::Lambda::Alias") == {}


def test_snapstart_publishes_a_snapshotted_version_and_appsync_invokes_its_alias_only(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    synth = synth_with(tmp_path_factory.mktemp("snapstart"), snap_start="true")
    function_id = synth.logical_id(synth.stack.function)
    function = synth.template["Resources"][function_id]
    assert function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    # SnapStart works on published versions and aliases only, never on $LATEST.
    version_id, version = synth.one("AWS::Lambda::Version")
    assert version["Properties"]["FunctionName"] == {"Ref": function_id}
    alias_id, alias = synth.one("AWS::Lambda::Alias")
    assert alias["Properties"]["Name"] == SNAPSTART_ALIAS
    assert alias["Properties"]["FunctionName"] == {"Ref": function_id}
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    _, source = synth.one("AWS::AppSync::DataSource")
    assert source["Properties"]["LambdaConfig"] == {"LambdaFunctionArn": {"Ref": alias_id}}
    # AppSync's role may invoke the alias, and nothing else (not $LATEST, not the unqualified function).
    role_id = source["Properties"]["ServiceRoleArn"]["Fn::GetAtt"][0]
    (policy,) = [
        p
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert [st["Action"] for st in statements] == ["lambda:InvokeFunction"]
    resources = json.dumps([st["Resource"] for st in statements])
    assert alias_id in resources
    assert function_id not in resources
    # SnapStart does not support provisioned concurrency, EFS, or ephemeral storage over 512 MB.
    props = function["Properties"]
    assert "FileSystemConfigs" not in props
    assert props.get("EphemeralStorage", {"Size": 512})["Size"] <= 512
    assert (
        synth.resources("AWS::Lambda::Version")[version_id]["Properties"].get("ProvisionedConcurrencyConfig")
        is None
    )
    assert alias["Properties"].get("ProvisionedConcurrencyConfig") is None


def test_snapstart_needs_python_3_12_or_later_which_the_runtime_is() -> None:
    major, minor = (int(n) for n in RUNTIME.name.removeprefix("python").split("."))
    assert (major, minor) >= (3, 12)


def test_snapstart_takes_true_or_false_only(tmp_path_factory: pytest.TempPathFactory) -> None:
    with pytest.raises(InfraConfigError, match="snap_start: 'yes' must be true or false"):
        synth_with(tmp_path_factory.mktemp("snapstart-bad"), snap_start="yes")


# --- Parameters ------------------------------------------------------------------------------------------------


def test_synth_with_no_parameters_prints_one_message_naming_everything_missing(repo_root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CDK_", "VEND_INFRA_"))}
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=repo_root / "infra",
        env={**env, "CDK_CONTEXT_JSON": json.dumps(CDK_JSON_CONTEXT), "CDK_OUTDIR": "/nonexistent/out"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("deployment parameter problem(s)") == 1
    for name in ("account: required", "region: required", "bucket_name: required", "table_name: required"):
        assert name in result.stderr


# --- Regions -----------------------------------------------------------------------------------------------------


def test_every_supported_region_has_every_resource_type_we_create(synth: Synth) -> None:
    # cfn-lint ships CloudFormation's per-region resource schemas: a region without one of our types (AppSync in
    # mx-central-1) or without a schema at all cannot be listed as supported.
    import cfnlint  # noqa: PLC0415 - only this test reads its data files

    providers = Path(cfnlint.__file__).parent / "data" / "schemas" / "providers"
    # Custom:: types are custom resources (a Lambda of the stack answers them), not a service a region lacks.
    types = {
        r["Type"] for r in synth.template["Resources"].values() if not r["Type"].startswith("Custom::")
    } - {"AWS::CDK::Metadata"}
    assert {"AWS::AppSync::GraphQLApi", "AWS::WAFv2::WebACL", "AWS::Cognito::UserPool"} <= types
    for region in SUPPORTED_REGIONS:
        schema_file = providers / f"{region}.json"
        assert schema_file.is_file(), f"{region}: no CloudFormation schema to check"
        missing = types - set(json.loads(schema_file.read_text()))
        assert missing == set(), f"{region} lacks {sorted(missing)}"


# --- CDK feature flags -----------------------------------------------------------------------------------------


def test_cdk_json_records_the_recommended_feature_flags_of_the_pinned_aws_cdk_lib() -> None:
    # What `cdk init` writes for this aws-cdk-lib: aws-cdk-lib ships the list in its jsii bundle.
    bundle = next((Path(aws_cdk.__file__).parent / "_jsii").glob("aws-cdk-lib@*.jsii.tgz"))
    with tarfile.open(bundle) as tar:
        member = tar.extractfile("package/recommended-feature-flags.json")
        assert member is not None
        recommended = json.load(member)
    assert len(recommended) > 50
    recorded = {k: CDK_JSON_CONTEXT.get(k) for k in recommended}
    assert recorded == recommended


# --- Runtime parity ----------------------------------------------------------------------------------------------


def test_the_code_is_checked_for_the_floor_and_for_the_lambdas_python(repo_root: Path) -> None:
    # The code runs on 3.11+ locally (the two commands' promise) and on RUNTIME in Lambda: ruff and mypy check the
    # floor, `make typecheck` checks resolvers/ against RUNTIME's standard library, and the asset import runs
    # under RUNTIME's interpreter (test_asset.py).
    version = RUNTIME.name.removeprefix("python")
    assert RUNTIME.name == "python3.13"
    makefile = (repo_root / "Makefile").read_text()
    assert f"LAMBDA_PYTHON_VERSION := {version}\n" in makefile
    assert "$(BIN)/mypy --python-version $(LAMBDA_PYTHON_VERSION) resolvers\n" in makefile
    pyproject = (repo_root / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11"' in pyproject
    assert 'target-version = "py311"' in pyproject
    assert 'python_version = "3.11"' in pyproject
    assert tuple(map(int, version.split("."))) >= (3, 11)


def test_the_deploy_guide_lists_exactly_the_supported_regions(repo_root: Path) -> None:
    guide = (repo_root / "docs" / "deploy.md").read_text()
    assert "Supported: " + ", ".join(SUPPORTED_REGIONS) + " (" in guide


def test_appsync_bounds_query_depth_and_resolver_count_as_the_local_server_does(synth: Synth) -> None:
    # vend_local/server.py: MAX_QUERY_DEPTH = 6, MAX_ALIASES = 15; unset, AppSync would resolve any depth and up
    # to 10,000 resolvers per request, each vendCredentials alias one Lambda invocation.
    (api,) = synth.resources("AWS::AppSync::GraphQLApi").values()
    assert api["Properties"]["QueryDepthLimit"] == 6
    assert api["Properties"]["ResolverCountLimit"] == 15
