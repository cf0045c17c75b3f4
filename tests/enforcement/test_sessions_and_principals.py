"""What the registry keeps of a session and what other credentials may do: expiry, session tags, SourceIdentity
and TokenIssueTime in conditions (the revocation statements infra deploys), the Lambda role's own policy and
the vend roles' trust policies, and the seeding credentials."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.enforcement.conftest import World
from vend_local import demo
from vend_local.enforcement.middleware import Enforcement
from vend_local.enforcement.request_context import SessionFacts
from vend_local.iam.revocation import Deny, deny_policy
from vend_local.iam.session_context import ISO_8601


def code_of(call: Callable[[], Any]) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response: Any = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


@contextmanager
def role_policy(world: World, role: str, statement: dict[str, Any]) -> Iterator[None]:
    iam = world.client("iam")
    name = "test-" + statement.get("Sid", "statement")
    iam.put_role_policy(
        RoleName=role,
        PolicyName=name,
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    try:
        yield
    finally:
        iam.delete_role_policy(RoleName=role, PolicyName=name)


# ---- expiry -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("offset", "expired"), [(-1, False), (0, True), (1, True)])
def test_a_session_expires_at_its_expiration(world: World, offset: int, expired: bool) -> None:
    creds = world.vend("alice", "S3_OWN_PREFIX", duration=900)
    record = world.enforcement.registry.get(creds.access_key_id)
    assert record is not None
    # The client still signs with the real time: 900 s later is within the 15 minutes of allowed skew.
    world.clock.fixed = record.expiration + timedelta(seconds=offset)
    s3 = world.client("s3", creds)
    key = world.key("alice")
    if expired:
        assert code_of(lambda: s3.put_object(Bucket=world.bucket, Key=key, Body=b"x"))[:3] == (
            400,
            "ExpiredToken",
            "The provided token has expired.",
        )
    else:
        s3.put_object(Bucket=world.bucket, Key=key, Body=b"x")


def test_an_expired_dynamodb_session_is_expired_token_exception(world: World) -> None:
    creds = world.vend("alice", "DYNAMODB_OWN_ITEMS", duration=900)
    record = world.enforcement.registry.get(creds.access_key_id)
    assert record is not None
    world.clock.fixed = record.expiration
    dynamodb = world.client("dynamodb", creds)
    status, code, message = code_of(
        lambda: dynamodb.get_item(TableName=world.table, Key={"pk": {"S": world.user("alice").sub}})
    )
    assert (status, code, message) == (
        400,
        "ExpiredTokenException",
        "The security token included in the request is expired",
    )


# ---- what the registry keeps --------------------------------------------------------------------------------


def test_the_registry_keeps_what_moto_forgets(world: World) -> None:
    creds = world.vend("carol", "TENANT_FILES")
    record = world.enforcement.registry.get(creds.access_key_id)
    assert record is not None
    carol = world.user("carol").sub
    assert dict(record.tags) == {"vend:sub": carol, "vend:scope": "TENANT_FILES", "tenant": "acme"}
    assert record.source_identity == carol
    assert record.session_name == f"{carol}.TENANT_FILES"
    assert record.role_arn.endswith(":role/vend-local-vend-uploads")
    assert record.policy is not None
    assert "tenants/acme/" in record.policy


def test_a_role_level_deny_on_source_identity_revokes_one_caller_s_sessions(world: World) -> None:
    alice_creds = world.vend("alice", "DYNAMODB_OWN_ITEMS")
    bob_creds = world.vend("bob", "DYNAMODB_OWN_ITEMS")
    alice, bob = world.user("alice").sub, world.user("bob").sub
    revoke = {
        "Sid": "RevokeCallers",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceIdentity": [alice]}},
    }
    with role_policy(world, "vend-local-vend-data", revoke):
        status, code, message = code_of(
            lambda: world.client("dynamodb", alice_creds).get_item(
                TableName=world.table, Key={"pk": {"S": alice}}
            )
        )
        assert (status, code) == (400, "AccessDeniedException")
        assert message.endswith("with an explicit deny in an identity-based policy")
        world.client("dynamodb", bob_creds).get_item(TableName=world.table, Key={"pk": {"S": bob}})
    world.client("dynamodb", alice_creds).get_item(TableName=world.table, Key={"pk": {"S": alice}})


def test_a_new_version_of_the_attached_revocation_policy_is_judged_at_the_very_next_request(
    world: World,
) -> None:
    """`vend revoke` writes a new default version of a managed policy attached to every vend role: the
    enforcement reads the role's managed policies from moto's IAM on each request and caches parsed policies by
    their text, so the new version decides the next request (and the old one, made default again, the one after)."""
    creds = world.vend("carol", "DYNAMODB_OWN_ITEMS")
    carol = world.user("carol").sub
    deployment = world.deployment
    assert deployment.revocation_policy_arn is not None
    iam = world.client("iam")
    dynamodb = world.client("dynamodb", creds)

    def read() -> None:
        dynamodb.get_item(TableName=world.table, Key={"pk": {"S": carol}})

    read()  # allowed, and the parsed policies are now cached
    original = iam.get_policy(PolicyArn=deployment.revocation_policy_arn)["Policy"]["DefaultVersionId"]
    until = (world.clock() + timedelta(hours=1)).strftime(ISO_8601)
    document = deny_policy(
        [Deny((carol,), None, datetime.strptime(until, ISO_8601).replace(tzinfo=UTC))], world.clock()
    )
    created = iam.create_policy_version(
        PolicyArn=deployment.revocation_policy_arn, PolicyDocument=json.dumps(document), SetAsDefault=True
    )["PolicyVersion"]["VersionId"]
    try:
        status, code, message = code_of(read)
        assert (status, code) == (400, "AccessDeniedException")
        assert message.endswith("with an explicit deny in an identity-based policy")
    finally:
        iam.set_default_policy_version(PolicyArn=deployment.revocation_policy_arn, VersionId=original)
        iam.delete_policy_version(PolicyArn=deployment.revocation_policy_arn, VersionId=created)
    read()  # the old default decides again: nothing stale was kept


def test_a_role_level_deny_on_token_issue_time_revokes_sessions_issued_before(world: World) -> None:
    before = world.vend("alice", "S3_OWN_PREFIX")
    world.clock.offset = timedelta(minutes=10)  # within the 15 minutes of signing skew AWS allows
    after = world.vend("alice", "S3_OWN_PREFIX")
    cutoff = (world.clock() - timedelta(minutes=5)).strftime(ISO_8601)
    revoke = {
        "Sid": "RevokeSessionsIssuedBefore",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}},
    }
    with role_policy(world, "vend-local-vend-uploads", revoke):
        key = world.key("alice")
        assert code_of(
            lambda: world.client("s3", before).put_object(Bucket=world.bucket, Key=key, Body=b"x")
        )[1] == ("AccessDenied")
        world.client("s3", after).put_object(Bucket=world.bucket, Key=key, Body=b"x")


def test_session_tags_reach_conditions_as_principal_tags(world: World) -> None:
    alice_creds = world.vend("alice", "S3_OWN_PREFIX")
    bob_creds = world.vend("bob", "S3_OWN_PREFIX")
    deny = {
        "Sid": "NotAlice",
        "Effect": "Deny",
        "Action": "s3:PutObject",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/vend:sub": world.user("alice").sub}},
    }
    with role_policy(world, "vend-local-vend-uploads", deny):
        assert code_of(
            lambda: world.client("s3", alice_creds).put_object(
                Bucket=world.bucket, Key=world.key("alice"), Body=b"x"
            )
        )[1] == ("AccessDenied")
        world.client("s3", bob_creds).put_object(Bucket=world.bucket, Key=world.key("bob"), Body=b"x")


def test_a_condition_on_a_key_nobody_can_know_here_is_refused_as_not_modelled(world: World) -> None:
    creds = world.vend("alice", "S3_OWN_PREFIX")
    deny = {
        "Sid": "NoMfaNoWrite",
        "Effect": "Deny",
        "Action": "s3:PutObject",
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
    with role_policy(world, "vend-local-vend-uploads", deny):
        _, code, message = code_of(
            lambda: world.client("s3", creds).put_object(
                Bucket=world.bucket, Key=world.key("alice"), Body=b"x"
            )
        )
    assert code == "AccessDenied"
    assert "cannot judge" in message
    assert "aws:MultiFactorAuthPresent".lower() in message.lower()


# ---- other credentials --------------------------------------------------------------------------------------


def test_the_seeding_credentials_keep_moto_s_full_access(world: World) -> None:
    listed = world.client("s3").list_objects_v2(Bucket=world.bucket, Prefix="users/")
    assert listed["KeyCount"] >= 3


def lambda_client(world: World, service: str) -> Any:
    creds = world.deployment.lambda_credentials
    assert creds is not None
    return world.aws.client(
        service,
        world.deployment.region,
        access_key_id=creds.access_key_id,
        secret_access_key=creds.secret_access_key,
        session_token=creds.session_token,
    )


def test_the_lambda_role_may_assume_the_vend_roles_and_nothing_else(world: World) -> None:
    sts = lambda_client(world, "sts")
    vend_role = world.deployment.role_arns["uploads"]
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    sub = world.user("alice").sub
    assumed = sts.assume_role(
        RoleArn=vend_role,
        RoleSessionName="direct",
        Policy=policy,
        SourceIdentity=sub,
        Tags=[{"Key": "vend:sub", "Value": sub}, {"Key": "vend:scope", "Value": "S3_OWN_PREFIX"}],
    )
    assert assumed["Credentials"]["AccessKeyId"].startswith("ASIA")
    status, code, message = code_of(lambda: lambda_client(world, "s3").list_objects_v2(Bucket=world.bucket))
    assert (status, code) == (403, "AccessDenied")
    assert message.endswith("because no identity-based policy allows the s3:ListBucket action")


@pytest.mark.parametrize(
    ("source_identity", "tags"),
    [
        (None, [("vend:sub", "11111111-2222-4333-8444-555555555555"), ("vend:scope", "S3_OWN_PREFIX")]),
        (
            "not-a-sub",
            [("vend:sub", "11111111-2222-4333-8444-555555555555"), ("vend:scope", "S3_OWN_PREFIX")],
        ),
        ("11111111-2222-4333-8444-555555555555", [("vend:sub", "11111111-2222-4333-8444-555555555555")]),
        (
            "11111111-2222-4333-8444-555555555555",
            [("vend:sub", "11111111-2222-4333-8444-555555555555"), ("vend:scope", "DYNAMODB_OWN_ITEMS")],
        ),
    ],
    ids=["no-source-identity", "source-identity-not-a-sub", "no-scope-tag", "scope-of-another-role"],
)
def test_the_embedded_vend_roles_trust_the_lambda_role_only_for_vend_shaped_requests(
    world: World, source_identity: str | None, tags: list[tuple[str, str]]
) -> None:
    """The embedded vend roles carry the trust policy infra deploys (vend_local.iam.trust), so the local AssumeRole
    is refused exactly where AWS would refuse it: by the trust policy, a resource-based policy."""
    request: dict[str, Any] = {
        "RoleArn": world.deployment.role_arns["uploads"],
        "RoleSessionName": "direct",
        "Tags": [{"Key": k, "Value": v} for k, v in tags],
    }
    if source_identity is not None:
        request["SourceIdentity"] = source_identity
    status, code, message = code_of(lambda: lambda_client(world, "sts").assume_role(**request))
    assert (status, code) == (403, "AccessDenied")
    assert "because no resource-based policy allows the sts:" in message


def test_the_trust_policy_decides_who_may_assume_a_role(world: World) -> None:
    lambda_role = f"arn:aws:iam::{demo.ACCOUNT_ID}:role/{demo.LAMBDA_ROLE}"
    # The Lambda role trusts only the Lambda service: its own session may not assume it again.
    with role_policy(
        world,
        demo.LAMBDA_ROLE,
        {"Sid": "SelfAssume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": lambda_role},
    ):
        status, code, message = code_of(
            lambda: lambda_client(world, "sts").assume_role(RoleArn=lambda_role, RoleSessionName="again")
        )
    assert (status, code) == (403, "AccessDenied")
    assert "resource-based policy" in message


def test_a_vended_session_may_not_assume_roles(world: World) -> None:
    sts = world.client("sts", world.vend("alice", "S3_OWN_PREFIX"))
    status, code, message = code_of(
        lambda: sts.assume_role(RoleArn=world.deployment.role_arns["data"], RoleSessionName="escalate")
    )
    assert (status, code) == (403, "AccessDenied")
    assert "sts:AssumeRole" in message


# ---- the middleware alone -----------------------------------------------------------------------------------


def test_a_moto_reset_forgets_every_session(world: World) -> None:
    calls: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    enforcement = Enforcement(app)
    creds = world.vend("alice", "S3_OWN_PREFIX")
    record = world.enforcement.registry.get(creds.access_key_id)
    assert record is not None
    enforcement.registry.record(record)

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return None

    enforcement({"PATH_INFO": "/moto-api/reset", "REQUEST_METHOD": "POST"}, start_response)
    assert calls == ["/moto-api/reset"]
    assert len(enforcement.registry) == 0


def test_a_role_path_is_not_part_of_the_session_arn() -> None:
    facts = SessionFacts(
        "123456789012", "arn:aws:iam::123456789012:role/path/r", "AROA1", "s", (), None, datetime.now(UTC)
    )
    assert facts.session_arn == "arn:aws:sts::123456789012:assumed-role/r/s"
