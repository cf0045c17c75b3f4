"""Loopback-only stand-ins for the STS endpoint, for fault injection through the real botocore stack
(signing, retries, timeouts). Does I/O: threads and sockets on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qs

import boto3

from resolvers.sts import client_config
from tests import support

if TYPE_CHECKING:
    from mypy_boto3_sts import STSClient

LOOPBACK: Final = "127.0.0.1"
# Text AWS puts in error messages that must never reach a client: an ARN and the account id.
AWS_ERROR_TEXT: Final = (
    f"User: arn:aws:sts::{support.ACCOUNT}:assumed-role/vend-lambda/fn is not authorized to perform: "
    f"sts:AssumeRole on resource: arn:aws:iam::{support.ACCOUNT}:role/vend-uploads"
)
# The Lambda's own credentials, as the client signs with them; never to be logged either.
LAMBDA_KEY_ID: Final = "ASIALAMBDAOWNKEY0001"
LAMBDA_SECRET: Final = "lambda-own-secret-access-key-do-not-log-0000"
LAMBDA_TOKEN: Final = "lambda-own-session-token-do-not-log-0000000000"


def error_xml(code: str, message: str = AWS_ERROR_TEXT) -> bytes:
    return (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>00000000-0000-4000-8000-000000000000</RequestId></ErrorResponse>"
    ).encode()


def assume_role_xml(access_key_id: str, secret: str, token: str, session_name: str) -> bytes:
    return (
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
        f"<SourceIdentity>{support.SUB}</SourceIdentity>"
        "<AssumedRoleUser>"
        f"<Arn>arn:aws:sts::{support.ACCOUNT}:assumed-role/vend-uploads/{session_name}</Arn>"
        f"<AssumedRoleId>AROAEXAMPLEEXAMPLE:{session_name}</AssumedRoleId></AssumedRoleUser>"
        f"<Credentials><AccessKeyId>{access_key_id}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey>"
        f"<SessionToken>{token}</SessionToken><Expiration>2026-11-29T13:00:00Z</Expiration></Credentials>"
        "<PackedPolicySize>9</PackedPolicySize>"
        "</AssumeRoleResult><ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000001</RequestId>"
        "</ResponseMetadata></AssumeRoleResponse>"
    ).encode()


Reply = tuple[int, bytes]


@dataclass
class HttpStub:
    """An AWS-shaped HTTP endpoint: ``reply`` answers each attempt; every request's form (and body) is recorded."""

    reply: Callable[[dict[str, list[str]]], Reply]
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    @property
    def attempts(self) -> int:
        with self.lock:
            return len(self.requests)


@contextlib.contextmanager
def http_stub(
    reply: Callable[[dict[str, list[str]]], Reply], content_type: str = "text/xml"
) -> Iterator[HttpStub]:
    """STS's query protocol by default; ``content_type`` "application/x-amz-json-1.0" for DynamoDB's."""
    stub = HttpStub(reply)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            form = parse_qs(raw.decode())
            with stub.lock:
                stub.requests.append(form)
                stub.bodies.append(raw)
            status, body = stub.reply(form)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - overrides the stdlib's
            """Quiet: request lines are not interesting and stderr is shared."""

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    server.daemon_threads = True
    stub.url = f"http://{LOOPBACK}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="sts-stub", daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class SilentStub:
    """Accepts connections and never answers: every attempt ends in a read timeout."""

    url: str = ""
    accepted: int = 0


@contextlib.contextmanager
def silent_stub() -> Iterator[SilentStub]:
    stub = SilentStub()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((LOOPBACK, 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stub.url = f"http://{LOOPBACK}:{listener.getsockname()[1]}"
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)
            stub.accepted += 1

    thread = threading.Thread(target=accept, name="sts-silent", daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


@contextlib.contextmanager
def full_backlog_endpoint() -> Iterator[str]:
    """A loopback port whose accept queue is full, so new connections never complete: a connect timeout.

    Linux queues backlog + 1 completed connections; past that it drops the SYN and the client's connect
    waits. Nothing ever calls accept().
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((LOOPBACK, 0))
    listener.listen(0)
    address = listener.getsockname()
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(address)
            fillers.append(filler)
        yield f"http://{LOOPBACK}:{address[1]}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@contextlib.contextmanager
def refused_endpoint() -> Iterator[str]:
    """A loopback port nobody listens on: connection refused, botocore's EndpointConnectionError."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind((LOOPBACK, 0))
    port = probe.getsockname()[1]
    probe.close()
    yield f"http://{LOOPBACK}:{port}"


def sts_client(endpoint_url: str) -> STSClient:
    """The production client configuration (timeouts, bounded retries) pointed at a loopback stub."""
    client: STSClient = boto3.client(
        "sts",
        region_name=support.REGION,
        endpoint_url=endpoint_url,
        config=client_config(),
        aws_access_key_id=LAMBDA_KEY_ID,
        aws_secret_access_key=LAMBDA_SECRET,
        aws_session_token=LAMBDA_TOKEN,
    )
    return client
