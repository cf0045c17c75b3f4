"""`vend smoke`: prove a live stack end to end as one test user, and print a pass/fail table.

Signs in through Cognito, calls ``scopes`` and ``vendCredentials`` over HTTP(S) for every catalog scope, and with
each vended credential makes one AWS call the scope allows and one it must refuse (vend_local/smoke_plan.py says
which and how each is judged). Exits 0 only when every row passes, 1 when any fails, 2 when it cannot start.

Does I/O: CloudFormation (the stack's outputs), Cognito, the GraphQL endpoint, S3 and DynamoDB with the vended
credentials; or, without --stack/--graphql-url, the running `vend serve` from its state file. Never prints a token,
a password or a credential.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from resolvers.catalog import DEFAULT_PATH, load_catalog
from resolvers.errors import ConfigError
from vend_local import demo
from vend_local.local_state import DEFAULT_STATE_FILE, StateError, read_state
from vend_local.smoke_plan import (
    Caller,
    Probe,
    Row,
    ScopeCheck,
    availability,
    judge_call,
    judge_listing,
    judge_vend,
    plan,
)
from vend_local.smoke_signin import AuthFlow, SignInFailed, sign_in
from vend_local.stack_outputs import StackOutputsError, stack_outputs

PASSWORD_ENV: Final = "VEND_SMOKE_PASSWORD"  # noqa: S105 - the variable's name, not a password
TOTP_ENV: Final = "VEND_SMOKE_TOTP_SECRET"
HTTP_TIMEOUT_SECONDS: Final = 30
OUTPUTS: Final = ("GraphQLUrl", "UserPoolId", "AppClientId", "Region")
SCOPES_QUERY: Final = "query { scopes { name available unavailableReason } }"
VEND_MUTATION: Final = (
    "mutation Vend($scope: Scope!) { vendCredentials(scope: $scope) "
    "{ accessKeyId secretAccessKey sessionToken expiration scope region } }"
)
EPILOG: Final = f"""\
examples:
  vend smoke --user alice                                     # against the running `vend serve`
  {PASSWORD_ENV}=... vend smoke --stack CredentialVending-prod --region eu-west-1 --user smoke-tester
  vend smoke --graphql-url https://....appsync-api.eu-west-1.amazonaws.com/graphql --region eu-west-1 \\
      --user-pool-id eu-west-1_AbC --app-client-id 3n4b... --bucket my-uploads --table-arn arn:aws:dynamodb:... \\
      --user smoke-tester

