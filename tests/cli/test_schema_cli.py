"""`vend schema`: the AppSync schema for any catalog, the one `vend catalog check` then accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import EXAMPLE_SCHEMA, one_scope_catalog, vend


def test_the_packaged_catalog_gives_the_checked_in_schema(capsys: pytest.CaptureFixture[str]) -> None:
    result = vend(capsys, "schema")
    assert (result.code, result.err) == (0, "")
    assert result.out == EXAMPLE_SCHEMA.read_text(encoding="utf-8")


def test_a_team_s_own_catalog_gives_a_schema_that_passes_the_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(one_scope_catalog("arn:aws:s3:::b/k"), encoding="utf-8")
    schema = tmp_path / "schema.graphql"

    written = vend(capsys, "schema", "--catalog", str(catalog), "--output", str(schema))
    assert (written.code, written.out, written.err) == (0, "", "")
    assert "enum Scope {\n  BIG\n}" in schema.read_text(encoding="utf-8")

    checked = vend(capsys, "catalog", "check", str(catalog), "--schema", str(schema))
    assert checked.code == 0, checked.out


def test_an_invalid_catalog_is_refused_by_name_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        one_scope_catalog("arn:aws:s3:::b/k").replace("s3:GetObject", "iam:PassRole"), encoding="utf-8"
    )
    schema = tmp_path / "schema.graphql"

    result = vend(capsys, "schema", "--catalog", str(catalog), "--output", str(schema))
    assert result.code == 1
    assert "iam:PassRole" in result.err
    assert "Traceback" not in result.err
    assert not schema.exists()


def test_the_downstream_example_s_checked_in_schema_is_its_catalog_s(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # infra deploys it with -c catalog=... -c schema=... (docs/deploy.md): it must not drift from the catalog.
    team = EXAMPLE_SCHEMA.parent / "examples" / "downstream_kit"
    result = vend(capsys, "schema", "--catalog", str(team / "catalog.toml"))
    assert result.code == 0
    assert result.out == (team / "schema.graphql").read_text(encoding="utf-8")
