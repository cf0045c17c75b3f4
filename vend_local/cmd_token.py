"""`vend token USER`: sign a user in with USER_PASSWORD_AUTH against the running server's user pool and print
the ID token, the access token, or both as JSON. Reads the server's state file; talks to Cognito (embedded
or real) only. Tokens go to stdout, for the caller to use; never to a log.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any, Final

from vend_local.local_state import DEFAULT_STATE_FILE, StateError, read_state

# Field names of Cognito's AuthenticationResult.
ID_TOKEN: Final = "IdToken"  # noqa: S105 - a field name, not a secret
ACCESS_TOKEN: Final = "AccessToken"  # noqa: S105 - a field name, not a secret


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "username", help="a demo user (alice, bob, carol) or, with --aws, one of your pool's users"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--id", action="store_true", help="print only the ID token (raw, for curl)")
    which.add_argument("--access", action="store_true", help="print only the access token (raw, for curl)")
    parser.add_argument(
        "--state-file",
        type=Path,
        default=None,
        help="the server's state file (default .vend-local/serve.json)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        state = read_state(args.state_file or DEFAULT_STATE_FILE)
    except StateError as exc:
        sys.stderr.write(f"vend token: {exc}\n")
        return 2
    user = state.user(args.username)
    if user is not None:
        password = user.password
    elif state.mode == "aws":
        password = getpass.getpass(f"Password for {args.username}: ")
    else:
        names = ", ".join(u.username for u in state.users)
        sys.stderr.write(f"vend token: {args.username!r} is not a demo user; choose one of {names}.\n")
        return 2
    try:
        result = sign_in(
            username=args.username,
            password=password,
            client_id=state.app_client_id,
            region=state.region,
            endpoint_url=state.aws_endpoint,
        )
    except SignInFailed as exc:
        sys.stderr.write(f"vend token: {exc}\n")
        return 1
    if args.id:
        sys.stdout.write(result[ID_TOKEN] + "\n")
    elif args.access:
        sys.stdout.write(result[ACCESS_TOKEN] + "\n")
    else:
        both = {
            "idToken": result[ID_TOKEN],
            "accessToken": result[ACCESS_TOKEN],
            "expiresIn": result["ExpiresIn"],
        }
        sys.stdout.write(json.dumps(both, indent=2) + "\n")
    return 0


class SignInFailed(Exception):
    """Sign-in did not produce tokens; the message is Cognito's error code and what to do."""


def sign_in(
    *, username: str, password: str, client_id: str, region: str, endpoint_url: str | None
) -> dict[str, Any]:
    # boto3 is imported only when signing in: the `vend` parser is built for every subcommand.
    import boto3  # noqa: PLC0415
    from botocore import UNSIGNED  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    # InitiateAuth is an unauthenticated Cognito API: the request is not signed with anyone's AWS credentials.
    client = boto3.client(
        "cognito-idp",
        region_name=region,
        endpoint_url=endpoint_url,
        config=Config(
            signature_version=UNSIGNED, connect_timeout=3, read_timeout=10, retries={"max_attempts": 2}
        ),
    )
    try:
        response = client.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "unknown")
        raise SignInFailed(f"sign-in refused ({code}); is the server still running?") from None
    except BotoCoreError as exc:
        raise SignInFailed(
            f"cannot reach Cognito ({type(exc).__name__}); is the server still running?"
        ) from None
    tokens = response.get("AuthenticationResult")
    if not tokens or ID_TOKEN not in tokens or ACCESS_TOKEN not in tokens:
        raise SignInFailed(
            "Cognito asked for a challenge (a new password or MFA); this command handles none."
        )
    return dict(tokens)
