"""DynamoDB request mapping: a JSON-protocol request -> the IAM action(s), resource ARN(s) and dynamodb:* condition
keys AWS evaluates for it. Pure, no I/O (the table's key schema is looked up through the injected ``tables``).

Sources: the Service Authorization Reference for Amazon DynamoDB and the developer guide's "Using IAM policy
conditions for fine-grained access control" (dynamodb:LeadingKeys is the partition key value(s) a request
names; batch operations are authorised per table, with every partition key of that table's part).

A key is in the context only when this module can state it exactly, and known absent only when the operation
has none. Where a value cannot be read (a LeadingKeys of an unreadable KeyConditionExpression, the
dynamodb:Attributes of an update) the key is left out of both, so a policy that conditions on it is judged
NotModelled and denied rather than guessed. Operations not listed (transactions, PartiQL, table management
beyond DescribeTable and ListTables) are ``NotModelled``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from vend_local.iam.http_request import HttpRequest, Mapped, NotModelled, Operation, absent
from vend_local.iam.model import Request

TARGET_PREFIX: Final = "DynamoDB_20120810."
# Keys this module fills or declares absent; a request of an operation that lacks one knows it is absent.
ALL_KEYS: Final = (
    "dynamodb:LeadingKeys",
    "dynamodb:Attributes",
    "dynamodb:Select",
    "dynamodb:ReturnValues",
    "dynamodb:ReturnConsumedCapacity",
)
# Parameters that make dynamodb:Attributes include attributes beyond the projection (conditions, filters).
CONDITIONAL: Final = (
    "ConditionExpression",
    "Expected",
    "FilterExpression",
    "QueryFilter",
    "ScanFilter",
    "ConditionalOperator",
)
KEY_TYPES: Final = ("S", "N", "B")


@dataclass(frozen=True, slots=True)
class TableKeys:
    """A table's key schema, as DynamoDB's KeySchema lists it, and its indexes' (name -> KeySchema)."""

    key_schema: tuple[tuple[str, str], ...]  # (attribute name, "HASH" | "RANGE")
    indexes: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @property
    def partition_key(self) -> str:
        return next(name for name, kind in self.key_schema if kind == "HASH")


TableLookup = Callable[[str], TableKeys | None]


@dataclass(frozen=True, slots=True)
class _Keys:
    """What a request says of one context key: values, known absent (None), or unreadable (``unknown``)."""

    values: tuple[str, ...] | None
    unknown: bool = False


_ABSENT: Final = _Keys(None)
_UNKNOWN: Final = _Keys(None, unknown=True)


def map_dynamodb(request: HttpRequest, *, region: str, account: str, tables: TableLookup) -> Mapped:
    target = request.header("x-amz-target") or ""
    if not target.startswith(TARGET_PREFIX):
        return NotModelled(f"DynamoDB {target or '(no X-Amz-Target)'}", "not a DynamoDB_20120810 operation")
    name = target.removeprefix(TARGET_PREFIX)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the decoder follows
        return NotModelled(name, "a body that is not JSON")
    if not isinstance(body, dict):
        return NotModelled(name, "a body that is not a JSON object")
    mapper = _MAPPERS.get(name)
    if mapper is None:
        return NotModelled(name, f"no mapping for dynamodb:{name}")
    return mapper(_Call(name, body, region, account, tables))


@dataclass(frozen=True, slots=True)
class _Call:
    name: str
    body: dict[str, Any]
    region: str
    account: str
    tables: TableLookup

    @property
    def action(self) -> str:
        return f"dynamodb:{self.name}"

    def table_arn(self, table: str) -> str:
        # TableName may be the table's ARN (DynamoDB accepts either).
        if table.startswith("arn:"):
            return table
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{table}"

    def keys_of(self, table: str) -> TableKeys | None:
        return self.tables(table.rpartition(":table/")[2] if table.startswith("arn:") else table)

    def request(self, resource: str, **keys: _Keys) -> Request:
        context: dict[str, tuple[str, ...]] = {}
        missing: set[str] = set()
        given = {f"dynamodb:{name}": value for name, value in keys.items()}
        for key in ALL_KEYS:
            value = given.get(key, _ABSENT)
            if value.values is not None:
                context[key] = value.values
            elif not value.unknown:
                missing.add(key)
        return Request(self.action, resource, context, absent(*missing))

    def param(self, name: str) -> _Keys:
        value = self.body.get(name)
        return _Keys((value,)) if isinstance(value, str) else _ABSENT


def _table(call: _Call) -> str | None:
    table = call.body.get("TableName")
    return table if isinstance(table, str) and table else None


