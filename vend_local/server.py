"""The local AppSync-compatible GraphQL endpoint as an ASGI app: auth, limits, CORS, execution, AppSync errors.

No I/O of its own beyond the ASGI connection: the token verifier and the Lambda invoke function are injected,
so tests drive it in-process and `vend serve` wires in the embedded (or a real) AWS and the real handler.

Per request, in AppSync's order: a token in the URL is refused before anything else (tokens travel in the
Authorization header only); the route and method; the body (size and time limits); the Cognito JWT (401
UnauthorizedException before anything runs; a token accepted before is not verified again until it expires:
verified_tokens); the JSON body (400, no batches); then, on a worker thread (graphql_prepare), the token,
nesting, depth, alias and selection limits, parsing, the choice of operation, validation and variable coercion
(for a document text prepared before, only the coercion, on the event loop); and only then does strawberry
execute the prepared document on the event loop, each resolver building the AppSync ctx, invoking the handler with vendResolver.js's payload and mapping
its envelope as vendResolver.js does. Nothing here logs a header, a body, a query string, a token or a
credential.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Final

import strawberry
from graphql import GraphQLError
from strawberry.http.ides import get_graphql_ide_html
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from resolvers.catalog_model import Catalog
from vend_local import appsync_errors as errs
from vend_local.appsync_errors import graphql_error, map_envelope, request_error
from vend_local.appsync_event import cognito_identity, lambda_payload, resolver_context, resolver_info
from vend_local.graphql_limits import DocumentLimits
from vend_local.graphql_prepare import (
    PREPARED_KEY,
    Prepared,
    PreparedDocuments,
    RequestLimits,
    UsePreparedDocument,
    prepare,
    with_variables,
)
from vend_local.jwt_verify import TokenRejected, carries_jwt
from vend_local.schema import build_schema
from vend_local.verified_tokens import VerifiedTokens

GRAPHQL_PATH: Final = "/graphql"
# Limits. AppSync has its own service quotas; these keep a local server responsive under abuse.
MAX_BODY_BYTES: Final = 64 * 1024
BODY_READ_TIMEOUT_SECONDS: Final = 10.0
MAX_QUERY_DEPTH: Final = 6
MAX_ALIASES: Final = 15
MAX_TOKENS: Final = 2_000
# Brackets and fragment-spread chains: far above what the schema's depth and introspection need (about 12), far
# below Python's recursion limit, which the parser, validation and execution all walk towards.
MAX_NESTING: Final = 32
# Selections as written (fields, fragment spreads, inline fragments). The largest useful document under the other
# limits: every alias plus the unaliased field (MAX_ALIASES + 1), each selecting vendCredentials and its seven
# Credentials fields: 16 x 8 = 128; GraphiQL's introspection query has about 90. It keeps validation, quadratic in
# same-named fields, in the tens of milliseconds. (AppSync documents a resolver count quota instead, 10,000 by
# default; here at most MAX_ALIASES + 2 resolvers can run.)
MAX_SELECTIONS: Final = (MAX_ALIASES + 1) * 8
# Documents being prepared at once, on their own threads: the event loop keeps the GIL's share it needs to serve.
PREPARE_WORKERS: Final = 4
# AppSync times a resolver out at 30 s.
RESOLVER_TIMEOUT_SECONDS: Final = 30.0
CORS_MAX_AGE_SECONDS: Final = 600
CORS_ALLOW_HEADERS: Final = "authorization, content-type, x-amz-user-agent"

Invoke = Callable[[dict[str, Any], Any], Any]
Verify = Callable[[str | None], dict[str, Any]]
# (strawberry schema, query, variables, operation name) -> the prepared request or its request errors.
Prepare = Callable[[Any, str, dict[str, Any] | None, str | None], "Prepared | list[GraphQLError]"]
# ASGI's types, as uvicorn and httpx declare them.
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

log = logging.getLogger("vend.server")
_UNAUTHORIZED_MESSAGES: Final = {
    "missing": errs.MISSING_TOKEN_MESSAGE,
    "malformed": errs.MALFORMED_TOKEN_MESSAGE,
    "expired": errs.EXPIRED_TOKEN_MESSAGE,
    "foreign": errs.MISSING_TOKEN_MESSAGE,
}


@dataclass(frozen=True)
class LambdaContext:
    """The part of Lambda's context object the handler reads."""

    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_name: str = "vend-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:vend-local"
    log_group_name: str = "local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return int(RESOLVER_TIMEOUT_SECONDS * 1000)


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes
    content_type: str


