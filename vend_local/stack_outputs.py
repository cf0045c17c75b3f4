"""A deployed stack's outputs, for the commands that act on one (`vend smoke`, `vend revoke`). Does network I/O:
CloudFormation's DescribeStacks, with the caller's own AWS credentials.
"""

from __future__ import annotations


class StackOutputsError(Exception):
    """The stack's outputs cannot be read: the message says why."""


def stack_outputs(stack: str, region: str) -> dict[str, str]:
    import boto3  # noqa: PLC0415 - only when a command acts on a stack
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    try:
        described = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack)
    except ClientError as exc:
        raise StackOutputsError(
            f"cannot read stack {stack!r} ({exc.response.get('Error', {}).get('Code')})"
        ) from None
    except BotoCoreError as exc:
        raise StackOutputsError(f"cannot reach CloudFormation ({type(exc).__name__})") from None
    outputs = described["Stacks"][0].get("Outputs", [])
    return {o["OutputKey"]: o["OutputValue"] for o in outputs if "OutputKey" in o and "OutputValue" in o}
