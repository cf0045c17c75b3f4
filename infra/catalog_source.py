"""Which scope catalog and schema the stack deploys: the repository's example, or a team's own. Reads two files.

A team with its own catalog passes ``-c catalog=PATH -c schema=PATH`` (or ``VEND_INFRA_CATALOG`` /
``VEND_INFRA_SCHEMA``); relative paths are taken from the directory ``cdk`` runs in (infra/). The schema must be
the one ``vend schema --catalog PATH`` generates: AppSync serves it, and its ``Scope`` enum must list exactly the
catalog's scopes, or clients could ask for scopes the Lambda does not know (and not for ones it does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.config import InfraConfigError
from resolvers.catalog import DEFAULT_PATH, load_catalog
from resolvers.catalog_model import Catalog
from vend_local.enum_check import scope_enum_problems


@dataclass(frozen=True, slots=True)
class CatalogSource:
    catalog_path: Path
    schema_path: Path
    catalog: Catalog


def catalog_source(
    context: Callable[[str], Any], environ: Mapping[str, str], repo_root: Path, cwd: Path | None = None
) -> CatalogSource:
    """The catalog and schema to deploy, validated together; every problem in one InfraConfigError."""
    base = cwd or Path.cwd()
    catalog_value = context("catalog") or environ.get("VEND_INFRA_CATALOG")
    schema_value = context("schema") or environ.get("VEND_INFRA_SCHEMA")
    catalog_path = (base / str(catalog_value)).resolve() if catalog_value else DEFAULT_PATH
    schema_path = (base / str(schema_value)).resolve() if schema_value else repo_root / "schema.graphql"
    if catalog_value and not schema_value:
        msg = (
            f"catalog: {catalog_path} is not the example catalog, so pass its schema too: "
            f"`vend schema --catalog {catalog_path} --output schema.graphql`, then -c schema=schema.graphql"
        )
        raise InfraConfigError([msg])
    catalog = load_catalog(catalog_path)  # ConfigError names every catalog problem
    try:
        sdl = schema_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InfraConfigError([f"schema: cannot read {schema_path} ({exc.strerror})"]) from None
    problems = scope_enum_problems(sdl, catalog)
    if problems:
        listed = "; ".join(problems)
        msg = f"schema: {schema_path} does not match {catalog_path}: {listed} (regenerate it with `vend schema`)"
        raise InfraConfigError([msg])
    return CatalogSource(catalog_path=catalog_path, schema_path=schema_path, catalog=catalog)
