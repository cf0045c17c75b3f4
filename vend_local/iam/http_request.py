"""What request mapping reads and returns: one HTTP request in, the IAM questions it asks out. Pure, no I/O.

The mapping modules (s3_requests, dynamodb_requests, sts_requests) turn an ``HttpRequest`` into an ``Operation``
(its API name and one ``Request`` per authorisation AWS makes for it) or a ``NotModelled`` naming what they
cannot judge. The enforcement in the embedded AWS denies a ``NotModelled``: an operation without a mapping is
never allowed silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from vend_local.iam.model import Request


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One request as it reached the embedded AWS, decoded once."""

    method: str
    path: str  # percent-decoded, as WSGI's PATH_INFO carries it
    query: tuple[tuple[str, str], ...] = ()  # decoded pairs in order, blank values kept ("?uploads" -> "")
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.query)

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.query if key == name), None)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def form(self) -> dict[str, str]:
        """The query-protocol parameters (STS, IAM): the form body, else the query string. First value wins."""
        pairs = parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True) if self.body else []
        out: dict[str, str] = {}
        for key, value in [*pairs, *self.query]:
            out.setdefault(key, value)
        return out


@dataclass(frozen=True, slots=True)
class Operation:
    """An API operation and the authorisations AWS makes for it; all must allow (none for a keyless call)."""

    name: str  # the API operation, e.g. "PutObject"
    requests: tuple[Request, ...]


@dataclass(frozen=True, slots=True)
class NotModelled:
    """The mapping cannot say what IAM would be asked: the request is denied, and ``reason`` says why."""

    operation: str  # the API operation if known ("S3 GET ?torrent"), for the message
    reason: str


Mapped = Operation | NotModelled


def absent(*keys: str) -> frozenset[str]:
    """Condition keys a request is known to lack, lower case as ``Request.known_absent`` wants them."""
    return frozenset(k.lower() for k in keys)