The password is read from ${PASSWORD_ENV} (never a flag: command lines are visible to other users); a TOTP
secret for a pool that requires MFA from ${TOTP_ENV}. Against `vend serve` the demo users' passwords come from
its state file.
"""


class SmokeError(Exception):
    """Cannot start: a missing output, flag or state file; the message says which."""


@dataclass(frozen=True)
class Target:
    graphql_url: str
    region: str
    user_pool_id: str
    app_client_id: str
    bucket: str | None
    table_arn: str | None
    aws_endpoint: str | None  # the embedded AWS; None for real AWS
    local_password: str | None  # a `vend serve` demo user's


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument("--user", required=True, help="the test user's username (a demo user for vend serve)")
    stack = parser.add_argument_group("a deployed stack (else: the running `vend serve`)")
    stack.add_argument(
        "--stack", help="CloudFormation stack name, e.g. CredentialVending-prod (reads its outputs)"
    )
    stack.add_argument("--region", help="the stack's region (required with --stack or --graphql-url)")
    stack.add_argument("--graphql-url", help="instead of --stack: the GraphQLUrl output")
    stack.add_argument("--user-pool-id", help="the UserPoolId output")
    stack.add_argument("--app-client-id", help="the AppClientId output")
    stack.add_argument("--bucket", help="the {{bucket}} the stack was deployed with (BucketName output)")
    stack.add_argument("--table-arn", help="the {{table_arn}} (TableArn output)")
    parser.add_argument(
        "--table-key",
        default=demo.TABLE_PARTITION_KEY,
        help="the table's partition key attribute (default pk)",
    )
    parser.add_argument(
        "--auth-flow",
        choices=("srp", "password"),
        default=None,
        help="srp (default for a deployed stack, as its app client allows) or password (default for vend serve)",
    )
    parser.add_argument(
        "--catalog", type=Path, default=None, help="scope catalog (default resolvers/catalog.toml)"
    )
    parser.add_argument("--state-file", type=Path, default=None, help="vend serve's state file")


def run(args: argparse.Namespace) -> int:
    try:
        catalog = load_catalog((args.catalog or DEFAULT_PATH).resolve())
        target = _target(args)
        password = _password(target)
        flow: AuthFlow = args.auth_flow or ("password" if target.aws_endpoint else "srp")
        tokens = sign_in(
            _cognito(target),
            flow=flow,
            pool_id=target.user_pool_id,
            client_id=target.app_client_id,
            username=args.user,
            password=password,
            totp_secret=os.environ.get(TOTP_ENV),
        )
    except (SmokeError, StateError, ConfigError, SignInFailed) as exc:
        sys.stderr.write(f"vend smoke: {exc}\n")
        return 2
    caller = caller_from_id_token(tokens["id"])
    deployment = {"region": target.region}
    deployment |= {k: v for k, v in (("bucket", target.bucket), ("table_arn", target.table_arn)) if v}
    if target.table_arn:
        deployment["account"] = target.table_arn.split(":")[4]
    missing = sorted(v for v in catalog.variables if v in ("bucket", "table_arn") and v not in deployment)
    if missing:
        sys.stderr.write(f"vend smoke: the catalog uses {', '.join(missing)}: pass --bucket/--table-arn\n")
        return 2
    rows = smoke(
        target,
        catalog_checks=plan(catalog, caller, deployment),
        id_token=tokens["id"],
        table_key=args.table_key,
    )
    sys.stdout.write(render(rows, args.user, target.graphql_url))
    return 0 if all(r.verdict == "PASS" for r in rows) else 1


def smoke(target: Target, *, catalog_checks: list[ScopeCheck], id_token: str, table_key: str) -> list[Row]:
    listed = graphql(target.graphql_url, id_token, SCOPES_QUERY, {})
    names = {s["name"]: availability(s) for s in (listed.get("data") or {}).get("scopes") or []}
    rows = (
        judge_listing(catalog_checks, names)
        if "errors" not in listed
        else [Row("listed by scopes", "*", "a list", f"error {_error_type(listed)}", "FAIL")]
    )
    for check in catalog_checks:
        answer = graphql(target.graphql_url, id_token, VEND_MUTATION, {"scope": check.scope})
        creds = (answer.get("data") or {}).get("vendCredentials")
        outcome = "granted" if creds and "errors" not in answer else _error_type(answer)
        rows.append(judge_vend(check, outcome))
        if outcome != "granted" or check.expected != "granted" or not creds:
            continue
        if creds.get("scope") != check.scope or creds.get("region") != target.region:
            rows.append(
                Row(
                    "credentials",
                    check.scope,
                    f"{check.scope} in {target.region}",
                    f"{creds.get('scope')} in {creds.get('region')}",
                    "FAIL",
                )
            )
        for probe, should_allow in ((check.allowed, True), (check.denied, False)):
            outcome_call = call(target, creds, probe, table_key) if probe else None
            rows.append(judge_call(check, probe, should_allow=should_allow, outcome=outcome_call))
    return rows


def call(target: Target, creds: dict[str, str], probe: Probe, table_key: str) -> str | None:
    """None when AWS allowed the call, else the error code (or the transport error's class name)."""
    import boto3  # noqa: PLC0415 - only when smoking
    from botocore.config import Config  # noqa: PLC0415
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    session = boto3.session.Session(
        aws_access_key_id=creds["accessKeyId"],
        aws_secret_access_key=creds["secretAccessKey"],
        aws_session_token=creds["sessionToken"],
        region_name=target.region,
    )
    config = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 2})
    try:
        if probe.service == "s3":
            s3: Any = session.client("s3", endpoint_url=target.aws_endpoint, config=config)
            s3.list_objects_v2(Bucket=probe.target, Prefix=probe.value, MaxKeys=1)
        else:
            dynamodb: Any = session.client("dynamodb", endpoint_url=target.aws_endpoint, config=config)
            table = probe.target.rpartition("/")[2]
            dynamodb.get_item(TableName=table, Key={table_key: {"S": probe.value}})
    except ClientError as exc:
        return str(exc.response.get("Error", {}).get("Code", "unknown"))
    except BotoCoreError as exc:
        return type(exc).__name__
    return None


