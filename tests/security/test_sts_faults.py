"""Threat: an upstream failure at STS turns into a leak (AWS error text, ARNs, secrets), a hang past AppSync's
30 s or a crash. Each fault is injected through the real botocore stack (signing, retries, timeouts) against a
loopback stub, and must end in a typed, browser-safe envelope, an audit record, and no secret in any log."""

from __future__ import annotations

import io
import json
import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools import Logger, Metrics

from resolvers.resolver import build_resolver, dispatch
from resolvers.service import Envelope, VendService
from resolvers.sts import MAX_ATTEMPTS, StsIssuer, quiet_wire_logs
from resolvers.telemetry import PowertoolsTelemetry, Telemetry
from tests import support
from tests.secret_scan import find_leaks
from tests.security import harness, sts_stub

# AppSync's resolver timeout is 30 s; the proof asks for a generous margin below it.
BOUND_SECONDS = 20.0
LAMBDA_SECRETS = {sts_stub.LAMBDA_SECRET, sts_stub.LAMBDA_TOKEN}


def vend_through(endpoint_url: str, telemetry: Telemetry | None = None) -> tuple[Envelope, Any]:
    """One vend of S3_OWN_PREFIX by the example caller, through dispatch and a real StsIssuer."""
    recorder = support.RecordingTelemetry()
    service = VendService(
        catalog=support.catalog(),
        settings=support.settings(),
        issuer=StsIssuer(lambda: sts_stub.sts_client(endpoint_url)),
        telemetry=telemetry or recorder,
    )
    ev = harness.event(scope="S3_OWN_PREFIX", durationSeconds=900)
    return dispatch(build_resolver(service), ev, harness.Context(), service.telemetry), recorder


def assert_typed_safe_audited(envelope: Envelope, recorder: support.RecordingTelemetry, code: str) -> None:
    assert set(envelope) == {"error"}, envelope
    assert envelope["error"]["type"] == code
    harness.assert_browser_safe(envelope["error"]["message"])
    assert sts_stub.AWS_ERROR_TEXT not in json.dumps(envelope)
    (record,) = recorder.records
    assert (record.decision, record.code) == ("refused", code)
    assert (record.sub, record.scope) == (support.SUB, "S3_OWN_PREFIX")
    assert record.sts_latency_ms is not None
    assert "arn:" not in record.detail
    assert support.ACCOUNT not in record.detail
    # Nothing unexpected: a translated fault is a decision, not a crash with a traceback.
    assert recorder.failures == []


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """Everything logged during the test at DEBUG (the most a Lambda can be told to log), SDK included."""
    quiet_wire_logs()  # as resolvers.handler does at cold start
    caplog.set_level(logging.DEBUG)
    return lambda: [_line(r) for r in caplog.records]


def _line(record: logging.LogRecord) -> str:
    text = record.getMessage() + " " + json.dumps(vars(record), default=str)
    if record.exc_info:
        text += "".join(traceback.format_exception(*record.exc_info))
    return text


def assert_no_secret_in(lines: list[str]) -> None:
    assert find_leaks(lines, support.ISSUED_SECRETS | LAMBDA_SECRETS) == []
    assert not any(sts_stub.AWS_ERROR_TEXT in line for line in lines)


# (STS error code, HTTP status, expected envelope type, expected attempts)
STS_ERRORS = [
    ("Throttling", 400, "Throttled", MAX_ATTEMPTS),
    ("AccessDenied", 403, "Internal", 1),  # the vend role's trust policy does not admit the Lambda
    ("RegionDisabledException", 403, "UpstreamUnavailable", 1),
    ("MalformedPolicyDocument", 400, "Internal", 1),
    ("PackedPolicyTooLarge", 400, "PolicyTooLarge", 1),
    ("ExpiredTokenException", 400, "UpstreamUnavailable", 1),  # the Lambda's own credentials expired
    ("ServiceUnavailable", 503, "UpstreamUnavailable", MAX_ATTEMPTS),
]


def test_retry_budget_is_three_attempts() -> None:
    # Pinned: the worst-case timing below (3 x (1 s + 3 s) + backoff) depends on it.
    assert MAX_ATTEMPTS == 3


@pytest.mark.parametrize(("code", "status", "expected", "attempts"), STS_ERRORS)
def test_sts_error_becomes_a_typed_safe_audited_refusal(
    code: str, status: int, expected: str, attempts: int, logs: Callable[[], list[str]]
) -> None:
    with sts_stub.http_stub(lambda _: (status, sts_stub.error_xml(code))) as stub:
        envelope, recorder = vend_through(stub.url)
    assert stub.attempts == attempts
    assert_typed_safe_audited(envelope, recorder, expected)
    assert recorder.records[0].detail == f"sts error code {code}"
    assert_no_secret_in(logs())


def test_every_attempt_still_carries_the_session_policy() -> None:
    # Without Policy, AssumeRole returns the role's full rights: no retry may drop it.
    with sts_stub.http_stub(lambda _: (400, sts_stub.error_xml("Throttling"))) as stub:
        vend_through(stub.url)
    assert len(stub.requests) == MAX_ATTEMPTS
    for form in stub.requests:
        assert form["Action"] == ["AssumeRole"]
        (policy,) = form["Policy"]
        resources = harness.resources_of(json.loads(policy))
        assert resources == [
            "arn:aws:s3:::vend-example-uploads",
            f"arn:aws:s3:::vend-example-uploads/users/{support.SUB}/*",
        ]
        assert form["SourceIdentity"] == [support.SUB]
        assert form["RoleSessionName"] == [f"{support.SUB}.S3_OWN_PREFIX"]


