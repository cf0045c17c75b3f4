"""IAM condition operators: parse a Condition block and judge it against a request. Pure, no I/O.

Semantics, from AWS's IAM JSON policy reference (condition operators; multiple keys and values; variables):
- operators in a block are ANDed, keys under an operator are ANDed, the values of one key are ORed;
- a negated operator (StringNotEquals, NotIpAddress, ...) holds when the request value matches none of the values;
- a key missing from the request makes a condition false, except that a negated operator is then true, and
  ``...IfExists`` is then true; ``Null`` is true for "true" when the key is missing, for "false" when present;
- ``ForAllValues:`` is true when every request value matches, and also when the key is missing or its values are
  an empty data set ("for example, an empty string"); ``ForAnyValue:`` is true when one request value matches and
  false for a missing key or an empty data set;
- a multivalued key (several values in the request) needs a set operator: without one, not modelled;
- ``ForAnyValue:...IfExists`` on a missing key is not documented (the IfExists rule says true, the set rule says
  false): not modelled;
- policy variables work in String and ARN operators only.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from vend_local.iam import patterns, values
from vend_local.iam.policy_variables import (
    Absent,
    Lookup,
    Text,
    Unresolved,
    VariableSyntaxError,
    parse_text,
    resolve,
)
from vend_local.iam.tri import Tri, Unknown, all_of, any_of, negate

Kind = Literal["string", "numeric", "date", "bool", "binary", "ip", "arn", "null"]
Compare = Literal["eq", "eq_ic", "like", "lt", "le", "gt", "ge", "in", "null"]
SetOperator = Literal["ForAllValues", "ForAnyValue"]

# base operator -> (kind, negated, comparison). Every operator IAM documents; the catalog lint admits all but
# BinaryEquals, which the evaluator still models for policies written by hand.
BASE_OPERATORS: Final[Mapping[str, tuple[Kind, bool, Compare]]] = {
    "StringEquals": ("string", False, "eq"),
    "StringNotEquals": ("string", True, "eq"),
    "StringEqualsIgnoreCase": ("string", False, "eq_ic"),
    "StringNotEqualsIgnoreCase": ("string", True, "eq_ic"),
    "StringLike": ("string", False, "like"),
    "StringNotLike": ("string", True, "like"),
    "NumericEquals": ("numeric", False, "eq"),
    "NumericNotEquals": ("numeric", True, "eq"),
    "NumericLessThan": ("numeric", False, "lt"),
    "NumericLessThanEquals": ("numeric", False, "le"),
    "NumericGreaterThan": ("numeric", False, "gt"),
    "NumericGreaterThanEquals": ("numeric", False, "ge"),
    "DateEquals": ("date", False, "eq"),
    "DateNotEquals": ("date", True, "eq"),
    "DateLessThan": ("date", False, "lt"),
    "DateLessThanEquals": ("date", False, "le"),
    "DateGreaterThan": ("date", False, "gt"),
    "DateGreaterThanEquals": ("date", False, "ge"),
    "Bool": ("bool", False, "eq"),
    "BinaryEquals": ("binary", False, "eq"),
    "IpAddress": ("ip", False, "in"),
    "NotIpAddress": ("ip", True, "in"),
    "ArnEquals": ("arn", False, "like"),
    "ArnLike": ("arn", False, "like"),
    "ArnNotEquals": ("arn", True, "like"),
    "ArnNotLike": ("arn", True, "like"),
    "Null": ("null", False, "null"),
}
_VARIABLE_KINDS: Final = frozenset({"string", "arn"})
_PARSERS: Final[Mapping[Kind, Callable[[str], object]]] = {
    "numeric": values.number,
    "date": values.date,
    "bool": values.boolean,
    "binary": values.binary,
    "ip": values.ip_network,
    "null": values.boolean,
}
_CONTEXT_PARSERS: Final[Mapping[Kind, Callable[[str], object]]] = {**_PARSERS, "ip": values.ip_address}


class ConditionError(ValueError):
    """A Condition block IAM would refuse; the message names the operator, key or value."""


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    set_operator: SetOperator | None
    base: str
    if_exists: bool
    kind: Kind
    negated: bool
    compare: Compare


@dataclass(frozen=True, slots=True)
class Clause:
    """One key under one operator: ``"StringLike": {"s3:prefix": [...]}``."""

    operator: Operator
    key: str  # lower case
    key_source: str
    texts: tuple[Text, ...]  # string and ARN kinds (may hold variables)
    typed: tuple[object, ...]  # the other kinds, parsed once


def parse_operator(name: str) -> Operator:
    set_operator: SetOperator | None = None
    base = name
    for prefix in ("ForAllValues", "ForAnyValue"):
        if name.startswith(prefix + ":"):
            set_operator = "ForAllValues" if prefix == "ForAllValues" else "ForAnyValue"
            base = name.removeprefix(prefix + ":")
    if_exists = base.endswith("IfExists") and base.removesuffix("IfExists") in BASE_OPERATORS
    base = base.removesuffix("IfExists") if if_exists else base
    spec = BASE_OPERATORS.get(base)
    if spec is None:
        raise ConditionError(f"{name!r} is not an IAM condition operator")
    kind, negated, compare = spec
    if kind == "null" and (if_exists or set_operator):
        raise ConditionError(f"{name!r}: Null takes neither IfExists nor a set operator")
    return Operator(name, set_operator, base, if_exists, kind, negated, compare)


def parse_block(block: object, *, variables: bool) -> tuple[Clause, ...]:
    if not isinstance(block, Mapping) or not block:
        raise ConditionError("Condition must be an object of operator -> {key: value(s)}")
    clauses: list[Clause] = []
    for name, keys in block.items():
        op = parse_operator(str(name))
        if not isinstance(keys, Mapping) or not keys:
            raise ConditionError(f"{name}: must be an object of condition key -> value(s)")
        for key, raw in keys.items():
            clauses.append(_clause(op, str(key), raw, variables=variables))
    return tuple(clauses)


def _clause(op: Operator, key: str, raw: Any, *, variables: bool) -> Clause:
    where = f"{op.name}.{key}"
    items = raw if isinstance(raw, list) else [raw]
    scalars = [values.scalar(v) for v in items]
    if not scalars or any(s is None for s in scalars):
        raise ConditionError(f"{where}: values must be strings, numbers or booleans")
    strings = [s for s in scalars if s is not None]
    if op.kind in _VARIABLE_KINDS:
        try:
            texts = tuple(parse_text(s, variables=variables) for s in strings)
        except VariableSyntaxError as exc:
            raise ConditionError(f"{where}: {exc}") from None
        return Clause(op, key.lower(), key, texts, ())
    if variables and any("${" in s for s in strings):
        raise ConditionError(f"{where}: IAM supports policy variables with String and ARN operators only")
    parsed = [_PARSERS[op.kind](s) for s in strings]
    bad = [s for s, p in zip(strings, parsed, strict=True) if p is None]
    if bad:
        raise ConditionError(f"{where}: {bad[0]!r} is not a valid {op.kind} value")
    return Clause(op, key.lower(), key, (), tuple(parsed))


def evaluate_block(clauses: tuple[Clause, ...], lookup: Lookup) -> Tri:
    """All clauses must hold. An unresolvable policy variable makes the statement not apply (False)."""
    return all_of(evaluate_clause(clause, lookup) for clause in clauses)


def evaluate_clause(clause: Clause, lookup: Lookup) -> Tri:
    op = clause.operator
    found = lookup(clause.key)
    if isinstance(found, Unknown):
        return Unknown(
            f"condition key {clause.key_source!r} ({op.name}) is neither in the request context nor known to be "
            "absent"
        )
    if op.kind == "null":
        present = not isinstance(found, Absent)
        return any((want is True) != present for want in clause.typed)
    if isinstance(found, Absent):
        return _missing(clause, lookup, absent=True)
    # An empty data set ("for example, an empty string") is what set operators see as "no values".
    if op.set_operator is not None and found in ((), ("",)):
        return _missing(clause, lookup, absent=False)
    return _present(clause, lookup, found)


def _present(clause: Clause, lookup: Lookup, found: tuple[str, ...]) -> Tri:
    op = clause.operator
    resolved = _resolved_values(clause, lookup)
    if resolved is None:
        return False
    if op.set_operator is None:
        if len(found) != 1:
            return Unknown(
                f"{clause.key_source!r} has {len(found)} values in the request; a multivalued key needs "
                f"ForAllValues: or ForAnyValue: ({op.name})"
            )
        return _single(clause, resolved, found[0])
    results = (_single(clause, resolved, value) for value in found)
    return all_of(results) if op.set_operator == "ForAllValues" else any_of(results)


def _missing(clause: Clause, lookup: Lookup, *, absent: bool) -> Tri:
    """A key the request lacks (or, for set operators, whose values are an empty data set)."""
    op = clause.operator
    if op.set_operator == "ForAllValues":
        return _policy_values_resolve(clause, lookup)
    if op.set_operator == "ForAnyValue":
        if op.if_exists and absent:
            return Unknown(f"{op.name} on a missing key: AWS does not document whether IfExists applies")
        return False
    if op.if_exists or op.negated:
        return _policy_values_resolve(clause, lookup)
    return False


def _policy_values_resolve(clause: Clause, lookup: Lookup) -> Tri:
    """True unless a policy variable in the values cannot be resolved (which invalidates the statement)."""
    resolved = _resolved_values(clause, lookup)
    if resolved is None:
        return False
    return next((r for r in resolved if isinstance(r, Unknown)), True)


# Per policy value: pattern chunks (String, ARN), a parsed typed value, or Unknown.
Resolved = tuple[Any, ...]


def _resolved_values(clause: Clause, lookup: Lookup) -> Resolved | None:
    """The policy values ready to compare, or None when a variable is unresolvable (the statement is invalid)."""
    if not clause.texts:
        return clause.typed
    out: list[object] = []
    wildcards = clause.operator.compare == "like"
    for text in clause.texts:
        chunks = resolve(text, lookup, wildcards=wildcards)
        if isinstance(chunks, Unresolved):
            return None
        out.append(chunks)
    return tuple(out)


def _single(clause: Clause, resolved: Resolved, value: str) -> Tri:
    """One request value against every policy value: any match (negated: none)."""
    op = clause.operator
    parse = _CONTEXT_PARSERS.get(op.kind)
    subject: object = value
    if parse is not None:
        subject = parse(value)
        if subject is None:
            return Unknown(f"request value {value!r} of {clause.key_source!r} is not a valid {op.kind} value")
    matched = any_of(
        policy if isinstance(policy, Unknown) else _compare(op, policy, subject) for policy in resolved
    )
    return negate(matched) if op.negated else matched


def _compare(op: Operator, policy: Any, subject: Any) -> bool:
    if op.kind in ("string", "arn"):
        if op.compare == "like":
            return patterns.matches(policy, "arn" if op.kind == "arn" else "string", subject)
        text = "".join(t for t, _ in policy)
        return bool(text.casefold() == subject.casefold() if op.compare == "eq_ic" else text == subject)
    if op.kind == "ip":
        return bool(subject.version == policy.version and subject in policy)
    return bool(_ORDER[op.compare](subject, policy))


_ORDER: Final[Mapping[str, Callable[[Any, Any], object]]] = {
    "eq": operator.eq,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
