"""A scope's location in the catalog: validated as a whole, every problem by field; rendered for one caller."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.catalog_model import Location
from resolvers.errors import Internal
from resolvers.location import parse_location, render_location
from resolvers.templates import parse
from tests.unit.test_catalog import build, minimal_scope, problems

OWN = {"bucket": "{{bucket}}", "prefix": "users/{{sub}}/", "permissions": ["get", "list"]}


def location_problems(location: Any) -> list[str]:
    found: list[str] = []
    assert parse_location(location, "scopes.X", found) is None
    return found


def test_a_location_parses_with_permissions_in_the_vocabulary_s_order() -> None:
    catalog = build({"OWN": minimal_scope(location=OWN)})
    location = catalog.scopes["OWN"].location
    assert location is not None
    assert (location.bucket.source, location.prefix.source) == ("{{bucket}}", "users/{{sub}}/")
    assert location.permissions == ("list", "get")


def test_a_scope_without_a_location_has_none() -> None:
    assert build({"OWN": minimal_scope()}).scopes["OWN"].location is None


def test_the_location_s_variables_are_the_scope_s_so_availability_checks_them() -> None:
    claims = {"tenant": {"claim": "custom:tenant_id", "pattern": "[a-z]{2,8}", "description": "t"}}
    scope = minimal_scope(location={**OWN, "prefix": "tenants/{{claim.tenant}}/"})
    assert "claim.tenant" in build({"TENANT": scope}, claims).scopes["TENANT"].variables


def test_a_literal_bucket_name_is_allowed() -> None:
    location = parse_location({**OWN, "bucket": "my-uploads.example"}, "scopes.X", [])
    assert location is not None
    assert location.bucket.source == "my-uploads.example"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("users/", "scopes.X.location: must be a table with bucket, prefix and permissions"),
        ({**OWN, "region": "eu-west-1"}, "scopes.X.location: unknown field 'region'"),
        ({k: v for k, v in OWN.items() if k != "bucket"}, "scopes.X.location.bucket: required"),
        ({**OWN, "bucket": "{{bucket}}-{{sub}}"}, "scopes.X.location.bucket: '{{bucket}}-{{sub}}' must be"),
        ({**OWN, "bucket": "Not_A_Bucket"}, "scopes.X.location.bucket: 'Not_A_Bucket' must be"),
        ({**OWN, "bucket": "a..b"}, "scopes.X.location.bucket: 'a..b' must be"),
        ({**OWN, "prefix": ""}, "scopes.X.location.prefix: required"),
        ({**OWN, "prefix": 7}, "scopes.X.location.prefix: required"),
        ({**OWN, "prefix": "users/{{sub}}"}, "'users/{{sub}}' must not start with '/' and must end with '/'"),
        ({**OWN, "prefix": "/users/{{sub}}/"}, "must not start with '/' and must end with '/'"),
        ({**OWN, "prefix": "users/*/"}, "may hold only letters, digits"),
        ({**OWN, "prefix": "users/?/"}, "may hold only letters, digits"),
        ({**OWN, "prefix": "users/${aws:username}/"}, "may hold only letters, digits"),
        ({**OWN, "prefix": "my files/"}, "may hold only letters, digits"),
        ({**OWN, "prefix": "users//{{sub}}/"}, "must not have an empty, '.' or '..' segment"),
        ({**OWN, "prefix": "users/../{{sub}}/"}, "must not have an empty, '.' or '..' segment"),
        ({**OWN, "prefix": "./{{sub}}/"}, "must not have an empty, '.' or '..' segment"),
        (
            {**OWN, "prefix": "users/{sub}/"},
            "scopes.X.location.prefix: 'users/{sub}/' has a malformed placeholder",
        ),
        ({**OWN, "permissions": []}, "scopes.X.location.permissions: required, a non-empty list"),
        ({**OWN, "permissions": "list"}, "scopes.X.location.permissions: required, a non-empty list"),
        ({**OWN, "permissions": ["read"]}, "'read' not in the Storage Browser's vocabulary"),
        ({**OWN, "permissions": ["LIST"]}, "'LIST' not in the Storage Browser's vocabulary"),
        ({**OWN, "permissions": ["get", "get"]}, "scopes.X.location.permissions: lists a permission twice"),
    ],
)
def test_a_bad_location_is_refused_with_the_field_and_what_to_change(location: Any, expected: str) -> None:
    found = location_problems(location)
    assert any(expected in problem for problem in found), found


def test_every_problem_of_a_location_is_reported_at_once() -> None:
    found = location_problems({"bucket": "B", "prefix": "a*", "permissions": ["x"], "extra": 1})
    assert [p.split(":")[0] for p in found] == [
        "scopes.X.location",
        "scopes.X.location.bucket",
        "scopes.X.location.prefix",  # does not end in '/'
        "scopes.X.location.prefix",  # holds a wildcard
        "scopes.X.location.permissions",
    ]


def test_the_catalog_reports_a_bad_location_with_its_other_problems() -> None:
    found = problems({"OWN": minimal_scope(location={**OWN, "prefix": "users"}, role="Bad Role")})
    assert any(p.startswith("scopes.OWN.role:") for p in found)
    assert any(p.startswith("scopes.OWN.location.prefix:") for p in found)


def test_the_location_s_variables_go_through_the_catalog_lint() -> None:
    found = problems({"OWN": minimal_scope(location={**OWN, "prefix": "users/{{user}}/"})})
    assert any("unknown variable {{user}}" in p for p in found)


def location(prefix: str, bucket: str = "{{bucket}}") -> Location:
    return Location(bucket=parse(bucket), prefix=parse(prefix), permissions=("list", "get"))


def test_rendering_fills_the_caller_s_values() -> None:
    rendered = render_location(
        location("tenants/{{claim.tenant}}/users/{{sub}}/"),
        {
            "bucket": "vend-example-uploads",
            "claim.tenant": "acme",
            "sub": "11111111-2222-4333-8444-555555555555",
        },
    )
    assert (rendered.bucket, rendered.prefix, rendered.permissions) == (
        "vend-example-uploads",
        "tenants/acme/users/11111111-2222-4333-8444-555555555555/",
        ("list", "get"),
    )


@pytest.mark.parametrize(
    "values",
    [
        {"bucket": "vend-example-uploads", "sub": "a*"},  # a value no validated binding can hold
        {"bucket": "vend-example-uploads", "sub": "a/../b"},
        {"bucket": "Bad_Bucket", "sub": "abc"},
        {"bucket": "vend-example-uploads", "sub": ""},  # would render "users//"
    ],
)
def test_rendering_fails_closed_on_a_value_that_would_not_be_a_location(values: dict[str, str]) -> None:
    with pytest.raises(Internal) as caught:
        render_location(location("users/{{sub}}/"), values)
    assert caught.value.message == "The credential service could not describe a location."
