"""AWS's own error responses, as each protocol writes them: S3's REST-XML, DynamoDB's JSON 1.0, the query
protocol's XML (STS, IAM) and JSON 1.1 (other JSON services). Pure, no I/O.

The wording follows AWS: S3's and DynamoDB's error messages for authentication failures, and IAM's access
denied format ("User: <arn> is not authorized to perform: <action> on resource: <arn> because no <type> policy
allows the <action> action" / "with an explicit deny in a(n) <type> policy"; S3 quotes the resource). A
client written against the embedded AWS sees the code, status and message it will see in AWS. No secret is
ever echoed (S3 would return the expired token itself in <Token-0>; this does not).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Final
from xml.sax.saxutils import escape

Protocol = str  # "s3" | "json-1.0" | "json-1.1" | "query"


class Failure(Enum):
    """Why a request was refused, protocol-independently."""

    ACCESS_DENIED = "access denied"
    EXPIRED_TOKEN = "expired token"  # noqa: S105 - a failure's name, not a secret
    INVALID_TOKEN = "invalid token"  # noqa: S105 - a failure's name, not a secret
    SIGNATURE = "signature does not match"
    SKEWED = "request time too skewed"
    CONTENT_SHA256 = "x-amz-content-sha256 mismatch"
    MALFORMED = "malformed authorization"


@dataclass(frozen=True, slots=True)
class ErrorResponse:
    status: str  # WSGI status line
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


# (status, code, message) per protocol family. The access-denied message is built per request.
_S3: Final = {
    Failure.ACCESS_DENIED: ("403 Forbidden", "AccessDenied", "Access Denied"),
    Failure.EXPIRED_TOKEN: ("400 Bad Request", "ExpiredToken", "The provided token has expired."),
    Failure.INVALID_TOKEN: (
        "400 Bad Request",
        "InvalidToken",
        "The provided token is malformed or otherwise invalid.",
    ),
    Failure.SIGNATURE: (
        "403 Forbidden",
        "SignatureDoesNotMatch",
        (
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method."
        ),
    ),
    Failure.SKEWED: (
        "403 Forbidden",
        "RequestTimeTooSkewed",
        "The difference between the request time and the current time is too large.",
    ),
    Failure.CONTENT_SHA256: (
        "400 Bad Request",
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    ),
    Failure.MALFORMED: (
        "400 Bad Request",
        "AuthorizationHeaderMalformed",
        "The authorization header is malformed.",
    ),
}
_SIGNATURE_MESSAGE: Final = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
_JSON: Final = {
    Failure.ACCESS_DENIED: ("AccessDeniedException", ""),
    Failure.EXPIRED_TOKEN: ("ExpiredTokenException", "The security token included in the request is expired"),
    Failure.INVALID_TOKEN: (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    ),
    Failure.SIGNATURE: ("InvalidSignatureException", _SIGNATURE_MESSAGE),
    Failure.SKEWED: ("InvalidSignatureException", "Signature expired: the request time is too far from now."),
    Failure.CONTENT_SHA256: ("InvalidSignatureException", _SIGNATURE_MESSAGE),
    Failure.MALFORMED: ("IncompleteSignatureException", "The authorization header is malformed."),
}
_QUERY: Final = {
    Failure.ACCESS_DENIED: ("403 Forbidden", "AccessDenied", ""),
    Failure.EXPIRED_TOKEN: (
        "400 Bad Request",
        "ExpiredToken",
        "The security token included in the request is expired",
    ),
    Failure.INVALID_TOKEN: (
        "403 Forbidden",
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    ),
    Failure.SIGNATURE: ("403 Forbidden", "SignatureDoesNotMatch", _SIGNATURE_MESSAGE),
    Failure.SKEWED: ("400 Bad Request", "RequestExpired", "Request has expired."),
    Failure.CONTENT_SHA256: ("403 Forbidden", "SignatureDoesNotMatch", _SIGNATURE_MESSAGE),
    Failure.MALFORMED: ("400 Bad Request", "IncompleteSignature", "The authorization header is malformed."),
}
QUERY_NAMESPACES: Final = {
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}


def protocol_of(service: str, has_target: bool) -> Protocol:
    if service == "s3":
        return "s3"
    if service == "dynamodb":
        return "json-1.0"
    if has_target:
        return "json-1.1"
    return "query"


def denial_message(principal: str, action: str, resource: str, because: str, *, quote: bool) -> str:
    """IAM's access-denied sentence; ``because`` is its tail ("because no session policy allows the ...")."""
    shown = f'"{resource}"' if quote else resource
    return f"User: {principal} is not authorized to perform: {action} on resource: {shown} {because}"


def implicit(policy_type: str, action: str) -> str:
    return f"because no {policy_type} policy allows the {action} action"


def explicit(policy_type: str) -> str:
    article = "an" if policy_type[0] in "aeiou" else "a"
    return f"with an explicit deny in {article} {policy_type} policy"


def render(
    protocol: Protocol,
    failure: Failure,
    *,
    message: str | None = None,
    service: str = "",
    head: bool = False,
    request_id: str | None = None,
) -> ErrorResponse:
    """The error response; ``message`` replaces the standard one (the access-denied sentence)."""
    rid = request_id or uuid.uuid4().hex.upper()[:16]
    if protocol == "s3":
        status, code, standard = _S3[failure]
        host_id = uuid.uuid4().hex
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{escape(message or standard)}</Message>"
            f"<RequestId>{rid}</RequestId><HostId>{host_id}</HostId></Error>"
        ).encode()
        headers = [("x-amz-request-id", rid), ("x-amz-id-2", host_id)]
        # S3 answers a HEAD with the status alone: no body to say why.
        return _response(status, headers, b"" if head else body, "application/xml")
    if protocol.startswith("json"):
        code, standard = _JSON[failure]
        payload = {"__type": f"com.amazon.coral.service#{code}", "Message": message or standard}
        content_type = f"application/x-amz-{protocol}"
        return _response(
            "400 Bad Request", [("x-amzn-RequestId", rid)], json.dumps(payload).encode(), content_type
        )
    status, code, standard = _QUERY[failure]
    namespace = QUERY_NAMESPACES.get(service, "")
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    body = (
        f"<ErrorResponse{xmlns}><Error><Type>Sender</Type><Code>{code}</Code>"
        f"<Message>{escape(message or standard)}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>"
    ).encode()
    return _response(status, [("x-amzn-RequestId", rid)], body, "text/xml")


def _response(status: str, headers: list[tuple[str, str]], body: bytes, content_type: str) -> ErrorResponse:
    return ErrorResponse(
        status,
        [*headers, ("Content-Type", content_type), ("Content-Length", str(len(body)))],
        body,
    )
