"""WSGI middleware in front of moto: a request signed with the credentials of a role session the embedded AWS
issued is allowed only as IAM would allow it. In-process reads of moto's state (moto_state); no network.

Per request with a recorded session's access key:
1. authentication, as AWS: the session token must be the session's, the session unexpired, the SigV4
   signature valid for the session's secret (sigv4), in the Authorization header or, for S3, in the query string
   of a presigned URL (valid from X-Amz-Date for X-Amz-Expires seconds, at most a week, and never after the
   session expires); query-string authentication for another service, SigV2, and both mechanisms at once are
   refused;
2. mapping: the HTTP request -> the IAM questions its operation asks (vend_local.iam.*_requests);
3. evaluation: each question, with the session's global context, against the role's identity policies (inline
   and attached, moto's IAM), its permissions boundary and the session policies (the inline policy moto kept
   and the managed PolicyArns this registry kept); for AssumeRole also the target role's trust policy;
4. a refusal answers in the service's own error shape (aws_errors); an allow forwards the request to moto.

Every other request (unsigned, or signed with keys the embedded AWS never issued as a session, such as the
seeding credentials) goes to moto as before: moto accepts any credentials. Each AssumeRole that moto answers is
recorded (registry), so the session it issues is enforced from its first request.
"""

from __future__ import annotations

import hmac
import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, unquote, urlsplit

from vend_local.enforcement import aws_errors, moto_state, sigv4
from vend_local.enforcement.aws_errors import Failure
from vend_local.enforcement.judge import POLICY_TYPES, Judge
from vend_local.enforcement.moto_state import PolicyText
from vend_local.enforcement.registry import SessionRecord, SessionRegistry, chained
from vend_local.enforcement.request_context import (
    GlobalContext,
    RequestFacts,
    SessionFacts,
    complete,
    global_context,
)
from vend_local.enforcement.trust import TrustNotModelled, applicable
from vend_local.iam.dynamodb_requests import map_dynamodb
from vend_local.iam.http_request import HttpRequest, Mapped, NotModelled
from vend_local.iam.model import Request
from vend_local.iam.s3_requests import Presigned, map_s3
from vend_local.iam.sts_requests import AssumeRoleCall, assume_role_call, map_sts

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger("vend_local.enforcement")

Clock = Callable[[], datetime]

_SCOPE: Final = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/")
_ISSUED_KEY: Final = re.compile(rb"<AccessKeyId>([A-Z0-9]+)</AccessKeyId>")
# A Content-Length that HTTP admits (RFC 9110: 1*DIGIT, ASCII only); anything else is a malformed request.
_CONTENT_LENGTH: Final = re.compile(r"[0-9]{1,19}")
# The body is read in pieces, so a large declared length costs memory only as its bytes arrive.
_READ_CHUNK: Final = 1 << 20
_BAD_LENGTH: Final = b"Bad Request: the Content-Length header is not a number of bytes."
# Other ways a request can name an access key: SigV4 in the query (presigned), SigV2 in the query or header.
_QUERY_KEY: Final = re.compile(r"(?:^|&)(?:X-Amz-Credential|AWSAccessKeyId)=([A-Za-z0-9]+)", re.IGNORECASE)
# Any query parameter that is query-string authentication (SigV4's or SigV2's), in any letter case.
_QUERY_AUTH: Final = re.compile(
    r"(?:^|&)(?:X-Amz-(?:Algorithm|Credential|Signature)|Signature|AWSAccessKeyId)=", re.IGNORECASE
)
_QUERY_SIGV4: Final = re.compile(r"(?:^|&)X-Amz-Credential=", re.IGNORECASE)
_SIGV2_KEY: Final = re.compile(r"^AWS ([A-Za-z0-9]+):")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Incoming:
    """A request made with a recorded session's access key, read once."""

    environ: WSGIEnvironment
    body: bytes
    session: SessionRecord
    service: str  # from the SigV4 credential scope
    region: str
    headers: dict[str, str]  # lower-case names
    raw_uri: str
    now: datetime
    # How the request authenticates: "header" (SigV4 Authorization), "query" (a presigned SigV4 URL), "other".
    mechanism: str
    query: tuple[tuple[str, str], ...]  # decoded, in order

    @property
    def method(self) -> str:
        return str(self.environ.get("REQUEST_METHOD", ""))


