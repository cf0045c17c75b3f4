"""One version for the Python package, the npm package and the GraphQL schema, recorded in CHANGELOG.md."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Final

import pytest

from vend_local import __version__
from vend_local.cli import main

REPO: Final = Path(__file__).resolve().parents[2]
SEMVER: Final = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?")


def test_the_version_is_semantic() -> None:
    assert SEMVER.fullmatch(__version__)


def test_pyproject_takes_its_version_from_the_one_source() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "vend_local.__version__"}


def test_the_npm_package_and_its_lock_carry_the_same_version() -> None:
    package = json.loads((REPO / "clients" / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((REPO / "clients" / "package-lock.json").read_text(encoding="utf-8"))
    assert package["version"] == __version__
    assert lock["version"] == lock["packages"][""]["version"] == __version__


def test_the_checked_in_schema_names_the_same_version() -> None:
    header = (REPO / "schema.graphql").read_text(encoding="utf-8").splitlines()[:3]
    assert f"# credential-vending API version {__version__}" in header


def test_the_changelog_has_a_section_for_the_version_and_one_for_unreleased_work() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.MULTILINE)
    assert "## [Unreleased]" in changelog


def test_both_packages_name_the_license_and_ship_it() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    package = json.loads((REPO / "clients" / "package.json").read_text(encoding="utf-8"))
    assert project["project"]["license"] == package["license"] == "Apache-2.0"
    assert project["project"]["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text(encoding="utf-8") == (REPO / "clients" / "LICENSE").read_text(
        encoding="utf-8"
    )
    assert "Apache License" in (REPO / "LICENSE").read_text(encoding="utf-8")


def test_vend_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"vend {__version__}\n"
