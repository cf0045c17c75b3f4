"""Fixtures for the infra tests: one offline CDK synth per session, shared by every template test.

I/O: stages the Lambda package and writes the cloud assembly under pytest's temporary directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from synth_support import Synth, synth_with

from infra.app import REPO_ROOT


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    # Raises if cdk-nag (a validation plugin) reports any finding that was not acknowledged.
    return synth_with(tmp_path_factory.mktemp("synth"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
