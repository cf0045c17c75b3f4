"""The CDK stack: Cognito user pool and app client, AppSync API, resolver Lambda, its role and the vend roles.

Builds constructs only; reading the catalog and staging the Lambda package happen in infra/app.py (or the tests),
which pass the results in. Everything that decides a policy lives in the pure modules vend_local/iam/ceiling.py and
vend_local/iam/trust.py (shared with the embedded AWS), and every IAM document is checked against IAM's size limits (infra/iam_limits.py) before the
synth completes; this module wires them into resources.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import aws_cdk as cdk
import jsii
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from aws_cdk import aws_wafv2 as wafv2
from aws_cdk import custom_resources as cr
from constructs import Construct, IValidation

from infra.config import InfraConfig
from infra.iam_limits import IamDocument, size_problems
from infra.token_claims import TokenClaimsTrigger
from resolvers import revocation as rev
from resolvers.catalog_model import Catalog
from resolvers.settings import DEPLOYMENT_VARIABLES
from resolvers.tracing import TRACING_ENV, TRACING_OTEL
from vend_local.iam import ceiling, revocation, trust

HANDLER: Final = "resolvers.handler.lambda_handler"
# The newest runtime the test suite can run too (docs/deploy.md, "Runtime parity"): the asset-import test runs the
# unpacked asset under this Python, and ruff and mypy target it.
RUNTIME: Final = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE: Final = lambda_.Architecture.ARM_64
# The Powertools release the tests run against (requirements/infra.lock); a test keeps the two equal.
POWERTOOLS_VERSION: Final = "3.37.0"
# AWS publishes each Powertools layer ARN as a public SSM parameter, per architecture, runtime and version.
POWERTOOLS_LAYER_PARAMETER: Final = (
    f"/aws/service/powertools/python/{ARCHITECTURE.name}/{RUNTIME.name}/{POWERTOOLS_VERSION}"
)
# AppSync gives up on a resolver after 30 s. The worst case: the revocation lookup (resolvers/revocation_store.py,
# one page < 4 s, a second only if begun within 3 s: < 7 s) and then the STS adapter (< 17 s).
LAMBDA_TIMEOUT: Final = cdk.Duration.seconds(25)
# The AssumeRole from the Lambda's own role is role chaining, which AWS caps at one hour.
VEND_ROLE_MAX_SESSION: Final = cdk.Duration.hours(1)
LOG_RETENTION: Final = logs.RetentionDays.THREE_MONTHS
# AppSync accepts 1-75 and 1-10,000; unset means unlimited. Refused documents never reach the Lambda.
QUERY_DEPTH_LIMIT: Final = 6
RESOLVER_COUNT_LIMIT: Final = 15
CUSTOM_PREFIX: Final = "custom:"
# Standard attributes a user may edit about themselves. Anything the catalog reads from claims is removed.
SELF_EDITABLE: Final = ("name", "given_name", "family_name")
# Standard attributes the pool marks required. Cognito refuses an app client that cannot write one of them
# ("Invalid write attributes specified while creating a client"), so each is writable; none may be a claim the
# catalog reads (a user-writable value must never reach a policy).
REQUIRED_ATTRIBUTES: Final = ("email",)
RESOLVED_FIELDS: Final = (("Mutation", "vendCredentials"), ("Query", "scopes"))
# The ADOT layer's wrapper script: it starts OpenTelemetry before the handler is imported.
OTEL_EXEC_WRAPPER: Final = "/opt/otel-instrument"
WAF_RATE_WINDOW_SECONDS: Final = 300
# The alias AppSync invokes when SnapStart is on (SnapStart works on published versions and aliases only).
SNAPSTART_ALIAS: Final = "live"


def revocation_policy_name(stage: str) -> str:
    # Named: `vend revoke` finds it, and the custom resource that creates it once can adopt it after a teardown.
    return f"vend-{stage}-revocations"


def vend_role_name(stage: str, role: str) -> str:
    # Named, so the Lambda's settings and policies hold literal ARNs and revocation runbooks can name the role.
    return f"vend-{stage}-{role}"


def writable_attributes(catalog: Catalog) -> list[str]:
    """The app client's write attributes: every required attribute, never one the catalog reads from claims."""
    read_by_catalog = {c.claim for c in catalog.claims.values()}
    clash = sorted(read_by_catalog.intersection(REQUIRED_ATTRIBUTES))
    if clash:
        raise ValueError(
            f"the catalog reads {', '.join(clash)}, which the user pool requires and so every app client may "
            "write: a value the user controls must not reach a policy"
        )
    return sorted(a for a in {*SELF_EDITABLE, *REQUIRED_ATTRIBUTES} if a not in read_by_catalog)


