"""Stage the Lambda deployment package: the resolvers package and its catalog, nothing else. Copies files, and
runs the Lambda's Python (when this machine has it) to add the package's bytecode.

An allow-list, not an exclude-list: only ``resolvers/**/*.py`` and ``resolvers/catalog.toml`` are copied, so
local-only code (vend_local, tests, strawberry or moto imports), caches and editor files can never ride along.
Powertools comes from its official Lambda layer and boto3 from the Lambda runtime (see infra/stack.py).

Bytecode: Lambda unpacks the package into a read-only /var/task, where Python cannot write ``__pycache__``, so
without shipped ``.pyc`` files every cold start compiles the whole package (about 12 ms: README, "Performance").
The files are compiled by the Lambda's own Python version (a ``.pyc`` of another version is ignored) in
checked-hash mode: Python checks each one against its source's hash before using it, so a ``.pyc`` that does not
match its source is never run, and the files carry no timestamp, so the asset's hash stays reproducible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Final

PACKAGE: Final = "resolvers"
DATA_FILES: Final = frozenset({"catalog.toml"})


def package_files(repo_root: Path) -> list[Path]:
    """The files that make up the deployable package, relative to ``repo_root``, sorted."""
    src = repo_root / PACKAGE
    out = []
    for path in src.rglob("*"):
        rel = path.relative_to(src)
        if not path.is_file() or "__pycache__" in rel.parts:
            continue
        if path.suffix == ".py" or (len(rel.parts) == 1 and rel.name in DATA_FILES):
            out.append(path.relative_to(repo_root))
    return sorted(out)


def stage_package(
    repo_root: Path, dest: Path, *, catalog: Path | None = None, python: str | None = None
) -> Path:
    """Copy the package into a fresh ``dest`` (removed first) and return it, ready for lambda.Code.from_asset.

    ``catalog``: a team's own catalog, staged as the package's catalog.toml (the Lambda's default
    VEND_CATALOG_PATH), in place of the repository's example. With ``python`` (an interpreter of the Lambda's
    version), add checked-hash bytecode for every module.
    """
    if dest.exists():
        shutil.rmtree(dest)
    for rel in package_files(repo_root):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(repo_root / rel, target)
    if catalog is not None:
        shutil.copyfile(catalog, dest / PACKAGE / "catalog.toml")
    if python is not None:
        subprocess.run(  # noqa: S603 - an interpreter we found and checked, fixed arguments
            [
                python,
                "-I",
                "-m",
                "compileall",
                "-q",
                "--invalidation-mode",
                "checked-hash",
                str(dest / PACKAGE),
            ],
            check=True,
            timeout=120,
        )
    return dest


def lambda_python(runtime: str, env: Mapping[str, str] = os.environ) -> str | None:
    """An interpreter of the Lambda runtime's version (``runtime`` like "python3.13") on this machine, or None.

    Looked for as the Makefile does: VEND_LAMBDA_PYTHON, then ``python3.13`` on PATH, then among pyenv's installs.
    """
    version = runtime.removeprefix("python")
    root = Path(env.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates = [env.get("VEND_LAMBDA_PYTHON") or "", shutil.which(runtime) or ""]
    candidates += [str(p) for p in sorted(root.glob(f"versions/{version}.*/bin/{runtime}"))]
    for candidate in filter(None, candidates):
        if _version_of(candidate) == runtime:
            return candidate
    return None


def _version_of(python: str) -> str | None:
    try:
        out = subprocess.run(  # noqa: S603 - a candidate interpreter, fixed arguments
            [python, "-I", "-c", "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()
