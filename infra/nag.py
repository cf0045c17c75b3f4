"""cdk-nag (AwsSolutions) acknowledgements, each with the reason it is safe here. Construct metadata, no I/O.

cdk-nag 3 acknowledges one finding at a time (``Rule[finding]``), so a new wildcard anywhere still fails the
synth until someone writes down why it is acceptable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import custom_resources as cr

from vend_local.iam import ceiling

if TYPE_CHECKING:
    from constructs import IConstruct

    from infra.stack import VendStack


def _ack(construct: IConstruct, finding: str, reason: str) -> None:
    # Always on the one CloudFormation resource the finding names: an acknowledgement also covers children.
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=f"AwsSolutions-{finding}", reason=reason))


def suppress(stack: VendStack) -> None:
    config = stack.config
    if config.user_pool_id is None:
        _ack(
            _cfn(stack.user_pool),
            "COG8",
            "Threat protection needs the Plus feature plan (a per-user cost). MFA is required by default and "
            "the app client refuses user-existence errors; operators can move the pool to Plus in place.",
        )
        if config.mfa != "required":
            _ack(
                _cfn(stack.user_pool),
                "COG2",
                f"MFA is {config.mfa!r} because the operator chose it with the 'mfa' parameter (default: required).",
            )
    _ack(
        _cfn(stack.lambda_role.node.find_child("DefaultPolicy")),
        "IAM5[Resource::*]",
        "Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by tracing=ACTIVE) use '*': X-Ray "
        "has no resource-level permissions. Logs and sts:* statements name their resources.",
    )
    runtime_reason = (
        "python3.13 on purpose: the newest Lambda runtime the test suite can also run (Python 3.14 is not "
        "installable from the registries our machines reach), so the asset-import test and mypy check the "
        "version that ships (docs/deploy.md, Runtime parity)."
    )
    # The resolver and the token claims trigger share the runtime (infra/stack.py RUNTIME).
    functions = [stack.function] + ([stack.token_claims.function] if stack.token_claims is not None else [])
    for function in functions:
        _ack(_cfn(function), "L1", runtime_reason)
    _ack(
        _cfn(stack.api),
        "ASC3",
        "Field logging is on at ERROR with excludeVerboseContent=true on purpose: the verbose sections hold "
        "request headers (the caller's JWT) and evaluated responses (the vended credentials).",
    )
    source_role = stack.api.node.find_child("ResolverSource").node.find_child("ServiceRole")
    _ack(
        _cfn(source_role.node.find_child("DefaultPolicy")),
        f"IAM5[Resource::<{stack.get_logical_id(_cfn(stack.function))}.Arn>:*]",
        "CDK's grantInvoke for the AppSync data source: the resolver function and its own versions and "
        "aliases, nothing else.",
    )
    # aws-cdk-lib's AwsCustomResource runs one singleton handler for the stack; it creates the revocation policy once.
    # (Its construct id is "AWS" and the UUID without dashes, as SingletonFunction names it.)
    handler = stack.node.find_child("AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", ""))
    _ack(
        _cfn(handler.node.find_child("ServiceRole")),
        "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "aws-cdk-lib's AwsCustomResource handler writes its own logs with AWS's basic execution policy. It runs "
        "only when the stack creates the revocation policy, and its other permission is iam:CreatePolicy on that "
        "one policy's ARN.",
    )
    _ack(
        stack.operator_policy,
        f"IAM5[Resource::{stack.format_arn(service='cloudformation', resource='stack', resource_name=f'{stack.stack_name}/*')}]",
        "cloudformation:DescribeStacks on this stack only: a stack's ARN ends in an id CloudFormation makes at "
        "creation, so the policy names the stack and leaves the id open. It reads the stack's outputs for "
        "`vend revoke --stack`.",
    )
    deployment = config.deployment_values()
    for role, cfn_role in stack.vend_roles.items():
        for finding in vend_role_wildcards(ceiling.role_ceiling(stack.catalog, role, deployment)):
            _ack(
                cfn_role,
                f"IAM5[{finding}]",
                "A vend role's ceiling: its wildcards are per-caller variables widened at synth or prefixes the "
                "reviewed, linted scope catalog grants. Every vend narrows it with a session policy that names "
                "the caller's own values (vend_local/iam/ceiling.py).",
            )


def vend_role_wildcards(document: dict[str, Any]) -> list[str]:
    """The IAM5 finding ids a ceiling document raises: each action and resource containing a wildcard."""
    found: set[str] = set()
    for statement in document["Statement"]:
        found.update(f"Action::{a}" for a in statement["Action"] if "*" in a)
        found.update(f"Resource::{r}" for r in statement["Resource"] if "*" in r)
    return sorted(found)


def _cfn(construct: IConstruct) -> cdk.CfnElement:
    child = construct.node.default_child
    if not isinstance(child, cdk.CfnElement):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource")
    return child
