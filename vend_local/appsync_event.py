"""Build what AppSync hands a resolver: the Cognito identity, the resolver context ``ctx`` and, from it, the Lambda
payload that resolvers/appsync/vendResolver.js's ``request(ctx)`` sends. Pure, no I/O.

The identity follows AppSync's documented Cognito user pool shape: ``sub``, ``issuer``, ``username``,
``claims`` (the whole verified token), ``sourceIp`` (a list), ``defaultAuthStrategy`` and ``groups`` (null
when the user is in none). ``ctx.request`` carries the headers, the caller's JWT included, as in AppSync;
the payload, like the checked-in JS resolver's, leaves ``request`` out, so the handler never sees the JWT.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
    print_ast,
)

DEFAULT_AUTH_STRATEGY: Final = "ALLOW"
# The keys vendResolver.js's request(ctx) copies into the Lambda payload, in its order.
PAYLOAD_KEYS: Final = ("arguments", "identity", "source", "info", "prev", "stash")


def cognito_identity(claims: Mapping[str, Any], source_ip: str) -> dict[str, Any]:
    """``ctx.identity`` for a verified Cognito user pool token (ID or access)."""
    groups = claims.get("cognito:groups")
    # ID tokens name the user in cognito:username, access tokens in username.
    username = claims.get("cognito:username", claims.get("username"))
    return {
        "sub": claims.get("sub"),
        "issuer": claims.get("iss"),
        "username": username,
        "claims": dict(claims),
        "sourceIp": [source_ip],
        "defaultAuthStrategy": DEFAULT_AUTH_STRATEGY,
        "groups": list(groups) if isinstance(groups, list) and groups else None,
    }


def selection_set_list(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode], prefix: str = ""
) -> list[str]:
    """AppSync's ``info.selectionSetList``: every selected field path below the resolved field, as 'a/b'.

    Each fragment is expanded once per path prefix: a fragment spread twice at the same place adds nothing new, and
    expanding it again would make a chain of such fragments exponential.
    """
    out: list[str] = []
    _collect_paths(selection_set, fragments, prefix, out, set())
    return list(dict.fromkeys(out))


def _collect_paths(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    prefix: str,
    out: list[str],
    expanded: set[tuple[str, str]],
) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            path = f"{prefix}{selection.name.value}"
            if not selection.name.value.startswith("__"):
                out.append(path)
            _collect_paths(selection.selection_set, fragments, f"{path}/", out, expanded)
        elif isinstance(selection, InlineFragmentNode):
            _collect_paths(selection.selection_set, fragments, prefix, out, expanded)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and (selection.name.value, prefix) not in expanded:
                expanded.add((selection.name.value, prefix))
                _collect_paths(fragment.selection_set, fragments, prefix, out, expanded)


def resolver_info(
    *,
    field_name: str,
    parent_type_name: str,
    variables: Mapping[str, Any],
    field_node: FieldNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> dict[str, Any]:
    """``ctx.info``."""
    return {
        "fieldName": field_name,
        "parentTypeName": parent_type_name,
        "variables": dict(variables),
        "selectionSetList": selection_set_list(field_node.selection_set, fragments),
        "selectionSetGraphQL": print_ast(field_node.selection_set) if field_node.selection_set else "",
    }


def resolver_context(
    *,
    arguments: Mapping[str, Any],
    identity: Mapping[str, Any],
    headers: Sequence[tuple[str, str]],
    domain_name: str | None,
    info: Mapping[str, Any],
) -> dict[str, Any]:
    """The AppSync resolver context ``ctx`` for a root field (no source, no previous result, empty stash)."""
    return {
        "arguments": dict(arguments),
        "identity": dict(identity),
        "source": None,
        "request": {"headers": dict(headers), "domainName": domain_name},
        "info": dict(info),
        "prev": None,
        "stash": {},
    }


def lambda_payload(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """vendResolver.js ``request(ctx).payload``: the documented event minus ``request``."""
    return {key: ctx[key] for key in PAYLOAD_KEYS}