def test_read_timeout_is_bounded_retried_and_typed(logs: Callable[[], list[str]]) -> None:
    with sts_stub.silent_stub() as stub:
        started = time.monotonic()
        envelope, recorder = vend_through(stub.url)
        elapsed = time.monotonic() - started
    assert elapsed < BOUND_SECONDS, f"{elapsed:.1f} s"
    assert stub.accepted == MAX_ATTEMPTS
    assert_typed_safe_audited(envelope, recorder, "UpstreamUnavailable")
    assert recorder.records[0].detail == "ReadTimeoutError"
    assert_no_secret_in(logs())


def test_connect_timeout_is_bounded_and_typed(logs: Callable[[], list[str]]) -> None:
    with sts_stub.full_backlog_endpoint() as url:
        started = time.monotonic()
        envelope, recorder = vend_through(url)
        elapsed = time.monotonic() - started
    assert elapsed < BOUND_SECONDS, f"{elapsed:.1f} s"
    assert_typed_safe_audited(envelope, recorder, "UpstreamUnavailable")
    assert recorder.records[0].detail == "ConnectTimeoutError"
    assert_no_secret_in(logs())


def test_endpoint_connection_error_is_typed(logs: Callable[[], list[str]]) -> None:
    with sts_stub.refused_endpoint() as url:
        envelope, recorder = vend_through(url)
    assert_typed_safe_audited(envelope, recorder, "UpstreamUnavailable")
    assert recorder.records[0].detail == "EndpointConnectionError"
    assert_no_secret_in(logs())


def truncated_success() -> bytes:
    """An AssumeRole answer cut short: its text already holds a secret key, but it is not XML."""
    secret = "truncated-secret-" + support.fake_credentials(support.FakeIssuer().now, 900).secret_access_key
    support.ISSUED_SECRETS.add(secret)
    body = sts_stub.assume_role_xml("ASIATRUNCATED0000001", secret, "x" * 40, "s")
    return body[: body.index(b"</SecretAccessKey>")]


def test_unparseable_sts_answer_is_typed_and_its_body_never_logged(logs: Callable[[], list[str]]) -> None:
    body = truncated_success()
    with sts_stub.http_stub(lambda _: (200, body)) as stub:
        envelope, recorder = vend_through(stub.url)
    assert stub.attempts >= 1
    assert_typed_safe_audited(envelope, recorder, "UpstreamUnavailable")
    assert recorder.records[0].detail == "ResponseParserError"
    assert_no_secret_in(logs())


def test_granted_vend_at_debug_level_logs_no_vended_or_lambda_secret(logs: Callable[[], list[str]]) -> None:
    creds = support.fake_credentials(support.FakeIssuer().now, 900)

    def answer(form: dict[str, list[str]]) -> sts_stub.Reply:
        (name,) = form["RoleSessionName"]
        return 200, sts_stub.assume_role_xml(
            creds.access_key_id, creds.secret_access_key, creds.session_token, name
        )

    # The production telemetry at DEBUG beside the SDK's loggers: its audit line is in the scan too.
    stream = io.StringIO()
    logger = Logger(
        service="credential-vending-debug-test", level="DEBUG", logger_handler=logging.StreamHandler(stream)
    )
    metrics = Metrics(namespace="CredentialVendingDebugTest", service="debug-test")
    try:
        with sts_stub.http_stub(answer) as stub:
            envelope, _ = vend_through(stub.url, PowertoolsTelemetry(logger, metrics))
        with sts_stub.http_stub(answer) as stub:
            _, recorder = vend_through(stub.url)
    finally:
        metrics.clear_metrics()
    assert stub.attempts == 1
    assert envelope["data"]["secretAccessKey"] == creds.secret_access_key
    (record,) = recorder.records
    assert (record.decision, record.access_key_id) == ("granted", creds.access_key_id)
    assert record.packed_policy_size == 9
    lines = logs() + stream.getvalue().splitlines()
    assert any('"vend decision"' in line for line in lines), "the scan would prove nothing"
    assert_no_secret_in(lines)


def test_powertools_audit_lines_carry_no_secret_for_faults_and_grants() -> None:
    """The production telemetry, with a real powertools Logger writing JSON lines to a buffer."""
    stream = io.StringIO()
    logger = Logger(service="credential-vending-security-test", logger_handler=logging.StreamHandler(stream))
    metrics = Metrics(namespace="CredentialVendingSecurityTest", service="security-test")
    telemetry = PowertoolsTelemetry(logger, metrics)
    creds = support.fake_credentials(support.FakeIssuer().now, 900)
    try:
        with sts_stub.http_stub(lambda _: (400, sts_stub.error_xml("AccessDenied"))) as stub:
            refused, _ = vend_through(stub.url, telemetry)
        with sts_stub.http_stub(
            lambda form: (
                200,
                sts_stub.assume_role_xml(
                    creds.access_key_id,
                    creds.secret_access_key,
                    creds.session_token,
                    form["RoleSessionName"][0],
                ),
            )
        ) as stub:
            granted, _ = vend_through(stub.url, telemetry)
    finally:
        metrics.clear_metrics()
    assert refused["error"]["type"] == "Internal"
    assert granted["data"]["sessionToken"] == creds.session_token
    lines = stream.getvalue().splitlines()
    audits = [json.loads(line)["audit"] for line in lines if '"vend decision"' in line]
    assert [(a["decision"], a["code"]) for a in audits] == [("refused", "Internal"), ("granted", "Granted")]
    assert audits[1]["access_key_id"] == creds.access_key_id
    assert_no_secret_in(lines)
