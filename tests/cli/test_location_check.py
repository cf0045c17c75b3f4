"""`vend catalog check` proves each declared location with the IAM evaluator: every declared permission is
granted on the prefix, nothing outside it is, and no grant hides behind a request condition."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pytest

from resolvers.catalog import parse_catalog
from resolvers.catalog_model import RenderedLocation
from tests.cli.helpers import EXAMPLE_CATALOG, EXAMPLE_SCHEMA, vend
from vend_local.findings import Finding
from vend_local.location_check import inside_probes, location_findings, open_world, outside_probes

NOW: Final = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
EXAMPLE: Final = tomllib.loads(EXAMPLE_CATALOG.read_text())
ALICE: Final = "11111111-2222-4333-8444-555555555555"
OWN: Final = f"users/{ALICE}/"


def own_prefix(**changes: Any) -> dict[str, Any]:
    """The example's S3_OWN_PREFIX, changed."""
    scope: dict[str, Any] = copy.deepcopy(EXAMPLE["scopes"]["S3_OWN_PREFIX"])
    scope.update(changes)
    return scope


LIST_OWN: Final = own_prefix()["statements"][0]
OBJECTS_OWN: Final = own_prefix()["statements"][1]


def objects(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(OBJECTS_OWN), **changes}


def listing(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(LIST_OWN), **changes}


def findings(scope: dict[str, Any], claims: dict[str, Any] | None = None) -> list[Finding]:
    data: dict[str, Any] = {"scopes": {"FILES": scope}}
    if claims is not None:
        data["claims"] = claims
    catalog = parse_catalog(data, source="test.toml", version="test")
    return location_findings(catalog, Path("test.toml"), "test.toml", now=NOW)


def errors(scope: dict[str, Any], claims: dict[str, Any] | None = None) -> list[str]:
    return [f.message for f in findings(scope, claims) if f.severity == "error"]


def test_the_example_catalog_s_locations_are_proven() -> None:
    catalog = parse_catalog(EXAMPLE, source="catalog.toml", version="x")
    assert location_findings(catalog, EXAMPLE_CATALOG, "catalog.toml", now=NOW) == []


def test_the_example_as_given_to_the_cli_passes_strict(capsys: pytest.CaptureFixture[str]) -> None:
    result = vend(
        capsys, "catalog", "check", str(EXAMPLE_CATALOG), "--schema", str(EXAMPLE_SCHEMA), "--strict"
    )
    assert result.code == 0, result.out
    assert "0 error(s), 0 warning(s)" in result.out


def test_a_scope_without_a_location_is_not_judged() -> None:
    scope = own_prefix(statements=[objects(resources=["arn:aws:s3:::{{bucket}}/*"])])
    del scope["location"]
    assert findings(scope) == []


# ---- outside the prefix --------------------------------------------------------------------------------------


def test_a_grant_over_every_user_s_prefix_reaches_other_callers_and_look_alike_prefixes() -> None:
    found = errors(own_prefix(statements=[LIST_OWN, objects(resources=["arn:aws:s3:::{{bucket}}/users/*"])]))
    assert any(
        "another caller's prefix" in e and "users/22222222-3333-4444-8555-666666666666/" in e for e in found
    )
    assert any(f"s3:PutObject on arn:aws:s3:::vend-example-uploads/{OWN[:-1]}x/file.txt" in e for e in found)
    assert any(f"s3:GetObject on arn:aws:s3:::vend-example-uploads/{OWN[:-1]}-x/file.txt" in e for e in found)
    assert all("through session policy statement ObjectsUnderOwnPrefix" in e for e in found)
    # ... but not the bucket root or other buckets, which the statement does not reach.
    assert not any("the bucket root" in e or "another bucket" in e for e in found)


def test_a_grant_of_the_whole_bucket_reaches_the_root_and_every_parent() -> None:
    found = errors(own_prefix(statements=[LIST_OWN, objects(resources=["arn:aws:s3:::{{bucket}}/*"])]))
    assert any(
        "s3:DeleteObject on arn:aws:s3:::vend-example-uploads/file.txt, the bucket root" in e for e in found
    )
    assert any("arn:aws:s3:::vend-example-uploads/users/file.txt, a parent prefix" in e for e in found)
    assert any(f"arn:aws:s3:::vend-example-uploads/{OWN[:-1]}, the prefix as a key" in e for e in found)