def missing_required_writes(required: list[str], write: list[str]) -> list[str]:
    """Required attributes an app client cannot write: Cognito refuses such a client at deploy."""
    return sorted(set(required) - set(write))


class VendStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        catalog: Catalog,
        package_dir: Path,
        schema_path: Path,
        resolver_code_path: Path,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=config.account, region=config.region),
            description=f"Credential vending service ({config.stage})",
            **kwargs,
        )
        self.config = config
        self.catalog = catalog
        # load_config has already refused a deployment that lacks a value the catalog needs.
        deployment = config.deployment_values()

        self.user_pool = self._user_pool()
        self.app_client = self._app_client(self.user_pool)
        # Amplify's clients send access tokens; the trigger gives them the claims the catalog reads.
        self.token_claims = (
            TokenClaimsTrigger(
                self,
                "TokenClaims",
                catalog=catalog,
                user_pool=self.user_pool,
                runtime=RUNTIME,
                architecture=ARCHITECTURE,
                log_retention=LOG_RETENTION,
            )
            if catalog.token_claims
            else None
        )
        if config.create_groups:
            for group in sorted(catalog.groups):
                cognito.CfnUserPoolGroup(
                    self,
                    f"Group-{group}",
                    user_pool_id=self.user_pool.user_pool_id,
                    group_name=group,
                    description="Named by the scope catalog; membership admits scopes.",
                )

        self.lambda_role = iam.Role(
            self,
            "ResolverRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Resolver Lambda: write its logs and traces, assume the vend roles. Nothing else.",
        )
        self.vend_role_arns = {
            role: f"arn:{config.partition}:iam::{config.account}:role/{vend_role_name(config.stage, role)}"
            for role in sorted(catalog.roles)
        }
        self.session_denies = self._session_denies()
        self.revocations = self._revocation_table()
        self.revocation_policy_arn, self.revocation_policy = self._revocation_policy()
        self.vend_roles = {role: self._vend_role(role, deployment) for role in sorted(catalog.roles)}
        self.function = self._function(package_dir, deployment)
        self.operator_policy = self._operator_policy()
        self.api = self._api(schema_path, resolver_code_path)
        self.web_acl = self._web_acl() if config.waf else None
        self.node.add_validation(_IamSizes(self))

        for output_id, value, description in (
            ("GraphQLUrl", self.api.graphql_url, "AppSync GraphQL endpoint"),
            ("UserPoolId", self.user_pool.user_pool_id, "Cognito user pool id"),
            ("AppClientId", self.app_client.user_pool_client_id, "Cognito app client id (public, no secret)"),
            ("Region", self.region, "Region of the API and the user pool"),
            # What `vend smoke` probes with vended credentials (docs/deploy.md, the last deploy step).
            *(
                [("BucketName", config.bucket_name, "The uploads bucket the scopes grant ({{bucket}})")]
                if config.bucket_name
                else []
            ),
            *(
                [("TableArn", config.table_arn, "The items table ({{table_arn}})")]
                if config.table_arn
                else []
            ),
            # What `vend revoke` acts on, and the policy to attach to whoever runs it (docs/deploy.md, Revoking).
            ("RevocationTable", self.revocations.table_name, "The revocation store `vend revoke` writes"),
            ("RevocationPolicyArn", self.revocation_policy_arn, "The role-level deny `vend revoke` owns"),
            (
                "RevocationOperatorPolicyArn",
                self.operator_policy.ref,
                "Attach to the people or roles that run `vend revoke` (not attached to anything here)",
            ),
        ):
            cdk.CfnOutput(self, output_id, value=value, description=description)
        if self.token_claims is not None and config.user_pool_id is not None:
            cdk.CfnOutput(
                self,
                "TokenClaimsTriggerArn",
                value=self.token_claims.function.function_arn,
                description="Attach to your user pool as its pre token generation trigger, version V2_0",
            )

    # --- Cognito -------------------------------------------------------------------------------------------
    def _user_pool(self) -> cognito.IUserPool:
        config = self.config
        if config.user_pool_id is not None:
            # An existing pool: its attributes and other app clients are the operator's to check (docs/deploy.md).
            return cognito.UserPool.from_user_pool_id(self, "UserPool", config.user_pool_id)
        custom = {
            c.claim.removeprefix(CUSTOM_PREFIX): cognito.StringAttribute(min_len=1, max_len=64, mutable=True)
            for c in self.catalog.claims.values()
            if c.claim.startswith(CUSTOM_PREFIX)
        }
        mfa = {"required": cognito.Mfa.REQUIRED, "optional": cognito.Mfa.OPTIONAL, "off": cognito.Mfa.OFF}
        return cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"credential-vending-{config.stage}",
            self_sign_up_enabled=config.self_sign_up,
            sign_in_aliases=cognito.SignInAliases(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            custom_attributes=custom,
            # TOTP only: SMS codes can be SIM-swapped and need an SMS role.
            mfa=mfa[config.mfa],
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False) if config.mfa != "off" else None,
            password_policy=cognito.PasswordPolicy(
                min_length=config.password_min_length,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=cdk.Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # A changed email takes effect only once verified: until then the old, verified one stays.
            keep_original=cognito.KeepOriginalAttrs(email=True),
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            # Users and their attributes outlive a stack teardown.
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

    def _app_client(self, pool: cognito.IUserPool) -> cognito.UserPoolClient:
        write = writable_attributes(self.catalog)
        read_custom = sorted(
            c.claim.removeprefix(CUSTOM_PREFIX)
            for c in self.catalog.claims.values()
            if c.claim.startswith(CUSTOM_PREFIX)
        )
        return cognito.UserPoolClient(
            self,
            "AppClient",
            user_pool=pool,
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            # No hosted UI: CDK's default would turn on the implicit grant with a placeholder callback URL.
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=cdk.Duration.minutes(60),
            id_token_validity=cdk.Duration.minutes(60),
            refresh_token_validity=cdk.Duration.days(30),
            # Explicit lists: without them Cognito lets the client write every mutable attribute.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(**_mask(write)),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(**_mask([*SELF_EDITABLE, "email", "email_verified"]))
            .with_custom_attributes(*read_custom),
        )

    # --- IAM -----------------------------------------------------------------------------------------------
    def _session_denies(self) -> iam.CfnManagedPolicy:
        # CloudFormation's own deny policy on every vend role: a session without a source identity, and the
        # deploy-time fallback revocations (revoke_issued_before, revoke_subs), which every deploy rewrites from
        # its parameters. `vend revoke` writes the other one (_revocation_policy), which no deploy touches.
        config = self.config
        return iam.CfnManagedPolicy(
            self,
            "SessionDenies",
            managed_policy_name=f"vend-{config.stage}-session-denies",
            description="Deploy-time denies for vend-role sessions: no source identity, revoke_* parameters.",
            policy_document=trust.session_deny_policy(config.revoke_issued_before, config.revoke_subs),
        )

    def _revocation_table(self) -> dynamodb.Table:
        # The resolver reads the revocation partition; `vend revoke` writes it and appends to the audit partition.
        # Records expire by TTL (expiresAt) once they cannot matter; the audit entries never do. Kept on a
        # teardown, like the user pool: the audit trail outlives the stack.
        return dynamodb.Table(
            self,
            "Revocations",
            partition_key=dynamodb.Attribute(name=rev.PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=rev.SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=rev.EXPIRES_AT,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

    def _revocation_policy(self) -> tuple[str, cr.AwsCustomResource]:
        """The operator-owned deny policy: created once, with nothing revoked, and never written by a deploy.

        CloudFormation would rewrite a policy it owns on every deploy that changes it; `vend revoke` writes this
        one. A custom resource with a create call only (no update, no delete) creates it; a later deploy makes
        no call at all, a teardown leaves it (and its revocations) in place, and a new deploy of the same stage
        adopts it (EntityAlreadyExists is not an error).
        """
        config = self.config
        name = revocation_policy_name(config.stage)
        arn = f"arn:{config.partition}:iam::{config.account}:policy/{name}"
        creator = cr.AwsCustomResource(
            self,
            "RevocationPolicy",
            on_create=cr.AwsSdkCall(
                service="IAM",
                action="CreatePolicy",
                parameters={
                    "PolicyName": name,
                    "PolicyDocument": json.dumps(revocation.initial_deny_policy(), sort_keys=True),
                    "Description": "Owned by vend revoke (docs/deploy.md): denies for revoked callers' sessions.",
                },
                physical_resource_id=cr.PhysicalResourceId.of(arn),
                ignore_error_codes_matching="EntityAlreadyExists",
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["iam:CreatePolicy"], resources=[arn])]
            ),
            install_latest_aws_sdk=False,
        )
        return arn, creator

    def _operator_policy(self) -> iam.CfnManagedPolicy:
        config = self.config
        return iam.CfnManagedPolicy(
            self,
            "RevocationOperator",
            managed_policy_name=f"vend-{config.stage}-revocation-operator",
            description="What vend revoke, vend unrevoke and vend revoke --list need. Attach it to your operators.",
            policy_document=revocation.operator_policy(
                table_arn=self.revocations.table_arn,
                deny_policy_arn=self.revocation_policy_arn,
                user_pool_arn=self.user_pool.user_pool_arn,
                stack_arn=self.format_arn(
                    service="cloudformation", resource="stack", resource_name=f"{self.stack_name}/*"
                ),
            ),
        )

    def _vend_role(self, role: str, deployment: dict[str, str]) -> iam.CfnRole:
        config = self.config
        scopes = ceiling.role_scopes(self.catalog, role)
        identity = ceiling.role_ceiling(self.catalog, role, deployment)
        managed = [
            self.session_denies.ref,
            self.revocation_policy_arn,
            *ceiling.role_managed_policies(self.catalog, role, deployment),
        ]
        cfn_role = iam.CfnRole(
            self,
            f"VendRole-{role}",
            role_name=vend_role_name(config.stage, role),
            description=f"Vended sessions for catalog role {role!r}; each narrowed by its scope's session policy.",
            assume_role_policy_document=trust.trust_policy(
                self.lambda_role.role_arn,
                [s.name for s in scopes],
                ceiling.role_session_tag_keys(self.catalog, role),
            ),
            max_session_duration=int(VEND_ROLE_MAX_SESSION.to_seconds()),
            policies=[iam.CfnRole.PolicyProperty(policy_name="ceiling", policy_document=identity)],
            managed_policy_arns=managed,
            permissions_boundary=config.permissions_boundary_arn,
        )
        # The role names the operator-owned policy by its ARN: the policy must exist first.
        cfn_role.node.add_dependency(self.revocation_policy)
        return cfn_role

    # --- Lambda --------------------------------------------------------------------------------------------
    def _function(self, package_dir: Path, deployment: dict[str, str]) -> lambda_.Function:
        config = self.config
        log_group = logs.LogGroup(
            self, "ResolverLogs", retention=LOG_RETENTION, removal_policy=cdk.RemovalPolicy.RETAIN
        )
        layer = lambda_.LayerVersion.from_layer_version_arn(
            self,
            "Powertools",
            ssm.StringParameter.value_for_string_parameter(self, POWERTOOLS_LAYER_PARAMETER),
        )
        layers = [layer]
        environment = {
            "VEND_USER_POOL_ISSUER": (
                f"https://cognito-idp.{config.region}.amazonaws.com/{self.user_pool.user_pool_id}"
            ),
            "VEND_APP_CLIENT_IDS": self.app_client.user_pool_client_id,
            "VEND_ROLE_ARNS": json.dumps(self.vend_role_arns, sort_keys=True, separators=(",", ":")),
            "VEND_REVOCATION_TABLE": self.revocations.table_name,
            # Older SDKs in the runtime default to the global STS endpoint; the regional one is the rule.
            "AWS_STS_REGIONAL_ENDPOINTS": "regional",
            # Belt and braces for what resolvers/handler.py already does: never log events, never trace
            # responses (credentials) or error text (may carry ARNs).
            "POWERTOOLS_LOGGER_LOG_EVENT": "false",
        }
        if config.otel_layer_arn is not None:
            # OpenTelemetry through the ADOT layer: its wrapper instruments the runtime, resolvers.tracing adds
            # spans without payloads. Without it, Lambda's own X-Ray segments (tracing=ACTIVE) remain.
            layers.append(lambda_.LayerVersion.from_layer_version_arn(self, "Otel", config.otel_layer_arn))
            environment |= {
                "AWS_LAMBDA_EXEC_WRAPPER": OTEL_EXEC_WRAPPER,
                "OTEL_SERVICE_NAME": f"credential-vending-{config.stage}",
                TRACING_ENV: TRACING_OTEL,
            }
        # Only the deployment settings the catalog uses: the handler refuses nothing extra, but less is clearer.
        for env_name, var in DEPLOYMENT_VARIABLES.items():
            if var in self.catalog.variables:
                environment[env_name] = deployment[var]

        function = lambda_.Function(
            self,
            "Resolver",
            description="Vends scoped STS credentials for AppSync (resolvers.handler).",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(package_dir)),
            layers=layers,
            role=self.lambda_role,
            timeout=LAMBDA_TIMEOUT,
            memory_size=256,
            # A flood of valid tokens gets throttled here instead of spending the account's Lambda concurrency
            # and STS request rate (docs/deploy.md, "Protecting the account").
            reserved_concurrent_executions=config.reserved_concurrency,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            environment=environment,
            # SnapStart applies to published versions only; AppSync then invokes the alias below.
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if config.snap_start else None,
        )
        # What AppSync invokes: the function itself, or with SnapStart an alias of its current version (a new
        # version, and so a new snapshot, is published whenever the code or the configuration changes).
        self.invoke_target: lambda_.IFunction = function
        self.alias: lambda_.Alias | None = None
        if config.snap_start:
            self.alias = lambda_.Alias(
                self,
                "ResolverLive",
                alias_name=SNAPSTART_ALIAS,
                version=function.current_version,
                description="The published, snapshotted version AppSync invokes (SnapStart).",
            )
            self.invoke_target = self.alias
        # Logs for its own log group only (the group exists before the function, so no CreateLogGroup).
        self.lambda_role.add_to_policy(
            iam.PolicyStatement(
                sid="OwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group.log_group_arn],
            )
        )
        self.lambda_role.add_to_policy(
            iam.PolicyStatement(
                sid="AssumeVendRoles",
                actions=list(trust.TRUST_ACTIONS),
                resources=sorted(self.vend_role_arns.values()),
            )
        )
        # Read only, and only the revocation partition: never a write, never the audit trail.
        self.lambda_role.add_to_policy(
            iam.PolicyStatement.from_json(revocation.resolver_read_statement(self.revocations.table_arn))
        )
        return function

    # --- AppSync -------------------------------------------------------------------------------------------
    def _api(self, schema_path: Path, resolver_code_path: Path) -> appsync.GraphqlApi:
        config = self.config
        logs_role = iam.Role(
            self,
            "ApiLogsRole",
            assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"),
            description="AppSync field logs for this API's own log group.",
        )
        api = appsync.GraphqlApi(
            self,
            "Api",
            name=f"credential-vending-{config.stage}",
            definition=appsync.Definition.from_file(str(schema_path)),
            authorization_config=appsync.AuthorizationConfig(
                default_authorization=appsync.AuthorizationMode(
                    authorization_type=appsync.AuthorizationType.USER_POOL,
                    # AppSync refuses tokens of the pool's other app clients before they reach the Lambda (which
                    # would refuse them too). Cognito client ids are [a-z0-9]+: nothing to escape.
                    user_pool_config=appsync.UserPoolConfig(
                        user_pool=self.user_pool,
                        app_id_client_regex=cdk.Fn.join("", ["^", self.app_client.user_pool_client_id, "$"]),
                    ),
                )
            ),
            xray_enabled=True,
            # AppSync's own request limits, the same as the local server's (vend_local/server.py MAX_QUERY_DEPTH,
            # MAX_ALIASES): our legitimate documents are 3 levels deep and resolve at most two Lambda fields.
            query_depth_limit=QUERY_DEPTH_LIMIT,
            resolver_count_limit=RESOLVER_COUNT_LIMIT,
        )
        # AppSync writes to /aws/appsync/apis/<api id>. We own that group (for its retention) and give the
        # logging role access to it alone. The L2 log_config prop would instead add a LogRetention custom
        # resource: one more Lambda, with AWS's managed policy and logs:* on every group.
        api_logs = logs.LogGroup(
            self,
            "ApiLogs",
            log_group_name=f"/aws/appsync/apis/{api.api_id}",
            retention=LOG_RETENTION,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        logs_role.add_to_policy(
            iam.PolicyStatement(
                sid="OwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[api_logs.log_group_arn],
            )
        )
        cfn_api = api.node.default_child
        assert isinstance(cfn_api, appsync.CfnGraphQLApi)  # noqa: S101 - a CDK invariant, not input checking
        # Errors only, and never the verbose sections (headers, context, evaluated request/response), which
        # would hold the caller's JWT and the vended credentials.
        cfn_api.log_config = appsync.CfnGraphQLApi.LogConfigProperty(
            cloud_watch_logs_role_arn=logs_role.role_arn,
            field_log_level="ERROR",
            exclude_verbose_content=True,
        )
        source = api.add_lambda_data_source("ResolverSource", self.invoke_target)
        code = appsync.Code.from_inline(resolver_code_path.read_text(encoding="utf-8"))
        for type_name, field_name in RESOLVED_FIELDS:
            # No caching_config, and the API has no cache: a cached vend would hand one caller's
            # credentials to another.
            source.create_resolver(
                f"{type_name}-{field_name}",
                type_name=type_name,
                field_name=field_name,
                runtime=appsync.FunctionRuntime.JS_1_0_0,
                code=code,
            )
        return api

    # --- WAF -----------------------------------------------------------------------------------------------
    def _web_acl(self) -> wafv2.CfnWebACL:
        config = self.config
        web_acl = wafv2.CfnWebACL(
            self,
            "ApiWebAcl",
            name=f"credential-vending-{config.stage}",
            description="Per-IP rate limit in front of the credential vending API.",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"credential-vending-{config.stage}"),
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="PerIpRate",
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            aggregate_key_type="IP",
                            limit=config.waf_rate_limit,
                            evaluation_window_sec=WAF_RATE_WINDOW_SECONDS,
                        )
                    ),
                    visibility_config=_visibility("PerIpRate"),
                )
            ],
        )
        wafv2.CfnWebACLAssociation(
            self, "ApiWebAclAssociation", resource_arn=self.api.arn, web_acl_arn=web_acl.attr_arn
        )
        return web_acl


