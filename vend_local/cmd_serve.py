"""`vend serve`: the local AppSync-compatible endpoint on an embedded AWS (or, with --aws, a real account).

Wiring only: start and seed moto, set the Lambda's environment, import the real handler, verify tokens against
the pool's JWKS and serve LocalAppSync with uvicorn on 127.0.0.1. Heavy imports stay inside run().
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Final

from resolvers.catalog import DEFAULT_PATH, load_catalog
from resolvers.errors import ConfigError
from vend_local.asgi_serving import READY_PREFIX, listening_socket, serve
from vend_local.local_state import (
    DEFAULT_STATE_FILE,
    DemoLogin,
    ServerState,
    remove_state,
    write_certificate,
    write_state,
)

if TYPE_CHECKING:
    from resolvers.catalog_model import Catalog
    from vend_local.embedded_aws import Deployment

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 4000


class _Stop(Exception):
    """SIGTERM, turned into an exception so that moto stops and the state file goes away."""


def subprocess_command(state_file: Path, *extra: str) -> list[str]:
    """`vend serve` on a free loopback port with its own state file, as tests and benchmarks start it."""
    return [
        sys.executable,
        "-m",
        "vend_local.cli",
        "serve",
        "--port",
        "0",
        "--state-file",
        str(state_file),
        *extra,
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to bind, 0 for any free one (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--catalog", type=Path, default=None, help="scope catalog (default resolvers/catalog.toml)"
    )
    parser.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow this browser origin (repeatable; default none), e.g. http://localhost:5173",
    )
    parser.add_argument(
        "--no-enforce",
        action="store_true",
        help="embedded AWS only: do not enforce IAM on requests signed with vended credentials (default: enforce)",
    )
    parser.add_argument(
        "--state-file",
        type=Path,
        default=None,
        help="where `vend token` finds this server (default .vend-local/serve.json)",
    )
    parser.add_argument(
        "--region", default=None, help="AWS region (default us-east-1 embedded; required with --aws)"
    )
    real = parser.add_argument_group("real AWS (--aws): your own credentials and an existing user pool")
    real.add_argument("--aws", action="store_true", help="skip the embedded AWS; use your AWS credentials")
    real.add_argument("--user-pool-id", help="the Cognito user pool whose tokens are accepted")
    real.add_argument(
        "--app-client-id", action="append", default=[], help="an accepted app client id (repeatable)"
    )
    real.add_argument(
        "--role-arn",
        action="append",
        default=[],
        metavar="ROLE=ARN",
        help="vend role ARN per catalog role (repeatable)",
    )
    real.add_argument("--bucket", help="value of {{bucket}}")
    real.add_argument("--table-arn", help="value of {{table_arn}}")
    real.add_argument("--account-id", help="value of {{account}}")


def run(args: argparse.Namespace) -> int:
    catalog_path: Path = (args.catalog or DEFAULT_PATH).resolve()
    state_file: Path = args.state_file or DEFAULT_STATE_FILE
    try:
        catalog = load_catalog(catalog_path)
    except ConfigError as exc:
        sys.stderr.write(f"vend serve: {exc}\n")
        return 2

    # The port first: a port in use is one line at once, not a line after seconds of seeding an embedded AWS.
    try:
        sock = listening_socket(args.host, args.port)
    except OSError as exc:
        sys.stderr.write(bind_failure(args.host, args.port, exc) + "\n")
        return 2

    # moto's and botocore's request lines say nothing a developer needs; this server's refusals (reasons only) do.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    for noisy in ("werkzeug", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    embedded = None
    previous_term = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        if args.aws:
            deployment = _real_deployment(args)
            if isinstance(deployment, str):
                sys.stderr.write(f"vend serve: {deployment}\n")
                return 2
        else:
            from vend_local.embedded_aws import EmbeddedAws  # noqa: PLC0415 - boto3 and moto: only when serving

            embedded = EmbeddedAws(cors_origins=args.cors_origin, enforce=not args.no_enforce)
            embedded.start()
            deployment = embedded.seed(catalog, region=args.region or "us-east-1", defer_data=True)
        # The bucket and the table once the server is ready (behind the embedded AWS's gate until then).
        on_ready = embedded.seed_data if embedded is not None else None
        return _serve(args, catalog, catalog_path, deployment, state_file, sock=sock, on_ready=on_ready)
    except ConfigError as exc:
        sys.stderr.write(f"vend serve: the handler refused its settings: {exc}\n")
        return 2
    except (KeyboardInterrupt, _Stop):
        return 0
    finally:
        sock.close()
        remove_state(state_file, os.getpid())
        if embedded is not None:
            embedded.stop()
        signal.signal(signal.SIGTERM, previous_term)
        sys.stdout.write("vend serve: stopped.\n")
        sys.stdout.flush()


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def _real_deployment(args: argparse.Namespace) -> Deployment | str:
    from vend_local.embedded_aws import Deployment  # noqa: PLC0415 - boto3: only when serving

    missing = [
        name
        for name, value in (
            ("--region", args.region),
            ("--user-pool-id", args.user_pool_id),
            ("--app-client-id", args.app_client_id),
            ("--role-arn", args.role_arn),
        )
        if not value
    ]
    if missing:
        return f"--aws needs {', '.join(missing)}"
    role_arns: dict[str, str] = {}
    for item in args.role_arn:
        name, sep, arn = item.partition("=")
        if not sep or not name or not arn:
            return f"--role-arn takes ROLE=ARN, got {item!r}"
        role_arns[name] = arn
    return Deployment(
        region=args.region,
        user_pool_id=args.user_pool_id,
        app_client_ids=tuple(args.app_client_id),
        role_arns=role_arns,
        bucket=args.bucket,
        table_arn=args.table_arn,
        account_id=args.account_id,
    )


def bind_failure(host: str, port: int, exc: OSError) -> str:
    """The one line a person needs when the port cannot be bound."""
    if exc.errno == errno.EADDRINUSE:
        return (
            f"vend serve: port {port} on {host} is already in use (another vend serve?). Stop it, or choose "
            f'another port: make serve ARGS="--port {port + 1 if 0 < port < 65535 else 0}"'
        )
    return f"vend serve: cannot listen on {host}:{port}: {exc.strerror or type(exc).__name__}"


def _serve(
    args: argparse.Namespace,
    catalog: Catalog,
    catalog_path: Path,
    deployment: Deployment,
    state_file: Path,
    *,
    sock: socket.socket,
    on_ready: Callable[[], None] | None = None,
) -> int:
    # Heavy imports, only when serving: the `vend` parser is built for every subcommand.
    from vend_local.embedded_aws import EMBEDDED_UNSET, handler_environment  # noqa: PLC0415
    from vend_local.jwt_verify import CognitoVerifier, jwks_client  # noqa: PLC0415
    from vend_local.server import GRAPHQL_PATH, LocalAppSync  # noqa: PLC0415

    # The handler validates its settings at import, from os.environ, exactly as in Lambda.
    if deployment.endpoint_url is not None:
        for name in EMBEDDED_UNSET:
            os.environ.pop(name, None)
    os.environ.update(handler_environment(deployment, str(catalog_path)))
    handler = importlib.import_module("resolvers.handler")

    verifier = CognitoVerifier(
        issuer=deployment.issuer,
        client_ids=frozenset(deployment.app_client_ids),
        keys=jwks_client(deployment.jwks_url),
    )
    app = LocalAppSync(
        catalog=catalog, verify=verifier.verify, invoke=handler.lambda_handler, cors_origins=args.cors_origin
    )

    # What the socket really bound, not what was asked for.
    host, port = sock.getsockname()[:2]
    url_host = f"[{host}]" if ":" in host else host
    graphql_url = f"http://{url_host}:{port}{GRAPHQL_PATH}"
    certificate = (
        write_certificate(state_file, deployment.s3_certificate_pem)
        if deployment.s3_certificate_pem
        else None
    )
    state = _state(deployment, graphql_url, host, port, certificate)
    write_state(state_file, state)
    sys.stdout.write(_banner(state, deployment, args.cors_origin, enforce=not args.no_enforce))
    sys.stdout.flush()

    serve(app, sock, f"{READY_PREFIX}{graphql_url}\n", served_paths=(GRAPHQL_PATH,), on_ready=on_ready)
    return 0


def _state(
    deployment: Deployment, graphql_url: str, host: str, port: int, certificate: Path | None
) -> ServerState:
    return ServerState(
        pid=os.getpid(),
        mode="embedded" if deployment.endpoint_url else "aws",
        graphql_url=graphql_url,
        host=host,
        port=port,
        region=deployment.region,
        user_pool_id=deployment.user_pool_id,
        app_client_id=deployment.app_client_ids[0],
        issuer=deployment.issuer,
        aws_endpoint=deployment.endpoint_url,
        bucket=deployment.bucket,
        table_arn=deployment.table_arn,
        users=[DemoLogin(u.username, u.sub, list(u.groups), u.tenant, u.password) for u in deployment.users],
        s3_custom_endpoint=deployment.s3_custom_endpoint,
        s3_certificate_file=None if certificate is None else str(certificate.resolve()),
        revocation_table=deployment.revocation_table,
        revocation_policy_arn=deployment.revocation_policy_arn,
    )


def _enforcement_line(state: ServerState, *, enforce: bool) -> str:
    if not state.aws_endpoint:
        return "enforced by AWS itself"
    if enforce:
        return "ENFORCED: vended credentials may do exactly what IAM would allow in AWS (--no-enforce: off)"
    return "NOT ENFORCED (--no-enforce): vended credentials can do more here than in AWS"


def _banner(state: ServerState, deployment: Deployment, cors_origins: list[str], *, enforce: bool) -> str:
    where = f"embedded AWS (moto) at {state.aws_endpoint}" if state.aws_endpoint else "your AWS account"
    lines = [
        f"vend local server: region {state.region}, {where}",
        f"  GraphQL   {state.graphql_url}  (POST; header 'Authorization: <JWT>', no 'Bearer')",
        f"  GraphiQL  {state.graphql_url}  (open in a browser; put the Authorization header in Headers)",
        f"  CORS      {', '.join(cors_origins) if cors_origins else 'no browser origins allowed (--cors-origin)'}",
        f"  IAM       {_enforcement_line(state, enforce=enforce)}",
    ]
    if state.s3_custom_endpoint:
        lines.append(
            f"  S3 HTTPS  https://<bucket>.{state.s3_custom_endpoint}  (Amplify Storage customEndpoint "
            f"'{state.s3_custom_endpoint}'; certificate made for this run: {state.s3_certificate_file}; "
            "docs/local-server.md#s3-over-https)"
        )
    if state.users:
        lines.append("  Demo users (local-only passwords for the embedded Cognito):")
        for user in state.users:
            groups = ",".join(user.groups) or "-"
            tenant = f"  custom:tenant_id={user.tenant}" if user.tenant else ""
            lines.append(f"    {user.username:<6} password {user.password:<20} groups {groups}{tenant}")
        lines += [
            "  Tokens    vend token alice          (ID and access token as JSON; .venv/bin/vend outside the venv)",
            "            vend token alice --id     (the ID token alone, for curl)",
            f'  curl      curl -s {state.graphql_url} -H "Authorization: $(vend token alice --id)" \\',
            "              -H 'content-type: application/json' \\",
            (
                '              -d \'{"query":"mutation { vendCredentials(scope: S3_OWN_PREFIX) '
                "{ accessKeyId expiration } }\"}'"
            ),
        ]
    if state.revocation_table:
        lines.append(
            f"  Revoke    vend revoke --sub {state.users[0].sub if state.users else '<sub>'} "
            "(vend revoke --list, vend unrevoke)"
        )
    else:
        lines.append(f"  Tokens    sign in to user pool {deployment.user_pool_id} with your own users")
    lines += ["  Ctrl-C stops the server" + (" and the embedded AWS." if state.aws_endpoint else "."), ""]
    return "\n".join(lines)
