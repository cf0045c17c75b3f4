"""`vend schema`: print the AppSync schema (SDL) for a scope catalog, whose `Scope` enum lists its scopes.
Reads the catalog; writes the schema to stdout or to --output. For teams that keep their own catalog.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from resolvers.catalog import DEFAULT_PATH, load_catalog
from resolvers.errors import ConfigError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog", type=Path, default=DEFAULT_PATH, help="the scope catalog (default: the packaged example)"
    )
    parser.add_argument("--output", type=Path, default=None, help="write here instead of stdout")


def run(args: argparse.Namespace) -> int:
    try:
        catalog = load_catalog(args.catalog)
    except ConfigError as exc:
        sys.stderr.write(f"vend schema: {exc}\n")
        return 1
    # strawberry only when the catalog is valid: building the schema is the slow part.
    from vend_local.schema import appsync_sdl  # noqa: PLC0415

    sdl = appsync_sdl(catalog)
    if args.output is None:
        sys.stdout.write(sdl)
    else:
        args.output.write_text(sdl, encoding="utf-8")
    return 0
