"""Route AppSync direct-Lambda events to the VendService: a table of our two fields. No I/O of its own.

``dispatch`` is the contract's last line: whatever the event, it returns an envelope and never raises.

A plain table, not powertools' ``AppSyncResolver``: we read the raw event ourselves anyway (its typed identity
would take any identity with a ``sub`` for Cognito), accept exactly two fields, and never batch. Importing its
``event_handler`` package cost about 30-40 ms of every cold start (it loads every resolver kind, their data
classes and asyncio), and routing through it about 10 us of every call (README, "Performance"). The table also
keeps no per-event state, so one router can serve threads side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from resolvers.errors import InvalidRequest
from resolvers.service import Envelope, VendService, error_envelope, internal_envelope
from resolvers.telemetry import Telemetry

# (event, Lambda context) -> envelope, for one (parentTypeName, fieldName).
FieldResolver = Callable[[Mapping[str, Any], Any], Envelope]
Router = Mapping[tuple[str, str], FieldResolver]


def build_resolver(service: VendService) -> Router:
    def vend_credentials(event: Mapping[str, Any], context: Any) -> Envelope:
        request_id = str(getattr(context, "aws_request_id", ""))
        return service.vend(event.get("identity"), event["arguments"], request_id)

    def scopes(event: Mapping[str, Any], _context: Any) -> Envelope:
        return service.scopes(event.get("identity"))

    return {("Mutation", "vendCredentials"): vend_credentials, ("Query", "scopes"): scopes}


def dispatch(router: Router, event: object, context: Any, telemetry: Telemetry) -> Envelope:
    resolve = _field_resolver(router, event, context)
    if resolve is None:
        return error_envelope(InvalidRequest("This request is not a vendCredentials or scopes call."))
    try:
        return resolve()
    except Exception:  # noqa: BLE001 - an unexpected failure is logged and answered with Internal
        telemetry.failure("resolver failed unexpectedly")
        return internal_envelope()


def _field_resolver(router: Router, event: object, context: Any) -> Callable[[], Envelope] | None:
    """The call for a single (not batched) direct-Lambda event for one of our fields, with an arguments object."""
    if not isinstance(event, Mapping):
        return None
    info = event.get("info")
    if not isinstance(info, Mapping):
        return None
    parent, name = info.get("parentTypeName"), info.get("fieldName")
    # Strings first: a list here is unhashable, and the membership test would raise out of dispatch.
    if not (isinstance(parent, str) and isinstance(name, str)):
        return None
    resolver = router.get((parent, name))
    if resolver is None or not isinstance(event.get("arguments"), Mapping):
        return None
    return lambda: resolver(event, context)