def graphql(url: str, id_token: str, query: str, variables: dict[str, str]) -> dict[str, Any]:
    """POST one operation as AppSync wants it (the JWT itself in Authorization); the parsed body, or an error."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(  # noqa: S310 - the operator's own endpoint, http(s) only (checked below)
        url, data=body, method="POST", headers={"Authorization": id_token, "content-type": "application/json"}
    )
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost", "http://[::1]")):
        return {"errors": [{"errorType": "NotHttps"}]}
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            parsed: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            parsed = json.loads(exc.read())
        except ValueError:
            return {"errors": [{"errorType": f"HTTP {exc.code}"}]}
        parsed.setdefault("errors", [{"errorType": f"HTTP {exc.code}"}])
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        return {"errors": [{"errorType": type(exc).__name__}]}
    return parsed


def _error_type(answer: dict[str, Any]) -> str:
    for error in answer.get("errors") or []:
        if isinstance(error, dict) and error.get("errorType"):
            return str(error["errorType"])
    return "no errorType"


def caller_from_id_token(id_token: str) -> Caller:
    """The token's payload, unverified: it is our own Cognito's answer to our own sign-in over TLS, and it only
    decides what this test expects, never what anyone is granted."""
    payload = id_token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    groups = claims.get("cognito:groups") or []
    return Caller(sub=str(claims["sub"]), groups=frozenset(str(g) for g in groups), claims=claims)


def render(rows: list[Row], user: str, url: str) -> str:
    headers = ("check", "scope", "expected", "observed", "result")
    table = [headers, *((r.check, r.scope, r.expected, r.observed, r.verdict) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    lines = [f"vend smoke: {user} against {url}", ""]
    lines += [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in table
    ]
    failed = sum(r.verdict == "FAIL" for r in rows)
    lines += ["", f"{len(rows) - failed} passed, {failed} failed"]
    return "\n".join(lines) + "\n"


def _target(args: argparse.Namespace) -> Target:
    if args.stack or args.graphql_url:
        if not args.region:
            raise SmokeError("--region is required with --stack or --graphql-url (no silent default)")
        outputs = _stack_outputs(args.stack, args.region) if args.stack else {}
        values = {
            "GraphQLUrl": args.graphql_url or outputs.get("GraphQLUrl"),
            "UserPoolId": args.user_pool_id or outputs.get("UserPoolId"),
            "AppClientId": args.app_client_id or outputs.get("AppClientId"),
        }
        missing = [k for k, v in values.items() if not v]
        if missing:
            raise SmokeError(
                f"missing {', '.join(missing)} (stack outputs or --graphql-url/--user-pool-id/--app-client-id)"
            )
        return Target(
            graphql_url=str(values["GraphQLUrl"]),
            region=args.region,
            user_pool_id=str(values["UserPoolId"]),
            app_client_id=str(values["AppClientId"]),
            bucket=args.bucket or outputs.get("BucketName"),
            table_arn=args.table_arn or outputs.get("TableArn"),
            aws_endpoint=None,
            local_password=None,
        )
    state = read_state(args.state_file or DEFAULT_STATE_FILE)
    user = state.user(args.user)
    if state.mode == "embedded" and user is None:
        raise SmokeError(
            f"{args.user!r} is not a demo user of vend serve: {', '.join(u.username for u in state.users)}"
        )
    return Target(
        graphql_url=state.graphql_url,
        region=state.region,
        user_pool_id=state.user_pool_id,
        app_client_id=state.app_client_id,
        bucket=args.bucket or state.bucket,
        table_arn=args.table_arn or state.table_arn,
        aws_endpoint=state.aws_endpoint,
        local_password=user.password if user else None,
    )


def _password(target: Target) -> str:
    password = target.local_password or os.environ.get(PASSWORD_ENV)
    if not password:
        raise SmokeError(f"set the test user's password in ${PASSWORD_ENV}")
    return password


def _stack_outputs(stack: str, region: str) -> dict[str, str]:
    try:
        return stack_outputs(stack, region)
    except StackOutputsError as exc:
        raise SmokeError(str(exc)) from None


def _cognito(target: Target) -> Any:
    import boto3  # noqa: PLC0415 - only when smoking
    from botocore import UNSIGNED  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415

    # InitiateAuth and RespondToAuthChallenge are unauthenticated: nobody's AWS credentials sign them.
    return boto3.client(
        "cognito-idp",
        region_name=target.region,
        endpoint_url=target.aws_endpoint,
        config=Config(
            signature_version=UNSIGNED, connect_timeout=5, read_timeout=15, retries={"max_attempts": 2}
        ),
    )
