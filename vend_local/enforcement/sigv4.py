"""SigV4 verification of a header-signed request: parse ``Authorization``, recompute the signature with the
session's secret, compare. No I/O.

The canonical request and the signature are botocore's (SigV4Auth, and S3SigV4Auth for S3, which signs the
path as sent and takes the payload hash from x-amz-content-sha256) -- the same code moto's own IAM check runs.
moto's ``IAMRequest`` itself is not called: it logs every request header, the session token included, at
DEBUG. What AWS checks besides the signature and moto does not, is checked here: a declared payload hash must
be the body's, and the request time must be within 15 minutes of now.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Final

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from vend_local.enforcement.aws_errors import Failure

ALGORITHM: Final = "AWS4-HMAC-SHA256"
# AWS refuses a request signed more than 15 minutes from its own clock (RequestTimeTooSkewed).
MAX_SKEW: Final = timedelta(minutes=15)
# Lenient on purpose (any case): a header that names a session's key in any spelling is judged strictly.
_CREDENTIAL: Final = re.compile(r"Credential=([A-Za-z0-9]+)/", re.IGNORECASE)
_FIELD: Final = re.compile(r"\s*(Credential|SignedHeaders|Signature)=([^,\s]*)\s*")
_SCOPE: Final = re.compile(r"(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
_HEX64: Final = re.compile(r"[0-9a-f]{64}")
_AMZ_DATE_SHAPE: Final = re.compile(r"\d{8}T\d{6}Z")


@dataclass(frozen=True, slots=True)
class Authorization:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def access_key_of(authorization: str | None) -> str | None:
    """The access key id an ``Authorization`` header claims, read leniently (to decide who must verify it)."""
    if authorization is None:
        return None
    match = _CREDENTIAL.search(authorization)
    return match[1] if match else None


def parse(authorization: str) -> Authorization | None:
    """A well-formed SigV4 ``Authorization`` header, or None."""
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != ALGORITHM:
        return None
    fields: dict[str, str] = {}
    for part in rest.split(","):
        match = _FIELD.fullmatch(part)
        if match is None or match[1] in fields:
            return None
        fields[match[1]] = match[2]
    if set(fields) != {"Credential", "SignedHeaders", "Signature"}:
        return None
    key, _, scope = fields["Credential"].partition("/")
    scoped = _SCOPE.fullmatch(scope)
    signed = tuple(fields["SignedHeaders"].split(";"))
    if not key or scoped is None or "host" not in signed or not fields["Signature"]:
        return None
    return Authorization(key, scoped[1], scoped[2], scoped[3], signed, fields["Signature"])


@dataclass(frozen=True, slots=True)
class SignedRequest:
    method: str
    host: str
    raw_uri: str  # path and query exactly as sent (percent-encoded)
    headers: Mapping[str, str]  # lower-case names
    body: bytes


def verify(request: SignedRequest, auth: Authorization, secret_key: str, *, now: datetime) -> Failure | None:
    """None when ``request`` carries a valid signature by ``secret_key``; else why not."""
    refused = _check_time_and_payload(request, auth, now)
    if refused is not None:
        return refused
    headers = {name: request.headers.get(name) for name in auth.signed_headers}
    if any(value is None for value in headers.values()):
        return Failure.SIGNATURE
    aws_request = AWSRequest(
        method=request.method,
        url=f"http://{request.host}{request.raw_uri}",
        data=request.body,
        headers=headers,
    )
    aws_request.context["timestamp"] = request.headers["x-amz-date"]
    credentials = Credentials(auth.access_key_id, secret_key)
    signer = (S3SigV4Auth if auth.service == "s3" else SigV4Auth)(credentials, auth.service, auth.region)
    canonical = signer.canonical_request(aws_request)
    expected = signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
    return None if hmac.compare_digest(expected, auth.signature) else Failure.SIGNATURE


def _check_time_and_payload(request: SignedRequest, auth: Authorization, now: datetime) -> Failure | None:
    amz_date = request.headers.get("x-amz-date")
    if amz_date is None or "x-amz-date" not in auth.signed_headers or not _AMZ_DATE_SHAPE.fullmatch(amz_date):
        return Failure.MALFORMED
    try:
        # Not strptime: it is a tenth of a millisecond, and this runs on every request.
        signed_at = datetime(
            int(amz_date[0:4]),
            int(amz_date[4:6]),
            int(amz_date[6:8]),
            int(amz_date[9:11]),
            int(amz_date[11:13]),
            int(amz_date[13:15]),
            tzinfo=UTC,
        )
    except ValueError:
        return Failure.MALFORMED
    if abs(now - signed_at) > MAX_SKEW:
        return Failure.SKEWED
    declared = request.headers.get("x-amz-content-sha256")
    if declared is not None and _HEX64.fullmatch(declared) and declared != sha256(request.body).hexdigest():
        return Failure.CONTENT_SHA256
    return None