def test_a_grant_in_any_bucket_reaches_other_buckets() -> None:
    found = errors(own_prefix(statements=[LIST_OWN, objects(resources=["arn:aws:s3:::*/users/{{sub}}/*"])]))
    assert any(f"arn:aws:s3:::vend-example-uploadsx/{OWN}file.txt, another bucket" in e for e in found)
    assert any(f"arn:aws:s3:::xvend-example-uploads/{OWN}file.txt, another bucket" in e for e in found)


@pytest.mark.parametrize(
    ("prefixes", "leak"),
    [
        (["users/*"], "s3:prefix 'users/', a parent prefix"),
        (["users/{{sub}}/", "users/{{sub}}/*", ""], "s3:prefix '', the bucket root"),
        (["*"], "s3:ListBucket on arn:aws:s3:::vend-example-uploads with s3:prefix 'reports/'"),
    ],
)
def test_a_listing_condition_wider_than_the_prefix_is_an_error(prefixes: list[str], leak: str) -> None:
    condition = {"StringLike": {"s3:prefix": prefixes}}
    found = errors(own_prefix(statements=[listing(conditions=condition), OBJECTS_OWN]))
    if "reports/" in leak:
        # No probe lists reports/, but the root and the parents stand for every prefix outside.
        assert any("s3:prefix '', the bucket root" in e for e in found)
    else:
        assert any(leak in e for e in found), found


def test_a_listing_without_a_prefix_condition_lists_the_whole_bucket() -> None:
    found = errors(own_prefix(statements=[listing(conditions={}), OBJECTS_OWN]))
    assert any("s3:ListBucket on arn:aws:s3:::vend-example-uploads with no s3:prefix" in e for e in found)


def test_a_listing_of_the_prefix_without_its_slash_is_an_error() -> None:
    # "users/<sub>" as s3:prefix also lists users/<sub>x/..., another caller's files.
    condition = {"StringLike": {"s3:prefix": ["users/{{sub}}", "users/{{sub}}/*"]}}
    found = errors(own_prefix(statements=[listing(conditions=condition), OBJECTS_OWN]))
    assert any(f"with s3:prefix '{OWN[:-1]}', the prefix without its '/'" in e for e in found)


def test_a_case_insensitive_listing_reaches_the_prefix_in_another_case() -> None:
    condition = {"StringEqualsIgnoreCase": {"s3:prefix": ["users/{{sub}}/"]}}
    found = errors(own_prefix(statements=[listing(conditions=condition), OBJECTS_OWN]))
    assert any(f"s3:prefix '{OWN.upper()}', the prefix in another letter case" in e for e in found)


def test_a_bucket_level_action_is_outside_the_prefix() -> None:
    policy = {
        "sid": "Policy",
        "effect": "Allow",
        "actions": ["s3:PutBucketPolicy"],
        "resources": ["arn:aws:s3:::{{bucket}}"],
    }
    found = errors(own_prefix(statements=[LIST_OWN, OBJECTS_OWN, policy]))
    assert found == [
        "scopes.FILES.location: the statements allow s3:PutBucketPolicy on arn:aws:s3:::vend-example-uploads, the "
        "bucket itself, outside vend-example-uploads/"
        + OWN
        + ", through session policy statement Policy; narrow "
        "them to the location"
    ]


def test_an_action_the_statements_name_is_probed_even_when_the_probe_list_lacks_it() -> None:
    # s3:ReplicateObject is in no probe list; a grant of it outside the prefix is still found.
    extra = {
        "sid": "Rep",
        "effect": "Allow",
        "actions": ["s3:ReplicateObject"],
        "resources": ["arn:aws:s3:::{{bucket}}/*"],
    }
    found = errors(own_prefix(statements=[LIST_OWN, OBJECTS_OWN, extra]))
    assert any(
        "s3:ReplicateObject on arn:aws:s3:::vend-example-uploads/file.txt, the bucket root" in e
        for e in found
    )


def test_a_location_scope_may_allow_only_s3_actions() -> None:
    table = {
        "sid": "Items",
        "effect": "Allow",
        "actions": ["dynamodb:GetItem"],
        "resources": ["{{table_arn}}"],
    }
    assert errors(own_prefix(statements=[LIST_OWN, OBJECTS_OWN, table])) == [
        (
            "scopes.FILES.location: statements[2] allows dynamodb:GetItem, which lies outside any S3 location; a scope "
            "with a location may allow only s3: actions"
        )
    ]


# ---- no grant hides behind a request condition ---------------------------------------------------------------


