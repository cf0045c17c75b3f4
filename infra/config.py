"""Deployment parameters of the CDK app, from CDK context or the environment, validated as a whole. Pure.

Each parameter is read from CDK context first (``cdk deploy -c stage=prod`` or cdk.json) and then from the
environment variable ``VEND_INFRA_<NAME>``. The stack needs the account and region concrete, because the vend role
policies and the Lambda's settings are written out as literal ARNs. The account may come from the CDK CLI
(``CDK_DEFAULT_ACCOUNT``: the account of the credentials that deploy), but the region must be given explicitly:
the CLI's ``CDK_DEFAULT_REGION`` is whatever the local profile happens to say, and a stack silently created in
the wrong region is a second user pool, a second API and an orphaned first one.

Every problem, including the values the catalog needs and an unsupported region, is reported in one message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from infra.regions import region_problem
from resolvers import variables
from vend_local.iam.trust import ISSUED_BEFORE

Mfa = Literal["required", "optional", "off"]
MFA_CHOICES: Final[dict[str, Mfa]] = {"required": "required", "optional": "optional", "off": "off"}

STAGE: Final = re.compile(r"[a-z][a-z0-9-]{0,15}")
USER_POOL_ID: Final = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d_[A-Za-z0-9]{1,55}")
TABLE_NAME: Final = re.compile(r"[A-Za-z0-9_.-]{3,255}")
POLICY_ARN: Final = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:policy/[\w+=,.@/-]{1,512}")
OTEL_LAYER_ARN: Final = re.compile(
    r"arn:aws:lambda:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:layer:[A-Za-z0-9_-]{1,140}:\d{1,8}"
)
# Cognito's own floor is 6; NIST SP 800-63B asks for at least 8; we default to 12.
PASSWORD_MIN_FLOOR: Final = 8
PASSWORD_MIN_DEFAULT: Final = 12
PASSWORD_MIN_CEILING: Final = 99
ENV_PREFIX: Final = "VEND_INFRA_"
# Lambda reserved concurrency: the resolver never runs more than this many at once, and always may. The default
# keeps a flood of valid tokens from spending the account's whole Lambda concurrency (and, through it, its STS
# request rate, which cannot be raised). docs/deploy.md has the trade-offs.
RESERVED_CONCURRENCY_DEFAULT: Final = 10
RESERVED_CONCURRENCY_MAX: Final = 1000
# AWS WAF rate-based rule: requests per client IP per 5-minute window, then blocked until the rate falls.
# WAF accepts 10 to 2,000,000,000.
WAF_RATE_LIMIT_DEFAULT: Final = 500
WAF_RATE_LIMIT_MIN: Final = 10
WAF_RATE_LIMIT_MAX: Final = 2_000_000_000
# Catalog deployment variable -> the parameter that provides it.
CATALOG_PARAMETERS: Final = {"bucket": "bucket_name", "table_arn": "table_name", "account": "account"}

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
    "reserved_concurrency",
    "waf",
    "waf_rate_limit",
    "otel_layer_arn",
    "snap_start",
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
    # None: no reservation (the function shares the account's unreserved pool).
    reserved_concurrency: int | None = RESERVED_CONCURRENCY_DEFAULT
    waf: bool = True
    waf_rate_limit: int = WAF_RATE_LIMIT_DEFAULT
    # The ADOT Lambda layer for OpenTelemetry; None: no in-function spans (Lambda's own X-Ray segments remain).
    otel_layer_arn: str | None = None
    # Lambda SnapStart: publish a version with a snapshot and let AppSync invoke it through an alias (docs/deploy.md,
    # "SnapStart"). Off by default: for Python, AWS charges for the snapshot cache and for every restore.
    snap_start: bool = False

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
        super().__init__(
            f"{len(problems)} deployment parameter problem(s); pass each with -c name=value "
            "(docs/deploy.md, Parameters):\n  " + "\n  ".join(problems)
        )
        self.problems = problems


class _Reader:
    """Reads parameters from context, then the environment, collecting every problem instead of stopping."""

    def __init__(self, context: Callable[[str], object], env: Mapping[str, str]) -> None:
        self._context = context
        self._env = env
        self.problems: list[str] = []

    def raw(self, key: str) -> object:
        value = self._context(key)
        if value is None:
            value = self._env.get(ENV_PREFIX + key.upper())
        return value

    def text(self, key: str, pattern: re.Pattern[str] | None, default: str | None = None) -> str | None:
        value = self.raw(key)
        if value is None or value == "":
            return default
        if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
            self.problems.append(
                f"{key}: {value!r} is not valid" + (f" ({pattern.pattern})" if pattern else "")
            )
            return None
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.problems.append(f"{key}: {value!r} must be true or false")
        return default

    def number(self, key: str, default: int, low: int, high: int, *, off: bool = False) -> int | None:
        value = self.raw(key)
        if value is None or value == "":
            return default
        if off and isinstance(value, str) and value.lower() == "off":
            return None
        parsed = value if isinstance(value, int) and not isinstance(value, bool) else None
        if isinstance(value, str) and value.isdigit():
            parsed = int(value)
        if parsed is None or not low <= parsed <= high:
            hint = " or off" if off else ""
            self.problems.append(f"{key}: {value!r} must be a whole number from {low} to {high}{hint}")
            return default
        return parsed

    def region(self) -> str | None:
        region = self.text("region", variables.SETTINGS["region"])
        if region is None:
            if self.raw("region") in (None, ""):
                self.problems.append(
                    "region: required, given explicitly (-c region=eu-west-1 or VEND_INFRA_REGION); "
                    "the CLI's default region is not used"
                )
            return None
        problem = region_problem(region)
        if problem is not None:
            self.problems.append(problem)
        return region

    def otel_layer(self, region: str | None) -> str | None:
        otel = self.text("otel_layer_arn", OTEL_LAYER_ARN)
        layer = OTEL_LAYER_ARN.fullmatch(otel or "")
        if layer is not None and region is not None and layer.group(1) != region:
            self.problems.append(f"otel_layer_arn: the layer is in {layer.group(1)}, the stack in {region}")
        return otel


def load_config(
    context: Callable[[str], object], env: Mapping[str, str], needs: Iterable[str] = ()
) -> InfraConfig:
    """Read every parameter; raise InfraConfigError listing each bad or missing one by name.

    ``needs`` are the deployment variables the catalog uses (``Catalog.variables``): a missing one is reported
    with the rest, so a first synth with no context lists everything in one message.
    """
    read = _Reader(context, env)
    account = read.text("account", variables.SETTINGS["account"]) or env.get("CDK_DEFAULT_ACCOUNT")
    if account is None or not variables.SETTINGS["account"].fullmatch(account):
        read.problems.append(
            "account: required, a 12-digit account id (context 'account' or CDK_DEFAULT_ACCOUNT)"
        )
    region = read.region()
    mfa_raw = read.text("mfa", None, "required")
    mfa = MFA_CHOICES.get(mfa_raw or "")
    if mfa is None:
        read.problems.append(f"mfa: {mfa_raw!r} must be required, optional or off")
    subs = _string_list(read.raw("revoke_subs"), "revoke_subs", read.problems)
    read.problems.extend(
        f"revoke_subs: {sub!r} is not a Cognito sub (a lowercase UUID)"
        for sub in subs
        if not variables.SUB.fullmatch(sub)
    )
    config = InfraConfig(
        stage=read.text("stage", STAGE, "dev") or "dev",
        account=account or "",
        region=region or "",
        user_pool_id=read.text("user_pool_id", USER_POOL_ID),
        create_groups=read.flag("create_groups", default=True),
        bucket_name=read.text("bucket_name", variables.SETTINGS["bucket"]),
        table_name=read.text("table_name", TABLE_NAME),
        mfa=mfa or "required",
        password_min_length=read.number(
            "password_min_length", PASSWORD_MIN_DEFAULT, PASSWORD_MIN_FLOOR, PASSWORD_MIN_CEILING
        )
        or PASSWORD_MIN_DEFAULT,
        self_sign_up=read.flag("self_sign_up", default=False),
        permissions_boundary_arn=read.text("permissions_boundary_arn", POLICY_ARN),
        revoke_issued_before=read.text("revoke_issued_before", ISSUED_BEFORE),
        revoke_subs=tuple(sorted(set(subs))),
        # 0 would throttle every request; "off" is how to ask for no reservation.
        reserved_concurrency=read.number(
            "reserved_concurrency", RESERVED_CONCURRENCY_DEFAULT, 1, RESERVED_CONCURRENCY_MAX, off=True
        ),
        waf=read.flag("waf", default=True),
        waf_rate_limit=read.number(
            "waf_rate_limit", WAF_RATE_LIMIT_DEFAULT, WAF_RATE_LIMIT_MIN, WAF_RATE_LIMIT_MAX
        )
        or WAF_RATE_LIMIT_DEFAULT,
        otel_layer_arn=read.otel_layer(region),
        snap_start=read.flag("snap_start", default=False),
    )
    provided = config.deployment_values()
    read.problems.extend(
        f"{CATALOG_PARAMETERS[var]}: required, the catalog uses {{{{{var}}}}}"
        for var in sorted(set(needs))
        if var in CATALOG_PARAMETERS and var not in provided
    )
    if read.problems:
        raise InfraConfigError(read.problems)
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
