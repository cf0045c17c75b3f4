"""The pre token generation trigger (event V2_0) that puts the catalog's claims into access tokens. Constructs only.

The function's code is resolvers/token_claims.py, inlined into the template (stdlib only, under CloudFormation's
4096-character limit for inline code), so the template shows exactly what runs in the sign-in path. Its role may
write its own log group and nothing else. On a pool the stack creates, the trigger is attached with
``UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG`` and ``LambdaVersion.V2_0`` (the ``lambda_triggers`` prop is V1
only, which cannot touch access tokens); V2_0 needs the Essentials or Plus feature plan. On an existing pool the
stack cannot attach it: the operator does (docs/deploy.md), and Cognito is allowed to invoke it for that pool only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from resolvers import token_claims
from resolvers.catalog_model import Catalog

SOURCE: Final = Path(token_claims.__file__)
# CloudFormation's limit for AWS::Lambda::Function Code.ZipFile (inline code).
INLINE_CODE_MAX: Final = 4096
HANDLER: Final = "index.handler"


def inline_code(source: str) -> lambda_.Code:
    if len(source) > INLINE_CODE_MAX:
        raise ValueError(
            f"{SOURCE.name} is {len(source)} characters; inline Lambda code is limited to {INLINE_CODE_MAX}"
        )
    return lambda_.Code.from_inline(source)


class TokenClaimsTrigger(Construct):
    """The trigger function, attached to ``pool`` when the stack owns it (``user_pool`` is a UserPool)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        catalog: Catalog,
        user_pool: cognito.IUserPool,
        runtime: lambda_.Runtime,
        architecture: lambda_.Architecture,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.claims = list(catalog.token_claims)
        log_group = logs.LogGroup(
            self, "Logs", retention=log_retention, removal_policy=cdk.RemovalPolicy.RETAIN
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Pre token generation trigger: write its own logs. Nothing else.",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="OwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group.log_group_arn],
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description="Copies the scope catalog's claims from user attributes into access tokens (V2_0).",
            runtime=runtime,
            architecture=architecture,
            handler=HANDLER,
            code=inline_code(SOURCE.read_text(encoding="utf-8")),
            role=self.role,
            # Cognito waits 5 s for a trigger; this one copies a few strings.
            timeout=cdk.Duration.seconds(5),
            memory_size=128,
            log_group=log_group,
            environment={token_claims.ENV: json.dumps(self.claims, separators=(",", ":"))},
        )
        if isinstance(user_pool, cognito.UserPool):
            user_pool.add_trigger(
                cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
                self.function,
                cognito.LambdaVersion.V2_0,
            )
        else:
            # The operator attaches it (docs/deploy.md); only this pool may invoke it.
            self.function.add_permission(
                "CognitoInvoke",
                principal=iam.ServicePrincipal("cognito-idp.amazonaws.com"),
                source_arn=user_pool.user_pool_arn,
            )