def test_a_grant_outside_that_needs_a_request_condition_is_still_found() -> None:
    # Judged as a request without the header, this Allow would not apply; a caller can send the header.
    hidden = objects(
        sid="Hidden",
        resources=["arn:aws:s3:::{{bucket}}/*"],
        conditions={"StringEquals": {"s3:x-amz-acl": ["private"]}},
    )
    found = errors(own_prefix(statements=[LIST_OWN, OBJECTS_OWN, hidden]))
    assert any("the bucket root" in e and "statement Hidden" in e for e in found)


def test_a_deny_that_a_request_condition_can_switch_off_is_not_counted_on() -> None:
    wide = objects(resources=["arn:aws:s3:::{{bucket}}/*"])
    deny = {
        "sid": "OnlyOwn",
        "effect": "Deny",
        "actions": ["s3:*"],
        "not_resources": ["arn:aws:s3:::{{bucket}}/users/{{sub}}/*"],
        "conditions": {"Bool": {"aws:SecureTransport": ["true"]}},  # off for a request over plain HTTP
    }
    assert errors(own_prefix(statements=[LIST_OWN, wide, deny]))


def test_an_unconditional_deny_that_fences_the_prefix_is_counted_on() -> None:
    wide = objects(resources=["arn:aws:s3:::{{bucket}}/*"])
    fence = {
        "sid": "OnlyOwn",
        "effect": "Deny",
        "actions": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        "not_resources": ["arn:aws:s3:::{{bucket}}/users/{{sub}}/*"],
    }
    assert errors(own_prefix(statements=[LIST_OWN, wide, fence])) == []


def test_a_condition_the_session_fixes_is_judged_as_it_is() -> None:
    # The principal tag vend:sub is the caller's sub for every request of the session: no request can change it.
    by_tag = objects(
        sid="ByTag",
        resources=["arn:aws:s3:::{{bucket}}/users/*"],
        conditions={"StringLike": {"s3:ExistingObjectTag/owner": ["x"]}},
    )
    tagged = objects(resources=["arn:aws:s3:::{{bucket}}/users/${aws:PrincipalTag/vend:sub}/*"])
    assert errors(own_prefix(statements=[LIST_OWN, tagged])) == []
    assert errors(
        own_prefix(statements=[LIST_OWN, by_tag, OBJECTS_OWN])
    )  # the tag condition is the request's


# ---- declared against granted --------------------------------------------------------------------------------


def test_a_declared_permission_the_statements_do_not_grant_is_an_error() -> None:
    read_only = objects(actions=["s3:GetObject"])
    found = errors(own_prefix(statements=[LIST_OWN, read_only]))
    key = f"arn:aws:s3:::vend-example-uploads/{OWN}file.txt"
    assert found == [
        (
            f"scopes.FILES.location: declares 'write', but s3:PutObject on {key} is ImplicitDeny (Implicitly denied: no "
            f"identity-based policy statement allows s3:PutObject on {key}.); grant it in the statements, or remove "
            "'write'"
        ),
        (
            f"scopes.FILES.location: declares 'delete', but s3:DeleteObject on {key} is ImplicitDeny (Implicitly denied: "
            f"no identity-based policy statement allows s3:DeleteObject on {key}.); grant it in the statements, or "
            "remove 'delete'"
        ),
    ]


def test_listing_a_folder_under_the_prefix_is_part_of_list() -> None:
    exact = {"StringEquals": {"s3:prefix": ["users/{{sub}}/"]}}
    found = errors(own_prefix(statements=[listing(conditions=exact), OBJECTS_OWN]))
    assert any(
        f"declares 'list', but s3:ListBucket on arn:aws:s3:::vend-example-uploads with s3:prefix '{OWN}folder/'"
        in e
        for e in found
    )


def test_an_undeclared_permission_the_statements_grant_is_a_warning() -> None:
    scope = own_prefix(
        location={"bucket": "{{bucket}}", "prefix": "users/{{sub}}/", "permissions": ["list", "get"]}
    )
    found = findings(scope)
    assert [f.severity for f in found] == ["warning", "warning"]
    assert found[0].message.startswith(
        "scopes.FILES.location: the statements also grant 'write' (s3:PutObject on"
    )
    assert "list it, or narrow the statements" in found[1].message


def test_a_location_that_names_another_prefix_than_the_statements_is_an_error() -> None:
    scope = own_prefix(location={"bucket": "{{bucket}}", "prefix": "users/", "permissions": ["list", "get"]})
    found = errors(scope)
    assert any(
        "declares 'list', but s3:ListBucket on arn:aws:s3:::vend-example-uploads with s3:prefix 'users/'" in e
        for e in found
    )


