"""Deployment parameters of the CDK app, from CDK context or the environment, validated as a whole. Pure.

Each parameter is read from CDK context first (``cdk deploy -c stage=prod`` or cdk.json) and then from the
environment variable ``VEND_INFRA_<NAME>``. The target account and region come from context ``account`` and
``region`` or from the CDK CLI's ``CDK_DEFAULT_ACCOUNT`` / ``CDK_DEFAULT_REGION``: the stack needs them concrete,
because the vend role policies and the Lambda's settings are written out as literal ARNs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from infra.trust import ISSUED_BEFORE
from resolvers import variables

Mfa = Literal["required", "optional", "off"]
MFA_CHOICES: Final[dict[str, Mfa]] = {"required": "required", "optional": "optional", "off": "off"}

STAGE: Final = re.compile(r"[a-z][a-z0-9-]{0,15}")
USER_POOL_ID: Final = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d_[A-Za-z0-9]{1,55}")
TABLE_NAME: Final = re.compile(r"[A-Za-z0-9_.-]{3,255}")
POLICY_ARN: Final = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:policy/[\w+=,.@/-]{1,512}")
# Cognito's own floor is 6; NIST SP 800-63B asks for at least 8; we default to 12.
PASSWORD_MIN_FLOOR: Final = 8
PASSWORD_MIN_DEFAULT: Final = 12
PASSWORD_MIN_CEILING: Final = 99
ENV_PREFIX: Final = "VEND_INFRA_"

KEYS: Final = (
    "stage",
    "account",
    "region",
    "user_pool_id",
    "create_groups",
    "bucket_name",
    "table_name",
    "mfa",
    "password_min_length",
    "self_sign_up",
    "permissions_boundary_arn",
    "revoke_issued_before",
    "revoke_subs",
)


@dataclass(frozen=True, slots=True)
class InfraConfig:
    stage: str
    account: str
    region: str
    # An existing user pool to use; None creates a new one.
    user_pool_id: str | None
    create_groups: bool
    bucket_name: str | None
    table_name: str | None
    mfa: Mfa
    password_min_length: int
    self_sign_up: bool
    permissions_boundary_arn: str | None
    revoke_issued_before: str | None
    revoke_subs: tuple[str, ...]

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    @property
    def table_arn(self) -> str | None:
        if self.table_name is None:
            return None
        return f"arn:{self.partition}:dynamodb:{self.region}:{self.account}:table/{self.table_name}"

    def deployment_values(self) -> dict[str, str]:
        """Values for the catalog's deployment variables, keyed like resolvers.variables.SETTINGS."""
        values = {"account": self.account, "region": self.region}
        if self.bucket_name is not None:
            values["bucket"] = self.bucket_name
        if self.table_arn is not None:
            values["table_arn"] = self.table_arn
        return values


class InfraConfigError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid deployment parameters:\n  " + "\n  ".join(problems))
        self.problems = problems


def load_config(context: Callable[[str], object], env: Mapping[str, str]) -> InfraConfig:
    """Read every parameter; raise InfraConfigError listing each bad or missing one by name."""
    problems: list[str] = []

    def raw(key: str) -> object:
        value = context(key)
        if value is None:
            value = env.get(ENV_PREFIX + key.upper())
        return value

    def text(key: str, pattern: re.Pattern[str] | None, default: str | None = None) -> str | None:
        value = raw(key)
        if value is None or value == "":
            return default
        if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
            problems.append(f"{key}: {value!r} is not valid" + (f" ({pattern.pattern})" if pattern else ""))
            return None
        return value

    def flag(key: str, default: bool) -> bool:
        value = raw(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        problems.append(f"{key}: {value!r} must be true or false")
        return default

    stage = text("stage", STAGE, "dev") or "dev"
    account = text("account", variables.SETTINGS["account"]) or env.get("CDK_DEFAULT_ACCOUNT")
    region = text("region", variables.SETTINGS["region"]) or env.get("CDK_DEFAULT_REGION")
    if account is None or not variables.SETTINGS["account"].fullmatch(account):
        problems.append("account: required, a 12-digit account id (context 'account' or CDK_DEFAULT_ACCOUNT)")
    if region is None or not variables.SETTINGS["region"].fullmatch(region):
        problems.append("region: required, such as eu-west-1 (context 'region' or CDK_DEFAULT_REGION)")

    mfa_raw = text("mfa", None, "required")
    mfa = MFA_CHOICES.get(mfa_raw or "")
    if mfa is None:
        problems.append(f"mfa: {mfa_raw!r} must be required, optional or off")
        mfa = "required"

    length_raw = raw("password_min_length")
    length = PASSWORD_MIN_DEFAULT
    if length_raw is not None:
        try:
            length = int(str(length_raw))
        except ValueError:
            length = -1
        if not PASSWORD_MIN_FLOOR <= length <= PASSWORD_MIN_CEILING:
            problems.append(
                f"password_min_length: {length_raw!r} must be a whole number from {PASSWORD_MIN_FLOOR} "
                f"to {PASSWORD_MIN_CEILING}"
            )
            length = PASSWORD_MIN_DEFAULT

    subs = _string_list(raw("revoke_subs"), "revoke_subs", problems)
    problems.extend(
        f"revoke_subs: {sub!r} is not a Cognito sub (a lowercase UUID)"
        for sub in subs
        if not variables.SUB.fullmatch(sub)
    )

    config = InfraConfig(
        stage=stage,
        account=account or "",
        region=region or "",
        user_pool_id=text("user_pool_id", USER_POOL_ID),
        create_groups=flag("create_groups", default=True),
        bucket_name=text("bucket_name", variables.SETTINGS["bucket"]),
        table_name=text("table_name", TABLE_NAME),
        mfa=mfa,
        password_min_length=length,
        self_sign_up=flag("self_sign_up", default=False),
        permissions_boundary_arn=text("permissions_boundary_arn", POLICY_ARN),
        revoke_issued_before=text("revoke_issued_before", ISSUED_BEFORE),
        revoke_subs=tuple(sorted(set(subs))),
    )
    if problems:
        raise InfraConfigError(problems)
    return config


def _string_list(value: object, key: str, problems: list[str]) -> list[str]:
    """A list from cdk.json, or a JSON array / comma-separated string from -c or the environment."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        if value.startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                problems.append(f"{key}: not a JSON array")
                return []
        else:
            value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{key}: must be a list of strings")
        return []
    return value
