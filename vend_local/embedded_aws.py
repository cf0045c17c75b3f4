"""The embedded AWS: an in-process moto server on 127.0.0.1, seeded from the scope catalog. Does network I/O
(to that local server only) and nothing else.

Seeded like the deployed stack: a user pool with the catalog's groups and an app client that may not write
custom:tenant_id; demo users; a Lambda role and one vend role per catalog role, trusting only the Lambda role
with sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity; the uploads bucket with a few objects and the
items table. The handler then runs with credentials of the assumed Lambda role, so a vend is role chaining
as in Lambda. moto enforces neither the trust policy nor any session policy (see docs/local-server.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import boto3

from resolvers.catalog_model import Catalog
from vend_local import demo

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

# Credentials for seeding moto; moto accepts any. Never real ones: the embedded mode never reaches AWS.
BOOTSTRAP_KEY_ID: Final = "AKIAVENDLOCALBOOTSTR"
BOOTSTRAP_SECRET: Final = "vend-local-bootstrap-not-a-secret"  # noqa: S105 - moto accepts any value
LAMBDA_SESSION_SECONDS: Final = 3600
STS_ACTIONS: Final = ("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity")


@dataclass(frozen=True)
class RoleCredentials:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)


@dataclass(frozen=True)
class SeededUser:
    username: str
    sub: str
    groups: tuple[str, ...]
    tenant: str | None
    password: str = field(repr=False)


@dataclass(frozen=True)
class Deployment:
    """What the handler and the verifier need, for the embedded AWS or a real account."""

    region: str
    user_pool_id: str
    app_client_ids: tuple[str, ...]
    role_arns: Mapping[str, str]
    bucket: str | None
    table_arn: str | None
    account_id: str | None
    endpoint_url: str | None = None
    lambda_credentials: RoleCredentials | None = None
    users: tuple[SeededUser, ...] = ()

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        # moto serves the pool's JWKS under its own host; Cognito under the issuer.
        if self.endpoint_url:
            return f"{self.endpoint_url}/{self.user_pool_id}/.well-known/jwks.json"
        return f"{self.issuer}/.well-known/jwks.json"


def handler_environment(deployment: Deployment, catalog_path: str) -> dict[str, str]:
    """The Lambda's environment variables, as the deployed stack sets them."""
    env = {
        "AWS_REGION": deployment.region,
        "AWS_DEFAULT_REGION": deployment.region,
        "VEND_USER_POOL_ISSUER": deployment.issuer,
        "VEND_APP_CLIENT_IDS": ",".join(deployment.app_client_ids),
        "VEND_ROLE_ARNS": json.dumps(dict(deployment.role_arns), sort_keys=True),
        "VEND_CATALOG_PATH": catalog_path,
        # Local use: no X-Ray daemon and no CloudWatch metrics to flush.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "credential-vending",
    }
    optional = {
        "VEND_BUCKET": deployment.bucket,
        "VEND_TABLE_ARN": deployment.table_arn,
        "VEND_ACCOUNT_ID": deployment.account_id,
    }
    env |= {name: value for name, value in optional.items() if value}
    if deployment.endpoint_url is not None and deployment.lambda_credentials is not None:
        creds = deployment.lambda_credentials
        env |= {
            # Every AWS call of the handler goes to the embedded endpoint, with the Lambda role's credentials.
            "AWS_ENDPOINT_URL": deployment.endpoint_url,
            "AWS_ENDPOINT_URL_STS": deployment.endpoint_url,
            "AWS_ACCESS_KEY_ID": creds.access_key_id,
            "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
            "AWS_SESSION_TOKEN": creds.session_token,
            # Nothing from the developer's ~/.aws may take part.
            "AWS_CONFIG_FILE": "/nonexistent/vend-local/config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/vend-local/credentials",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    return env


# Variables that would point boto3 at another account or endpoint in embedded mode.
EMBEDDED_UNSET: Final = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI")


class EmbeddedAws:
    """A moto server on a free port of 127.0.0.1, seeded by ``seed``. One per process: moto's state is global."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        from moto.server import ThreadedMotoServer  # noqa: PLC0415 - heavy: only when an embedded AWS starts

        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.endpoint_url = ""

    def start(self) -> str:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        return self.endpoint_url

    def stop(self) -> None:
        self._server.stop()

    def client(self, service: str, region: str = demo.REGION, **credentials: str) -> Any:
        session = boto3.session.Session(
            aws_access_key_id=credentials.get("access_key_id", BOOTSTRAP_KEY_ID),
            aws_secret_access_key=credentials.get("secret_access_key", BOOTSTRAP_SECRET),
            aws_session_token=credentials.get("session_token"),
            region_name=region,
        )
        return session.client(service, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]

    def seed(
        self, catalog: Catalog, *, cors_origins: Iterable[str] = (), region: str = demo.REGION
    ) -> Deployment:
        pool_id, client_id = self._seed_cognito(catalog, region)
        users = self._seed_users(pool_id, region)
        lambda_role_arn, role_arns = self._seed_roles(catalog, region)
        table_arn = self._seed_data(users, list(cors_origins), region)
        assumed = self.client("sts", region).assume_role(
            RoleArn=lambda_role_arn,
            RoleSessionName=demo.LAMBDA_ROLE,
            DurationSeconds=LAMBDA_SESSION_SECONDS,
        )["Credentials"]
        return Deployment(
            region=region,
            user_pool_id=pool_id,
            app_client_ids=(client_id,),
            role_arns=role_arns,
            bucket=demo.BUCKET,
            table_arn=table_arn,
            account_id=demo.ACCOUNT_ID,
            endpoint_url=self.endpoint_url,
            lambda_credentials=RoleCredentials(
                assumed["AccessKeyId"], assumed["SecretAccessKey"], assumed["SessionToken"]
            ),
            users=users,
        )

    # ---- seeding ----------------------------------------------------------------------------------------

    def _seed_cognito(self, catalog: Catalog, region: str) -> tuple[str, str]:
        idp: CognitoIdentityProviderClient = self.client("cognito-idp", region)
        pool_id = idp.create_user_pool(
            PoolName=demo.USER_POOL,
            Schema=[
                {"Name": "email", "AttributeDataType": "String", "Mutable": True},
                {
                    "Name": demo.TENANT_ATTRIBUTE,
                    "AttributeDataType": "String",
                    "Mutable": True,
                    "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
                },
            ],
        )["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=demo.APP_CLIENT,
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            ReadAttributes=["email", "email_verified", f"custom:{demo.TENANT_ATTRIBUTE}"],
            # custom:tenant_id reaches a policy: no app client may write it (users could pick any tenant).
            WriteAttributes=["email"],
        )["UserPoolClient"]["ClientId"]
        groups = set(catalog.groups) | {g for u in demo.DEMO_USERS for g in u.groups}
        for group in sorted(groups):
            idp.create_group(GroupName=group, UserPoolId=pool_id)
        return pool_id, client_id

    def _seed_users(self, pool_id: str, region: str) -> tuple[SeededUser, ...]:
        idp: CognitoIdentityProviderClient = self.client("cognito-idp", region)
        seeded = []
        for user in demo.DEMO_USERS:
            attributes: list[AttributeTypeTypeDef] = [
                {"Name": "email", "Value": user.email},
                {"Name": "email_verified", "Value": "true"},
            ]
            if user.tenant is not None:
                attributes.append({"Name": f"custom:{demo.TENANT_ATTRIBUTE}", "Value": user.tenant})
            idp.admin_create_user(
                UserPoolId=pool_id,
                Username=user.username,
                UserAttributes=attributes,
                MessageAction="SUPPRESS",
            )
            idp.admin_set_user_password(
                UserPoolId=pool_id, Username=user.username, Password=user.password, Permanent=True
            )
            for group in user.groups:
                idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user.username, GroupName=group)
            got = idp.admin_get_user(UserPoolId=pool_id, Username=user.username)
            sub = next(a["Value"] for a in got["UserAttributes"] if a["Name"] == "sub")
            seeded.append(SeededUser(user.username, sub, user.groups, user.tenant, user.password))
        return tuple(seeded)

    def _seed_roles(self, catalog: Catalog, region: str) -> tuple[str, dict[str, str]]:
        iam = self.client("iam", region)
        lambda_role_arn: str = iam.create_role(
            RoleName=demo.LAMBDA_ROLE,
            AssumeRolePolicyDocument=_document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            ),
        )["Role"]["Arn"]
        role_arns: dict[str, str] = {}
        for role in sorted(catalog.roles):
            arn: str = iam.create_role(
                RoleName=demo.vend_role_name(role),
                MaxSessionDuration=3600,
                AssumeRolePolicyDocument=_document(
                    [{"Effect": "Allow", "Principal": {"AWS": lambda_role_arn}, "Action": list(STS_ACTIONS)}]
                ),
            )["Role"]["Arn"]
            iam.put_role_policy(
                RoleName=demo.vend_role_name(role),
                PolicyName="ceiling",
                PolicyDocument=_document([_ceiling(catalog, role, region)]),
            )
            role_arns[role] = arn
        # Role chaining needs these on the Lambda role's own permissions as well as in the trust policies.
        iam.put_role_policy(
            RoleName=demo.LAMBDA_ROLE,
            PolicyName="vend",
            PolicyDocument=_document(
                [{"Effect": "Allow", "Action": list(STS_ACTIONS), "Resource": sorted(role_arns.values())}]
            ),
        )
        return lambda_role_arn, role_arns

    def _seed_data(self, users: tuple[SeededUser, ...], cors_origins: list[str], region: str) -> str:
        s3 = self.client("s3", region)
        if region == "us-east-1":
            s3.create_bucket(Bucket=demo.BUCKET)
        else:
            s3.create_bucket(Bucket=demo.BUCKET, CreateBucketConfiguration={"LocationConstraint": region})
        for key, body in demo.objects_for({u.username: u.sub for u in users}).items():
            s3.put_object(Bucket=demo.BUCKET, Key=key, Body=body)
        if cors_origins:
            s3.put_bucket_cors(
                Bucket=demo.BUCKET,
                CORSConfiguration={
                    "CORSRules": [
                        {
                            "AllowedOrigins": cors_origins,
                            "AllowedMethods": ["GET", "PUT", "HEAD"],
                            "AllowedHeaders": ["*"],
                            "ExposeHeaders": ["ETag"],
                            "MaxAgeSeconds": 600,
                        }
                    ]
                },
            )
        dynamodb = self.client("dynamodb", region)
        table_arn: str = dynamodb.create_table(
            TableName=demo.TABLE,
            KeySchema=[{"AttributeName": demo.TABLE_PARTITION_KEY, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": demo.TABLE_PARTITION_KEY, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )["TableDescription"]["TableArn"]
        for user in users:
            dynamodb.put_item(
                TableName=demo.TABLE,
                Item={demo.TABLE_PARTITION_KEY: {"S": user.sub}, "note": {"S": f"{user.username}'s item"}},
            )
        return table_arn


def _document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def _ceiling(catalog: Catalog, role: str, region: str) -> dict[str, Any]:
    """The vend role's identity policy: the actions its scopes grant, on the local bucket and table only.
    Session policies narrow this per vend (in AWS; moto enforces neither).
    """
    actions = sorted(
        {
            action
            for scope in catalog.scopes.values()
            if scope.role == role
            for statement in scope.statements
            if statement.effect == "Allow"
            for action in statement.actions
        }
    )
    return {
        "Effect": "Allow",
        "Action": actions or ["s3:GetObject"],
        "Resource": [
            f"arn:aws:s3:::{demo.BUCKET}",
            f"arn:aws:s3:::{demo.BUCKET}/*",
            f"arn:aws:dynamodb:{region}:{demo.ACCOUNT_ID}:table/{demo.TABLE}",
        ],
    }
