"""The AppSync ctx and Lambda payload: identity shape per token type, selection sets, the JS payload keys."""

from __future__ import annotations

from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse

from tests.local import helpers as h
from vend_local.appsync_event import cognito_identity, lambda_payload, resolver_context, resolver_info


def _field_and_fragments(document: str) -> tuple[FieldNode, dict[str, FragmentDefinitionNode]]:
    doc = parse(document)
    operation = next(d for d in doc.definitions if isinstance(d, OperationDefinitionNode))
    field = operation.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    return field, fragments


def test_identity_from_an_id_token() -> None:
    claims = h.id_claims()
    identity = cognito_identity(claims, "127.0.0.1")
    assert identity == {
        "sub": h.SUB,
        "issuer": h.ISSUER,
        "username": "alice",
        "claims": claims,
        "sourceIp": ["127.0.0.1"],
        "defaultAuthStrategy": "ALLOW",
        "groups": ["analysts"],
    }


def test_identity_from_an_access_token_without_groups_has_null_groups() -> None:
    identity = cognito_identity(h.access_claims(), "10.0.0.7")
    assert identity["username"] == "alice"
    assert identity["groups"] is None
    assert identity["sourceIp"] == ["10.0.0.7"]


def test_empty_groups_are_null_as_in_appsync() -> None:
    assert cognito_identity(h.id_claims(**{"cognito:groups": []}), "127.0.0.1")["groups"] is None


def test_selection_set_list_follows_fragments_and_nesting() -> None:
    field, fragments = _field_and_fragments(
        """
        mutation M { vendCredentials(scope: S3_OWN_PREFIX) { accessKeyId ...F ... on VendedCredentials { region } __typename } }
        fragment F on VendedCredentials { sessionToken expiration }
        """
    )
    info = resolver_info(
        field_name="vendCredentials",
        parent_type_name="Mutation",
        variables={"d": 900},
        field_node=field,
        fragments=fragments,
    )
    assert info["selectionSetList"] == ["accessKeyId", "sessionToken", "expiration", "region"]
    assert info["fieldName"] == "vendCredentials"
    assert info["parentTypeName"] == "Mutation"
    assert info["variables"] == {"d": 900}
    assert info["selectionSetGraphQL"].startswith("{")
    assert "accessKeyId" in info["selectionSetGraphQL"]


def test_nested_selections_are_slash_paths() -> None:
    field, fragments = _field_and_fragments("query { scopes { name detail { a b } } }")
    info = resolver_info(
        field_name="scopes", parent_type_name="Query", variables={}, field_node=field, fragments=fragments
    )
    assert info["selectionSetList"] == ["name", "detail", "detail/a", "detail/b"]


def test_payload_is_the_ctx_without_the_request_headers() -> None:
    ctx = resolver_context(
        arguments={"scope": "S3_OWN_PREFIX"},
        identity=cognito_identity(h.id_claims(), "127.0.0.1"),
        headers=[("authorization", "eyJhbGciOi.token.here"), ("content-type", "application/json")],
        domain_name=None,
        info={"fieldName": "vendCredentials"},
    )
    assert ctx["request"]["headers"]["authorization"] == "eyJhbGciOi.token.here"
    payload = lambda_payload(ctx)
    assert list(payload) == ["arguments", "identity", "source", "info", "prev", "stash"]
    assert "eyJhbGciOi.token.here" not in repr(payload)
    assert payload["source"] is None
    assert payload["stash"] == {}
