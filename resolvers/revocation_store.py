"""The revocation store adapter: one strongly consistent DynamoDB Query of the revocation partition, errors
translated by type. Does network I/O (DynamoDB); the Lambda may only Query that partition (infra/stack.py).

Bounded like the STS adapter: a 0.5 s connect and 1 s read timeout, 2 attempts (standard retry mode), and no
further page once 3 s have passed. A failure of any kind fails the gate closed (resolvers.revocation).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import boto3
from boto3.session import Session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from resolvers.errors import INTERNAL_MESSAGE, Internal
from resolvers.revocation import (
    EXPIRES_AT,
    MOMENT,
    PARTITION_KEY,
    REVOCATIONS,
    SORT_KEY,
    RevocationCheck,
    RevocationSet,
    revocations_from_items,
    store_throttled,
    store_unavailable,
)
from resolvers.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Worst case of one page: 2 x (0.5 s connect + 1 s read) + standard-mode backoff (< 1 s before the retry) < 4 s.
CONNECT_TIMEOUT_SECONDS: Final = 0.5
READ_TIMEOUT_SECONDS: Final = 1.0
MAX_ATTEMPTS: Final = 2
# A page holds up to 1 MB (thousands of records); a further page is read only while the lookup is young.
NEXT_PAGE_DEADLINE_SECONDS: Final = 3.0
MAX_PAGES: Final = 10

_THROTTLING: Final = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "Throttling",
    }
)
_UNAVAILABLE: Final = frozenset(
    {"InternalServerError", "ServiceUnavailable", "ExpiredTokenException", "RegionDisabledException"}
)
_NETWORK: Final = (ConnectTimeoutError, ReadTimeoutError, EndpointConnectionError, ConnectionClosedError)


def client_config() -> Config:
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        # total_max_attempts counts the first try (as in resolvers/sts.py).
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )


def make_client(region: str, session: Session | None = None) -> DynamoDBClient:
    # AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL) points it at the embedded AWS locally.
    return (session or boto3).client("dynamodb", region_name=region, config=client_config())


def warm_up(session: Session, region: str) -> None:
    """Load DynamoDB's model and endpoint rules into ``session`` (SnapStart's before-snapshot hook) through an
    unsigned client that is dropped at once: no credential is looked up and nothing is sent."""
    session.client(
        "dynamodb", region_name=region, config=client_config().merge(Config(signature_version=UNSIGNED))
    )


def query_request(table: str) -> dict[str, Any]:
    """The one read the Lambda makes: the revocation partition, consistent, three attributes."""
    return {
        "TableName": table,
        "KeyConditionExpression": "#pk = :pk",
        "ProjectionExpression": "#sk, #moment, #expires",
        "ExpressionAttributeNames": {
            "#pk": PARTITION_KEY,
            "#sk": SORT_KEY,
            "#moment": MOMENT,
            "#expires": EXPIRES_AT,
        },
        "ExpressionAttributeValues": {":pk": {"S": REVOCATIONS}},
        # A revocation written a moment ago must be seen: a consistent read costs twice the capacity, of little.
        "ConsistentRead": True,
    }


class DynamoRevocationStore:
    """Reads the revocation partition. The client factory runs once, on first use."""

    def __init__(
        self,
        client_factory: Callable[[], DynamoDBClient],
        table: str,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = client_factory
        self._client: DynamoDBClient | None = None
        self._table = table
        self._monotonic = monotonic

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = self._factory()
        return self._client

    def reset(self) -> None:
        """Drop the client (its credentials and connections); the next lookup makes a new one (SnapStart)."""
        self._client = None

    def fetch(self) -> RevocationSet:
        started = self._monotonic()
        request = query_request(self._table)
        items: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            page = self._page(request)
            # botocore hands a body that is not JSON back as {"message": ...} instead of raising: an answer
            # without its Items list is unreadable, never an empty partition (that would fail open).
            page_items = page.get("Items")
            if not isinstance(page_items, list):
                raise store_unavailable("an answer without Items")
            items.extend(page_items)
            last = page.get("LastEvaluatedKey")
            if not last:
                return revocations_from_items(items)
            if self._monotonic() - started > NEXT_PAGE_DEADLINE_SECONDS:
                raise store_unavailable("the revocation partition could not be read in time")
            request = {**request, "ExclusiveStartKey": last}
        raise store_unavailable(f"the revocation partition spans more than {MAX_PAGES} pages")

    def _page(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            page: dict[str, Any] = dict(self.client.query(**request))
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "")) or "unknown"
            if code in _THROTTLING:
                raise store_throttled(code) from None
            if code in _UNAVAILABLE:
                raise store_unavailable(code) from None
            # AccessDeniedException, ResourceNotFoundException, ValidationException: a broken deployment.
            raise Internal(INTERNAL_MESSAGE, detail=f"revocation store: {code}") from None
        except _NETWORK as exc:
            raise store_unavailable(type(exc).__name__) from None
        except ResponseParserError:
            raise store_unavailable("ResponseParserError") from None
        except BotoCoreError as exc:
            raise Internal(INTERNAL_MESSAGE, detail=f"revocation store: {type(exc).__name__}") from None
        return page


def new_revocation_store(settings: Settings, session: Session | None = None) -> DynamoRevocationStore | None:
    """The store the handler reads, its client made from ``session``; None when no revocation table is named."""
    if settings.revocation_table is None:
        return None
    return DynamoRevocationStore(lambda: make_client(settings.region, session), settings.revocation_table)


def revocation_gate(settings: Settings, store: DynamoRevocationStore | None = None) -> RevocationCheck | None:
    """The gate the handler wires in, or None when the deployment names no revocation table."""
    store = store or new_revocation_store(settings)
    if store is None:
        return None
    return RevocationCheck(
        store.fetch, ttl_seconds=settings.revocation_ttl_seconds, clock=lambda: datetime.now(UTC)
    )
