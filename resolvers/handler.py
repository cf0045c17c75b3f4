"""The Lambda entry point ``resolvers.handler.lambda_handler``: wiring only, done once per container.

Settings and the catalog are validated at import (cold start); a bad one fails the init with a message that
names it. The STS client is created lazily on the first vend and reused by the container. With tracing on
(resolvers/tracing.py), the handler and each STS call get an OpenTelemetry span that records no payload.
"""

from __future__ import annotations

import gc
import os
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from resolvers.cache import CachingIssuer
from resolvers.catalog import load_catalog
from resolvers.credentials import CredentialIssuer, IssuedCredentials
from resolvers.decision import VendPlan
from resolvers.resolver import build_resolver, dispatch
from resolvers.service import Envelope, VendService
from resolvers.settings import check_against_catalog, load_settings
from resolvers.sts import StsIssuer, make_client, quiet_wire_logs
from resolvers.telemetry import NAMESPACE, SERVICE, PowertoolsTelemetry
from resolvers.tracing import tracing_decorators

settings = load_settings(os.environ)
catalog = load_catalog(settings.catalog_path)
check_against_catalog(settings, catalog)

# Before any client exists: a DEBUG log level must not turn the SDK's wire logs (with credentials) on.
quiet_wire_logs()
logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
trace_handler, trace_method = tracing_decorators(os.environ, SERVICE)
telemetry = PowertoolsTelemetry(logger, metrics)


class _TracedIssuer(StsIssuer):
    @trace_method
    def issue(self, plan: VendPlan) -> IssuedCredentials:
        return super().issue(plan)


sts_issuer = _TracedIssuer(lambda: make_client(settings.region))
issuer: CredentialIssuer = sts_issuer
if settings.cache_enabled:
    issuer = CachingIssuer(
        sts_issuer,
        clock=lambda: datetime.now(UTC),
        catalog_version=catalog.version,
        min_remaining_seconds=settings.cache_min_remaining_seconds,
        max_entries=settings.cache_max_entries,
    )
service = VendService(catalog=catalog, settings=settings, issuer=issuer, telemetry=telemetry)
app = build_resolver(service)

# Everything above lives as long as the container: move it out of the collector's sight. Without this, the first
# full collection (usually during the first vend, while botocore loads its models) walks every object the imports
# made, about 30 ms of the cold start, and later full collections keep walking them.
gc.freeze()


@metrics.log_metrics(raise_on_empty_metrics=False)
@trace_handler
def lambda_handler(event: dict[str, Any], context: Any) -> Envelope:
    # One metric on every invocation, so the EMF blob is never empty (powertools warns on empty flushes).
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    return dispatch(app, event, context, telemetry)
