"""The Lambda entry point ``resolvers.handler.lambda_handler``: wiring only, done once per container.

Settings and the catalog are validated at import (cold start); a bad one fails the init with a message that
names it. The STS client is created lazily on the first vend and reused by the container; so is the revocation
store's client, when VEND_REVOCATION_TABLE names one (resolvers/revocation.py: every vend and `scopes` asks it
first). With tracing on
(resolvers/tracing.py), the handler and each STS call get an OpenTelemetry span that records no payload.
"""

from __future__ import annotations

import gc

# The init below (boto3, Powertools and our modules, the catalog) builds a few hundred thousand objects that live
# as long as the container. The cyclic collector would walk them again and again while they are built and then at
# every full collection; instead it is off until the wiring is done, and the result is frozen (gc.freeze: moved to
# a generation the collector never walks). Together about 60 ms of a cold start (README, "Performance"). An init
# that fails leaves it off, but a failed init ends the Lambda process anyway.
gc.disable()

import os  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

from aws_lambda_powertools import Logger, Metrics  # noqa: E402
from aws_lambda_powertools.metrics import MetricUnit  # noqa: E402

from resolvers.cache import CachingIssuer  # noqa: E402
from resolvers.catalog import load_catalog  # noqa: E402
from resolvers.credentials import CredentialIssuer, IssuedCredentials  # noqa: E402
from resolvers.decision import VendPlan  # noqa: E402
from resolvers.resolver import build_resolver, dispatch  # noqa: E402
from resolvers.revocation_store import new_revocation_store, revocation_gate  # noqa: E402
from resolvers.revocation_store import warm_up as warm_up_revocations  # noqa: E402
from resolvers.service import Envelope, VendService  # noqa: E402
from resolvers.settings import check_against_catalog, load_settings  # noqa: E402
from resolvers.snapstart import SnapStartHooks, register  # noqa: E402
from resolvers.sts import StsIssuer, make_client, new_session, quiet_wire_logs, warm_up, warm_up_request  # noqa: E402
from resolvers.telemetry import NAMESPACE, SERVICE, PowertoolsTelemetry  # noqa: E402
from resolvers.tracing import tracing_decorators  # noqa: E402

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


# One session for the container: the SnapStart warm-up fills its loader, and the clients are made from it later.
aws_session = new_session()
sts_issuer = _TracedIssuer(lambda: make_client(settings.region, aws_session))
revocation_store = new_revocation_store(settings, aws_session)
revocations = revocation_gate(settings, revocation_store)
issuer: CredentialIssuer = sts_issuer
cache: CachingIssuer | None = None
if settings.cache_enabled:
    issuer = cache = CachingIssuer(
        sts_issuer,
        clock=lambda: datetime.now(UTC),
        catalog_version=catalog.version,
        min_remaining_seconds=settings.cache_min_remaining_seconds,
        max_entries=settings.cache_max_entries,
        not_before=revocations.not_before if revocations is not None else None,
    )
service = VendService(
    catalog=catalog, settings=settings, issuer=issuer, telemetry=telemetry, revocations=revocations
)
app = build_resolver(service)


# SnapStart (infra option `snap_start`): warm the STS session before the snapshot; after each restore, re-seed and
# start with no client and no cached credentials (resolvers/snapstart.py). Without SnapStart these never run.
def _warm_up() -> None:
    warm_up(aws_session, settings.region, warm_up_request(min(settings.role_arns.values())))
    if revocation_store is not None:
        warm_up_revocations(aws_session, settings.region)


snapstart_hooks = SnapStartHooks(
    warm=_warm_up,
    issuer=sts_issuer,
    cache=cache,
    # The revocation store's client (credentials, connections) and the gate's snapshot start anew too.
    others=tuple(x for x in (revocation_store, revocations) if x is not None),
)
register(snapstart_hooks)

# Without the freeze, the first full collection (during the first vend, while botocore loads its models) would walk
# every object above: about 30 ms. What the vends create is collected as usual.
gc.freeze()
gc.enable()


@metrics.log_metrics(raise_on_empty_metrics=False)
@trace_handler
def lambda_handler(event: dict[str, Any], context: Any) -> Envelope:
    # One metric on every invocation, so the EMF blob is never empty (powertools warns on empty flushes).
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    return dispatch(app, event, context, telemetry)
