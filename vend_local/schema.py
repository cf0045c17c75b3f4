"""The GraphQL schema as code (strawberry), with the Scope enum built from the catalog. No I/O.

No `from __future__ import annotations` here: strawberry must resolve the local classes eagerly.

``appsync_sdl`` prints the SDL that AppSync accepts; ``python -m vend_local.schema`` writes it to stdout and
`make schema` stores it as schema.graphql. ``build_schema`` takes the resolvers, so the local server serves
this same schema.
"""

import enum
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final, NewType, cast

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.schema_directive import Location
from strawberry.types.scalar import ScalarDefinition

from resolvers.catalog import DEFAULT_PATH, load_catalog
from resolvers.catalog_model import Catalog
from resolvers.decision import CLAIM_INVALID, CLAIM_MISSING, NOT_IN_GROUP
from resolvers.errors import ERROR_CODES
from vend_local import __version__


@strawberry.schema_directive(
    locations=[Location.OBJECT, Location.FIELD_DEFINITION],
    name="aws_cognito_user_pools",
    print_definition=False,
)
class AwsCognitoUserPools:
    """AppSync's Cognito auth directive; every signed-in user of the pool may call the field."""


COGNITO: Final = AwsCognitoUserPools()
# AppSync declares its own scalars (so no description here); strawberry prints this line, AppSync refuses it.
_APPSYNC_PROVIDED: Final = ("scalar AWSDateTime\n",)

AWSDateTime = NewType("AWSDateTime", str)
SCALARS: Final[dict[object, ScalarDefinition]] = {
    AWSDateTime: strawberry.scalar(
        name="AWSDateTime",
        serialize=str,
        parse_value=str,
    )
}

VendResolver = Callable[..., Any]


def scope_enum(catalog: Catalog) -> type[enum.Enum]:
    members = cast("type[enum.Enum]", enum.Enum("Scope", {name: name for name in catalog.scopes}))
    return strawberry.enum(
        members,
        description="A scope from the catalog. Query `scopes` for which ones you can get now.",
    )


# Each reason is the refusal vendCredentials would answer with; clients treat the two alike.
_REASONS: Final = (
    (NOT_IN_GROUP, "The caller is in none of the scope's groups (vendCredentials: ScopeForbidden)."),
    (CLAIM_MISSING, "The caller's token lacks a claim the scope needs (vendCredentials: ClaimMissing)."),
    (CLAIM_INVALID, "A claim's value does not match the catalog's pattern (vendCredentials: ClaimInvalid)."),
)


def unavailable_reason_enum() -> type[enum.Enum]:
    members = {name: strawberry.enum_value(name, description=why) for name, why in _REASONS}
    return strawberry.enum(
        cast("type[enum.Enum]", enum.Enum("ScopeUnavailableReason", members)),
        description="Why the signed-in caller cannot get a scope now.",
    )


def build_schema(
    catalog: Catalog,
    *,
    vend_resolver: VendResolver | None = None,
    scopes_resolver: VendResolver | None = None,
    extensions: Sequence[Any] = (),
) -> strawberry.Schema:
    """The schema; the resolvers default to ones that refuse (schema printing needs none).

    ``vend_resolver`` is called with ``info`` (strawberry's), ``scope`` and ``duration_seconds``.
    """
    scope_type: Any = scope_enum(catalog)

    def _unresolved() -> Any:
        raise NotImplementedError("no resolver bound")

    # Not "Credentials": the AWS SDK for Kotlin (aws.smithy.kotlin...awscredentials.Credentials), the AWS SDK for
    # JavaScript v3 (@aws-sdk/types, client-sts) and others export that name, and Amplify's codegen would make
    # a second one in the app (docs/mobile.md). A contract test checks the generated names against that list.
    @strawberry.type(
        directives=[COGNITO],
        description="Temporary AWS credentials, in the shape AWS SDKs and Amplify expect.",
    )
    class VendedCredentials:
        access_key_id: str
        secret_access_key: str
        session_token: str
        expiration: AWSDateTime = strawberry.field(description="When these credentials stop working (UTC).")
        refresh_after: AWSDateTime = strawberry.field(
            description="Ask for new credentials after this time (UTC)."
        )
        scope: scope_type
        region: str

    reason_type: Any = unavailable_reason_enum()

    @strawberry.type(
        directives=[COGNITO],
        description="A scope of the catalog, and whether the signed-in caller can get it now.",
    )
    class ScopeInfo:
        name: scope_type
        description: str
        max_duration_seconds: int
        available: bool = strawberry.field(
            description="True when vendCredentials would admit this caller to this scope now."
        )
        unavailable_reason: reason_type | None = strawberry.field(
            description="Why not, when available is false; null when it is true."
        )
        unavailable_message: str | None = strawberry.field(
            description="The refusal vendCredentials would answer with, safe to show; null when available."
        )

    @strawberry.type
    class Query:
        scopes: list[ScopeInfo] = strawberry.field(
            resolver=scopes_resolver or _unresolved,
            directives=[COGNITO],
            description=(
                "Every scope of the catalog, with whether the signed-in caller can get it now and, if not, why. "
                "A caller an operator revoked gets the errorType Revoked instead."
            ),
        )

    @strawberry.type
    class Mutation:
        @strawberry.mutation(  # type: ignore[untyped-decorator]
            directives=[COGNITO],
            description=(
                "Vend temporary credentials for one scope. Never cached: they are the caller's own. A refusal is "
                f"an error with a stable errorType: {', '.join(ERROR_CODES)}."
            ),
        )
        def vend_credentials(
            self, info: strawberry.Info, scope: scope_type, duration_seconds: int | None = strawberry.UNSET
        ) -> VendedCredentials:
            if vend_resolver is None:
                return _unresolved()  # type: ignore[no-any-return]
            return vend_resolver(info=info, scope=scope, duration_seconds=duration_seconds)  # type: ignore[no-any-return]

    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(scalar_map=SCALARS),
        extensions=list(extensions),
    )


HEADER: Final = (
    "# Generated by `make schema` from vend_local/schema.py and the scope catalog. Do not edit.\n"
    # Clients can tell which release of the API they were generated against (CHANGELOG.md).
    f"# credential-vending API version {__version__}\n\n"
)
# AppSync's SDL is happiest with the root operation types spelled out.
SCHEMA_BLOCK: Final = "schema {\n  query: Query\n  mutation: Mutation\n}\n\n"


def appsync_sdl(catalog: Catalog) -> str:
    sdl = build_schema(catalog).as_str() + "\n"
    for line in _APPSYNC_PROVIDED:
        sdl = sdl.replace(line, "")
    return HEADER + SCHEMA_BLOCK + sdl.lstrip()


def main() -> None:
    sys.stdout.write(appsync_sdl(load_catalog(DEFAULT_PATH)))


if __name__ == "__main__":
    main()
