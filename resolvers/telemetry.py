"""Where decisions go: the audit log line and the CloudWatch metrics (powertools). Writes to stdout only.

Never log the event (its request headers carry the caller's JWT) and never capture responses in traces
(they carry credentials).
"""

from __future__ import annotations

from typing import Final, Protocol

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from resolvers.audit import AuditRecord

SERVICE: Final = "credential-vending"
NAMESPACE: Final = "CredentialVending"
AUDIT_MESSAGE: Final = "vend decision"


class Telemetry(Protocol):
    def decision(self, record: AuditRecord) -> None: ...

    def failure(self, message: str) -> None: ...


class PowertoolsTelemetry:
    def __init__(self, logger: Logger, metrics: Metrics, namespace: str = NAMESPACE) -> None:
        self._logger = logger
        self._metrics = metrics
        self._namespace = namespace

    def decision(self, record: AuditRecord) -> None:
        self._logger.info(AUDIT_MESSAGE, extra={"audit": record.fields()})
        if record.decision == "granted":
            self._metrics.add_metric(name="Granted", unit=MetricUnit.Count, value=1)
        else:
            # One metric per refusal code: a dimension on a single-metric blob keeps codes apart.
            with single_metric(
                name="Refused", unit=MetricUnit.Count, value=1, namespace=self._namespace
            ) as metric:
                metric.add_dimension(name="code", value=record.code)
        if record.sts_latency_ms is not None:
            self._metrics.add_metric(
                name="StsLatency", unit=MetricUnit.Milliseconds, value=record.sts_latency_ms
            )

    def failure(self, message: str) -> None:
        # Called inside an except block: the traceback is logged, the event never is.
        self._logger.error(message, exc_info=True)  # noqa: LOG014 - only ever called from an except block
