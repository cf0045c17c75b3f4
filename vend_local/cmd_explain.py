"""`vend explain`: show what one caller would receive for one scope. Reads the catalog, writes to the terminal.

No AWS, no server: the answer comes from ``resolvers.decision.plan_vend``, the Lambda's own code path.
Its imports are pure and stdlib-backed, so building the `vend` parser stays cheap.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from resolvers import variables
from resolvers.catalog import DEFAULT_PATH, load_catalog
from resolvers.errors import ConfigError, Unauthorized
from vend_local import options, report, synthetic
from vend_local.explain import as_dict, explain, operator_notes
from vend_local.explain_text import explain_text
from vend_local.synthetic import (
    EXAMPLE_ACCOUNT,
    EXAMPLE_BUCKET,
    EXAMPLE_REGION,
    EXAMPLE_TABLE_NAME,
    EXAMPLE_USERNAME,
)

EPILOG: Final = f"""\
examples:
  vend explain --scope S3_OWN_PREFIX --sub 11111111-2222-4333-8444-555555555555
  vend explain --scope TENANT_FILES --sub 11111111-2222-4333-8444-555555555555 --group users --claim tenant=acme
  vend explain --scope REPORTS_READ --sub 11111111-2222-4333-8444-555555555555 --group analysts --json
  vend explain --scope S3_OWN_PREFIX --sub 11111111-2222-4333-8444-555555555555 \\
      --action s3:ListBucket --resource arn:aws:s3:::vend-example-uploads --context s3:prefix=users/

--action/--resource ask "may this caller's session do ACTION on RESOURCE?": the local IAM evaluator judges it
against the session policy and the vend role's identity policy as infra deploys it. The request carries the
session's context (tags, SourceIdentity, times, region) and each --context KEY=VALUE (repeat a key for several
values); every other condition key is absent.

--claim takes a claim variable declared in the catalog (tenant) or a raw token claim name (custom:tenant_id).
Deployment values default to examples: bucket {EXAMPLE_BUCKET}, account {EXAMPLE_ACCOUNT},
region {EXAMPLE_REGION}, table {EXAMPLE_TABLE_NAME}, role ARNs arn:aws:iam::<account>:role/vend-<role>.

exit codes: {report.EXIT_OK} granted (and, with --action, allowed), {report.EXIT_REFUSED} refused (the code and reason
  are printed), {report.EXIT_DENIED} granted but the action is denied (the verdict and deciding statement are
  printed), {report.EXIT_PROBLEMS} the catalog is invalid, {report.EXIT_USAGE} a command-line value is wrong.
