"""The STS adapter, the only module that calls AWS: AssumeRole on a vend role, errors translated by type.

The client is created lazily, once per container, on the regional endpoint, with connect/read timeouts and
bounded retries that keep the worst case far inside AppSync's 30-second resolver limit. ``warm_up`` prepares a
session for that client without credentials or a connection (SnapStart's before-snapshot hook: resolvers.snapstart).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import boto3
from boto3.session import Session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from resolvers.credentials import IssuedCredentials
from resolvers.decision import VendPlan
from resolvers.errors import (
    INTERNAL_MESSAGE,
    Internal,
    PolicyTooLarge,
    Throttled,
    UpstreamUnavailable,
    VendError,
)

if TYPE_CHECKING:
    from mypy_boto3_sts import STSClient

# Worst case: 3 attempts x (1 s connect + 3 s read) plus standard-mode backoff (< 2 s between attempts) < 17 s.
CONNECT_TIMEOUT_SECONDS: Final = 1.0
READ_TIMEOUT_SECONDS: Final = 3.0
MAX_ATTEMPTS: Final = 3

THROTTLED_MESSAGE: Final = "Too many credential requests right now. Retry in a few seconds."
UNAVAILABLE_MESSAGE: Final = "AWS STS is unavailable right now. Retry shortly."

# STS error codes -> domain errors. Codes, never message text: AWS messages can carry ARNs and account ids.
_THROTTLING: Final = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests"}
)
_UNAVAILABLE: Final = frozenset(
    {
        "RegionDisabledException",
        "ExpiredTokenException",
        "ExpiredToken",
        "ServiceUnavailable",
        "InternalFailure",
    }
)
_NETWORK: Final = (ConnectTimeoutError, ReadTimeoutError, EndpointConnectionError, ConnectionClosedError)


# The SDK logs whole requests and responses at DEBUG: an AssumeRole response body holds the vended secret key
# and session token, the request headers the Lambda's own session token.
WIRE_LOGGERS: Final = ("botocore", "urllib3")


def quiet_wire_logs() -> None:
    """Keep SDK wire logging off even when the function's log level is DEBUG. Call once at cold start."""
    for name in WIRE_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


def client_config() -> Config:
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        # total_max_attempts counts the first try; Config's "max_attempts" would count retries only (one more).
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )


def new_session() -> Session:
    """A boto3 session of its own (not boto3's default): it resolves credentials only when a signed client is made."""
    return Session()


def make_client(region: str, session: Session | None = None) -> STSClient:
    # boto3 >= 1.40 uses the regional STS endpoint by default; AWS_ENDPOINT_URL_STS overrides it locally.
    return (session or boto3).client("sts", region_name=region, config=client_config())


# A well-formed AssumeRole answer made of obvious placeholders: what the warm-up's stub returns. No credential.
_WARM_UP_ANSWER: Final = {
    "Credentials": {
        "AccessKeyId": "ASIAWARMUPPLACEHOLDER",
        "SecretAccessKey": "warm-up-placeholder-not-a-secret",
        "SessionToken": "warm-up-placeholder-not-a-token",
        "Expiration": datetime(2000, 1, 1, tzinfo=UTC),
    }
}


def warm_up_request(role_arn: str) -> dict[str, Any]:
    """An AssumeRole request of a vend's shape, with placeholder values: never sent anywhere (``warm_up``)."""
    return {
        "RoleArn": role_arn,
        "RoleSessionName": "snapstart.WARM_UP",
        "Policy": '{"Statement":[],"Version":"2012-10-17"}',
        "DurationSeconds": 900,
        "SourceIdentity": "snapstart-warm-up",
        "Tags": [
            {"Key": "vend:sub", "Value": "snapstart-warm-up"},
            {"Key": "vend:scope", "Value": "WARM_UP"},
        ],
    }


