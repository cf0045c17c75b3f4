"""pytest fixtures of the test kit (entry point ``pytest11``): nothing starts unless a test asks for a fixture.

- ``vend_catalog_path`` (session): the catalog under test; the ``vend_catalog`` ini option, else the packaged
  example. Override the fixture in a conftest.py to choose per directory.
- ``vend_local`` (session): ``vend serve`` for that catalog in a child process, IAM enforced, as a
  ``LocalVend`` (users, vends through the real handler, SDK clients). One per test session: its embedded AWS
  is shared by every test, so write keys of your own (``unique_key``) and do not rely on another test's writes.
- ``vend_checker`` (session): a ``ScopeChecker`` for the same catalog: allow/deny by evaluation, no server.
- ``unique_key`` (function): a fresh key name for the calling test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from vend_local.testkit import LocalVend, ScopeChecker

CATALOG_OPTION = "vend_catalog"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(CATALOG_OPTION, "scope catalog for the credential-vending test kit (default: the example)")


@pytest.fixture(scope="session")
def vend_catalog_path(pytestconfig: pytest.Config) -> Path:
    """The catalog under test: the ``vend_catalog`` ini option, else the packaged example. Override per directory."""
    configured = pytestconfig.getini(CATALOG_OPTION)
    if configured:
        return (pytestconfig.rootpath / str(configured)).resolve()
    # Imported here: the plugin is loaded into every pytest run of an environment that has this package.
    from resolvers.catalog import DEFAULT_PATH  # noqa: PLC0415

    return DEFAULT_PATH


@pytest.fixture(scope="session")
def vend_local(vend_catalog_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalVend]:
    """`vend serve` for the catalog, IAM enforced, shared by the whole session: users, vends, SDK clients."""
    from vend_local.testkit import LocalVend, LocalVendServer  # noqa: PLC0415

    server = LocalVendServer.start(tmp_path_factory.mktemp("vend-serve"), "--catalog", str(vend_catalog_path))
    try:
        yield LocalVend(server.state)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def vend_checker(vend_catalog_path: Path) -> ScopeChecker:
    """Allow/deny by evaluation of the policies a vend would carry, for the same catalog; no server."""
    from vend_local.testkit import ScopeChecker  # noqa: PLC0415

    return ScopeChecker(vend_catalog_path)


@pytest.fixture
def unique_key() -> str:
    """A fresh random name for the calling test's keys (the embedded AWS is shared by the whole session)."""
    return uuid.uuid4().hex
