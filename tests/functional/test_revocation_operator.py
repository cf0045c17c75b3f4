"""The operator side on moto: the store, the deny policy's five versions, Cognito, the audit trail, a step that
fails half way, two writers at once (vend_local/revocation/aws.py and runbook.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from tests import support
from vend_local.iam.revocation import initial_deny_policy
from vend_local.revocation.aws import OperatorError, RevocationAws, create_store
from vend_local.revocation.records import (
    RevocationInputError,
    State,
    audit_item,
    plan_revoke,
    state_from_items,
)
from vend_local.revocation.runbook import Run, apply, check_fits, publish_deny

TABLE = "vend-test-revocations"


@dataclass
class World:
    aws: RevocationAws
    pool_id: str
    subs: dict[str, str]  # username -> sub

    def state(self) -> tuple[State, datetime]:
        items, now = self.aws.read()
        return state_from_items(items, now), now

    def versions(self) -> list[str]:
        found = self.aws.iam.list_policy_versions(PolicyArn=self.aws.policy_arn)["Versions"]
        return sorted(v["VersionId"] for v in found)

    def audit(self) -> list[dict[str, Any]]:
        found = self.aws.dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "audit"}},
        )
        items: list[dict[str, Any]] = found["Items"]
        return items

    def revoke(self, *subs: str, disable: bool = False) -> Run:
        state, now = self.state()
        change = plan_revoke(
            state, subs=subs, issued_before=None, now=now, hours=None, reason="test", by="me", disable=disable
        )

        def cognito(run: Run) -> None:
            for sub in subs:
                user = self.aws.user(sub)
                if user is None:
                    continue
                self.aws.sign_out(user)
                if disable:
                    self.aws.disable(user)
                run.lines.append(f"cognito: {user.username}")

        return apply(
            self.aws,
            change,
            action="revoke",
            now=now,
            by="me",
            reason="test",
            subs=subs,
            issued_before=None,
            cognito=cognito,
        )


@pytest.fixture
def world(aws: None) -> World:
    region = support.REGION
    dynamodb = boto3.client("dynamodb", region_name=region)
    create_store(dynamodb, TABLE)
    iam = boto3.client("iam", region_name=region)
    policy_arn = iam.create_policy(
        PolicyName="vend-test-revocations", PolicyDocument=json.dumps(initial_deny_policy())
    )["Policy"]["Arn"]
    cognito = boto3.client("cognito-idp", region_name=region)
    pool_id = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    subs = {}
    for name in ("alice", "bob"):
        cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
        got = cognito.admin_get_user(UserPoolId=pool_id, Username=name)
        subs[name] = next(a["Value"] for a in got["UserAttributes"] if a["Name"] == "sub")
    ops = RevocationAws(
        dynamodb=dynamodb,
        iam=iam,
        cognito=cognito,
        sts=boto3.client("sts", region_name=region),
        table=TABLE,
        policy_arn=policy_arn,
        user_pool_id=pool_id,
    )
    return World(ops, pool_id, subs)


def test_a_revocation_writes_the_store_the_policy_cognito_and_the_audit_entry(world: World) -> None:
    alice = world.subs["alice"]
    run = world.revoke(alice, disable=True)
    assert not run.failed, run.lines
    state, _ = world.state()
    assert set(state.revoked) == {alice}
    version, document = world.aws.policy()
    assert version == "v2"
    assert alice in json.dumps(document)
    user = world.aws.user(alice)
    assert user is not None
    assert (user.username, user.enabled) == ("alice", False)
    (entry,) = world.audit()
    assert entry["action"] == {"S": "revoke"}
    assert [s["S"] for s in entry["steps"]["L"]][-2:] == [
        (
            "role-level deny: vend-test-revocations v2 is the default version "
            "(1 caller(s), 0 issued-before time(s), 440 characters)"
        ),
        "cognito: alice",
    ]


def test_running_it_again_writes_no_new_policy_version(world: World) -> None:
    alice = world.subs["alice"]
    world.revoke(alice)
    again = world.revoke(alice)
    assert "role-level deny: vend-test-revocations v2 already says this; not rewritten" in again.lines
    assert world.versions() == ["v1", "v2"]
    assert len(world.audit()) == 2  # every run leaves its entry


def test_the_policy_never_holds_more_than_iam_s_five_versions(world: World) -> None:
    # Each publish writes a new version; the oldest non-default ones make room (IAM's LimitExceeded otherwise).
    names = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(7)]
    for count, sub in enumerate(names, start=2):
        world.revoke(sub)
        assert len(world.versions()) == min(count, 5)
    _, document = world.aws.policy()
    assert all(sub in json.dumps(document) for sub in names)
    assert world.versions() == ["v4", "v5", "v6", "v7", "v8"]


def test_an_allow_written_into_the_policy_by_hand_is_replaced_and_reported(world: World) -> None:
    widened = initial_deny_policy()
    widened["Statement"].append({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    world.aws.publish(json.dumps(widened))
    line = publish_deny(world.aws)
    assert line.endswith("; it held a statement that was not a Deny, now gone")
    assert world.aws.policy()[1] == initial_deny_policy()


def test_a_second_writer_s_record_is_not_lost(world: World) -> None:
    alice, bob = world.subs["alice"], world.subs["bob"]
    real_publish = world.aws.publish
    sneaked: list[str] = []

    def publish_then_another_operator_writes(document: str) -> str:
        version = real_publish(document)
        if not sneaked:
            # Another `vend revoke` writes its record after this one computed its document.
            state, now = world.state()
            other = plan_revoke(
                state, subs=[bob], issued_before=None, now=now, hours=None, reason="", by="", disable=False
            )
            world.aws.write(other)
            sneaked.append(bob)
        return version

    world.aws.publish = publish_then_another_operator_writes  # type: ignore[method-assign]
    world.revoke(alice)
    document = json.dumps(world.aws.policy()[1])
    assert alice in document
    assert bob in document


def test_a_failed_step_stops_the_run_says_so_and_is_audited(world: World) -> None:
    alice = world.subs["alice"]
    world.aws.user_pool_id = "us-east-1_missing0"
    run = world.revoke(alice)
    assert run.failed
    assert any(line.startswith("FAILED: cognito-idp:ListUsers in us-east-1_missing0:") for line in run.lines)
    state, _ = world.state()
    assert alice in state.revoked  # what was done stays done
    (entry,) = world.audit()
    assert any(s["S"].startswith("FAILED: ") for s in entry["steps"]["L"])
    world.aws.user_pool_id = world.pool_id
    assert not world.revoke(alice).failed  # running it again completes it


def test_an_audit_entry_is_never_overwritten(world: World) -> None:
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    item = audit_item(
        action="revoke", now=now, request_id="same", by="me", reason="", subs=[], issued_before=None, steps=[]
    )
    world.aws.audit(item)
    with pytest.raises(OperatorError, match="ConditionalCheckFailedException"):
        world.aws.audit(item)


def test_a_change_whose_policy_would_not_fit_is_refused_before_anything_is_written(world: World) -> None:
    state, now = world.state()
    many = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(400)]
    change = plan_revoke(
        state, subs=many, issued_before=None, now=now, hours=None, reason="", by="", disable=False
    )
    with pytest.raises(RevocationInputError, match=r"IAM allows 6144\. .*Nothing was changed"):
        check_fits(change.state, now)
    assert world.state()[0] == State()


def test_a_user_is_found_by_sub_and_an_unknown_sub_is_none(world: World) -> None:
    found = world.aws.user(world.subs["bob"])
    assert found is not None
    assert found.username == "bob"
    assert world.aws.user("00000000-0000-4000-8000-000000000000") is None


def test_the_store_read_uses_aws_s_clock(world: World) -> None:
    _, now = world.aws.read()
    assert now.tzinfo is not None
    assert abs(now - datetime.now(now.tzinfo)) < timedelta(minutes=5)
