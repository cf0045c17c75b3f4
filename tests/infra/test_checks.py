"""cfn-lint and cdk-nag over the synthesised template."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks
from cfnlint.api import ManualArgs, lint
from synth_support import REGION, Synth

# CDK adds an explicit DependsOn on a role's default policy even where a GetAtt already implies the order.
ACCEPTED_WARNINGS = frozenset({"W3005"})


def test_cfn_lint_finds_no_error(synth: Synth) -> None:
    matches = lint(json.dumps(synth.template), config=ManualArgs(regions=[REGION]))
    errors = [f"{m.rule.id} {m.message}" for m in matches if m.rule.id.startswith("E")]
    assert errors == []
    warnings = {m.rule.id for m in matches if m.rule.id.startswith("W")}
    assert warnings <= ACCEPTED_WARNINGS


def test_every_nag_acknowledgement_is_the_one_we_mean_on_the_resource_it_names(synth: Synth) -> None:
    # The session fixture's synth already ran the AwsSolutions pack and would have raised on any finding left
    # unacknowledged. Here: which findings were acknowledged, where, and that each says why.
    acks: dict[tuple[str, str], str] = {}
    for logical_id, resource in synth.template["Resources"].items():
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
            acks[(logical_id, rule["id"])] = rule["reason"]
    by_type = {(synth.template["Resources"][lid]["Type"], rule) for lid, rule in acks}
    assert by_type == {
        ("AWS::Cognito::UserPool", "AwsSolutions-COG8"),
        ("AWS::Lambda::Function", "AwsSolutions-L1"),
        ("AWS::AppSync::GraphQLApi", "AwsSolutions-ASC3"),
        ("AWS::IAM::Policy", "AwsSolutions-IAM5[Resource::*]"),
        (
            "AWS::IAM::Policy",
            f"AwsSolutions-IAM5[Resource::<{synth.logical_id(synth.stack.function)}.Arn>:*]",
        ),
        ("AWS::IAM::Role", "AwsSolutions-IAM5[Resource::arn:aws:s3:::example-uploads/reports/*]"),
        ("AWS::IAM::Role", "AwsSolutions-IAM5[Resource::arn:aws:s3:::example-uploads/users/*/*]"),
        ("AWS::IAM::Role", "AwsSolutions-IAM5[Resource::arn:aws:s3:::example-uploads/tenants/*/*]"),
        (
            "AWS::IAM::Role",
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        ),
        (
            "AWS::IAM::ManagedPolicy",
            "AwsSolutions-IAM5[Resource::arn:aws:cloudformation:eu-west-1:123456789012:stack/CredentialVending-dev/*]",
        ),
    }
    # The X-Ray acknowledgement sits on the Lambda role's policy and nowhere else.
    xray = [lid for lid, rule in acks if rule == "AwsSolutions-IAM5[Resource::*]"]
    role_id = synth.logical_id(synth.stack.lambda_role)
    assert [synth.template["Resources"][lid]["Properties"]["Roles"] for lid in xray] == [[{"Ref": role_id}]]
    assert all(len(reason) > 40 for reason in acks.values()), acks


def test_the_nag_pack_fails_a_synth_with_an_unacknowledged_wildcard(tmp_path: Path) -> None:
    # Proves the check above can fail: the same plugin set-up refuses an unexplained wildcard.
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Bad")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"]))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="AwsSolutions-IAM5"):
        app.synth()