@dataclass(frozen=True, slots=True)
class _Refusal:
    failure: Failure
    message: str | None = None


class Enforcement:
    """The WSGI application ``app`` (moto's), with IAM enforced for the role sessions it issues."""

    def __init__(
        self,
        app: WSGIApplication,
        *,
        registry: SessionRegistry | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self._app = app
        self.registry = registry if registry is not None else SessionRegistry()
        self.judge = Judge()
        self.clock = clock

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/moto-api/reset"):
            self.registry.clear()
            return self._app(environ, start_response)
        length = environ.get("CONTENT_LENGTH")
        if length and not _CONTENT_LENGTH.fullmatch(length):
            # As AWS's front ends answer malformed HTTP: a plain 400, before any service sees the request.
            start_response(
                "400 Bad Request", [("Content-Type", "text/plain"), ("Content-Length", str(len(_BAD_LENGTH)))]
            )
            return [_BAD_LENGTH]
        return self._enforce(environ, start_response)

    def _enforce(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        authorization = environ.get("HTTP_AUTHORIZATION")
        query_string = environ.get("QUERY_STRING", "")
        key = sigv4.access_key_of(authorization)
        other = None
        if key is None:
            match = _QUERY_KEY.search(query_string) or _SIGV2_KEY.match(authorization or "")
            other = match[1] if match else None
        session = self.registry.get(key or other or "")
        query = _query_pairs(query_string)
        mechanism = "header" if key is not None else "query" if _QUERY_SIGV4.search(query_string) else "other"
        region, service = _scope_of(authorization, query, mechanism)
        if session is None:
            if service == "sts":
                return self._forward(environ, start_response, _read_body(environ), None)
            return self._app(environ, start_response)
        body = _read_body(environ)
        incoming = _Incoming(
            environ=environ,
            body=body,
            session=session,
            service=service,
            region=region,
            headers=_headers(environ),
            raw_uri=_raw_uri(environ),
            now=self.clock(),
            mechanism=mechanism,
            query=query,
        )
        refusal = self._authenticate(incoming) or self._authorise(incoming)
        if refusal is not None:
            return self._refuse(environ, start_response, refusal, service, session)
        if service != "sts":
            return self._app(environ, start_response)
        return self._forward(environ, start_response, body, session)

    # ---- the decision ---------------------------------------------------------------------------------

    def _authenticate(self, incoming: _Incoming) -> _Refusal | None:
        """AWS's authentication of a session's request: token, expiry, signature."""
        session = incoming.session
        if incoming.mechanism == "query":
            return self._authenticate_query(incoming)
        if incoming.mechanism != "header":
            return _not_modelled(
                session, "SigV2 request", "*", "SigV2 authentication (header or query string)"
            )
        if _QUERY_AUTH.search(incoming.environ.get("QUERY_STRING", "")):
            return _Refusal(Failure.TWO_MECHANISMS)
        parsed = sigv4.parse(incoming.environ.get("HTTP_AUTHORIZATION", ""))
        if parsed is None:
            return _Refusal(Failure.MALFORMED)
        token = incoming.environ.get("HTTP_X_AMZ_SECURITY_TOKEN")
        refused = _session_refusal(session, token, incoming.now)
        if refused is not None:
            return refused
        failure = sigv4.verify(_signed(incoming), parsed, session.secret_access_key, now=incoming.now)
        return None if failure is None else _Refusal(failure)

    def _authenticate_query(self, incoming: _Incoming) -> _Refusal | None:
        """A presigned URL: S3's query-string SigV4 (other services' are not modelled)."""
        session = incoming.session
        if incoming.service != "s3":
            service = incoming.service or "unknown service"
            return _not_modelled(
                session, f"presigned {service} request", "*", "query-string authentication outside S3"
            )
        if incoming.environ.get("HTTP_AUTHORIZATION") is not None:
            return _Refusal(Failure.TWO_MECHANISMS)
        parsed = sigv4.parse_query(incoming.query)
        if isinstance(parsed, sigv4.QueryProblem):
            return _Refusal(Failure.QUERY_PARAMETERS, parsed.message)
        refused = _session_refusal(session, parsed.token, incoming.now)
        if refused is not None:
            return refused
        failure = sigv4.verify_query(
            _signed(incoming), incoming.query, parsed, session.secret_access_key, now=incoming.now
        )
        return None if failure is None else _Refusal(failure)

    def _authorise(self, incoming: _Incoming) -> _Refusal | None:
        """IAM's authorisation of an authenticated request: every question its operation asks must be allowed."""
        session = incoming.session
        parts = urlsplit(incoming.raw_uri)
        presigned = incoming.mechanism == "query"
        http = HttpRequest(
            method=incoming.method,
            path=unquote(parts.path),
            # A presigned URL's authentication parameters are not the operation's.
            query=tuple((k, v) for k, v in incoming.query if not (presigned and k in sigv4.AUTH_PARAMS)),
            headers=incoming.headers,
            body=incoming.body,
        )
        mapped = self._map(
            incoming.service,
            http,
            incoming.region,
            session,
            presigned=_presign_facts(incoming),
            tls_version=_tls_version(incoming.environ),
        )
        if isinstance(mapped, NotModelled):
            return _not_modelled(session, mapped.operation, "*", mapped.reason)
        if not mapped.requests:
            return None  # GetCallerIdentity: no permission needed, and no Deny can refuse it
        try:
            facts, identity = _facts(session)
            texts = [
                *identity,
                *moto_state.session_policies(session.account, session.policy, session.policy_arns),
            ]
        except moto_state.MissingPolicy as exc:
            return _not_modelled(session, mapped.name, mapped.requests[0].resource, str(exc))
        context = global_context(
            facts,
            RequestFacts(
                now=incoming.now,
                region=incoming.region,
                source_ip=incoming.environ.get("REMOTE_ADDR"),
                user_agent=incoming.headers.get("user-agent"),
                referer=incoming.headers.get("referer"),
                secure_transport=_tls_version(incoming.environ) is not None,
            ),
        )
        named = self.judge.keys_named(texts)
        for question in mapped.requests:
            full = complete(question, context, named)
            because = self.judge.because(full, texts)
            if because is None and full.action.startswith("sts:"):
                because = self._trust_because(full, facts, context)
            if because is not None:
                message = aws_errors.denial_message(
                    context.principal, full.action, full.resource, because, quote=incoming.service == "s3"
                )
                logger.info("enforcement: denied %s: %s", mapped.name, message)
                return _Refusal(Failure.ACCESS_DENIED, message)
        return None

    def _map(
        self,
        service: str,
        http: HttpRequest,
        region: str,
        session: SessionRecord,
        *,
        presigned: Presigned | None,
        tls_version: str | None,
    ) -> Mapped:
        if service == "s3":
            return map_s3(
                http,
                virtual_host_bucket=moto_state.virtual_host_bucket(http.header("host") or ""),
                presigned=presigned,
                tls_version=tls_version,
            )
        if service == "dynamodb":
            account = session.account
            return map_dynamodb(
                http,
                region=region,
                account=account,
                tables=lambda table: moto_state.table_keys(account, region, table),
            )
        if service == "sts":
            return map_sts(http)
        return NotModelled(f"{service or 'unknown service'} request", f"no request mapping for {service!r}")

    def _trust_because(self, request: Request, caller: SessionFacts, context: GlobalContext) -> str | None:
        """The target role's trust policy must also allow an sts: request (AssumeRole, TagSession, ...)."""
        try:
            target = moto_state.role_facts(moto_state.account_of(request.resource), request.resource)
        except moto_state.MissingPolicy as exc:
            return f"because the embedded AWS cannot judge it: {exc}"
        if target is None:
            return "because the role does not exist"
        try:
            document = applicable(target.trust_policy, caller)
        except TrustNotModelled as exc:
            return f"because the embedded AWS cannot judge its trust policy: {exc}"
        if not document["Statement"]:
            # No statement names the caller: nothing in the trust policy allows it.
            return aws_errors.implicit(POLICY_TYPES["resource"], request.action)
        trust = [
            PolicyText(
                f"trust policy of {request.resource}", "identity", json.dumps(document, sort_keys=True)
            )
        ]
        return self.judge.trust_because(complete(request, context, self.judge.keys_named(trust)), trust)

    # ---- responses ------------------------------------------------------------------------------------

    def _refuse(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        refusal: _Refusal,
        service: str,
        session: SessionRecord,
    ) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        error = aws_errors.render(
            aws_errors.protocol_of(service, "HTTP_X_AMZ_TARGET" in environ),
            refusal.failure,
            message=refusal.message,
            service=service,
            head=method == "HEAD",
        )
        headers = list(error.headers)
        origin = environ.get("HTTP_ORIGIN")
        if service == "s3" and origin:
            # S3 applies the bucket's CORS rule to its errors too, so a browser can read the refusal.
            bucket = (
                moto_state.virtual_host_bucket(environ.get("HTTP_HOST", ""))
                or (unquote(urlsplit(_raw_uri(environ)).path).removeprefix("/").partition("/")[0])
            )
            headers += moto_state.bucket_cors(session.account, bucket, origin, method)
        start_response(error.status, headers)
        return [error.body]

    def _forward(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        body: bytes,
        caller: SessionRecord | None,
    ) -> Iterable[bytes]:
        """Hand the request to moto; when it is an AssumeRole that moto grants, record the session it issued."""
        params = HttpRequest(
            environ.get("REQUEST_METHOD", ""), "/", _query_pairs(environ.get("QUERY_STRING", "")), {}, body
        ).form()
        call = assume_role_call(params)
        if call is None:
            return self._app(environ, start_response)
        status: dict[str, str] = {}

        def capture(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status["code"] = code
            return start_response(code, headers, exc_info)

        answer = self._app(environ, capture)
        try:
            chunks = list(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        issued = _ISSUED_KEY.search(b"".join(chunks))
        if status.get("code", "").startswith("200") and issued is not None:
            self._record(call, issued[1].decode(), caller)
        return chunks

    def _record(self, call: AssumeRoleCall, access_key_id: str, caller: SessionRecord | None) -> None:
        account = moto_state.account_of(call.role_arn)
        session = moto_state.issued_session(account, access_key_id)
        if session is None:
            return
        tags, source_identity = chained(call, caller)
        self.registry.record(
            SessionRecord(
                access_key_id=access_key_id,
                account=account,
                role_arn=session.role_arn,
                session_name=session.session_name,
                tags=tags,
                transitive_tag_keys=call.transitive_tag_keys,
                source_identity=source_identity,
                policy_arns=call.policy_arns,
                policy=session.policy,
                issued_at=self.clock(),
                expiration=session.expiration,
                secret_access_key=session.secret_access_key,
                session_token=session.session_token,
            )
        )


def _scope_of(
    authorization: str | None, query: tuple[tuple[str, str], ...], mechanism: str
) -> tuple[str, str]:
    """(region, service) from the SigV4 credential scope, of the header or of a presigned URL. SigV2 has no
    scope: S3's own forms of it ("AWS <key>:<signature>", or AWSAccessKeyId, Signature and Expires in the query)
    are S3's, so that the refusal comes in S3's shape."""
    if mechanism == "query":
        credential = next((v for k, v in query if k == "X-Amz-Credential"), "")
        scope = _SCOPE.search(f"Credential={credential},")
    else:
        scope = _SCOPE.search(authorization or "")
    if scope:
        return scope[1], scope[2]
    names = {k for k, _ in query}
    if _SIGV2_KEY.match(authorization or "") or {"AWSAccessKeyId", "Signature", "Expires"} <= names:
        return "", "s3"
    return "", ""


def _session_refusal(session: SessionRecord, token: str | None, now: datetime) -> _Refusal | None:
    """The session token must be the session's, and the session unexpired (a presigned URL too)."""
    if token is None or not hmac.compare_digest(token.encode(), session.session_token.encode()):
        return _Refusal(Failure.INVALID_TOKEN)
    if now >= session.expiration:
        return _Refusal(Failure.EXPIRED_TOKEN)
    return None


def _signed(incoming: _Incoming) -> sigv4.SignedRequest:
    return sigv4.SignedRequest(
        incoming.method, incoming.headers.get("host", ""), incoming.raw_uri, incoming.headers, incoming.body
    )


def _tls_version(environ: WSGIEnvironment) -> str | None:
    """The TLS version of a request to the HTTPS listener, as S3's s3:TlsVersion gives it ("1.2", "1.3")."""
    if environ.get("wsgi.url_scheme") != "https":
        return None
    version = getattr(environ.get("werkzeug.socket"), "version", lambda: None)()
    return version.removeprefix("TLSv") if isinstance(version, str) else None


def _presign_facts(incoming: _Incoming) -> Presigned | None:
    """What a presigned request tells S3's condition keys (s3:authType, s3:signatureAge), after authentication."""
    if incoming.mechanism != "query":
        return None
    parsed = sigv4.parse_query(incoming.query)
    if isinstance(parsed, sigv4.QueryProblem):
        return None
    age = incoming.now - parsed.signed_at()
    return Presigned(signature_age_ms=max(0, int(age.total_seconds() * 1000)))


def _not_modelled(session: SessionRecord, operation: str, resource: str, reason: str) -> _Refusal:
    principal = f"arn:aws:sts::{session.account}:assumed-role/{session.role_arn.rpartition('/')[2]}/{session.session_name}"
    message = (
        f"User: {principal} is not authorized to perform: {operation} on resource: {resource} "
        f"because the embedded AWS does not model it: {reason}"
    )
    logger.info("enforcement: denied, not modelled: %s", message)
    return _Refusal(Failure.ACCESS_DENIED, message)


def _facts(session: SessionRecord) -> tuple[SessionFacts, tuple[PolicyText, ...]]:
    """What IAM knows of the session, and its role's identity policies."""
    role = moto_state.role_facts(session.account, session.role_arn)
    if role is None:
        raise moto_state.MissingPolicy(f"role {session.role_arn} is not in IAM")
    # aws:PrincipalTag: the role's tags, overridden by the session's.
    tags = {**dict(role.tags), **dict(session.tags)}
    facts = SessionFacts(
        account=session.account,
        role_arn=session.role_arn,
        role_id=role.role_id,
        session_name=session.session_name,
        tags=tuple(tags.items()),
        source_identity=session.source_identity,
        issued_at=session.issued_at,
    )
    return facts, role.identity


def _read_body(environ: WSGIEnvironment) -> bytes:
    """The whole request body, put back for moto to read again (its Content-Length checked in ``__call__``)."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = _read_exactly(stream, int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _read_exactly(stream: Any, length: int) -> bytes:
    """Up to ``length`` bytes, or fewer if the client stops: never one allocation of the declared size."""
    chunks: list[bytes] = []
    left = length
    while left > 0:
        chunk: bytes = stream.read(min(left, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _headers(environ: WSGIEnvironment) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers


def _raw_uri(environ: WSGIEnvironment) -> str:
    """Path and query exactly as the client sent them (SigV4 signs those bytes)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        if raw.startswith(("http://", "https://")):
            parts = urlsplit(raw)
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return str(raw)
    path = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/~")
    query = environ.get("QUERY_STRING", "")
    return path + (f"?{query}" if query else "")


def _query_pairs(query: str) -> tuple[tuple[str, str], ...]:
    # Not parse_qsl: a '+' in a SigV4-signed query is a literal plus (a space is sent as %20).
    pairs = []
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return tuple(pairs)
