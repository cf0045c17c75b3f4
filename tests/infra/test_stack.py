"""Template assertions on the synthesised stack: IAM, AppSync wiring, Cognito, Lambda settings, outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from synth_support import ACCOUNT, Synth

from infra.stack import POWERTOOLS_VERSION
from resolvers.catalog import load_catalog

UPLOADS = f"arn:aws:iam::{ACCOUNT}:role/vend-dev-uploads"
DATA = f"arn:aws:iam::{ACCOUNT}:role/vend-dev-data"
UUID_SHAPE = "????????-????-????-????-????????????"


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["Statement"])


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_permissions(synth: Synth, role_id: str) -> set[tuple[str, str, str]]:
    """Every (effect, action, resource) granted to a role, from its inline and attached AWS::IAM::Policy."""
    role = synth.template["Resources"][role_id]["Properties"]
    documents = [p["PolicyDocument"] for p in role.get("Policies", [])]
    documents += [
        p["Properties"]["PolicyDocument"]
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    return {
        (st["Effect"], action, json.dumps(resource, sort_keys=True))
        for doc in documents
        for st in statements(doc)
        for action in as_list(st["Action"])
        for resource in as_list(st["Resource"])
    }


def test_the_lambda_role_may_log_trace_and_assume_the_vend_roles_only(synth: Synth) -> None:
    role_id = synth.logical_id(synth.stack.lambda_role)
    log_group = json.dumps({"Fn::GetAtt": [synth.logical_id(synth.stack.function.log_group), "Arn"]})
    expected = {
        ("Allow", "logs:CreateLogStream", log_group),
        ("Allow", "logs:PutLogEvents", log_group),
        ("Allow", "xray:PutTraceSegments", '"*"'),
        ("Allow", "xray:PutTelemetryRecords", '"*"'),
    }
    for action in ("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"):
        expected |= {("Allow", action, json.dumps(UPLOADS)), ("Allow", action, json.dumps(DATA))}
    revocations = {"Fn::GetAtt": [synth.logical_id(synth.stack.revocations), "Arn"]}
    expected.add(("Allow", "dynamodb:Query", json.dumps(revocations)))
    assert role_permissions(synth, role_id) == expected
    # The revocation store: Query, of the revocation partition only (never the audit trail, never a write).
    (read,) = [
        st
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for st in statements(p["Properties"]["PolicyDocument"])
        if st["Action"] == "dynamodb:Query"
    ]
    assert read["Condition"] == {
        "Null": {"dynamodb:LeadingKeys": "false"},
        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["revocation"]},
    }
    role = synth.template["Resources"][role_id]["Properties"]
    assert "ManagedPolicyArns" not in role
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
    ]


def test_each_vend_role_trusts_only_the_lambda_role_for_vend_shaped_requests(synth: Synth) -> None:
    lambda_role = {"Fn::GetAtt": [synth.logical_id(synth.stack.lambda_role), "Arn"]}
    roles = {
        r["Properties"]["RoleName"]: r["Properties"]
        for r in synth.resources("AWS::IAM::Role").values()
        if "RoleName" in r["Properties"]
    }
    expected_scopes = {"vend-dev-uploads": ["REPORTS_READ", "S3_OWN_PREFIX", "TENANT_FILES"]}
    expected_scopes["vend-dev-data"] = ["DYNAMODB_OWN_ITEMS"]
    expected_keys = {"vend-dev-uploads": ["tenant", "vend:scope", "vend:sub"]}
    expected_keys["vend-dev-data"] = ["vend:scope", "vend:sub"]
    for name, scopes in expected_scopes.items():
        role = roles[name]
        assert role["MaxSessionDuration"] == 3600
        assert "PermissionsBoundary" not in role
        source_identity, tags = statements(role["AssumeRolePolicyDocument"])
        for statement in (source_identity, tags):
            assert statement["Effect"] == "Allow"
            assert statement["Principal"] == {"AWS": lambda_role}
        assert source_identity["Action"] == ["sts:AssumeRole", "sts:SetSourceIdentity"]
        assert source_identity["Condition"] == {"StringLike": {"sts:SourceIdentity": UUID_SHAPE}}
        assert tags["Action"] == "sts:TagSession"
        assert tags["Condition"] == {
            "Null": {
                "aws:RequestTag/vend:sub": "false",
                "aws:RequestTag/vend:scope": "false",
                "sts:TransitiveTagKeys": "true",
            },
            "StringEquals": {"aws:RequestTag/vend:scope": scopes},
            "StringLike": {"aws:RequestTag/vend:sub": UUID_SHAPE},
            "ForAllValues:StringEquals": {"aws:TagKeys": expected_keys[name]},
        }
        # Revocation lives in managed policies attached to every vend role, not in the trust policy: the stack's
        # own (deploy-time), and the one `vend revoke` owns, named by ARN (CloudFormation does not manage it).
        assert role["ManagedPolicyArns"] == [
            {"Ref": "SessionDenies"},
            f"arn:aws:iam::{ACCOUNT}:policy/vend-dev-revocations",
        ]


def test_vend_role_policies_are_ceilings_with_no_caller_value_and_no_bare_wildcard(synth: Synth) -> None:
    roles = {
        r["Properties"]["RoleName"]: r["Properties"]
        for r in synth.resources("AWS::IAM::Role").values()
        if "RoleName" in r["Properties"]
    }
    (policy,) = roles["vend-dev-uploads"]["Policies"]
    granted = {
        (a, r) for st in statements(policy["PolicyDocument"]) for a in st["Action"] for r in st["Resource"]
    }
    assert ("s3:PutObject", "arn:aws:s3:::example-uploads/users/*/*") in granted
    assert ("s3:GetObject", "arn:aws:s3:::example-uploads/reports/*") in granted
    assert ("s3:PutObject", "arn:aws:s3:::example-uploads/reports/*") not in granted
    text = json.dumps(roles)
    assert "{{" not in text
    assert all(r != "*" for _, r in granted)


def test_both_fields_use_the_checked_in_js_resolver_on_the_lambda_source_without_caching(
    synth: Synth, repo_root: Path
) -> None:
    code = (repo_root / "resolvers" / "appsync" / "vendResolver.js").read_text()
    _, source = synth.one("AWS::AppSync::DataSource")
    assert source["Properties"]["Type"] == "AWS_LAMBDA"
    assert source["Properties"]["LambdaConfig"] == {
        "LambdaFunctionArn": {"Fn::GetAtt": [synth.logical_id(synth.stack.function), "Arn"]}
    }
    wired = {}
    for resolver in synth.resources("AWS::AppSync::Resolver").values():
        props = resolver["Properties"]
        wired[(props["TypeName"], props["FieldName"])] = props
        assert props["Kind"] == "UNIT"
        assert props["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
        assert props["Code"] == code
        assert props["DataSourceName"] == source["Properties"]["Name"]
        assert "CachingConfig" not in props
    assert set(wired) == {("Mutation", "vendCredentials"), ("Query", "scopes")}
    assert synth.resources("AWS::AppSync::ApiCache") == {}


def test_the_api_uses_the_user_pool_logs_without_bodies_and_traces(synth: Synth, repo_root: Path) -> None:
    _, api = synth.one("AWS::AppSync::GraphQLApi")
    props = api["Properties"]
    assert props["AuthenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    assert props["UserPoolConfig"]["UserPoolId"] == {"Ref": synth.logical_id(synth.stack.user_pool)}
    # Only our app client's tokens: without the regex, any app client of the pool gets through to the Lambda.
    assert props["UserPoolConfig"]["AppIdClientRegex"] == {
        "Fn::Join": ["", ["^", {"Ref": synth.logical_id(synth.stack.app_client)}, "$"]]
    }
    assert props["XrayEnabled"] is True
    assert props["LogConfig"]["FieldLogLevel"] == "ERROR"
    assert props["LogConfig"]["ExcludeVerboseContent"] is True
    assert "AdditionalAuthenticationProviders" not in props
    _, schema = synth.one("AWS::AppSync::GraphQLSchema")
    assert schema["Properties"]["Definition"] == (repo_root / "schema.graphql").read_text()


def test_the_app_client_cannot_write_any_attribute_the_catalog_reads(synth: Synth) -> None:
    _, client = synth.one("AWS::Cognito::UserPoolClient")
    props = client["Properties"]
    # Absent WriteAttributes would mean "every mutable attribute": the list must be there, and explicit.
    assert props["WriteAttributes"] == ["email", "family_name", "given_name", "name"]
    read_by_catalog = {c.claim for c in load_catalog().claims.values()}
    assert read_by_catalog == {"custom:tenant_id"}
    assert not read_by_catalog & set(props["WriteAttributes"])
    assert "custom:tenant_id" in props["ReadAttributes"]
    assert props["GenerateSecret"] is False
    assert props["AllowedOAuthFlowsUserPoolClient"] is False


def test_the_user_pool_requires_totp_and_a_strong_password_and_has_the_catalog_groups(synth: Synth) -> None:
    _, pool = synth.one("AWS::Cognito::UserPool")
    props = pool["Properties"]
    assert props["MfaConfiguration"] == "ON"
    assert props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 12
    assert all(
        policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )
    tenant = next(a for a in props["Schema"] if a["Name"] == "tenant_id")
    assert tenant["Mutable"] is True  # admins set it; no app client may (see the test above)
    groups = {g["Properties"]["GroupName"] for g in synth.resources("AWS::Cognito::UserPoolGroup").values()}
    assert groups == {"analysts"}


def test_the_lambda_runs_current_python_with_the_pinned_powertools_layer_and_the_handler_settings(
    synth: Synth,
) -> None:
    function = synth.resource(synth.stack.function)
    props = function["Properties"]
    assert props["Runtime"] == "python3.13"
    assert props["ReservedConcurrentExecutions"] == 10
    assert props["Handler"] == "resolvers.handler.lambda_handler"
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Timeout"] < 30  # AppSync gives up at 30 s
    (layer,) = props["Layers"]
    parameter = synth.template["Parameters"][layer["Ref"]]
    assert parameter["Default"] == f"/aws/service/powertools/python/arm64/python3.13/{POWERTOOLS_VERSION}"
    env = props["Environment"]["Variables"]
    assert set(env) == {
        "VEND_USER_POOL_ISSUER",
        "VEND_APP_CLIENT_IDS",
        "VEND_ROLE_ARNS",
        "VEND_REVOCATION_TABLE",
        "VEND_BUCKET",
        "VEND_TABLE_ARN",
        "AWS_STS_REGIONAL_ENDPOINTS",
        "POWERTOOLS_LOGGER_LOG_EVENT",
    }
    assert json.loads(env["VEND_ROLE_ARNS"]) == {"uploads": UPLOADS, "data": DATA}
    assert env["VEND_REVOCATION_TABLE"] == {"Ref": synth.logical_id(synth.stack.revocations)}
    assert env["VEND_USER_POOL_ISSUER"] == {
        "Fn::Join": [
            "",
            [
                "https://cognito-idp.eu-west-1.amazonaws.com/",
                {"Ref": synth.logical_id(synth.stack.user_pool)},
            ],
        ]
    }


def test_the_powertools_layer_is_the_version_the_tests_run(repo_root: Path) -> None:
    lock = (repo_root / "requirements" / "infra.lock").read_text()
    pinned = re.search(r"^aws[-_]lambda[-_]powertools==(\S+)$", lock, re.MULTILINE)
    assert pinned is not None
    assert pinned.group(1) == POWERTOOLS_VERSION


def test_outputs_name_what_a_client_needs_and_nothing_secret(synth: Synth) -> None:
    outputs = synth.template["Outputs"]
    assert set(outputs) == {
        "GraphQLUrl",
        "UserPoolId",
        "AppClientId",
        "Region",
        "BucketName",
        "TableArn",
        "RevocationTable",
        "RevocationPolicyArn",
        "RevocationOperatorPolicyArn",
    }
    assert outputs["BucketName"]["Value"] == "example-uploads"
    assert outputs["TableArn"]["Value"] == "arn:aws:dynamodb:eu-west-1:123456789012:table/example-items"
    assert outputs["Region"]["Value"] == "eu-west-1"
    assert outputs["GraphQLUrl"]["Value"] == {"Fn::GetAtt": [synth.logical_id(synth.stack.api), "GraphQLUrl"]}