@jsii.implements(IValidation)
class _IamSizes:
    """A construct validation (runs in every synth): each IAM document within IAM's size limit."""

    def __init__(self, stack: VendStack) -> None:
        self._stack = stack

    def validate(self) -> list[str]:
        return size_problems(_iam_documents(self._stack))


def _iam_documents(stack: cdk.Stack) -> list[IamDocument]:
    """Every trust, inline and managed policy document the stack creates, resolved to template form."""
    out: list[IamDocument] = []
    roles: dict[str, str] = {}
    for node in stack.node.find_all():
        if isinstance(node, iam.CfnRole):
            roles[stack.resolve(node.logical_id)] = owner = f"role {node.role_name or node.node.path}"
            out.append(
                IamDocument(owner, "trust", "trust policy", stack.resolve(node.assume_role_policy_document))
            )
            policies = node.policies if isinstance(node.policies, list) else []
            out.extend(
                IamDocument(owner, "inline", p.policy_name, stack.resolve(p.policy_document))
                for p in policies
                if isinstance(p, iam.CfnRole.PolicyProperty)
            )
    for node in stack.node.find_all():
        if isinstance(node, iam.CfnPolicy):
            document = stack.resolve(node.policy_document)
            for role in stack.resolve(node.roles) or []:
                owner = (
                    roles.get(role.get("Ref", ""), f"role {role}")
                    if isinstance(role, dict)
                    else f"role {role}"
                )
                out.append(IamDocument(owner, "inline", str(stack.resolve(node.policy_name)), document))
        elif isinstance(node, iam.CfnManagedPolicy):
            name = str(node.managed_policy_name or node.node.path)
            out.append(
                IamDocument(f"managed policy {name}", "managed", name, stack.resolve(node.policy_document))
            )
    return out


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


def _mask(attributes: list[str]) -> dict[str, bool]:
    """OIDC attribute names -> CDK's StandardAttributesMask keyword arguments."""
    names = {"name": "fullname", "given_name": "given_name", "family_name": "family_name"}
    names |= {"email": "email", "email_verified": "email_verified"}
    return {names[a]: True for a in attributes}
