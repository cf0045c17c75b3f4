"""Point the credential-vending test kit at this team's catalog (the fixtures come from the installed package)."""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def vend_catalog_path() -> Path:
    return Path(__file__).with_name("catalog.toml")
