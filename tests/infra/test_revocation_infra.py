"""The revocation resources in the synthesised stack: the store, the operator-owned deny policy that no deploy
rewrites, the resolver's read-only permission, the operator's own policy, and their outputs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from synth_support import ACCOUNT, REGION, Synth, synth_with

from vend_local.iam.revocation import initial_deny_policy, operator_policy

POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/vend-dev-revocations"


def custom_resource(synth: Synth) -> tuple[str, dict[str, Any]]:
    return synth.one("Custom::AWS")


def test_the_store_is_keyed_expiring_recoverable_and_kept_on_teardown(synth: Synth) -> None:
    table_id = synth.logical_id(synth.stack.revocations)
    table = synth.template["Resources"][table_id]
    props = table["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert "TableName" not in props  # generated, so a retained table never blocks a new deploy


def test_the_deny_policy_is_created_once_and_no_deploy_or_teardown_calls_iam_again(synth: Synth) -> None:
    _, resource = custom_resource(synth)
    props = resource["Properties"]
    create = json.loads(props["Create"])
    assert (create["service"], create["action"]) == ("IAM", "CreatePolicy")
    assert create["parameters"]["PolicyName"] == "vend-dev-revocations"
    assert json.loads(create["parameters"]["PolicyDocument"]) == initial_deny_policy()
    assert create["physicalResourceId"] == {"id": POLICY_ARN}
    # A second deploy of the same stage after a teardown adopts the policy (and its revocations).
    assert create["ignoreErrorCodesMatching"] == "EntityAlreadyExists"
    # No Update and no Delete call: aws-cdk-lib's handler then calls nothing and keeps the physical id, so
    # CloudFormation neither rewrites nor replaces what `vend revoke` wrote.
    assert "Update" not in props
    assert "Delete" not in props
    assert resource.get("DeletionPolicy", "Delete") == "Delete"  # deleting the custom resource calls nothing


def test_a_redeploy_with_other_parameters_leaves_the_deny_policy_resource_unchanged(
    synth: Synth, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # What CloudFormation compares on the next deploy: the same properties mean no update event at all.
    other = synth_with(
        tmp_path_factory.mktemp("redeploy"),
        revoke_subs=["11111111-2222-4333-8444-555555555555"],
        revoke_issued_before="2026-01-31T12:00:00Z",
        waf=False,
    )
    assert custom_resource(other)[1]["Properties"] == custom_resource(synth)[1]["Properties"]
    # The deploy-time fallback lands in the stack-owned policy only.
    denies = other.template["Resources"]["SessionDenies"]["Properties"]["PolicyDocument"]
    assert [s["Sid"] for s in denies["Statement"]] == [
        "RequireSourceIdentity",
        "RevokeSessionsIssuedBefore",
        "RevokeCallers",
    ]


def test_the_custom_resource_may_create_that_one_policy_and_nothing_else(synth: Synth) -> None:
    policy = synth.stack.revocation_policy.node.find_child("CustomResourcePolicy")
    document = synth.resource(policy)["Properties"]["PolicyDocument"]
    assert document["Statement"] == [
        {"Action": "iam:CreatePolicy", "Effect": "Allow", "Resource": POLICY_ARN}
    ]


def test_every_vend_role_waits_for_the_deny_policy_and_attaches_it(synth: Synth) -> None:
    cr_id, _ = custom_resource(synth)
    for cfn_role in synth.stack.vend_roles.values():
        role = synth.template["Resources"][synth.stack.resolve(cfn_role.logical_id)]
        assert cr_id in role["DependsOn"]
        assert POLICY_ARN in role["Properties"]["ManagedPolicyArns"]


def test_the_operator_policy_is_the_documented_one_and_attached_to_nobody(synth: Synth) -> None:
    operator = synth.template["Resources"][synth.stack.resolve(synth.stack.operator_policy.logical_id)]
    props = operator["Properties"]
    assert props["ManagedPolicyName"] == "vend-dev-revocation-operator"
    assert not {"Roles", "Users", "Groups"} & set(props)
    table = {"Fn::GetAtt": [synth.logical_id(synth.stack.revocations), "Arn"]}
    pool = {"Fn::GetAtt": [synth.logical_id(synth.stack.user_pool), "Arn"]}
    stack = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/CredentialVending-dev/*"
    expected = operator_policy(
        table_arn="TABLE", deny_policy_arn=POLICY_ARN, user_pool_arn="POOL", stack_arn=stack
    )
    text = json.dumps(expected).replace('"TABLE"', json.dumps(table)).replace('"POOL"', json.dumps(pool))
    assert props["PolicyDocument"] == json.loads(text)


def test_outputs_name_the_revocation_resources(synth: Synth) -> None:
    outputs = synth.template["Outputs"]
    assert outputs["RevocationTable"]["Value"] == {"Ref": synth.logical_id(synth.stack.revocations)}
    assert outputs["RevocationPolicyArn"]["Value"] == POLICY_ARN
    operator_id = synth.stack.resolve(synth.stack.operator_policy.logical_id)
    assert outputs["RevocationOperatorPolicyArn"]["Value"] == {"Ref": operator_id}


def test_the_lambda_s_timeout_covers_the_revocation_lookup_and_sts_within_appsync_s_30_s(
    synth: Synth,
) -> None:
    props = synth.resource(synth.stack.function)["Properties"]
    # The lookup: one page < 4 s, a further one only if begun within 3 s (< 7 s); STS: < 17 s.
    assert 7 + 17 <= props["Timeout"] < 30