def _partition_values(items: Iterable[Any], keys: TableKeys | None, schema_key: str | None = None) -> _Keys:
    if keys is None:
        return _UNKNOWN
    name = schema_key or keys.partition_key
    values: list[str] = []
    for item in items:
        value = _key_value(item.get(name) if isinstance(item, dict) else None)
        if value is None:
            return _UNKNOWN
        values.append(value)
    return _Keys(tuple(dict.fromkeys(values)))


def _key_value(attribute: Any) -> str | None:
    if not isinstance(attribute, dict) or len(attribute) != 1:
        return None
    ((kind, value),) = attribute.items()
    return value if kind in KEY_TYPES and isinstance(value, str) else None


def _projection(body: Mapping[str, Any]) -> _Keys:
    """Top-level attribute names a read asks for, when that is all dynamodb:Attributes can hold."""
    if any(p in body for p in CONDITIONAL):
        return _UNKNOWN
    to_get = body.get("AttributesToGet")
    if isinstance(to_get, list) and all(isinstance(a, str) for a in to_get):
        return _Keys(tuple(dict.fromkeys(to_get)))
    expression = body.get("ProjectionExpression")
    if not isinstance(expression, str):
        return _UNKNOWN
    names = body.get("ExpressionAttributeNames") or {}
    out: list[str] = []
    for path in expression.split(","):
        # The first element of each document path (a.b[0] -> a), with #aliases resolved.
        first = path.strip().split(".")[0].split("[")[0]
        resolved = names.get(first, first) if first.startswith("#") else first
        if not resolved or not isinstance(resolved, str) or resolved.startswith("#"):
            return _UNKNOWN
        out.append(resolved)
    return _Keys(tuple(dict.fromkeys(out)))


def _single_item(call: _Call, field_name: str) -> Mapped:
    table = _table(call)
    if table is None:
        return NotModelled(call.name, "no TableName")
    item = call.body.get(field_name)
    leading = _partition_values([item], call.keys_of(table)) if isinstance(item, dict) else _UNKNOWN
    attributes = _UNKNOWN
    if call.name == "GetItem":
        attributes = _projection(call.body)
    elif call.name == "PutItem" and isinstance(item, dict) and not any(p in call.body for p in CONDITIONAL):
        attributes = _Keys(tuple(item))
    return Operation(
        call.name,
        (
            call.request(
                call.table_arn(table),
                LeadingKeys=leading,
                Attributes=attributes,
                ReturnConsumedCapacity=call.param("ReturnConsumedCapacity"),
                ReturnValues=call.param("ReturnValues") if call.name != "GetItem" else _ABSENT,
            ),
        ),
    )


def _by_key(call: _Call) -> Mapped:
    """GetItem, UpdateItem, DeleteItem: the item named by Key (dynamodb:Attributes only for a read's projection)."""
    return _single_item(call, "Key")


def _put_item(call: _Call) -> Mapped:
    return _single_item(call, "Item")


def _index_resource(call: _Call, table: str) -> tuple[str, tuple[tuple[str, str], ...] | None]:
    """The resource a Query or Scan reads (the index's ARN with IndexName) and that resource's key schema."""
    keys = call.keys_of(table)
    index = call.body.get("IndexName")
    if isinstance(index, str):
        schema = keys.indexes.get(index) if keys is not None else None
        return f"{call.table_arn(table)}/index/{index}", schema
    return call.table_arn(table), keys.key_schema if keys is not None else None


def _query(call: _Call) -> Mapped:
    table = _table(call)
    if table is None:
        return NotModelled(call.name, "no TableName")
    resource, schema = _index_resource(call, table)
    leading = _UNKNOWN if schema is None else _query_partition(call.body, schema)
    return Operation(
        call.name,
        (
            call.request(
                resource,
                LeadingKeys=leading,
                Attributes=_UNKNOWN,
                Select=call.param("Select"),
                ReturnConsumedCapacity=call.param("ReturnConsumedCapacity"),
            ),
        ),
    )


def _query_partition(body: Mapping[str, Any], schema: tuple[tuple[str, str], ...]) -> _Keys:
    hash_key = next((name for name, kind in schema if kind == "HASH"), None)
    if hash_key is None:
        return _UNKNOWN
    expression = body.get("KeyConditionExpression")
    if isinstance(expression, str):
        return _parse_key_condition(expression, body, schema, hash_key)
    legacy = body.get("KeyConditions")
    if isinstance(legacy, dict):
        condition = legacy.get(hash_key)
        if isinstance(condition, dict) and condition.get("ComparisonOperator") == "EQ":
            values = condition.get("AttributeValueList")
            if isinstance(values, list) and len(values) == 1:
                value = _key_value(values[0])
                return _UNKNOWN if value is None else _Keys((value,))
    return _UNKNOWN


