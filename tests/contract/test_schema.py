"""schema.graphql is the strawberry schema's AppSync SDL: checked in, drift-tested, and valid for AppSync."""

from __future__ import annotations

import re
from pathlib import Path

import graphql
from moto.appsync.models import AWS_CUSTOM_GRAPHQL

from resolvers.catalog import load_catalog
from resolvers.decision import UNAVAILABLE_REASONS
from resolvers.errors import ERROR_CODES
from vend_local.schema import appsync_sdl

SCHEMA = Path(__file__).parents[2] / "schema.graphql"


def built() -> graphql.GraphQLSchema:
    # AppSync provides these scalars and directives; graphql-core needs them declared to build the file.
    return graphql.build_schema(SCHEMA.read_text() + AWS_CUSTOM_GRAPHQL)


def test_checked_in_schema_equals_the_generated_one() -> None:
    assert SCHEMA.read_text() == appsync_sdl(load_catalog()), "schema.graphql is stale: run `make schema`"


def test_schema_declares_nothing_appsync_provides() -> None:
    text = SCHEMA.read_text()
    assert "scalar AWS" not in text
    assert "directive @aws_" not in text


def test_schema_builds_with_the_appsync_prelude() -> None:
    schema = built()
    mutation = schema.mutation_type
    assert mutation is not None
    vend = mutation.fields["vendCredentials"]
    assert str(vend.type) == "VendedCredentials!"
    assert {name: str(arg.type) for name, arg in vend.args.items()} == {
        "scope": "Scope!",
        "durationSeconds": "Int",
    }
    assert schema.query_type is not None
    assert str(schema.query_type.fields["scopes"].type) == "[ScopeInfo!]!"


def field_types(type_name: str) -> dict[str, str]:
    found = built().get_type(type_name)
    assert isinstance(found, graphql.GraphQLObjectType)
    return {name: str(f.type) for name, f in found.fields.items()}


def test_credentials_type_has_the_sdk_field_names() -> None:
    assert field_types("VendedCredentials") == {
        "accessKeyId": "String!",
        "secretAccessKey": "String!",
        "sessionToken": "String!",
        "expiration": "AWSDateTime!",
        "refreshAfter": "AWSDateTime!",
        "scope": "Scope!",
        "region": "String!",
    }


def test_scope_enum_is_the_catalog() -> None:
    scope = built().get_type("Scope")
    assert isinstance(scope, graphql.GraphQLEnumType)
    assert list(scope.values) == ["S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "REPORTS_READ", "TENANT_FILES"]


def test_fields_carry_the_cognito_auth_directive() -> None:
    document = graphql.parse(SCHEMA.read_text())
    directives = {
        f"{definition.name.value}.{field.name.value}": [d.name.value for d in field.directives or ()]
        for definition in document.definitions
        if isinstance(definition, graphql.ObjectTypeDefinitionNode)
        and definition.name.value in ("Query", "Mutation")
        for field in definition.fields or ()
    }
    assert directives == {
        "Mutation.vendCredentials": ["aws_cognito_user_pools"],
        "Query.scopes": ["aws_cognito_user_pools"],
    }


def test_scope_info_says_whether_and_why_not() -> None:
    assert field_types("ScopeInfo") == {
        "name": "Scope!",
        "description": "String!",
        "maxDurationSeconds": "Int!",
        "available": "Boolean!",
        "unavailableReason": "ScopeUnavailableReason",
        "unavailableMessage": "String",
    }
    reason = built().get_type("ScopeUnavailableReason")
    assert isinstance(reason, graphql.GraphQLEnumType)
    assert list(reason.values) == ["NOT_IN_GROUP", "CLAIM_MISSING", "CLAIM_INVALID"]
    assert set(reason.values) == set(UNAVAILABLE_REASONS.values())


def test_the_schema_names_every_error_type_a_client_can_meet() -> None:
    # Amplify codegen and GraphiQL show field descriptions: clients learn the errorTypes there too.
    text = SCHEMA.read_text(encoding="utf-8")
    vend = text[text.index("type Mutation {") : text.index("vendCredentials(")]
    for code in ERROR_CODES:
        assert re.search(rf"\b{code}\b", vend), f"{code} is not named in vendCredentials' description"
    assert "Revoked" in text[text.index("type Query {") : text.index("scopes:")]
