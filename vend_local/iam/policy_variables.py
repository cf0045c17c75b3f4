"""IAM policy variables: parse ``${key}``, ``${key, 'default'}``, ``${*}``, ``${?}``, ``${$}`` and resolve them
against a request. Pure, no I/O.

AWS's rules (IAM policy elements: variables and tags):
- variables exist only in policies with ``"Version": "2012-10-17"``; in older policies ``${...}`` is literal text;
- the key name is case-insensitive; a default follows a comma, in single quotes, ``''`` being one quote;
- ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters, never wildcards;
- a key that is not present in the request "fails to match and causes the statement to be invalid" (we treat
  the statement as not applying), unless a default is given;
- a multivalued key cannot be a policy variable (we do not guess: not modelled).
A resolved value is literal text. Whether a ``*`` or ``?`` inside a resolved value would act as a wildcard is not
documented, so such a value in a wildcard position is not modelled (tag values, user names and SourceIdentity
cannot contain either character, so it never arises for the values AWS itself supplies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from vend_local.iam.patterns import Chunk
from vend_local.iam.tri import Unknown

SPECIALS: Final = {"*": "*", "?": "?", "$": "$"}


class VariableSyntaxError(ValueError):
    """A ``${`` that does not form a policy variable; the message quotes the text."""


@dataclass(frozen=True, slots=True)
class Var:
    key: str  # lower case: condition keys compare case-insensitively
    default: str | None
    source: str  # as written, for messages


# Policy text (wildcards active), literal text (from ${*} and friends), or a variable.
Part = str | tuple[str] | Var


@dataclass(frozen=True, slots=True)
class Text:
    """A policy string split into parts; ``variables`` is empty for most strings, which then resolve for free."""

    source: str
    parts: tuple[Part, ...]

    @property
    def variables(self) -> tuple[Var, ...]:
        return tuple(p for p in self.parts if isinstance(p, Var))


class Absent:
    """The request lacks the key (it is in known_absent, or has no values)."""


ABSENT: Final = Absent()
# What a request knows about one key: its values, known absence, or Unknown (neither in context nor known absent).
Lookup = Callable[[str], "tuple[str, ...] | Absent | Unknown"]


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A variable whose key the request lacks, with no default: the statement does not apply."""

    variable: str


def parse_text(source: str, *, variables: bool) -> Text:
    if not variables or "${" not in source:
        return Text(source, (source,) if source else ())
    parts: list[Part] = []
    pos = 0
    while True:
        start = source.find("${", pos)
        if start < 0:
            break
        if start > pos:
            parts.append(source[pos:start])
        part, pos = _variable(source, start)
        parts.append(part)
    if pos < len(source):
        parts.append(source[pos:])
    return Text(source, tuple(parts))


def _variable(source: str, start: int) -> tuple[Part, int]:
    body = start + 2
    special = source[body : body + 2]
    if len(special) == 2 and special[0] in SPECIALS and special[1] == "}":
        return (SPECIALS[special[0]],), body + 2
    i = body
    while i < len(source) and source[i] not in ",}'":
        i += 1
    key = source[body:i].strip()
    if not key or i >= len(source) or source[i] == "'":
        raise VariableSyntaxError(f"{source!r}: malformed policy variable at {source[start : i + 1]!r}")
    if source[i] == "}":
        return Var(key.lower(), None, source[start : i + 1]), i + 1
    # ", 'default'": the default is quoted, '' is one quote.
    i += 1
    while i < len(source) and source[i] == " ":
        i += 1
    if i >= len(source) or source[i] != "'":
        raise VariableSyntaxError(f"{source!r}: a policy variable default must be in single quotes")
    i += 1
    default: list[str] = []
    while True:
        if i >= len(source):
            raise VariableSyntaxError(f"{source!r}: unterminated default value in a policy variable")
        if source[i] == "'":
            if source[i + 1 : i + 2] == "'":
                default.append("'")
                i += 2
                continue
            i += 1
            break
        default.append(source[i])
        i += 1
    while i < len(source) and source[i] == " ":
        i += 1
    if i >= len(source) or source[i] != "}":
        raise VariableSyntaxError(f"{source!r}: expected '}}' after the policy variable's default value")
    return Var(key.lower(), "".join(default), source[start : i + 1]), i + 1


def resolve(text: Text, lookup: Lookup, *, wildcards: bool) -> tuple[Chunk, ...] | Unresolved | Unknown:
    """The text as pattern chunks (policy text keeps its wildcards; everything else is literal).

    ``wildcards``: the text is matched as a pattern (Resource, StringLike, ArnLike), where a resolved value
    holding ``*`` or ``?`` is not modelled.
    """
    chunks: list[Chunk] = []
    for part in text.parts:
        if isinstance(part, str):
            chunks.append((part, True))
        elif isinstance(part, tuple):
            chunks.append((part[0], False))
        else:
            value = resolve_variable(part, lookup)
            if not isinstance(value, str):
                return value
            if wildcards and ("*" in value or "?" in value):
                return Unknown(
                    f"policy variable {part.source} resolves to a value with a wildcard character; whether IAM "
                    "treats it as a wildcard is not documented"
                )
            chunks.append((value, False))
    return tuple(chunks)


def resolve_variable(var: Var, lookup: Lookup) -> str | Unresolved | Unknown:
    found = lookup(var.key)
    if isinstance(found, Unknown):
        return Unknown(f"policy variable {var.source} names a key that is not modelled for this request")
    if isinstance(found, Absent):
        return var.default if var.default is not None else Unresolved(var.source)
    if len(found) != 1:
        return Unknown(f"policy variable {var.source} names a multivalued key, which IAM does not allow")
    return found[0]


def as_string(chunks: tuple[Chunk, ...]) -> str:
    return "".join(text for text, _ in chunks)
