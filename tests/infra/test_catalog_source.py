"""A team deploys its own catalog: `-c catalog=... -c schema=...` reach the roles, the Lambda package and AppSync."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from synth_support import CONTEXT, synth_with

from infra.app import REPO_ROOT
from infra.catalog_source import catalog_source
from infra.config import InfraConfigError
from resolvers.catalog import DEFAULT_PATH

TEAM = REPO_ROOT / "examples" / "downstream_kit"


def _context(**values: str) -> Callable[[str], str | None]:
    return values.get


def test_without_either_value_the_example_catalog_and_schema_are_deployed() -> None:
    source = catalog_source(_context(), {}, REPO_ROOT)
    assert (source.catalog_path, source.schema_path) == (DEFAULT_PATH, REPO_ROOT / "schema.graphql")


def test_a_team_catalog_without_its_schema_is_refused_with_the_command_that_makes_it() -> None:
    with pytest.raises(InfraConfigError, match="vend schema --catalog"):
        catalog_source(_context(catalog=str(TEAM / "catalog.toml")), {}, REPO_ROOT)


def test_a_schema_that_does_not_match_the_catalog_is_refused_by_scope_name() -> None:
    with pytest.raises(InfraConfigError, match="PHOTOS_UPLOAD"):
        catalog_source(
            _context(catalog=str(TEAM / "catalog.toml"), schema=str(REPO_ROOT / "schema.graphql")),
            {},
            REPO_ROOT,
        )


def test_relative_paths_are_taken_from_where_cdk_runs_and_the_environment_works_too(tmp_path: Path) -> None:
    environ = {
        "VEND_INFRA_CATALOG": "downstream_kit/catalog.toml",
        "VEND_INFRA_SCHEMA": "downstream_kit/schema.graphql",
    }
    source = catalog_source(_context(), environ, REPO_ROOT, cwd=REPO_ROOT / "examples")
    assert source.catalog_path == TEAM / "catalog.toml"
    assert sorted(source.catalog.scopes) == ["OWN_SETTINGS", "PHOTOS_UPLOAD", "TEAM_BOARD"]


def test_the_team_catalog_reaches_the_package_appsync_and_the_vend_roles(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("team")
    synth = synth_with(root, catalog=str(TEAM / "catalog.toml"), schema=str(TEAM / "schema.graphql"))
    # The Lambda reads the packaged catalog.toml: it is the team's, byte for byte.
    assert (root / "lambda" / "resolvers" / "catalog.toml").read_bytes() == (
        TEAM / "catalog.toml"
    ).read_bytes()
    (schema,) = synth.resources("AWS::AppSync::GraphQLSchema").values()
    assert "PHOTOS_UPLOAD" in schema["Properties"]["Definition"]
    assert "S3_OWN_PREFIX" not in schema["Properties"]["Definition"]
    policies = json.dumps(synth.resources("AWS::IAM::Policy")) + json.dumps(synth.resources("AWS::IAM::Role"))
    assert f"arn:aws:s3:::{CONTEXT['bucket_name']}/photos/*/*" in policies
    assert "users/*/*" not in policies
