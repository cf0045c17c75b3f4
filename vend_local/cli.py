"""The `vend` console command: a thin dispatcher; each subcommand lives in its own module and is imported
only when used, so `vend catalog check` never starts moto or uvicorn.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Final

from vend_local import __version__

# subcommand -> (module, one-line help). Each module defines `add_arguments(parser)` and `run(args) -> int`.
SUBCOMMANDS: Final = {
    "serve": ("vend_local.cmd_serve", "start the local AppSync-compatible endpoint on an embedded AWS"),
    "token": ("vend_local.cmd_token", "sign a demo user in and print their tokens"),
    "explain": ("vend_local.cmd_explain", "show exactly what a caller would receive for a scope"),
    "catalog": ("vend_local.cmd_catalog", "check the scope catalog (for pre-commit and CI)"),
    "schema": ("vend_local.cmd_schema", "print the AppSync schema for a scope catalog"),
    "smoke": ("vend_local.cmd_smoke", "prove a live stack (or vend serve) as a test user: a pass/fail table"),
    "revoke": ("vend_local.cmd_revoke", "cut a caller's vends and live sessions off in seconds; --list"),
    "unrevoke": ("vend_local.cmd_unrevoke", "lift a revocation (sessions from before it stay denied)"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with ``only`` a subcommand named, that subcommand's arguments alone (the others are
    listed by name and help): each module is imported to add its arguments, and `vend serve` need not import
    the modules of `explain`, `catalog` and `smoke` (about 0.3 s of its start-up)."""
    parser = argparse.ArgumentParser(prog="vend", description="Credential vending: local tools.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, help_text) in SUBCOMMANDS.items():
        child = sub.add_parser(
            name, help=help_text, description=help_text, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        if only is None or name == only:
            # Modules keep heavy imports (moto, uvicorn) inside run(), so building the parser stays cheap.
            importlib.import_module(module).add_arguments(child)
    return parser


def _chosen(argv: Sequence[str]) -> str | None:
    """The subcommand argv names, when its first argument is one (anything else gets the whole parser)."""
    return argv[0] if argv and argv[0] in SUBCOMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(_chosen(argv)).parse_args(argv)
    module = importlib.import_module(SUBCOMMANDS[args.command][0])
    code: int = module.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
