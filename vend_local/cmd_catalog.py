"""`vend catalog check` (validate the catalog, its worst-case budget and the schema's Scope enum) and
`vend catalog test` (judge the catalog's test cases with the IAM evaluator). Reads the catalog, its cases file and
schema.graphql, writes findings to stdout; for pre-commit and CI.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from resolvers import limits
from resolvers.catalog import DEFAULT_PATH, load_catalog
from resolvers.catalog_model import Catalog
from resolvers.errors import ConfigError
from vend_local import catalog_test, report, synthetic
from vend_local.budget import WARN_PERCENT, check_budget, warn_threshold
from vend_local.catalog_cases import CasesError, default_path, load_cases
from vend_local.enum_check import scope_enum_problems
from vend_local.findings import Finding, error
from vend_local.set_operator_lint import set_operator_warnings
from vend_local.worst_case import worst_case

DEFAULT_SCHEMA: Final = Path("schema.graphql")

EPILOG: Final = f"""\
examples:
  vend catalog check                                   # the packaged catalog, ./schema.graphql
  vend catalog check resolvers/catalog.toml --schema schema.graphql --strict
  vend catalog test resolvers/catalog.toml             # judges resolvers/catalog.cases.toml

exit codes: {report.EXIT_OK} no errors (warnings are printed) / every case passed, {report.EXIT_PROBLEMS} errors (or
  warnings with --strict) / a case failed or a file is invalid, {report.EXIT_USAGE} a command-line value is wrong.
"""

CHECK_EPILOG: Final = f"""\
example:
  vend catalog check resolvers/catalog.toml --schema schema.graphql

Checks, reporting every problem at once as FILE: error|warning: WHERE: WHAT TO CHANGE:
  1. the catalog is valid (every scope, field and rule);
  2. every scope renders for a worst-case caller (the longest allowed claim values, a 63-character bucket,
     a 255-character table name) and stays under AssumeRole's {limits.POLICY_PLAINTEXT_MAX} plaintext
     characters; a scope using {warn_threshold()} or more ({WARN_PERCENT}%) is a warning;
  3. the Scope enum in schema.graphql lists exactly the catalog's scopes;
  4. warnings: an Allow whose ForAllValues: condition has no Null guard on the same key (a request that lacks
     the key satisfies it).

exit codes: {report.EXIT_OK} no errors, {report.EXIT_PROBLEMS} errors (or warnings with --strict), {report.EXIT_USAGE} bad usage.
"""


TEST_EPILOG: Final = f"""\
example:
  vend catalog test resolvers/catalog.toml --cases resolvers/catalog.cases.toml

Each case names a caller (sub, groups, claims, token use), a scope, and requests that must be allowed or
denied; the format is in docs/catalog-cli.md. A failing expectation prints the expectation, the verdict and
the statements that decided it.

exit codes: {report.EXIT_OK} every case passed, {report.EXIT_PROBLEMS} a case failed, or the catalog or the cases file
  is invalid, {report.EXIT_USAGE} bad usage.
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
    _catalog_argument(check)
    check.add_argument(
        "--schema",
        type=Path,
        default=DEFAULT_SCHEMA,
        help="the generated AppSync schema whose Scope enum must match (default: ./schema.graphql)",
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings as well as errors")
    test = sub.add_parser(
        "test",
        help="judge the catalog's test cases (allowed and denied requests) with the local IAM evaluator",
        description="Vend each case's caller through plan_vend and judge its expected requests against the "
        "session policy and the vend role's identity policy, as AWS would.",
        epilog=TEST_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _catalog_argument(test)
    test.add_argument(
        "--cases",
        type=Path,
        default=None,
        help="the cases file (default: beside the catalog, <catalog>.cases.toml)",
    )
    test.add_argument("--verbose", action="store_true", help="also list every expectation that holds")


def _catalog_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", nargs="?", type=Path, default=DEFAULT_PATH, metavar="PATH", help="the catalog (TOML)"
    )


def run(args: argparse.Namespace) -> int:
    if args.catalog_command == "test":
        cases = args.cases or default_path(args.path)
        return report.guarded(lambda: _test(args.path, cases, verbose=args.verbose), sys.stdout)
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
    findings += set_operator_warnings(catalog, source)
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


def _test(path: Path, cases_path: Path, *, verbose: bool) -> int:
    out = sys.stdout
    try:
        catalog = load_catalog(path)
    except ConfigError as exc:
        report.write_problems(out, exc.source, exc.problems)
        out.write(f"{exc.source}: fix the catalog first; `vend catalog check {exc.source}` lists the same\n")
        return report.EXIT_PROBLEMS
    defaults = synthetic.example_deployment()
    try:
        cases = load_cases(cases_path, catalog, defaults)
    except CasesError as exc:
        count = report.write_problems(out, exc.source, exc.problems)
        out.write(f"{exc.source}: {count} error(s); fix them and run the test again\n")
        return report.EXIT_PROBLEMS
    try:
        settings = synthetic.settings_for(catalog, path, cases.deployment)
    except ConfigError as exc:
        report.write_problems(out, cases.source, [f"deployment: {p}" for p in exc.problems])
        return report.EXIT_PROBLEMS
    results = catalog_test.run(cases, catalog=catalog, settings=settings, now=datetime.now(UTC))
    for result in results:
        if not result.passed:
            out.write("\n".join(catalog_test.failure_lines(result)) + "\n")
        elif verbose:
            out.write(f"ok   cases[{result.case.index}] {result.case.name!r}: {_passed(result)}\n")
    count, checked, failed = catalog_test.summary(results)
    out.write(f"{cases.source}: {count} case(s), {checked} check(s), {failed} failed\n")
    return report.EXIT_PROBLEMS if failed else report.EXIT_OK


def _passed(result: catalog_test.Result) -> str:
    expectation = result.expectation
    if expectation is None:
        return result.verdict
    return f"{expectation.verdict} {expectation.question.action} on {expectation.question.resource} ({result.verdict})"