def _parse_key_condition(
    expression: str, body: Mapping[str, Any], schema: tuple[tuple[str, str], ...], hash_key: str
) -> _Keys:
    # moto's own KeyConditionExpression parser, the one that answers the query: what we authorise is what it
    # reads. Imported here: moto must not be imported before the embedded AWS sets its CORS flag.
    from moto.dynamodb.parsing.key_condition_expression import parse_expression  # noqa: PLC0415

    try:
        hash_conditions, _, _ = parse_expression(
            expression,
            body.get("ExpressionAttributeValues") or {},
            body.get("ExpressionAttributeNames") or {},
            [{"AttributeName": name, "KeyType": kind} for name, kind in schema],
        )
    except Exception:  # noqa: BLE001 - moto's parser raises assorted types on what it cannot read
        return _UNKNOWN
    values = [_key_value(value) for name, value in hash_conditions if name == hash_key]
    if len(values) != 1 or values[0] is None:
        return _UNKNOWN
    return _Keys((values[0],))


def _scan(call: _Call) -> Mapped:
    table = _table(call)
    if table is None:
        return NotModelled(call.name, "no TableName")
    resource, _ = _index_resource(call, table)
    # A Scan names no partition key: LeadingKeys is absent (and ForAllValues over it is vacuously true).
    return Operation(
        call.name,
        (
            call.request(
                resource,
                Attributes=_UNKNOWN,
                Select=call.param("Select"),
                ReturnConsumedCapacity=call.param("ReturnConsumedCapacity"),
            ),
        ),
    )


def _batch_get(call: _Call) -> Mapped:
    items = call.body.get("RequestItems")
    if not isinstance(items, dict) or not items:
        return NotModelled(call.name, "no RequestItems")
    requests: list[Request] = []
    for table, part in sorted(items.items()):
        if not isinstance(part, dict) or not isinstance(part.get("Keys"), list):
            return NotModelled(call.name, f"RequestItems[{table!r}] without Keys")
        requests.append(
            call.request(
                call.table_arn(table),
                LeadingKeys=_partition_values(part["Keys"], call.keys_of(table)),
                Attributes=_projection(part),
                ReturnConsumedCapacity=call.param("ReturnConsumedCapacity"),
            )
        )
    return Operation(call.name, tuple(requests))


def _batch_write(call: _Call) -> Mapped:
    items = call.body.get("RequestItems")
    if not isinstance(items, dict) or not items:
        return NotModelled(call.name, "no RequestItems")
    requests: list[Request] = []
    for table, writes in sorted(items.items()):
        if not isinstance(writes, list):
            return NotModelled(call.name, f"RequestItems[{table!r}] is not a list")
        named: list[Any] = []
        for write in writes:
            put = write.get("PutRequest") if isinstance(write, dict) else None
            delete = write.get("DeleteRequest") if isinstance(write, dict) else None
            if isinstance(put, dict):
                named.append(put.get("Item"))
            elif isinstance(delete, dict):
                named.append(delete.get("Key"))
            else:
                return NotModelled(call.name, "a write that is neither PutRequest nor DeleteRequest")
        requests.append(
            call.request(
                call.table_arn(table),
                LeadingKeys=_partition_values(named, call.keys_of(table)),
                Attributes=_UNKNOWN,
                ReturnConsumedCapacity=call.param("ReturnConsumedCapacity"),
            )
        )
    return Operation(call.name, tuple(requests))


def _describe_table(call: _Call) -> Mapped:
    table = _table(call)
    if table is None:
        return NotModelled(call.name, "no TableName")
    return Operation(call.name, (call.request(call.table_arn(table)),))


def _list_tables(call: _Call) -> Mapped:
    # ListTables has no resource type: its resource is "*".
    return Operation(call.name, (call.request("*"),))


_MAPPERS: Final[Mapping[str, Callable[[_Call], Mapped]]] = {
    "GetItem": _by_key,
    "PutItem": _put_item,
    "UpdateItem": _by_key,
    "DeleteItem": _by_key,
    "Query": _query,
    "Scan": _scan,
    "BatchGetItem": _batch_get,
    "BatchWriteItem": _batch_write,
    "DescribeTable": _describe_table,
    "ListTables": _list_tables,
}
