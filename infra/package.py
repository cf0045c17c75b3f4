"""Stage the Lambda deployment package: the resolvers package and its catalog, nothing else. Copies files.

An allow-list, not an exclude-list: only ``resolvers/**/*.py`` and ``resolvers/catalog.toml`` are copied, so
local-only code (vend_local, tests, strawberry or moto imports), caches and editor files can never ride along.
Powertools comes from its official Lambda layer and boto3 from the Lambda runtime (see infra/stack.py).
"""

from __future__ import annotations

import shutil
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


def stage_package(repo_root: Path, dest: Path, *, catalog: Path | None = None) -> Path:
    """Copy the package into a fresh ``dest`` (removed first) and return it, ready for lambda.Code.from_asset.

    ``catalog``: a team's own catalog, staged as the package's catalog.toml (the Lambda's default
    VEND_CATALOG_PATH), in place of the repository's example.
    """
    if dest.exists():
        shutil.rmtree(dest)
    for rel in package_files(repo_root):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(repo_root / rel, target)
    if catalog is not None:
        shutil.copyfile(catalog, dest / PACKAGE / "catalog.toml")
    return dest
