"""Audit lines and metrics through powertools: one record per decision, metrics by outcome, no secrets."""

from __future__ import annotations

import json
import logging

import pytest
from aws_lambda_powertools import Logger, Metrics

from resolvers.audit import AuditRecord
from resolvers.telemetry import AUDIT_MESSAGE, PowertoolsTelemetry
from tests import support


@pytest.fixture
def metrics() -> Metrics:
    m = Metrics(namespace="VendTest", service="vend-test")
    m.clear_metrics()
    return m


def test_granted_decision_logs_the_audit_record_and_counts_latency(metrics: Metrics) -> None:
    logger = Logger(service="vend-telemetry-test")
    lines = support.LogLines()
    logging.getLogger("vend-telemetry-test").addHandler(lines)
    record = AuditRecord(
        request_id="r1", catalog_version="v1", decision="granted", code="Granted", sts_latency_ms=4.5
    )
    PowertoolsTelemetry(logger, metrics, namespace="VendTest").decision(record)
    (line,) = lines.records
    assert line.getMessage() == AUDIT_MESSAGE
    assert line.__dict__["audit"] == {
        "request_id": "r1",
        "catalog_version": "v1",
        "decision": "granted",
        "code": "Granted",
        "sts_latency_ms": 4.5,
        "cache_hit": False,
    }
    # The EMF blob carries each metric's values under its own name, which the TypedDict does not declare.
    blob: dict[str, object] = dict(metrics.serialize_metric_set())
    assert blob["Granted"] == [1.0]
    assert blob["StsLatency"] == [4.5]
    metrics.clear_metrics()


def test_refusals_are_counted_by_code(metrics: Metrics, capsys: pytest.CaptureFixture[str]) -> None:
    telemetry = PowertoolsTelemetry(Logger(service="vend-telemetry-test"), metrics, namespace="VendTest")
    telemetry.decision(AuditRecord(request_id="r2", catalog_version="v1", code="ScopeForbidden"))
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    refused = [e for e in emitted if "Refused" in e]
    assert len(refused) == 1
    assert refused[0]["code"] == "ScopeForbidden"
    assert refused[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["code"]]
    assert not metrics.metric_set  # the per-code blob is emitted on its own, not mixed into the handler's
