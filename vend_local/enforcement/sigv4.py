"""SigV4 verification of a header-signed request (parse ``Authorization``) or of a presigned one (parse the
``X-Amz-*`` query parameters, S3 only): recompute the signature with the session's secret, compare. No I/O.

The canonical request and the signature are botocore's (SigV4Auth, and S3SigV4Auth for S3, which signs the
path as sent and takes the payload hash from x-amz-content-sha256) -- the same code moto's own IAM check runs.
moto's ``IAMRequest`` itself is not called: it logs every request header, the session token included, at
DEBUG. What AWS checks besides the signature and moto does not, is checked here: a declared payload hash must
be the body's, and the request time must be within 15 minutes of now.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Final
from urllib.parse import quote

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from vend_local.enforcement.aws_errors import MISSING_QUERY_PARAMS, Failure

ALGORITHM: Final = "AWS4-HMAC-SHA256"
# AWS refuses a request signed more than 15 minutes from its own clock (RequestTimeTooSkewed).
MAX_SKEW: Final = timedelta(minutes=15)
# Lenient on purpose (any case): a header that names a session's key in any spelling is judged strictly.
_CREDENTIAL: Final = re.compile(r"Credential=([A-Za-z0-9]+)/", re.IGNORECASE)
_FIELD: Final = re.compile(r"\s*(Credential|SignedHeaders|Signature)=([^,\s]*)\s*")
_SCOPE: Final = re.compile(r"(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
_HEX64: Final = re.compile(r"[0-9a-f]{64}")
_AMZ_DATE_SHAPE: Final = re.compile(r"[0-9]{8}T[0-9]{6}Z")
# X-Amz-Expires: ASCII digits only (str.isdecimal admits other scripts' digits), with an optional minus for
# S3's own "must be non-negative" answer.
_SECONDS: Final = re.compile(r"-?([0-9]+)")

# Query-string (presigned) SigV4, as S3 documents it ("Authenticating Requests: Using Query Parameters").
SIGNATURE_PARAM: Final = "X-Amz-Signature"
TOKEN_PARAM: Final = "X-Amz-Security-Token"  # noqa: S105 - a parameter's name, not a secret
QUERY_AUTH_PARAMS: Final = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    SIGNATURE_PARAM,
)
# Every query parameter that is authentication, not the operation's.
AUTH_PARAMS: Final = frozenset({*QUERY_AUTH_PARAMS, TOKEN_PARAM})
# S3: a presigned URL is valid for at most seven days (X-Amz-Expires, in seconds, up to 604800).
MAX_EXPIRES_SECONDS: Final = 604_800


@dataclass(frozen=True, slots=True)
class Authorization:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


@dataclass(frozen=True, slots=True)
class QueryAuthorization:
    """The authentication parameters of a presigned URL."""

    authorization: Authorization
    amz_date: str
    expires_seconds: int
    token: str | None

    def signed_at(self) -> datetime:
        signed = _parse_amz_date(self.amz_date)
        if signed is None:  # parse_query only builds one from a valid X-Amz-Date
            raise ValueError("X-Amz-Date")
        return signed


@dataclass(frozen=True, slots=True)
class QueryProblem:
    """Why the query parameters are not a presigned SigV4 request; ``message`` is S3's."""

    message: str


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


