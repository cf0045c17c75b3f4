"""Catalog validation: every problem reported at once, by scope and field; dangerous templates refused."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from resolvers.catalog import DEFAULT_PATH, load_catalog, parse_catalog
from resolvers.catalog_model import Catalog
from resolvers.errors import ConfigError


def minimal_scope(**overrides: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "description": "Read your own objects.",
        "any_signed_in_user": True,
        "role": "uploads",
        "max_duration_seconds": 900,
        "statements": [
            {
                "sid": "Own",
                "effect": "Allow",
                "actions": ["s3:GetObject"],
                "resources": ["arn:aws:s3:::{{bucket}}/users/{{sub}}/*"],
            }
        ],
    }
    scope.update(overrides)
    return scope


def statement(**overrides: Any) -> dict[str, Any]:
    st: dict[str, Any] = copy.deepcopy(minimal_scope()["statements"][0])
    st.update(overrides)
    return st


def build(scopes: dict[str, Any], claims: dict[str, Any] | None = None, **top: Any) -> Catalog:
    data: dict[str, Any] = {"scopes": scopes, **top}
    if claims is not None:
        data["claims"] = claims
    return parse_catalog(data, source="test.toml", version="test")


def problems(scopes: dict[str, Any], claims: dict[str, Any] | None = None, **top: Any) -> list[str]:
    with pytest.raises(ConfigError) as info:
        build(scopes, claims, **top)
    assert info.value.source == "test.toml"
    return info.value.problems


def test_example_catalog_loads() -> None:
    catalog = load_catalog()
    assert set(catalog.scopes) == {"S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "REPORTS_READ", "TENANT_FILES"}
    assert catalog.roles == {"uploads", "data"}
    assert catalog.groups == {"analysts"}
    assert catalog.claims["tenant"].claim == "custom:tenant_id"
    assert len(catalog.version) == 16


def test_version_changes_with_the_file(tmp_path: Path) -> None:
    source = DEFAULT_PATH.read_text()
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text(source)
    second.write_text(source + "\n# edited\n")
    assert load_catalog(first).version != load_catalog(second).version


def test_a_broken_catalog_reports_every_problem_at_once() -> None:
    found = problems(
        {
            "lower_case": minimal_scope(),
            "NOBODY": minimal_scope(any_signed_in_user=False),
            "BAD_ROLE": minimal_scope(role="Uploads!"),
            "NO_STATEMENTS": minimal_scope(statements=[]),
            "STAR": minimal_scope(statements=[statement(actions=["*"])]),
            "TYPO": minimal_scope(max_duraton_seconds=900),
        }
    )
    expected_fragments = [
        "scopes.lower_case: scope name must be a GraphQL enum value",
        "scopes.NOBODY: nobody may request this scope",
        "scopes.BAD_ROLE.role: 'Uploads!' must match",
        "scopes.NO_STATEMENTS.statements: must be a non-empty list",
        "scopes.STAR.statements[0].actions: Allow of '*'",
        "scopes.TYPO: unknown field 'max_duraton_seconds'",
    ]
    for fragment in expected_fragments:
        assert any(fragment in p for p in found), (fragment, found)
    assert len(found) == len(expected_fragments)


def test_config_error_lists_problems_in_its_message() -> None:
    with pytest.raises(ConfigError, match=r"test.toml: 2 problem\(s\)"):
        build({"A1": minimal_scope(role="X"), "B1": minimal_scope(description="")})


@pytest.mark.parametrize(
    ("scope", "fragment"),
    [
        (minimal_scope(statements=[statement(actions=["*"])]), "Allow of '*'"),
        (minimal_scope(statements=[statement(actions=["iam:*"])]), "'iam:*' is refused"),
        (minimal_scope(statements=[statement(actions=["sts:AssumeRole"])]), "'sts:AssumeRole' is refused"),
        (minimal_scope(statements=[statement(actions=["iam:PassRole"])]), "'iam:PassRole' is refused"),
        (
            minimal_scope(statements=[statement(actions=["IAM:PassRole"])]),
            "'IAM:PassRole' is not an IAM action",
        ),
        (
            minimal_scope(statements=[statement(actions=[], not_actions=["s3:DeleteObject"])]),
            "NotAction/NotResource with Allow",
        ),
        (
            minimal_scope(statements=[statement(resources=[], not_resources=["arn:aws:s3:::x/*"])]),
            "NotAction/NotResource with Allow",
        ),
        (minimal_scope(statements=[statement(resources=["*"])]), "bare '*' with s3:GetObject"),
        (
            minimal_scope(statements=[statement(resources=["arn:aws:s3:::{{bucket}}/tenants/{{claim.t}}*"])]),
            "wildcard right beside {{claim.t}}",
        ),
        (
            minimal_scope(statements=[statement(resources=["arn:aws:s3:::{{bucket}}/{{user}}/*"])]),
            "unknown variable {{user}}",
        ),
        (
            minimal_scope(statements=[statement(resources=["arn:aws:s3:::{{claim.nope}}/*"])]),
            "unknown variable {{claim.nope}}",
        ),
        (
            minimal_scope(statements=[statement(resources=["arn:aws:s3:::{{ bucket }}/*"])]),
            "malformed placeholder",
        ),
        (minimal_scope(statements=[statement(resources=["s3://bucket/*"])]), "must be an ARN or '*'"),
        (minimal_scope(statements=[statement(effect="allow")]), "must be Allow or Deny"),
        (minimal_scope(statements=[statement(actions=["s3 GetObject"])]), "is not an IAM action"),
        (
            minimal_scope(statements=[statement(conditions={"StringLikeish": {"s3:prefix": ["a"]}})]),
            "unknown condition operator",
        ),
        (
            minimal_scope(statements=[statement(conditions={"StringLike": {"s3:prefix": "a"}})]),
            "non-empty list of strings",
        ),
        (minimal_scope(statements=[statement(), statement()]), "used twice"),
        (minimal_scope(groups=["analysts"]), "either groups or any_signed_in_user"),
        (minimal_scope(any_signed_in_user="yes"), "must be true or false"),
        (minimal_scope(groups=["bad group"], any_signed_in_user=False), "groups[0]: 'bad group'"),
        (minimal_scope(max_duration_seconds=True), "must be an integer"),
        (minimal_scope(managed_policy_arns=["arn:aws:s3:::not-a-policy"]), "is not an IAM policy ARN"),
        (minimal_scope(session_tags={"aws:sub": "x"}), "not 'aws:'"),
        (minimal_scope(session_tags={"VEND:SUB": "x"}), "reserved or repeated"),
        (minimal_scope(session_tags={"team": "a*b"}), "characters STS refuses"),
    ],
)
def test_lint_refuses(scope: dict[str, Any], fragment: str) -> None:
    claims = {"t": {"claim": "custom:t", "pattern": "[a-z]+", "description": "t"}}
    found = problems({"SCOPE": scope}, claims)
    assert any(fragment in p for p in found), found


def test_wildcard_resource_is_allowed_for_actions_without_resource_level_permissions() -> None:
    scope = minimal_scope(statements=[statement(actions=["s3:ListAllMyBuckets"], resources=["*"])])
    assert build({"LIST": scope}).scopes["LIST"].statements[0].actions == ("s3:ListAllMyBuckets",)


def test_wildcard_resource_needs_an_explicit_opt_in() -> None:
    scope = minimal_scope(statements=[statement(resources=["*"])], allow_wildcard_resource=True)
    assert build({"OPTED": scope}).scopes["OPTED"].allow_wildcard_resource


def test_deny_may_use_not_action() -> None:
    deny = statement(sid="NoDelete", effect="Deny", actions=[], not_actions=["s3:GetObject"], resources=["*"])
    scope = minimal_scope(statements=[statement(), deny])
    assert build({"GUARDED": scope}).scopes["GUARDED"].statements[1].not_actions == ("s3:GetObject",)


def test_iam_policy_variables_pass_through_untouched() -> None:
    resource = "arn:aws:s3:::{{bucket}}/teams/${aws:PrincipalTag/team}/*"
    scope = minimal_scope(statements=[statement(resources=[resource])])
    template = build({"TEAM": scope}).scopes["TEAM"].statements[0].resources[0]
    assert template.render({"bucket": "b1"}) == "arn:aws:s3:::b1/teams/${aws:PrincipalTag/team}/*"


@pytest.mark.parametrize(("length", "ok"), [(26, True), (27, True), (28, False)])
def test_scope_name_length_keeps_the_session_name_within_64(length: int, ok: bool) -> None:
    name = "S" * length
    if ok:
        assert name in build({name: minimal_scope()}).scopes
    else:
        assert any("at most 27 characters" in p for p in problems({name: minimal_scope()}))


@pytest.mark.parametrize("name", ["TRUE", "FALSE", "NULL", "S", "1ABC", "ABC-D"])
def test_scope_names_that_are_not_enum_values_are_refused(name: str) -> None:
    assert any("GraphQL enum value" in p for p in problems({name: minimal_scope()}))


@pytest.mark.parametrize(
    ("seconds", "ok"), [(899, False), (900, True), (901, True), (3599, True), (3600, True), (3601, False)]
)
def test_max_duration_limits(seconds: int, ok: bool) -> None:
    if ok:
        assert (
            build({"D1": minimal_scope(max_duration_seconds=seconds)}).scopes["D1"].max_duration_seconds
            == seconds
        )
    else:
        assert any(
            "role chaining" in p for p in problems({"D1": minimal_scope(max_duration_seconds=seconds)})
        )


@pytest.mark.parametrize(("count", "ok"), [(9, True), (10, True), (11, False)])
def test_managed_policy_arn_limit(count: int, ok: bool) -> None:
    arns = [f"arn:aws:iam::123456789012:policy/p{i}" for i in range(count)]
    if ok:
        assert (
            len(build({"M1": minimal_scope(managed_policy_arns=arns)}).scopes["M1"].managed_policy_arns)
            == count
        )
    else:
        assert any("at most 10" in p for p in problems({"M1": minimal_scope(managed_policy_arns=arns)}))


@pytest.mark.parametrize(("count", "ok"), [(47, True), (48, True), (49, False)])
def test_session_tag_limit_counts_the_two_tags_every_vend_sets(count: int, ok: bool) -> None:
    tags = {f"t{i}": "v" for i in range(count)}
    if ok:
        assert len(build({"T1": minimal_scope(session_tags=tags)}).scopes["T1"].session_tags) == count
    else:
        assert any("exceed STS's 50" in p for p in problems({"T1": minimal_scope(session_tags=tags)}))


def test_claim_declarations_are_validated() -> None:
    found = problems(
        {"C1": minimal_scope()},
        {
            "Bad-Name": {"claim": "custom:x", "pattern": "[a-z]+", "description": "x"},
            "broken": {"claim": "custom:y", "pattern": "[a-z", "description": "y"},
            "missing": {"claim": "custom:z"},
            "extra": {"claim": "custom:w", "pattern": "w", "description": "w", "default": "w"},
        },
    )
    assert any("claims.Bad-Name: variable name" in p for p in found)
    assert any("claims.broken.pattern: not a valid regular expression" in p for p in found)
    assert any("claims.missing.pattern: required" in p for p in found)
    assert any("claims.missing.description: required" in p for p in found)
    assert any("claims.extra: unknown field 'default'" in p for p in found)


def test_unreadable_or_invalid_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the catalog"):
        load_catalog(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[scopes\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_catalog(bad)
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    with pytest.raises(ConfigError, match="at least one scope"):
        load_catalog(empty)
