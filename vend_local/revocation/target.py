"""Where `vend revoke` acts: a deployed stack (its outputs, or the same values as flags) or the running `vend
serve` (its state file). Reads the state file or CloudFormation's DescribeStacks; builds the clients.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from vend_local.local_state import DEFAULT_STATE_FILE, read_state
from vend_local.revocation.aws import OperatorError, RevocationAws
from vend_local.stack_outputs import StackOutputsError, stack_outputs

# The stack's outputs that name the revocation resources (infra/stack.py).
OUTPUTS: Final = {
    "RevocationTable": "--table",
    "RevocationPolicyArn": "--policy-arn",
    "UserPoolId": "--user-pool-id",
}
CONNECT_TIMEOUT_SECONDS: Final = 5
READ_TIMEOUT_SECONDS: Final = 30


@dataclass(frozen=True)
class Target:
    description: str
    region: str
    table: str
    policy_arn: str
    user_pool_id: str
    endpoint_url: str | None = None  # the embedded AWS; None: AWS itself, with your credentials

    def aws(self) -> RevocationAws:
        return RevocationAws(
            dynamodb=self._client("dynamodb"),
            iam=self._client("iam"),
            cognito=self._client("cognito-idp"),
            sts=self._client("sts"),
            table=self.table,
            policy_arn=self.policy_arn,
            user_pool_id=self.user_pool_id,
        )

    def _client(self, service: str) -> Any:
        import boto3  # noqa: PLC0415 - only when acting
        from botocore.config import Config  # noqa: PLC0415

        config = Config(
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
            retries={"mode": "standard", "total_max_attempts": 3},
        )
        if self.endpoint_url is None:
            return boto3.client(service, region_name=self.region, config=config)  # type: ignore[call-overload]
        from vend_local.embedded_aws import BOOTSTRAP_KEY_ID, BOOTSTRAP_SECRET  # noqa: PLC0415

        # The embedded AWS: the seeding credentials, which it accepts and never enforces.
        return boto3.client(  # type: ignore[call-overload]
            service,
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id=BOOTSTRAP_KEY_ID,
            aws_secret_access_key=BOOTSTRAP_SECRET,
            config=config,
        )


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Who (--sub), why (--reason), and where (a stack, or the running `vend serve`): both commands take them."""
    parser.add_argument(
        "--sub", action="append", default=[], metavar="SUB", help="the caller's Cognito sub (repeatable)"
    )
    parser.add_argument("--reason", default="", help="why, for the audit trail (at most 256 characters)")
    group = parser.add_argument_group("a deployed stack (else: the running `vend serve`)")
    group.add_argument(
        "--stack", help="CloudFormation stack name, e.g. CredentialVending-prod (reads its outputs)"
    )
    group.add_argument("--region", help="the stack's region (required with --stack or --table)")
    group.add_argument("--table", help="instead of --stack: the RevocationTable output")
    group.add_argument("--policy-arn", help="the RevocationPolicyArn output")
    group.add_argument("--user-pool-id", help="the UserPoolId output")
    parser.add_argument("--state-file", type=Path, default=None, help="vend serve's state file")


def resolve_target(args: argparse.Namespace) -> Target:
    if args.stack or args.table:
        if not args.region:
            raise OperatorError("--region is required with --stack or --table (no silent default)")
        outputs = _stack_outputs(args.stack, args.region) if args.stack else {}
        values = {
            name: getattr(args, flag.removeprefix("--").replace("-", "_")) or outputs.get(name)
            for name, flag in OUTPUTS.items()
        }
        missing = [f"{name} ({OUTPUTS[name]})" for name, value in values.items() if not value]
        if missing:
            raise OperatorError(f"missing {', '.join(missing)}: a stack deployed before revocation existed?")
        return Target(
            description=f"stack {args.stack}" if args.stack else f"table {values['RevocationTable']}",
            region=args.region,
            table=str(values["RevocationTable"]),
            policy_arn=str(values["RevocationPolicyArn"]),
            user_pool_id=str(values["UserPoolId"]),
        )
    path = args.state_file or DEFAULT_STATE_FILE
    state = read_state(path)
    if not state.aws_endpoint or not state.revocation_table or not state.revocation_policy_arn:
        raise OperatorError(
            f"the vend serve of {path} has no revocation store (it runs against your AWS account with --aws): "
            "pass --stack"
        )
    return Target(
        description=f"vend serve ({path})",
        region=state.region,
        table=state.revocation_table,
        policy_arn=state.revocation_policy_arn,
        user_pool_id=state.user_pool_id,
        endpoint_url=state.aws_endpoint,
    )


def _stack_outputs(stack: str, region: str) -> dict[str, str]:
    try:
        return stack_outputs(stack, region)
    except StackOutputsError as exc:
        raise OperatorError(str(exc)) from None