def test_a_scope_that_cannot_be_judged_is_an_error_not_a_pass() -> None:
    scope = own_prefix(managed_policy_arns=["arn:aws:iam::{{account}}:policy/extra"])
    (only,) = errors(scope)
    assert only.startswith("scopes.FILES.location: cannot be proven: Not modelled: managed policy")


# ---- per-caller values ---------------------------------------------------------------------------------------

TENANT: Final = {"tenant": {"claim": "custom:tenant_id", "pattern": "[a-z]{2,8}", "description": "Tenant."}}


def tenant_scope(resource: str) -> dict[str, Any]:
    return {
        "description": "Tenant files.",
        "any_signed_in_user": True,
        "role": "uploads",
        "max_duration_seconds": 900,
        "location": {"bucket": "{{bucket}}", "prefix": "tenants/{{claim.tenant}}/", "permissions": ["get"]},
        "statements": [
            {"sid": "Files", "effect": "Allow", "actions": ["s3:GetObject"], "resources": [resource]}
        ],
    }


def test_a_claim_location_is_proven_for_two_callers_with_different_claims() -> None:
    assert errors(tenant_scope("arn:aws:s3:::{{bucket}}/tenants/{{claim.tenant}}/*"), TENANT) == []
    found = errors(tenant_scope("arn:aws:s3:::{{bucket}}/tenants/*"), TENANT)
    assert any("another caller's prefix" in e for e in found)


def test_a_pattern_with_a_single_value_leaves_no_other_caller_to_probe() -> None:
    single = {"tenant": {**TENANT["tenant"], "pattern": "acme"}}
    assert errors(tenant_scope("arn:aws:s3:::{{bucket}}/tenants/{{claim.tenant}}/*"), single) == []


# ---- the probes and the open world themselves ----------------------------------------------------------------


def test_the_probes_stay_inside_and_outside_as_named() -> None:
    here = RenderedLocation("b", "users/u1/", ("list", "get"))
    other = RenderedLocation("b", "users/u2/", ("list", "get"))
    inside = [p.resource for ps in inside_probes(here).values() for p in ps if p.action != "s3:ListBucket"]
    assert all(r.startswith("arn:aws:s3:::b/users/u1/") for r in inside)
    outside = outside_probes(here, other, ())
    for probe in outside:
        prefix = probe.context.get("s3:prefix", ("",))[0]
        assert not probe.resource.startswith("arn:aws:s3:::b/users/u1/")
        assert not (probe.resource == "arn:aws:s3:::b" and prefix.startswith("users/u1/"))
        assert probe.why
    resources = {p.resource for p in outside}
    assert {
        "arn:aws:s3:::b/file.txt",
        "arn:aws:s3:::b/users/file.txt",
        "arn:aws:s3:::b/users/u1",
        "arn:aws:s3:::b/users/u1x/file.txt",
        "arn:aws:s3:::b/users/u1-x/file.txt",
        "arn:aws:s3:::b/users/u2/file.txt",
        "arn:aws:s3:::b/USERS/U1/file.txt",
        "arn:aws:s3:::bx/users/u1/file.txt",
        "arn:aws:s3:::xb/users/u1/file.txt",
    } <= resources


def test_the_open_world_drops_request_conditions_from_allows_and_drops_denies_that_depend_on_them() -> None:
    document: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {
                    "IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]},
                    "StringLike": {"s3:prefix": ["a/*"], "aws:PrincipalTag/vend:sub": ["x"]},
                },
            },
            {
                "Effect": "Deny",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
            },
            {
                "Effect": "Deny",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceIdentity": ["x"]}},
            },
        ],
    }
    assert open_world(document)["Statement"] == [
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"StringLike": {"s3:prefix": ["a/*"], "aws:PrincipalTag/vend:sub": ["x"]}},
        },
        {
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceIdentity": ["x"]}},
        },
    ]
    assert document["Statement"][0]["Condition"]["IpAddress"]  # the input is not changed


def test_a_broken_location_fails_the_cli_with_the_scope_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    catalog = EXAMPLE_CATALOG.read_text().replace(
        'resources = ["arn:aws:s3:::{{bucket}}/users/{{sub}}/*"]',
        'resources = ["arn:aws:s3:::{{bucket}}/users/*"]',
    )
    path = tmp_path / "catalog.toml"
    path.write_text(catalog)
    result = vend(capsys, "catalog", "check", str(path), "--schema", str(EXAMPLE_SCHEMA))
    assert result.code == 1
    assert f"{path}: error: scopes.S3_OWN_PREFIX.location: the statements allow s3:" in result.out