def parse_query(pairs: tuple[tuple[str, str], ...]) -> QueryAuthorization | QueryProblem:
    """The presigned URL's authentication, from its decoded query pairs; S3's AuthorizationQueryParametersError
    message when they are not one."""
    names = [key for key, _ in pairs if key in AUTH_PARAMS]
    if len(names) != len(set(names)):
        return QueryProblem("An authentication parameter appears more than once.")
    params = dict(pairs)
    key, _, scope = params.get("X-Amz-Credential", "").partition("/")
    scoped = _SCOPE.fullmatch(scope)
    expires = params.get("X-Amz-Expires", "")
    seconds = _SECONDS.fullmatch(expires)
    amz_date = params.get("X-Amz-Date", "")
    signed = tuple(params.get("X-Amz-SignedHeaders", "").split(";"))
    # S3's checks, in order; the first that fails is the answer.
    checks: tuple[tuple[Callable[[], bool], str], ...] = (
        (lambda: all(params.get(name) for name in QUERY_AUTH_PARAMS), MISSING_QUERY_PARAMS),
        (lambda: params["X-Amz-Algorithm"] == ALGORITHM, f'X-Amz-Algorithm only supports "{ALGORITHM}"'),
        (
            lambda: bool(key) and scoped is not None,
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed.",
        ),
        (
            lambda: not (seconds is not None and expires.startswith("-")),
            "X-Amz-Expires must be non-negative",
        ),
        (lambda: seconds is not None, "X-Amz-Expires should be a number"),
        (
            lambda: _at_most(expires, MAX_EXPIRES_SECONDS),
            f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_EXPIRES_SECONDS}",
        ),
        (
            lambda: _parse_amz_date(amz_date) is not None,
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
        ),
        (
            lambda: scoped is not None and scoped[1] == amz_date[:8],
            "Invalid credential date. Date is not the same as X-Amz-Date.",
        ),
        (lambda: "host" in signed, "X-Amz-SignedHeaders must contain host."),
    )
    problem = next((message for holds, message in checks if not holds()), None)
    if problem is not None or scoped is None:
        return QueryProblem(problem or MISSING_QUERY_PARAMS)
    return QueryAuthorization(
        Authorization(key, scoped[1], scoped[2], scoped[3], signed, params[SIGNATURE_PARAM]),
        amz_date,
        int(expires.lstrip("0") or "0"),  # leading zeros need not fit int()'s digit limit
        params.get(TOKEN_PARAM),
    )


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


def verify_query(
    request: SignedRequest,
    query: tuple[tuple[str, str], ...],
    auth: QueryAuthorization,
    secret_key: str,
    *,
    now: datetime,
) -> Failure | None:
    """None when the presigned ``request`` (its decoded ``query`` pairs) is valid now and signed by ``secret_key``."""
    signed_at = auth.signed_at()
    if signed_at - now > MAX_SKEW:
        return Failure.NOT_YET_VALID
    if now > signed_at + timedelta(seconds=auth.expires_seconds):
        return Failure.REQUEST_EXPIRED
    headers = {name: request.headers.get(name) for name in auth.authorization.signed_headers}
    if any(value is None for value in headers.values()):
        return Failure.SIGNATURE
    # The canonical query string: every parameter but the signature, each name and value URI-encoded (RFC 3986
    # unreserved characters kept), as S3 recomputes it whatever encoding the client chose.
    canonical_query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in query if k != SIGNATURE_PARAM
    )
    path = request.raw_uri.partition("?")[0]
    aws_request = AWSRequest(
        method=request.method, url=f"http://{request.host}{path}?{canonical_query}", headers=headers
    )
    aws_request.context["timestamp"] = auth.amz_date
    credentials = Credentials(auth.authorization.access_key_id, secret_key)
    signer = S3SigV4QueryAuth(
        credentials, auth.authorization.service, auth.authorization.region, expires=auth.expires_seconds
    )
    canonical = signer.canonical_request(aws_request)
    expected = signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
    return None if hmac.compare_digest(expected, auth.authorization.signature) else Failure.SIGNATURE


def _at_most(digits: str, limit: int) -> bool:
    """``int(digits) <= limit`` without converting a number of any length (Python refuses over 4300 digits)."""
    significant = digits.lstrip("0")
    return len(significant) <= len(str(limit)) and int(significant or "0") <= limit


def _parse_amz_date(amz_date: str) -> datetime | None:
    if not _AMZ_DATE_SHAPE.fullmatch(amz_date):
        return None
    try:
        # Not strptime: it is a tenth of a millisecond, and this runs on every request.
        return datetime(
            int(amz_date[0:4]),
            int(amz_date[4:6]),
            int(amz_date[6:8]),
            int(amz_date[9:11]),
            int(amz_date[11:13]),
            int(amz_date[13:15]),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def _check_time_and_payload(request: SignedRequest, auth: Authorization, now: datetime) -> Failure | None:
    amz_date = request.headers.get("x-amz-date")
    if amz_date is None or "x-amz-date" not in auth.signed_headers:
        return Failure.MALFORMED
    signed_at = _parse_amz_date(amz_date)
    if signed_at is None:
        return Failure.MALFORMED
    if abs(now - signed_at) > MAX_SKEW:
        return Failure.SKEWED
    declared = request.headers.get("x-amz-content-sha256")
    if declared is not None and _HEX64.fullmatch(declared) and declared != sha256(request.body).hexdigest():
        return Failure.CONTENT_SHA256
    return None