@dataclass(frozen=True)
class _Operation:
    query: str
    variables: dict[str, Any] | None
    name: str | None


@dataclass(frozen=True)
class _Request:
    headers: tuple[tuple[str, str], ...]
    source_ip: str
    claims: Mapping[str, Any]
    domain_name: str | None


def _drop_all(record: logging.LogRecord) -> bool:
    return False


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _as_object(value: Any) -> Any:
    """The handler's JSON (camelCase keys) as objects strawberry's default resolvers read (snake_case)."""
    if isinstance(value, Mapping):
        return SimpleNamespace(**{_snake(k): _as_object(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_as_object(v) for v in value]
    return value


class LocalAppSync:
    """The ASGI application. ``invoke`` is called on one worker thread: one "Lambda container", one event at
    a time, as Lambda runs each container. ``prepare`` (default: ``prepare_document``) runs on a pool of
    PREPARE_WORKERS threads, never on the event loop, for every document text the server has not prepared before.
    """

    def __init__(
        self,
        *,
        catalog: Catalog,
        verify: Verify,
        invoke: Invoke,
        cors_origins: Iterable[str] = (),
        domain_name: str | None = None,
        prepare: Prepare | None = None,
    ) -> None:
        # Leeway 0: a remembered token is used only until its exp, never longer than any verifier would accept it.
        self._tokens = VerifiedTokens(verify, leeway_seconds=0)
        self._documents = PreparedDocuments()
        self._invoke = invoke
        self._cors_origins = frozenset(cors_origins)
        self._domain_name = domain_name
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vend-lambda")
        self._preparers = ThreadPoolExecutor(max_workers=PREPARE_WORKERS, thread_name_prefix="vend-graphql")
        self._prepare = prepare or prepare_document
        self.schema = build_schema(
            catalog,
            vend_resolver=self._vend,
            scopes_resolver=self._scopes_resolver(),
            # Limits, parsing and validation happen before execution, off the event loop (graphql_prepare).
            extensions=(UsePreparedDocument,),
        )
        # strawberry logs every error with the offending query text, which is part of the request body.
        # A filter, not ``disabled``: uvicorn's logging dictConfig re-enables existing loggers.
        logging.getLogger("strawberry.execution").addFilter(_drop_all)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._preparers.shutdown(wait=False, cancel_futures=True)

    # ---- resolvers ---------------------------------------------------------------------------------------

    def _scopes_resolver(self) -> Callable[..., Any]:
        async def scopes(info: strawberry.Info) -> Any:
            return await self._call_handler(info, {})

        return scopes

    def _vend(self, *, info: Any, scope: Any, duration_seconds: Any) -> Any:
        arguments: dict[str, Any] = {"scope": getattr(scope, "value", scope)}
        if duration_seconds is not strawberry.UNSET:
            # An explicit null stays null, an absent argument stays absent, as in AppSync's ctx.arguments.
            arguments["durationSeconds"] = duration_seconds
        return self._call_handler(info, arguments)

    async def _call_handler(self, info: Any, arguments: dict[str, Any]) -> Any:
        request: _Request = info.context["request"]
        # graphql-core's info (field nodes, fragments, variables): strawberry.Info wraps it, the hook's is raw.
        raw = getattr(info, "_raw_info", info)
        ctx = resolver_context(
            arguments=arguments,
            identity=cognito_identity(request.claims, request.source_ip),
            headers=request.headers,
            domain_name=request.domain_name,
            info=resolver_info(
                field_name=raw.field_name,
                parent_type_name=raw.parent_type.name,
                variables=raw.variable_values,
                field_node=raw.field_nodes[0],
                fragments=raw.fragments,
            ),
        )
        loop = asyncio.get_running_loop()
        try:
            result = await asyncio.wait_for(
                loop.run_in_executor(self._executor, self._invoke, lambda_payload(ctx), LambdaContext()),
                timeout=RESOLVER_TIMEOUT_SECONDS,
            )
        except Exception as exc:  # noqa: BLE001 - like a failed Lambda invocation: Internal, never the text
            log.warning("handler invocation failed: %s", type(exc).__name__)
            return _as_object(map_envelope(None, invocation_failed=True))
        return _as_object(map_envelope(result))

    # ---- ASGI ----------------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] == "websocket":
            # AppSync's real-time endpoint is another host; this server speaks plain HTTP only.
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            return
        headers = _headers(scope)
        origin = _single(headers, "origin")
        cors = origin if origin is not None and origin in self._cors_origins else None
        try:
            answer = await self._http(scope, receive, headers, cors)
        except Exception as exc:  # noqa: BLE001 - the server stays up and says nothing about the failure
            log.error("request failed: %s", type(exc).__name__)  # noqa: TRY400 - no traceback: it can hold values
            answer = _error(500, errs.INTERNAL_TYPE, errs.INTERNAL_MESSAGE)
        await _respond(send, answer, cors)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(  # noqa: PLR0911 - one early answer per refusal, in AppSync's order
        self, scope: Scope, receive: Receive, headers: list[tuple[str, str]], cors: str | None
    ) -> HttpAnswer:
        if carries_jwt(_query_string(scope)):
            # A token in a URL ends up in logs, proxies and browser history; AppSync reads it from the header.
            log.info("request refused: a token in the URL")
            return _error(
                400, errs.BAD_REQUEST_TYPE, "Send the token in the Authorization header, never in the URL."
            )
        if scope["path"] != GRAPHQL_PATH:
            return _error(404, errs.NOT_FOUND_TYPE, f"Not found. The GraphQL endpoint is {GRAPHQL_PATH}.")
        method = scope["method"]
        if method == "OPTIONS":
            return HttpAnswer(204 if cors else 403, b"", "text/plain")
        if method == "GET":
            if "text/html" in (_single(headers, "accept") or ""):
                return HttpAnswer(
                    200, get_graphql_ide_html(graphql_ide="graphiql").encode(), "text/html; charset=utf-8"
                )
            return _error(405, errs.METHOD_NOT_ALLOWED_TYPE, "Send GraphQL operations with POST.")
        if method != "POST":
            return _error(405, errs.METHOD_NOT_ALLOWED_TYPE, "Send GraphQL operations with POST.")

        body = await _read_body(headers, receive)
        if isinstance(body, HttpAnswer):
            return body

        # Authentication comes first, as in AppSync: nothing about an unauthenticated request is parsed. A token
        # accepted before and not yet expired is not verified again (vend_local.verified_tokens); any other is
        # verified in full on a worker thread.
        token = _bearer(headers)
        claims = self._tokens.lookup(token)
        if claims is None:
            try:
                claims = await asyncio.to_thread(self._tokens.verify, token)
            except TokenRejected as rejected:
                log.info("request refused: token %s (%s)", rejected.reason, rejected.detail)
                return _error(401, errs.UNAUTHORIZED_TYPE, _UNAUTHORIZED_MESSAGES[rejected.reason])

        operation = _parse_operation(body)
        if isinstance(operation, HttpAnswer):
            return operation
        client = scope.get("client")
        context = {
            "request": _Request(
                headers=tuple(headers),
                source_ip=str(client[0]) if client else "127.0.0.1",
                claims=claims,
                domain_name=self._domain_name,
            )
        }
        result = await self._execute(operation, context)
        return HttpAnswer(200, _json(_response_body(result)), "application/json")

    async def _execute(self, operation: _Operation, context: dict[str, Any]) -> ExecutionResult:
        remembered = self._documents.get(operation.query, operation.name)
        if remembered is not None:
            # The same text passed every limit and validation before: only its variables are new.
            prepared = with_variables(self.schema, remembered, operation.variables)
        else:
            loop = asyncio.get_running_loop()
            prepared = await loop.run_in_executor(
                self._preparers,
                self._prepare,
                self.schema,
                operation.query,
                operation.variables,
                operation.name,
            )
            if isinstance(prepared, Prepared):
                self._documents.remember(operation.query, operation.name, prepared)
        if not isinstance(prepared, Prepared):
            return ExecutionResult(data=None, errors=prepared)
        try:
            return await self.schema.execute(
                operation.query,
                variable_values=operation.variables,
                context_value={**context, PREPARED_KEY: prepared},
                operation_name=prepared.operation_name,
                allowed_operation_types={OperationType.QUERY, OperationType.MUTATION},
            )
        except Exception as exc:  # noqa: BLE001 - prepare() chose the operation; this is a last line of defence
            log.warning("execution refused: %s", type(exc).__name__)
            return ExecutionResult(
                data=None, errors=[GraphQLError("The request names no operation that can run.")]
            )


LIMITS: Final = RequestLimits(
    max_tokens=MAX_TOKENS,
    document=DocumentLimits(
        max_nesting=MAX_NESTING,
        max_depth=MAX_QUERY_DEPTH,
        max_aliases=MAX_ALIASES,
        max_selections=MAX_SELECTIONS,
    ),
)


def prepare_document(
    schema: Any, query: str, variables: dict[str, Any] | None, name: str | None
) -> Prepared | list[GraphQLError]:
    """graphql_prepare.prepare with this server's limits: what runs on the preparation threads."""
    return prepare(schema, query, variables, name, LIMITS)


def _response_body(result: ExecutionResult) -> dict[str, Any]:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [graphql_error(e) for e in result.errors]
        log.info("graphql errors: %s", ",".join(str(e["errorType"]) for e in body["errors"]))
    return body


def _parse_operation(body: bytes) -> _Operation | HttpAnswer:  # noqa: PLR0911 - one answer per refusal
    try:
        data = json.loads(body)
    # ValueError covers JSONDecodeError, UnicodeDecodeError and a number longer than int() converts (4300 digits).
    except (ValueError, RecursionError):
        return _error(400, errs.MALFORMED_REQUEST_TYPE, "The request body is not valid JSON.")
    if isinstance(data, list):
        return _error(
            400, errs.BAD_REQUEST_TYPE, "Batched operations are not supported: send one per request."
        )
    if not isinstance(data, dict):
        return _error(
            400, errs.BAD_REQUEST_TYPE, 'The body must be a JSON object {"query": ..., "variables": ...}.'
        )
    query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return _error(400, errs.BAD_REQUEST_TYPE, "The body has no GraphQL query string.")
    if variables is not None and not isinstance(variables, dict):
        return _error(400, errs.BAD_REQUEST_TYPE, "variables must be a JSON object.")
    if name is not None and not isinstance(name, str):
        return _error(400, errs.BAD_REQUEST_TYPE, "operationName must be a string.")
    return _Operation(query, variables, name)


async def _read_body(headers: list[tuple[str, str]], receive: Receive) -> bytes | HttpAnswer:
    length = _single(headers, "content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        return _error(
            413, errs.PAYLOAD_TOO_LARGE_TYPE, f"The request body is larger than {MAX_BODY_BYTES} bytes."
        )

    async def read() -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    try:
        body = await asyncio.wait_for(read(), timeout=BODY_READ_TIMEOUT_SECONDS)
    except TimeoutError:
        return _error(408, errs.TIMEOUT_TYPE, "The request body did not arrive in time.")
    if body is None:
        return _error(
            413, errs.PAYLOAD_TOO_LARGE_TYPE, f"The request body is larger than {MAX_BODY_BYTES} bytes."
        )
    return body


def _query_string(scope: Scope) -> str:
    raw: bytes = scope.get("query_string", b"")
    return raw.decode("latin-1")


def _headers(scope: Scope) -> list[tuple[str, str]]:
    return [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", [])]


def _single(headers: list[tuple[str, str]], name: str) -> str | None:
    """The header's value when it is sent exactly once; a repeated header counts as absent."""
    values = [v for k, v in headers if k == name]
    return values[0] if len(values) == 1 else None


def _bearer(headers: list[tuple[str, str]]) -> str | None:
    # AppSync takes the JWT itself as the Authorization header, with no "Bearer " prefix.
    value = _single(headers, "authorization")
    return value.strip() if value else None


def _json(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _error(status: int, error_type: str, message: str) -> HttpAnswer:
    return HttpAnswer(status, _json(request_error(error_type, message)), "application/json")


async def _respond(send: Send, answer: HttpAnswer, cors: str | None) -> None:
    headers = [
        (b"content-type", answer.content_type.encode()),
        (b"content-length", str(len(answer.body)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        (b"vary", b"Origin"),
    ]
    if cors is not None:
        headers += [
            (b"access-control-allow-origin", cors.encode("latin-1")),
            (b"access-control-allow-methods", b"POST, OPTIONS"),
            (b"access-control-allow-headers", CORS_ALLOW_HEADERS.encode()),
            (b"access-control-max-age", str(CORS_MAX_AGE_SECONDS).encode()),
        ]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


__all__ = ["GRAPHQL_PATH", "LambdaContext", "LocalAppSync"]
