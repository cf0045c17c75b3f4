"""The pre token generation trigger in the template: V2_0 on the pool, the catalog's claims only, inline code that is
resolvers/token_claims.py byte for byte, a role that may only log, and an existing pool left for the operator."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from synth_support import CONTEXT, Synth
from test_stack import role_permissions

from infra.app import build
from infra.token_claims import INLINE_CODE_MAX, SOURCE, inline_code


def trigger_function(synth: Synth) -> dict[str, Any]:
    assert synth.stack.token_claims is not None
    return synth.resource(synth.stack.token_claims.function)


def test_the_pool_runs_the_trigger_as_v2_0_for_token_generation(synth: Synth) -> None:
    _, pool = synth.one("AWS::Cognito::UserPool")
    config = pool["Properties"]["LambdaConfig"]
    function_arn = {"Fn::GetAtt": [synth.logical_id(synth.stack.token_claims.function), "Arn"]}  # type: ignore[union-attr]
    assert config == {"PreTokenGenerationConfig": {"LambdaArn": function_arn, "LambdaVersion": "V2_0"}}
    # V2_0 (access token customisation) needs the Essentials or Plus feature plan
    assert pool["Properties"]["UserPoolTier"] in {"ESSENTIALS", "PLUS"}
    # AND Cognito, for this pool only, may invoke it
    permissions = [
        p["Properties"]
        for p in synth.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == function_arn
    ]
    assert [(p["Principal"], p["SourceArn"]) for p in permissions] == [
        ("cognito-idp.amazonaws.com", {"Fn::GetAtt": [synth.logical_id(synth.stack.user_pool), "Arn"]})
    ]


def test_the_trigger_adds_exactly_the_catalog_s_claims(synth: Synth) -> None:
    environment = trigger_function(synth)["Properties"]["Environment"]["Variables"]
    assert environment == {"VEND_TOKEN_CLAIMS": json.dumps(["custom:tenant_id"], separators=(",", ":"))}


def test_the_inline_code_is_resolvers_token_claims_itself(synth: Synth) -> None:
    properties = trigger_function(synth)["Properties"]
    assert properties["Handler"] == "index.handler"
    assert properties["Code"] == {"ZipFile": SOURCE.read_text(encoding="utf-8")}
    assert len(properties["Code"]["ZipFile"]) <= INLINE_CODE_MAX
    assert properties["Runtime"] == synth.resource(synth.stack.function)["Properties"]["Runtime"]
    assert properties["Timeout"] <= 5


@pytest.mark.parametrize(
    ("size", "fits"), [(INLINE_CODE_MAX - 1, True), (INLINE_CODE_MAX, True), (INLINE_CODE_MAX + 1, False)]
)
def test_inline_code_is_refused_over_cloudformation_s_limit(size: int, fits: bool) -> None:
    source = "#" * size
    if fits:
        inline_code(source)
    else:
        with pytest.raises(ValueError, match="4096"):
            inline_code(source)


def test_the_trigger_role_may_only_write_its_own_logs(synth: Synth) -> None:
    assert synth.stack.token_claims is not None
    role_id = synth.logical_id(synth.stack.token_claims.role)
    log_group = synth.stack.token_claims.function.log_group
    arn = json.dumps({"Fn::GetAtt": [synth.logical_id(log_group), "Arn"]})
    assert role_permissions(synth, role_id) == {
        ("Allow", "logs:CreateLogStream", arn),
        ("Allow", "logs:PutLogEvents", arn),
    }
    assert "ManagedPolicyArns" not in synth.template["Resources"][role_id]["Properties"]


def test_an_existing_pool_gets_the_trigger_to_attach_and_its_arn(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("existing-pool")
    app = cdk.App(outdir=str(root / "cdk.out"), context={**CONTEXT, "user_pool_id": "eu-west-1_Abc123"})
    stack = build(app, root / "lambda")
    template = app.synth().get_stack_by_name(stack.stack_name).template
    assert stack.token_claims is not None
    function_id = stack.resolve(stack.token_claims.function.node.default_child.logical_id)  # type: ignore[union-attr]
    outputs = template["Outputs"]
    assert outputs["TokenClaimsTriggerArn"]["Value"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert "V2_0" in outputs["TokenClaimsTriggerArn"]["Description"]
    (permission,) = [
        p["Properties"]
        for p in template["Resources"].values()
        if p["Type"] == "AWS::Lambda::Permission"
        and p["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert permission["Principal"] == "cognito-idp.amazonaws.com"
    assert "eu-west-1_Abc123" in json.dumps(permission["SourceArn"])
