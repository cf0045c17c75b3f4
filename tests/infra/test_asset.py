"""The synthesised Lambda asset is the complete deployment package: it imports with boto3 and Powertools alone.

I/O: unpacks the asset into a temporary directory and starts a clean interpreter of the Lambda's Python version
(``-I -S``: no site-packages, no PYTHONPATH, no current directory) whose path is only the unpacked asset and the
directory holding boto3 and Powertools (what the Lambda runtime and the Powertools layer provide), both found
through the variables `make infra-test` sets.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from synth_support import REGION, Synth

from infra import package
from infra.stack import RUNTIME

FAKE_REFS = {
    "UserPool": "eu-west-1_Example1",
    "AppClient": "exampleclientid0123456789",
    "Revocations": "CredentialVending-dev-RevocationsAE845E47-1A2B3C4D5E6F",
}
LOCAL_ONLY = (
    "strawberry",
    "moto",
    "uvicorn",
    "aws_cdk",
    "jsii",
    "constructs",
    "cdk_nag",
    "vend_local",
    "pytest",
    # Tracing is off in this environment (no VEND_TRACING): OpenTelemetry must not even be looked for.
    "opentelemetry",
)

PROBE = """
import importlib.util, json, pathlib, sys
sys.path[:0] = sys.argv[1:3]
import resolvers.handler as handler
local_only = sys.argv[3].split(",")

def usable_bytecode(module):
    # What SourceLoader checks before it runs a .pyc: this Python's magic number, and for checked-hash
    # files (flags 0b11) the source's hash.
    cached = pathlib.Path(module.__cached__)
    if not cached.is_file():
        return False
    header = cached.read_bytes()[:16]
    source = pathlib.Path(module.__file__).read_bytes()
    return (header[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(header[4:8], "little") == 0b11
            and header[8:16] == importlib.util.source_hash(source))

ours = [m for name, m in sorted(sys.modules.items()) if name.split(".")[0] == "resolvers" and getattr(m, "__file__", None)]
print(json.dumps({
    "handler": handler.__file__,
    "catalog_version": handler.catalog.version,
    "roles": dict(handler.settings.role_arns),
    "revocation_table": handler.settings.revocation_table,
    "revocation_gate": handler.revocations is not None,
    "imported": sorted(m for m in local_only if m in sys.modules),
    "findable": sorted(m for m in local_only if importlib.util.find_spec(m) is not None),
    "without_bytecode": sorted(m.__name__ for m in ours if not usable_bytecode(m)),
}))
"""


def resolve(value: Any, refs: dict[str, str]) -> str:
    """Stand in for CloudFormation on the two intrinsics the Lambda's environment uses, with fake ids."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return next(v for prefix, v in refs.items() if value["Ref"].startswith(prefix))
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(resolve(p, refs) for p in parts)
    raise AssertionError(f"unexpected intrinsic {value}")


@pytest.fixture(scope="module")
def lambda_python() -> str:
    """An interpreter of the Lambda's Python version (`make infra-test` finds one: on PATH or among pyenv's).

    Python 3.13 comes from no registry we can reach (PyPI, Debian, npm); where it is not installed the test is
    skipped with that reason (docs/deploy.md, "Runtime parity"), and `make infra-test` prints it too.
    """
    python = os.environ.get("VEND_LAMBDA_PYTHON")
    if not python:
        pytest.skip(f"no {RUNTIME.name} interpreter on this machine: the asset import was not tried under it")
    version = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [python, "-I", "-S", "-c", "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    assert version == RUNTIME.name, f"{python} is {version}; the Lambda runs {RUNTIME.name}"
    return python


@pytest.fixture(scope="module")
def runtime_deps() -> Path:
    deps = Path(os.environ.get("VEND_INFRA_RUNTIME_DEPS", ".venv-infra/lambda-runtime")).resolve()
    assert (deps / "boto3").is_dir(), f"{deps} lacks boto3: run `make infra-test`, which builds it"
    assert (deps / "aws_lambda_powertools").is_dir(), f"{deps} lacks aws_lambda_powertools"
    return deps


@pytest.fixture(scope="module")
def unpacked(synth: Synth, tmp_path_factory: pytest.TempPathFactory) -> Path:
    function = synth.resource(synth.stack.function)
    asset_hash = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    manifest = json.loads((synth.assembly_dir / f"{synth.stack.artifact_id}.assets.json").read_text())
    source = manifest["files"][asset_hash]["source"]
    assert source["packaging"] == "zip"
    # Zip it as the CDK CLI does on publish, then unpack it as Lambda does.
    work = tmp_path_factory.mktemp("asset")
    archive = shutil.make_archive(str(work / "asset"), "zip", synth.assembly_dir / source["path"])
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(work / "task")
    return work / "task"


def test_the_asset_holds_exactly_the_package_files(unpacked: Path, repo_root: Path) -> None:
    files = sorted(p.relative_to(unpacked) for p in unpacked.rglob("*") if p.is_file())
    sources = package.package_files(repo_root)
    # One checked-hash .pyc per module, of the Lambda's version, when this machine has that Python.
    tag = RUNTIME.name.removeprefix("python").replace(".", "")
    bytecode = [
        p.parent / "__pycache__" / f"{p.stem}.cpython-{tag}.pyc" for p in sources if p.suffix == ".py"
    ]
    expected = sorted(sources + bytecode) if package.lambda_python(RUNTIME.name) is not None else sources
    assert files == expected
    assert (unpacked / "resolvers" / "catalog.toml").read_bytes() == (
        repo_root / "resolvers" / "catalog.toml"
    ).read_bytes()


def test_the_handler_imports_from_the_asset_with_the_synthesised_settings_and_nothing_local(
    synth: Synth, unpacked: Path, runtime_deps: Path, repo_root: Path, lambda_python: str
) -> None:
    function = synth.resource(synth.stack.function)
    variables = function["Properties"]["Environment"]["Variables"]
    env = {name: resolve(value, FAKE_REFS) for name, value in variables.items()}
    # Lambda sets AWS_REGION; nothing else from this machine's environment goes in.
    env["AWS_REGION"] = REGION
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [lambda_python, "-I", "-S", "-c", PROBE, str(unpacked), str(runtime_deps), ",".join(LOCAL_ONLY)],
        cwd=unpacked.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(report["handler"]).is_relative_to(unpacked)
    catalog_bytes = (repo_root / "resolvers" / "catalog.toml").read_bytes()
    assert report["catalog_version"] == hashlib.sha256(catalog_bytes).hexdigest()[:16]
    assert report["roles"] == json.loads(env["VEND_ROLE_ARNS"])
    # The deployed resolver checks revocations: the table the stack made, and the gate wired in.
    assert report["revocation_table"] == FAKE_REFS["Revocations"]
    assert report["revocation_gate"] is True
    assert report["imported"] == []
    assert report["findable"] == []
    # Every module of ours ran from the shipped bytecode, not from a compile at cold start.
    assert report["without_bytecode"] == []


def test_the_bytecode_interpreter_must_be_the_lambdas_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing on PATH and no pyenv: only VEND_LAMBDA_PYTHON is a candidate, and only of the asked-for version.
    monkeypatch.setenv("PATH", str(tmp_path))
    env = {"VEND_LAMBDA_PYTHON": sys.executable, "PYENV_ROOT": str(tmp_path)}
    this = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    assert package.lambda_python(this, env) == sys.executable
    assert package.lambda_python("python3.99", env) is None
    assert package.lambda_python(this, {"PYENV_ROOT": str(tmp_path)}) is None
