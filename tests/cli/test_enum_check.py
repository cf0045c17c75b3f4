"""The Scope enum in schema.graphql against the catalog's scope names."""

from __future__ import annotations

import pytest

from resolvers.catalog import load_catalog
from tests.cli.helpers import EXAMPLE_CATALOG, EXAMPLE_SCHEMA, schema_with_scopes
from vend_local.enum_check import scope_enum_problems

CATALOG = load_catalog(EXAMPLE_CATALOG)
ALL = ("S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "REPORTS_READ", "TENANT_FILES")
FIX = "run `make schema` and commit schema.graphql"


def test_the_checked_in_schema_matches_the_example_catalog() -> None:
    assert scope_enum_problems(EXAMPLE_SCHEMA.read_text(encoding="utf-8"), CATALOG) == []


@pytest.mark.parametrize(
    ("sdl", "problems"),
    [
        (schema_with_scopes(*ALL), []),
        # Order is the generator's business; only the set of names is a contract.
        (schema_with_scopes(*reversed(ALL)), []),
        (
            schema_with_scopes("S3_OWN_PREFIX", "REPORTS_READ"),
            [
                (
                    "enum Scope lacks DYNAMODB_OWN_ITEMS, TENANT_FILES, which the catalog defines: clients cannot "
                    f"request them; {FIX}"
                )
            ],
        ),
        (
            schema_with_scopes(*ALL, "OLD_SCOPE"),
            [
                (
                    "enum Scope has OLD_SCOPE, which the catalog does not define: requests for them would be "
                    f"refused; {FIX}"
                )
            ],
        ),
        (
            schema_with_scopes("S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "REPORTS_READ", "TENANT_FILE"),
            [
                f"enum Scope lacks TENANT_FILES, which the catalog defines: clients cannot request them; {FIX}",
                (
                    "enum Scope has TENANT_FILE, which the catalog does not define: requests for them would be "
                    f"refused; {FIX}"
                ),
            ],
        ),
        ("type Query { x: Int }\n", [f"expected exactly one `enum Scope`, found 0; {FIX}"]),
        (
            schema_with_scopes(*ALL) + schema_with_scopes(*ALL).split("\n\n")[0],
            [f"expected exactly one `enum Scope`, found 2; {FIX}"],
        ),
        (
            "enum Scope {\n  A\n",
            [f"not valid GraphQL (line 3 column 1): Syntax Error: Expected Name, found <EOF>.; {FIX}"],
        ),
    ],
)
def test_scope_enum_problems(sdl: str, problems: list[str]) -> None:
    assert scope_enum_problems(sdl, CATALOG) == problems