"""

# Settings problems name the Lambda's environment variables; an operator typed options.
_OPTION_OF: Final = {
    "AWS_REGION": "--region",
    "VEND_ACCOUNT_ID": "--account",
    "VEND_BUCKET": "--bucket",
    "VEND_TABLE_ARN": "--table-arn",
    "VEND_ROLE_ARNS": "--role-arn",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument("--scope", required=True, help="the scope name, as in the catalog and the Scope enum")
    parser.add_argument("--sub", required=True, help="the caller's Cognito sub (a lowercase UUID)")
    parser.add_argument("--username", default=EXAMPLE_USERNAME, help="the caller's Cognito username")
    parser.add_argument(
        "--group", action="append", default=[], metavar="GROUP", help="a Cognito group (repeat for several)"
    )
    parser.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a token claim, by catalog claim variable (tenant=acme) or raw name (custom:tenant_id=acme)",
    )
    parser.add_argument(
        "--token-use",
        choices=("id", "access"),
        default="id",
        help="which Cognito token the caller presents (default: id; both carry the catalog's claims)",
    )
    parser.add_argument(
        "--duration", type=int, default=None, metavar="SECONDS", help="the requested durationSeconds"
    )
    parser.add_argument("--catalog", type=Path, default=DEFAULT_PATH, help="the catalog file (TOML)")
    parser.add_argument("--region", default=EXAMPLE_REGION, help=f"AWS_REGION (default {EXAMPLE_REGION})")
    parser.add_argument("--account", default=EXAMPLE_ACCOUNT, help="VEND_ACCOUNT_ID (default: an example)")
    parser.add_argument("--bucket", default=EXAMPLE_BUCKET, help=f"VEND_BUCKET (default {EXAMPLE_BUCKET})")
    parser.add_argument(
        "--table-arn", default=None, help="VEND_TABLE_ARN (default: the example table in --region/--account)"
    )
    parser.add_argument(
        "--role-arn",
        action="append",
        default=[],
        metavar="ROLE=ARN",
        help="the vend role ARN for a catalog role (default: a placeholder in --account)",
    )
    parser.add_argument("--action", default=None, help="ask whether the session may do this IAM action")
    parser.add_argument("--resource", default=None, metavar="ARN", help="the resource ARN for --action")
    parser.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a condition key of the request for --action (repeat a key for a multivalued key)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object for machines")


def run(args: argparse.Namespace) -> int:
    return report.guarded(lambda: _run(args), sys.stderr)


def _run(args: argparse.Namespace) -> int:
    err = sys.stderr
    try:
        catalog = load_catalog(args.catalog)
    except ConfigError as exc:
        report.write_problems(err, exc.source, exc.problems)
        err.write(f"{exc.source}: fix the catalog first; `vend catalog check {exc.source}` lists the same.\n")
        return report.EXIT_PROBLEMS

    try:
        question = options.question(args.action, args.resource, args.context)
        claims = options.token_claims(args.claim, catalog)
        role_arns = options.role_arns(
            args.role_arn, synthetic.placeholder_role_arns(catalog, _base("account", args))
        )
    except options.UsageError as exc:
        report.write_problems(err, "vend explain", exc.problems)
        return report.EXIT_USAGE

    try:
        caller = synthetic.make_caller(
            sub=args.sub, username=args.username, groups=args.group, claims=claims, token_use=args.token_use
        )
    except Unauthorized as exc:
        # The only operator input the identity parser can refuse is the sub (issuer and client are ours).
        report.write_problems(
            err,
            "vend explain",
            [
                (
                    f"--sub {args.sub!r}: the Lambda would refuse this identity ({exc.detail}); "
                    "a Cognito sub is a lowercase UUID such as 11111111-2222-4333-8444-555555555555"
                )
            ],
        )
        return report.EXIT_USAGE

    table = args.table_arn or synthetic.table_arn(_base("region", args), _base("account", args))
    try:
        settings = synthetic.make_settings(
            catalog,
            catalog_path=args.catalog,
            region=args.region,
            account=args.account,
            bucket=args.bucket,
            table=table,
            role_arns=role_arns,
        )
    except ConfigError as exc:
        report.write_problems(err, "vend explain", [_as_option(p) for p in exc.problems])
        return report.EXIT_USAGE

    explanation = explain(
        caller,
        args.scope,
        args.duration,
        catalog=catalog,
        settings=settings,
        notes=operator_notes(args.scope, args.group, caller, catalog),
        question=question,
        now=datetime.now(UTC),
    )
    if args.json:
        sys.stdout.write(json.dumps(as_dict(explanation), indent=2) + "\n")
    else:
        sys.stdout.write(explain_text(explanation))
    if explanation.plan is None:
        return report.EXIT_REFUSED
    denied = explanation.access is not None and not explanation.access.decision.allowed
    return report.EXIT_DENIED if denied else report.EXIT_OK


def _base(var: str, args: argparse.Namespace) -> str:
    """A value to derive defaults from: a bad --account is reported once, not again in every derived ARN."""
    value: str = getattr(args, var)
    fallback = {"account": EXAMPLE_ACCOUNT, "region": EXAMPLE_REGION}[var]
    return value if variables.SETTINGS[var].fullmatch(value) else fallback


def _as_option(problem: str) -> str:
    name, sep, rest = problem.partition(":")
    option = _OPTION_OF.get(name)
    return f"{option} ({name}):{rest}" if sep and option else problem
