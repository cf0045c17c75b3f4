"""The STS adapter: the exact AssumeRole request (botocore Stubber), the client config, errors by type."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.exceptions import (
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from botocore.stub import Stubber

from resolvers import errors
from resolvers.decision import VendPlan, plan_vend
from resolvers.sts import (
    CONNECT_TIMEOUT_SECONDS,
    MAX_ATTEMPTS,
    READ_TIMEOUT_SECONDS,
    StsIssuer,
    client_config,
    make_client,
)
from tests import support

EXPIRATION = datetime(2026, 11, 29, 13, 0, tzinfo=UTC)


def tenant_plan() -> VendPlan:
    caller = support.caller(groups=None, **{"custom:tenant_id": "acme"})
    return plan_vend(caller, "TENANT_FILES", 1200, catalog=support.catalog(), settings=support.settings())


def stubbed() -> tuple[StsIssuer, Stubber]:
    client = boto3.client(
        "sts", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="fake-secret"
    )
    return StsIssuer(lambda: client), Stubber(client)


def test_assume_role_request_is_exact() -> None:
    issuer, stub = stubbed()
    stub.add_response(
        "assume_role",
        {
            "Credentials": {
                "AccessKeyId": "ASIAEXAMPLEEXAMPLE01",
                "SecretAccessKey": "stubbed-secret-access-key-0000000000000000",
                "SessionToken": "stubbed-session-token",
                "Expiration": EXPIRATION,
            },
            "AssumedRoleUser": {
                "AssumedRoleId": "AROAEXAMPLE:11111111-2222-4333-8444-555555555555.TENANT_FILES",
                "Arn": "arn:aws:sts::123456789012:assumed-role/vend-uploads/11111111-2222-4333-8444-555555555555.TENANT_FILES",
            },
            "PackedPolicySize": 12,
            "SourceIdentity": support.SUB,
        },
        {
            "RoleArn": "arn:aws:iam::123456789012:role/vend-uploads",
            "RoleSessionName": "11111111-2222-4333-8444-555555555555.TENANT_FILES",
            "Policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Action": ["s3:ListBucket"],
                            "Condition": {"StringLike": {"s3:prefix": ["tenants/acme/", "tenants/acme/*"]}},
                            "Effect": "Allow",
                            "Resource": ["arn:aws:s3:::vend-example-uploads"],
                            "Sid": "ListTenantPrefix",
                        },
                        {
                            "Action": ["s3:GetObject", "s3:PutObject"],
                            "Effect": "Allow",
                            "Resource": ["arn:aws:s3:::vend-example-uploads/tenants/acme/*"],
                            "Sid": "TenantObjects",
                        },
                    ],
                    "Version": "2012-10-17",
                },
                separators=(",", ":"),
            ),
            "DurationSeconds": 1200,
            "SourceIdentity": "11111111-2222-4333-8444-555555555555",
            "Tags": [
                {"Key": "vend:sub", "Value": "11111111-2222-4333-8444-555555555555"},
                {"Key": "vend:scope", "Value": "TENANT_FILES"},
                {"Key": "tenant", "Value": "acme"},
            ],
        },
    )
    with stub:
        creds = issuer.issue(tenant_plan())
    stub.assert_no_pending_responses()
    assert creds.access_key_id == "ASIAEXAMPLEEXAMPLE01"
    assert creds.expiration == EXPIRATION
    assert creds.packed_policy_size == 12
    assert "stubbed-secret" not in repr(creds)
    assert "stubbed-session-token" not in repr(creds)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("Throttling", errors.Throttled),
        ("RequestLimitExceeded", errors.Throttled),
        ("PackedPolicyTooLarge", errors.PolicyTooLarge),
        ("RegionDisabledException", errors.UpstreamUnavailable),
        ("ExpiredTokenException", errors.UpstreamUnavailable),
        ("AccessDenied", errors.Internal),
        ("MalformedPolicyDocument", errors.Internal),
        ("ValidationError", errors.Internal),
        ("SomethingNew", errors.Internal),
    ],
)
def test_sts_errors_are_translated_by_code_without_aws_text(
    code: str, expected: type[errors.VendError]
) -> None:
    issuer, stub = stubbed()
    aws_text = "User: arn:aws:sts::123456789012:assumed-role/vend-lambda/x is not authorized"
    stub.add_client_error(
        "assume_role", service_error_code=code, service_message=aws_text, http_status_code=400
    )
    with stub, pytest.raises(expected) as info:
        issuer.issue(tenant_plan())
    message = str(info.value)
    assert "arn:" not in message
    assert "123456789012" not in message
    assert "not authorized" not in message
    assert info.value.detail == f"sts error code {code}"
    assert info.value.__cause__ is None  # the AWS error is not chained into tracebacks
    assert info.value.__suppress_context__


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ConnectTimeoutError(endpoint_url="https://sts.eu-west-1.amazonaws.com"), errors.UpstreamUnavailable),
        (ReadTimeoutError(endpoint_url="https://sts.eu-west-1.amazonaws.com"), errors.UpstreamUnavailable),
        (
            EndpointConnectionError(endpoint_url="https://sts.eu-west-1.amazonaws.com"),
            errors.UpstreamUnavailable,
        ),
        (NoCredentialsError(), errors.Internal),
    ],
)
def test_network_and_local_failures_are_typed(exc: Exception, expected: type[errors.VendError]) -> None:
    class Failing:
        def assume_role(self, **_: object) -> None:
            raise exc

    issuer = StsIssuer(Failing)  # type: ignore[arg-type]
    with pytest.raises(expected) as info:
        issuer.issue(tenant_plan())
    assert "amazonaws.com" not in str(info.value)


def test_client_is_created_once_and_lazily() -> None:
    made: list[int] = []

    def factory() -> object:
        made.append(1)
        return boto3.client(
            "sts",
            region_name="eu-west-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="fake-secret",
        )

    issuer = StsIssuer(factory)  # type: ignore[arg-type]
    assert made == []
    assert issuer.client is issuer.client
    assert made == [1]


def test_client_uses_the_regional_endpoint_timeouts_and_bounded_retries() -> None:
    config = client_config()
    # botocore's Config sets these attributes dynamically, so its stubs do not declare them.
    timeouts = (config.connect_timeout, config.read_timeout)  # type: ignore[attr-defined]
    assert timeouts == (CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS)
    assert config.retries == {"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"}  # type: ignore[attr-defined]
    # Worst case well inside AppSync's 30 s: every attempt times out on connect and read.
    assert MAX_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS) < 15
    client = make_client("eu-west-1")
    assert client.meta.endpoint_url == "https://sts.eu-west-1.amazonaws.com"
