"""AppSync's error behaviour, locally: the envelope -> util.error mapping of resolvers/appsync/vendResolver.js,
and the JSON shapes AppSync gives GraphQL, auth and request errors. Pure, no I/O.

``map_envelope`` is a line-by-line port of the JS ``response(ctx)``, including JavaScript truthiness, so the
local server answers exactly as the deployed resolver does; tests/contract/test_error_mapping.py runs both
over the same table of envelopes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from graphql import GraphQLError

# The JS resolver's INTERNAL_MESSAGE (it must stay equal to resolvers.errors.INTERNAL_MESSAGE).
INTERNAL_MESSAGE: Final = "The credential service failed unexpectedly. Try again later."
INTERNAL_TYPE: Final = "Internal"

# AppSync's own error types for requests that never reach a resolver.
UNAUTHORIZED_TYPE: Final = "UnauthorizedException"
BAD_REQUEST_TYPE: Final = "BadRequestException"
MALFORMED_REQUEST_TYPE: Final = "MalformedHttpRequestException"
PAYLOAD_TOO_LARGE_TYPE: Final = "PayloadTooLargeException"
NOT_FOUND_TYPE: Final = "NotFoundException"
METHOD_NOT_ALLOWED_TYPE: Final = "MethodNotAllowedException"
TIMEOUT_TYPE: Final = "RequestTimeoutException"
# Errors from parsing and validating the document (unknown enum value, depth limit, ...).
VALIDATION_TYPE: Final = "ValidationError"

# AppSync's 401 messages for Cognito user pool auth. Which check failed is never said in more detail.
MISSING_TOKEN_MESSAGE: Final = "Valid authorization header not provided."  # noqa: S105 - not a secret
MALFORMED_TOKEN_MESSAGE: Final = "Unable to parse JWT token."  # noqa: S105 - not a secret
EXPIRED_TOKEN_MESSAGE: Final = "Token has expired."  # noqa: S105 - not a secret


class AppSyncError(Exception):
    """What ``util.error(message, type, data, info)`` raises in an APPSYNC_JS resolver."""

    def __init__(
        self,
        message: str | None,
        error_type: str | None,
        data: Any = None,
        error_info: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.data = data
        self.error_info = error_info


def _truthy(value: Any) -> bool:
    """JavaScript truthiness for JSON values: every object and array is truthy, even an empty one."""
    if value is None or value is False:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


_MISSING: Final = object()


def _member(value: Any, key: str) -> Any:
    """``value[key]`` as JavaScript reads it from a JSON value: undefined (_MISSING) unless an object has it."""
    if isinstance(value, Mapping):
        return value.get(key, _MISSING)
    return _MISSING


def _js_value(value: Any) -> Any:
    return None if value is _MISSING else value


def map_envelope(result: Any, *, invocation_failed: bool = False) -> Any:
    """The JS ``response(ctx)``: return the field's data, or raise the AppSyncError util.error would."""
    if invocation_failed:
        # Lambda's own error text (timeouts, crashes) never reaches the browser.
        raise AppSyncError(INTERNAL_MESSAGE, INTERNAL_TYPE)
    error = _member(result, "error")
    if _truthy(result) and error is not _MISSING and _truthy(error):
        raise AppSyncError(_js_value(_member(error, "message")), _js_value(_member(error, "type")))
    if not _truthy(result) or _member(result, "data") is _MISSING:
        raise AppSyncError(INTERNAL_MESSAGE, INTERNAL_TYPE)
    return result["data"]


def request_error(error_type: str, message: str) -> dict[str, Any]:
    """The body AppSync sends when a request is refused before execution (401, 400, 413)."""
    return {"errors": [{"errorType": error_type, "message": message}]}


def graphql_error(error: GraphQLError) -> dict[str, Any]:
    """One entry of ``errors`` in AppSync's shape: path, data, errorType, errorInfo, locations, message."""
    original = error.original_error
    if isinstance(original, AppSyncError):
        # util.error with a non-string message has no text to show; the resolver never does that itself.
        message = original.message if isinstance(original.message, str) else INTERNAL_MESSAGE
        error_type, data, info = original.error_type, original.data, original.error_info
    elif original is not None:
        # A failure in this server's own code: its text could carry anything, so it is never shown.
        message, error_type, data, info = INTERNAL_MESSAGE, INTERNAL_TYPE, None, None
    else:
        message, error_type, data, info = error.message, VALIDATION_TYPE, None, None
    return {
        "path": list(error.path) if error.path is not None else None,
        "data": data,
        "errorType": error_type,
        "errorInfo": info,
        "locations": [
            {"line": loc.line, "column": loc.column, "sourceName": None} for loc in error.locations or ()
        ],
        "message": message,
    }
