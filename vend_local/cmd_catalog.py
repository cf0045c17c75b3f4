"""`vend catalog check`: validate the catalog, its worst-case budget and the schema's Scope enum.
Reads the catalog and schema.graphql, writes findings to stdout; for pre-commit and CI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from resolvers import limits
from resolvers.catalog import DEFAULT_PATH, load_catalog
from resolvers.catalog_model import Catalog
from resolvers.errors import ConfigError
from vend_local import report
from vend_local.budget import WARN_PERCENT, check_budget, warn_threshold
from vend_local.enum_check import scope_enum_problems
from vend_local.findings import Finding, error
from vend_local.worst_case import worst_case

DEFAULT_SCHEMA: Final = Path("schema.graphql")

EPILOG: Final = f"""\
examples:
  vend catalog check                                   # the packaged catalog, ./schema.graphql
  vend catalog check resolvers/catalog.toml --schema schema.graphql --strict

exit codes: {report.EXIT_OK} no errors (warnings are printed), {report.EXIT_PROBLEMS} errors (or warnings with --strict),
  {report.EXIT_USAGE} a command-line value is wrong.
"""

CHECK_EPILOG: Final = f"""\
example:
  vend catalog check resolvers/catalog.toml --schema schema.graphql

Checks, reporting every problem at once as FILE: error|warning: WHERE: WHAT TO CHANGE:
  1. the catalog is valid (every scope, field and rule);
  2. every scope renders for a worst-case caller (the longest allowed claim values, a 63-character bucket,
     a 255-character table name) and stays under AssumeRole's {limits.POLICY_PLAINTEXT_MAX} plaintext
     characters; a scope using {warn_threshold()} or more ({WARN_PERCENT}%) is a warning;
  3. the Scope enum in schema.graphql lists exactly the catalog's scopes.

exit codes: {report.EXIT_OK} no errors, {report.EXIT_PROBLEMS} errors (or warnings with --strict), {report.EXIT_USAGE} bad usage.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    sub = parser.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    check = sub.add_parser(
        "check",
        help="validate the catalog, its policy budget and the schema's Scope enum",
        description="Validate the scope catalog for pre-commit and CI.",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "path", nargs="?", type=Path, default=DEFAULT_PATH, metavar="PATH", help="the catalog (TOML)"
    )
    check.add_argument(
        "--schema",
        type=Path,
        default=DEFAULT_SCHEMA,
        help="the generated AppSync schema whose Scope enum must match (default: ./schema.graphql)",
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings as well as errors")


def run(args: argparse.Namespace) -> int:
    return report.guarded(lambda: _check(args.path, args.schema, strict=args.strict), sys.stdout)


def _check(path: Path, schema: Path, *, strict: bool) -> int:
    out = sys.stdout
    source = str(path)
    try:
        catalog = load_catalog(path)
    except ConfigError as exc:
        # Budget and enum checks need a valid catalog; every validation problem is already listed here.
        count = report.write_problems(out, exc.source, exc.problems)
        out.write(f"{source}: {count} error(s); fix them and run the check again\n")
        return report.EXIT_PROBLEMS

    worst = worst_case(catalog, path)
    findings: list[Finding] = [error(source, p) for p in worst.problems]
    usages, budget_findings = check_budget(catalog, worst, source=source)
    findings += budget_findings
    findings += _schema_findings(schema, catalog)

    for finding in findings:
        report.write_problems(out, finding.source, [finding.message], label=finding.severity)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    widest = max(usages, key=lambda u: u.used, default=None)
    budget = (
        f"; largest worst-case policy {widest.scope} at {widest.used} of {limits.POLICY_PLAINTEXT_MAX}"
        if widest
        else ""
    )
    out.write(f"{source}: {len(catalog.scopes)} scope(s), {errors} error(s), {warnings} warning(s){budget}\n")
    if errors or (strict and warnings):
        return report.EXIT_PROBLEMS
    return report.EXIT_OK


def _schema_findings(schema: Path, catalog: Catalog) -> list[Finding]:
    source = str(schema)
    try:
        sdl = schema.read_text(encoding="utf-8")
    except OSError as exc:
        return [
            error(source, f"cannot read the schema ({exc.strerror}); pass --schema PATH or run `make schema`")
        ]
    except UnicodeDecodeError:
        return [error(source, "is not UTF-8 text; run `make schema` to regenerate it")]
    return [error(source, problem) for problem in scope_enum_problems(sdl, catalog)]