def warm_up(session: Session, region: str, request: dict[str, Any]) -> None:
    """Load what the first vend would load into ``session``, and resolve nothing secret.

    Builds an unsigned STS client from the session (so no credentials are looked up: with SnapStart, Lambda
    serves them from a container endpoint, and they must not be fetched into a snapshot) and sends ``request``
    through botocore's Stubber, which answers before anything is sent (so no connection is opened). That loads
    the STS model, the endpoint rule set and the partitions into the session's loader, and runs parameter
    validation, endpoint resolution and serialisation once. The client is dropped; the real one is made from the
    same session on the first vend, in a few milliseconds instead of about 90.
    """
    from botocore.stub import Stubber  # noqa: PLC0415 - only ever needed by this warm-up

    unsigned = client_config().merge(Config(signature_version=UNSIGNED))
    client = session.client("sts", region_name=region, config=unsigned)
    with Stubber(client) as stub:
        stub.add_response("assume_role", _WARM_UP_ANSWER, request)
        client.assume_role(**request)


class StsIssuer:
    """Issues credentials for a VendPlan. The client factory runs once, on first use."""

    def __init__(self, client_factory: Callable[[], STSClient]) -> None:
        self._factory = client_factory
        self._client: STSClient | None = None

    @property
    def client(self) -> STSClient:
        if self._client is None:
            self._client = self._factory()
        return self._client

    def reset(self) -> None:
        """Drop the client (its credentials and connections); the next vend makes a new one."""
        self._client = None

    def issue(self, plan: VendPlan) -> IssuedCredentials:
        try:
            response = self.client.assume_role(**assume_role_request(plan))
        except ClientError as exc:
            raise translate_client_error(exc, plan.scope) from None
        except _NETWORK as exc:
            raise UpstreamUnavailable(UNAVAILABLE_MESSAGE, detail=type(exc).__name__) from None
        except ResponseParserError:
            # Not a BotoCoreError, and its text quotes the raw response body, which can hold credentials:
            # translate it here so it is never logged as an unexpected traceback.
            raise UpstreamUnavailable(UNAVAILABLE_MESSAGE, detail="ResponseParserError") from None
        except BotoCoreError as exc:
            raise Internal(INTERNAL_MESSAGE, detail=type(exc).__name__) from None
        creds = response["Credentials"]
        return IssuedCredentials(
            access_key_id=creds["AccessKeyId"],
            secret_access_key=creds["SecretAccessKey"],
            session_token=creds["SessionToken"],
            expiration=creds["Expiration"],
            packed_policy_size=response.get("PackedPolicySize"),
        )


def assume_role_request(plan: VendPlan) -> dict[str, Any]:
    """The AssumeRole parameters. Policy is always present: without it STS grants the role's full rights."""
    request: dict[str, Any] = {
        "RoleArn": plan.role_arn,
        "RoleSessionName": plan.session_name,
        "Policy": plan.policy,
        "DurationSeconds": plan.duration_seconds,
        "SourceIdentity": plan.source_identity,
        "Tags": [{"Key": k, "Value": v} for k, v in plan.tags],
    }
    if plan.policy_arns:
        request["PolicyArns"] = [{"arn": arn} for arn in plan.policy_arns]
    return request


def translate_client_error(exc: ClientError, scope: str) -> VendError:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    detail = f"sts error code {code or 'unknown'}"
    if code in _THROTTLING:
        return Throttled(THROTTLED_MESSAGE, detail=detail)
    if code in ("PackedPolicyTooLarge", "PackedPolicyTooLargeException"):
        return PolicyTooLarge(f"Scope {scope}'s policy is too large for AWS to accept.", detail=detail)
    if code in _UNAVAILABLE:
        return UpstreamUnavailable(UNAVAILABLE_MESSAGE, detail=detail)
    # AccessDenied (a broken trust policy), MalformedPolicyDocument, ValidationError: our fault, not the caller's.
    return Internal(INTERNAL_MESSAGE, detail=detail)
