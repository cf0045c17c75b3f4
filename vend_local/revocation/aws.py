"""The AWS calls of `vend revoke`/`vend unrevoke`: the revocation store, the deny policy's versions, Cognito's
sign-out and disable, and who is calling. Does network I/O through the injected clients; decides nothing.

Every failure becomes an OperatorError naming the call and AWS's error code and message: this is an operator's
terminal, not a browser, and the message is what they need to fix their permissions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from resolvers.revocation import EXPIRES_AT, PARTITION_KEY, REVOCATIONS, SORT_KEY
from vend_local.iam.revocation import versions_to_delete
from vend_local.revocation.records import Change, item_of, key_of

MAX_PAGES: Final = 100


def create_store(dynamodb: Any, table: str) -> str:
    """A revocation store as the stack creates it (keys, on-demand, TTL on expiresAt): for the embedded AWS, the
    benchmark and tests. Its ARN."""
    arn: str = dynamodb.create_table(
        TableName=table,
        KeySchema=[
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": SORT_KEY, "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]["TableArn"]
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": EXPIRES_AT}
    )
    return arn


class OperatorError(Exception):
    """A call failed; the message names it and says why, for the operator."""


@contextmanager
def _call(what: str) -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise OperatorError(
            f"{what}: {error.get('Code', 'error')}: {error.get('Message', '')}".rstrip()
        ) from None
    except BotoCoreError as exc:
        raise OperatorError(f"{what}: {exc}") from None


@dataclass(frozen=True)
class CognitoUser:
    username: str
    enabled: bool


@dataclass
class RevocationAws:
    dynamodb: Any
    iam: Any
    cognito: Any
    sts: Any
    table: str
    policy_arn: str
    user_pool_id: str
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    # ---- the store ------------------------------------------------------------------------------------------

    def read(self) -> tuple[list[dict[str, Any]], datetime]:
        """Every record of the revocation partition (consistent), and AWS's time of the answer."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
            "ExpressionAttributeValues": {":pk": {"S": REVOCATIONS}},
            "ConsistentRead": True,
        }
        items: list[dict[str, Any]] = []
        now = self.clock()
        for _ in range(MAX_PAGES):
            with _call(f"dynamodb:Query on {self.table}"):
                page = self.dynamodb.query(**request)
            now = _server_time(page) or now
            items += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return items, now
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        raise OperatorError(f"dynamodb:Query on {self.table}: more than {MAX_PAGES} pages of revocations")

    def write(self, change: Change) -> None:
        for record in change.put:
            with _call(f"dynamodb:PutItem on {self.table}"):
                self.dynamodb.put_item(TableName=self.table, Item=item_of(record))
        for sort_key in change.delete:
            with _call(f"dynamodb:DeleteItem on {self.table}"):
                self.dynamodb.delete_item(TableName=self.table, Key=key_of(sort_key))

    def audit(self, item: dict[str, Any]) -> None:
        # Never overwrite an entry of the trail.
        with _call(f"dynamodb:PutItem (audit) on {self.table}"):
            self.dynamodb.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(#sk)",
                ExpressionAttributeNames={"#sk": SORT_KEY},
            )

    # ---- the deny policy ------------------------------------------------------------------------------------

    def policy(self) -> tuple[str, dict[str, Any]]:
        """The default version's id and document."""
        with _call(f"iam:GetPolicy on {self.policy_arn}"):
            version = self.iam.get_policy(PolicyArn=self.policy_arn)["Policy"]["DefaultVersionId"]
        with _call(f"iam:GetPolicyVersion on {self.policy_arn}"):
            found = self.iam.get_policy_version(PolicyArn=self.policy_arn, VersionId=version)
        document: dict[str, Any] = found["PolicyVersion"]["Document"]
        return str(version), document

    def publish(self, document: str) -> str:
        """``document`` as the new default version; the oldest versions go first if five are stored."""
        with _call(f"iam:ListPolicyVersions on {self.policy_arn}"):
            versions = self.iam.list_policy_versions(PolicyArn=self.policy_arn)["Versions"]
        stored = [(v["VersionId"], bool(v["IsDefaultVersion"]), v["CreateDate"]) for v in versions]
        for version in versions_to_delete(stored):
            with _call(f"iam:DeletePolicyVersion {version} of {self.policy_arn}"):
                self.iam.delete_policy_version(PolicyArn=self.policy_arn, VersionId=version)
        with _call(f"iam:CreatePolicyVersion on {self.policy_arn}"):
            created = self.iam.create_policy_version(
                PolicyArn=self.policy_arn, PolicyDocument=document, SetAsDefault=True
            )
        return str(created["PolicyVersion"]["VersionId"])

    # ---- Cognito --------------------------------------------------------------------------------------------

    def user(self, sub: str) -> CognitoUser | None:
        # The sub is a validated UUID: nothing in it can change the filter's meaning.
        with _call(f"cognito-idp:ListUsers in {self.user_pool_id}"):
            users = self.cognito.list_users(UserPoolId=self.user_pool_id, Filter=f'sub = "{sub}"', Limit=2)
        found = users.get("Users", [])
        if not found:
            return None
        return CognitoUser(str(found[0]["Username"]), bool(found[0].get("Enabled", True)))

    def sign_out(self, user: CognitoUser) -> None:
        with _call(f"cognito-idp:AdminUserGlobalSignOut of {user.username}"):
            self.cognito.admin_user_global_sign_out(UserPoolId=self.user_pool_id, Username=user.username)

    def disable(self, user: CognitoUser) -> None:
        with _call(f"cognito-idp:AdminDisableUser of {user.username}"):
            self.cognito.admin_disable_user(UserPoolId=self.user_pool_id, Username=user.username)

    def enable(self, user: CognitoUser) -> None:
        with _call(f"cognito-idp:AdminEnableUser of {user.username}"):
            self.cognito.admin_enable_user(UserPoolId=self.user_pool_id, Username=user.username)

    # ---- who ------------------------------------------------------------------------------------------------

    def caller(self) -> str:
        """The operator's ARN, for the audit trail (GetCallerIdentity needs no permission)."""
        try:
            return str(self.sts.get_caller_identity()["Arn"])
        except (ClientError, BotoCoreError):
            return "unknown (sts:GetCallerIdentity failed)"


def _server_time(response: Any) -> datetime | None:
    """AWS's clock from the answer's Date header: the times written are AWS's, whatever the local clock says."""
    date = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    try:
        return parsedate_to_datetime(date).astimezone(UTC) if date else None
    except (TypeError, ValueError):
        return None
