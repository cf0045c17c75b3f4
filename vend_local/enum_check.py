"""Compare schema.graphql's ``Scope`` enum with the catalog's scope names. Pure: it takes the SDL as text.

Only ``graphql.parse`` is used: it checks syntax, so AppSync's own scalars and directives need no prelude.
"""

from __future__ import annotations

from typing import Final

from graphql import EnumTypeDefinitionNode, GraphQLError, parse

from resolvers.catalog_model import Catalog

ENUM_NAME: Final = "Scope"
FIX: Final = "run `make schema` and commit schema.graphql"


def scope_enum_problems(sdl: str, catalog: Catalog) -> list[str]:
    """Every difference, each saying what to do; empty when the enum and the catalog agree."""
    try:
        document = parse(sdl)
    except GraphQLError as exc:
        where = ", ".join(f"line {loc.line} column {loc.column}" for loc in exc.locations or ())
        return [f"not valid GraphQL ({where or 'unknown position'}): {exc.message}; {FIX}"]
    enums = [
        d for d in document.definitions if isinstance(d, EnumTypeDefinitionNode) and d.name.value == ENUM_NAME
    ]
    if len(enums) != 1:
        return [f"expected exactly one `enum {ENUM_NAME}`, found {len(enums)}; {FIX}"]
    in_schema = [value.name.value for value in enums[0].values or ()]
    missing = [name for name in catalog.scopes if name not in in_schema]
    extra = [name for name in in_schema if name not in catalog.scopes]
    problems = []
    if missing:
        problems.append(
            f"enum {ENUM_NAME} lacks {', '.join(missing)}, which the catalog defines: clients cannot request "
            f"them; {FIX}"
        )
    if extra:
        problems.append(
            f"enum {ENUM_NAME} has {', '.join(extra)}, which the catalog does not define: requests for them "
            f"would be refused; {FIX}"
        )
    return problems
