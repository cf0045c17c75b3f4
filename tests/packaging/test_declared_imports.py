"""Every third-party module the distribution imports is declared by name where it is needed: the base
dependencies for the Lambda package, the `local` extra for `vend`, the `testing` extra for the pytest kit. A
module that only arrives as someone else's dependency can disappear with their next release. Pure: reads sources
and this environment's package metadata.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Final

import pytest

REPO: Final = Path(__file__).resolve().parents[2]
# The kit's modules may use the `testing` extra; everything else in vend_local only base + `local`.
KIT: Final = ("vend_local/testkit/", "vend_local/pytest_plugin.py")
OURS: Final = frozenset({"resolvers", "vend_local", "infra"})


def _requirement_names(specs: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in specs}


PROJECT: Final = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
BASE: Final = _requirement_names(PROJECT["dependencies"])
LOCAL: Final = BASE | _requirement_names(PROJECT["optional-dependencies"]["local"])
TESTING: Final = LOCAL | _requirement_names(PROJECT["optional-dependencies"]["testing"])


def _imports(path: Path) -> set[str]:
    """Top-level modules imported at run time: anything outside an ``if TYPE_CHECKING:`` block."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - OURS - {"__future__"}


def _distributions(module: str) -> set[str]:
    return {d.lower().replace("_", "-") for d in packages_distributions().get(module, [])}


SOURCES: Final = sorted(p for package in ("resolvers", "vend_local") for p in (REPO / package).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_third_party_import_is_declared_where_it_is_needed(path: Path) -> None:
    rel = path.relative_to(REPO).as_posix()
    if rel.startswith("resolvers/"):
        allowed, where = BASE, "[project] dependencies"
    elif rel.startswith(KIT):
        allowed, where = TESTING, "the testing extra"
    else:
        allowed, where = LOCAL, "the local extra"
    # Only OpenTelemetry is imported without being declared: the ADOT layer provides it, only when tracing is on.
    undeclared = {
        module
        for module in _imports(path)
        if module != "opentelemetry" and not (_distributions(module) & allowed)
    }
    assert undeclared == set(), f"{rel} imports {sorted(undeclared)}, not declared in {where}"
