"""Threat: an operator edits the catalog or the settings into something that vends too much (wildcards,
identity or STS actions, NotAction in an Allow, an unvalidated claim, a wildcard beside a variable, a
lifetime past the chaining hour, a missing role). The whole catalog is refused at load, naming the scope."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from typing import Any

import pytest

from resolvers.catalog import DEFAULT_PATH, parse_catalog
from resolvers.errors import ConfigError
from resolvers.settings import check_against_catalog
from tests import support

Edit = Callable[[dict[str, Any]], None]


def _statement(scope: str, **changes: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["scopes"][scope]["statements"][0].update(changes)

    return edit


def _scope(scope: str, **changes: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["scopes"][scope].update(changes)

    return edit


MISCONFIGURATIONS: dict[str, tuple[Edit, str]] = {
    "allow every action": (_statement("S3_OWN_PREFIX", actions=["*"]), "S3_OWN_PREFIX"),
    "iam action": (_statement("S3_OWN_PREFIX", actions=["iam:PassRole"]), "S3_OWN_PREFIX"),
    "sts action": (_statement("S3_OWN_PREFIX", actions=["sts:AssumeRole"]), "S3_OWN_PREFIX"),
    "NotAction in an Allow": (
        _statement("S3_OWN_PREFIX", actions=None, not_actions=["s3:DeleteObject"]),
        "S3_OWN_PREFIX",
    ),
    "bare * resource without opt-in": (_statement("REPORTS_READ", resources=["*"]), "REPORTS_READ"),
    "wildcard beside the sub": (
        _statement("S3_OWN_PREFIX", resources=["arn:aws:s3:::{{bucket}}/users/{{sub}}*"]),
        "S3_OWN_PREFIX",
    ),
    "undeclared claim variable": (
        _statement("S3_OWN_PREFIX", resources=["arn:aws:s3:::{{bucket}}/{{claim.email}}/*"]),
        "S3_OWN_PREFIX",
    ),
    "unknown variable": (
        _statement("S3_OWN_PREFIX", resources=["arn:aws:s3:::{{bucket}}/{{username}}/*"]),
        "S3_OWN_PREFIX",
    ),
    "duration past the chaining hour": (_scope("S3_OWN_PREFIX", max_duration_seconds=3601), "S3_OWN_PREFIX"),
    "duration under STS minimum": (_scope("REPORTS_READ", max_duration_seconds=899), "REPORTS_READ"),
    "nobody admitted": (_scope("REPORTS_READ", groups=[]), "REPORTS_READ"),
    "groups and everyone": (_scope("REPORTS_READ", any_signed_in_user=True), "REPORTS_READ"),
    "reserved session tag": (_scope("TENANT_FILES", session_tags={"vend:sub": "x"}), "TENANT_FILES"),
    "unknown field (typo)": (_scope("REPORTS_READ", group=["admins"]), "REPORTS_READ"),
}


@pytest.mark.parametrize("case", sorted(MISCONFIGURATIONS))
def test_dangerous_catalog_edit_is_refused_at_load_naming_the_scope(case: str) -> None:
    edit, scope = MISCONFIGURATIONS[case]
    data = tomllib.loads(DEFAULT_PATH.read_text())
    edit(data)
    # Drop the keys an edit set to None (a TOML table has no nulls).
    for st in data["scopes"][scope].get("statements", []):
        for key in [k for k, v in st.items() if v is None]:
            del st[key]
    with pytest.raises(ConfigError) as info:
        parse_catalog(data, source="edited", version="edited")
    assert any(f"scopes.{scope}" in problem for problem in info.value.problems), info.value.problems


def test_control_the_unedited_catalog_loads() -> None:
    data = tomllib.loads(DEFAULT_PATH.read_text())
    assert set(parse_catalog(data, source="ok", version="ok").scopes) == {
        "S3_OWN_PREFIX",
        "DYNAMODB_OWN_ITEMS",
        "REPORTS_READ",
        "TENANT_FILES",
    }


def test_a_catalog_role_without_a_configured_arn_fails_the_cold_start() -> None:
    settings = support.settings(VEND_ROLE_ARNS=json.dumps({"uploads": support.ROLE_ARNS["uploads"]}))
    with pytest.raises(ConfigError) as info:
        check_against_catalog(settings, support.catalog())
    assert any("'data'" in problem for problem in info.value.problems)
