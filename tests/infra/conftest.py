"""Fixtures for the infra tests: one offline CDK synth per session, shared by every template test.

I/O: stages the Lambda package and writes the cloud assembly under pytest's temporary directory.
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from synth_support import CONTEXT, Synth

from infra.app import REPO_ROOT, build


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    root = tmp_path_factory.mktemp("synth")
    app = cdk.App(outdir=str(root / "cdk.out"), context=CONTEXT)
    stack = build(app, root / "lambda")
    # Raises if cdk-nag (a validation plugin) reports any finding that was not acknowledged.
    assembly = app.synth()
    template = json.loads((Path(assembly.directory) / stack.template_file).read_text())
    return Synth(stack=stack, template=template, assembly_dir=Path(assembly.directory))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
