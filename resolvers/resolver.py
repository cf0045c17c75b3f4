"""Route AppSync direct-Lambda events to the VendService with powertools' AppSyncResolver. No I/O of its own.

``dispatch`` is the contract's last line: whatever the event, it returns an envelope and never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from aws_lambda_powertools.event_handler import AppSyncResolver

from resolvers.errors import InvalidRequest
from resolvers.service import Envelope, VendService, error_envelope, internal_envelope
from resolvers.telemetry import Telemetry

FIELDS: Final = frozenset({("Mutation", "vendCredentials"), ("Query", "scopes")})


def build_resolver(service: VendService) -> AppSyncResolver:
    app = AppSyncResolver()  # type: ignore[no-untyped-call]

    @app.resolver(type_name="Mutation", field_name="vendCredentials")
    def vend_credentials(**arguments: object) -> Envelope:
        request_id = str(getattr(app.lambda_context, "aws_request_id", ""))
        return service.vend(_identity(app), arguments, request_id)

    @app.resolver(type_name="Query", field_name="scopes")
    def scopes(**_: object) -> Envelope:
        return service.scopes(_identity(app))

    return app


def _identity(app: AppSyncResolver) -> object:
    """The raw identity: powertools' typed wrapper would take any identity with a ``sub`` for Cognito."""
    event = app.current_event
    return event.raw_event.get("identity") if event is not None else None


def dispatch(app: AppSyncResolver, event: object, context: Any, telemetry: Telemetry) -> Envelope:
    if not _is_known_field_event(event):
        return error_envelope(InvalidRequest("This request is not a vendCredentials or scopes call."))
    try:
        result: Envelope = app.resolve(dict(event), context)  # type: ignore[call-overload]
    except Exception:  # noqa: BLE001 - an unexpected failure is logged and answered with Internal
        telemetry.failure("resolver failed unexpectedly")
        return internal_envelope()
    return result


def _is_known_field_event(event: object) -> bool:
    """A single (not batched) direct-Lambda event for one of our fields, with an arguments object."""
    if not isinstance(event, Mapping):
        return False
    info = event.get("info")
    if not isinstance(info, Mapping):
        return False
    parent, name = info.get("parentTypeName"), info.get("fieldName")
    # Strings first: a list here is unhashable, and the membership test would raise out of dispatch.
    if not (isinstance(parent, str) and isinstance(name, str)):
        return False
    return (parent, name) in FIELDS and isinstance(event.get("arguments"), Mapping)
