"""Requests described in full by a person (catalog test cases, `vend explain --action`): every condition key
the policies name that the request does not carry is absent, except keys AWS would set that we cannot know.
Pure, no I/O.

The enforcement path does not use this: there, only the request mapping knows which keys a request lacks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from vend_local.iam.document import Document, Statement
from vend_local.iam.evaluation import Prepared
from vend_local.iam.model import Request
from vend_local.iam.policy_variables import Text
from vend_local.iam.session_context import SessionContext


def named_keys(prepared: Prepared) -> frozenset[str]:
    """Every condition key and policy-variable key the policies name, lower case."""
    return frozenset(key for document in prepared.documents for key in _document_keys(document))


def closed_request(
    action: str,
    resource: str,
    extra: Mapping[str, tuple[str, ...]],
    session: SessionContext,
    prepared: Prepared,
) -> Request:
    context = {**session.context, **extra}
    present = {key.lower() for key, values in context.items() if values}
    unknown = {key.lower() for key in session.unknown} - {key.lower() for key in extra}
    absent = (named_keys(prepared) | session.known_absent) - present - unknown
    return Request(action, resource, context, frozenset(absent), principal=session.principal)


def _document_keys(document: Document) -> Iterable[str]:
    for statement in document.statements:
        yield from _statement_keys(statement)


def _statement_keys(statement: Statement) -> Iterable[str]:
    texts: list[Text] = list(statement.resources or ())
    for clause in statement.conditions:
        yield clause.key
        texts.extend(clause.texts)
    for text in texts:
        yield from (var.key for var in text.variables)
