"""Every setting the handler reads, validated as a whole at cold start. Pure: it takes the environment as a
mapping and never reads os.environ itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from resolvers import variables
from resolvers.catalog import DEFAULT_PATH
from resolvers.catalog_model import Catalog
from resolvers.errors import ConfigError

ISSUER: Final = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?/[A-Za-z0-9_-]{1,64}")
CLIENT_ID: Final = re.compile(r"[A-Za-z0-9]{1,128}")
ROLE_ARN: Final = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
# DynamoDB's table name rule.
TABLE_NAME: Final = re.compile(r"[A-Za-z0-9_.-]{3,255}")
# How long a container trusts its snapshot of the revocation store (resolvers/revocation.py).
REVOCATION_TTL_DEFAULT: Final = 10
REVOCATION_TTL_MAX: Final = 60

# Environment variable -> the template variable it provides.
DEPLOYMENT_VARIABLES: Final = {
    "VEND_BUCKET": "bucket",
    "VEND_TABLE_ARN": "table_arn",
    "VEND_ACCOUNT_ID": "account",
}


@dataclass(frozen=True, slots=True)
class Settings:
    region: str
    issuer: str
    client_ids: frozenset[str]
    catalog_path: Path
    role_arns: Mapping[str, str]
    # Validated values for {{bucket}}, {{table_arn}}, {{account}} and {{region}} (those that are set).
    deployment: Mapping[str, str] = field(default_factory=dict)
    cache_enabled: bool = True
    cache_min_remaining_seconds: int = 600
    cache_max_entries: int = 1000
    # The revocation store; None turns the revocation lookup off (the deployed stack always sets it).
    revocation_table: str | None = None
    revocation_ttl_seconds: int = REVOCATION_TTL_DEFAULT


def load_settings(env: Mapping[str, str]) -> Settings:
    """Parse the environment; raise ConfigError naming every bad or missing setting."""
    problems: list[str] = []
    region = env.get("AWS_REGION", "")
    if not variables.SETTINGS["region"].fullmatch(region):
        problems.append(f"AWS_REGION: {region!r} is not an AWS region such as 'eu-west-1'")

    issuer = env.get("VEND_USER_POOL_ISSUER", "")
    if not ISSUER.fullmatch(issuer):
        problems.append(
            "VEND_USER_POOL_ISSUER: required, the user pool's issuer URL "
            "'https://cognito-idp.<region>.amazonaws.com/<pool id>'"
        )

    client_ids = frozenset(c.strip() for c in env.get("VEND_APP_CLIENT_IDS", "").split(",") if c.strip())
    if not client_ids or not all(CLIENT_ID.fullmatch(c) for c in client_ids):
        problems.append(
            "VEND_APP_CLIENT_IDS: required, a comma-separated list of the app client ids to accept"
        )

    role_arns: dict[str, str] = {}
    raw_roles = env.get("VEND_ROLE_ARNS", "")
    try:
        parsed = json.loads(raw_roles) if raw_roles else None
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict) or not parsed:
        problems.append('VEND_ROLE_ARNS: required, a JSON object {"<catalog role>": "<vend role ARN>", ...}')
    else:
        for name, arn in parsed.items():
            if not isinstance(arn, str) or not ROLE_ARN.fullmatch(arn):
                problems.append(f"VEND_ROLE_ARNS: the value for {name!r} is not an IAM role ARN")
            else:
                role_arns[name] = arn

    deployment = {"region": region}
    for name, var in DEPLOYMENT_VARIABLES.items():
        value = env.get(name)
        if value is None:
            continue
        if variables.SETTINGS[var].fullmatch(value):
            deployment[var] = value
        else:
            problems.append(f"{name}: {value!r} does not match {variables.SETTINGS[var].pattern}")

    cache_enabled = env.get("VEND_CACHE_ENABLED", "true").lower()
    if cache_enabled not in ("true", "false"):
        problems.append("VEND_CACHE_ENABLED: must be true or false")
    min_remaining = _int_setting(
        env, "VEND_CACHE_MIN_REMAINING_SECONDS", default=600, low=0, high=3600, problems=problems
    )
    max_entries = _int_setting(
        env, "VEND_CACHE_MAX_ENTRIES", default=1000, low=1, high=100_000, problems=problems
    )

    revocation_table = env.get("VEND_REVOCATION_TABLE") or None
    if revocation_table is not None and not TABLE_NAME.fullmatch(revocation_table):
        problems.append(f"VEND_REVOCATION_TABLE: {revocation_table!r} is not a DynamoDB table name")
    revocation_ttl = _int_setting(
        env,
        "VEND_REVOCATION_TTL_SECONDS",
        default=REVOCATION_TTL_DEFAULT,
        low=0,
        high=REVOCATION_TTL_MAX,
        problems=problems,
    )

    if problems:
        raise ConfigError("settings", problems)
    return Settings(
        region=region,
        issuer=issuer,
        client_ids=client_ids,
        catalog_path=Path(env.get("VEND_CATALOG_PATH") or DEFAULT_PATH),
        role_arns=role_arns,
        deployment=deployment,
        cache_enabled=cache_enabled == "true",
        cache_min_remaining_seconds=min_remaining,
        cache_max_entries=max_entries,
        revocation_table=revocation_table,
        revocation_ttl_seconds=revocation_ttl,
    )


def _int_setting(
    env: Mapping[str, str], name: str, *, default: int, low: int, high: int, problems: list[str]
) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,6}", raw) or not low <= int(raw) <= high:
        problems.append(f"{name}: {raw!r} must be a whole number from {low} to {high}")
        return default
    return int(raw)


def check_against_catalog(settings: Settings, catalog: Catalog) -> None:
    """The catalog's roles and deployment variables must all be configured, and nothing more."""
    problems = [
        f"VEND_ROLE_ARNS: no ARN for role {role!r}, which the catalog uses"
        for role in sorted(catalog.roles - settings.role_arns.keys())
    ]
    problems += [
        f"VEND_ROLE_ARNS: role {role!r} is not used by the catalog (a typo?)"
        for role in sorted(settings.role_arns.keys() - catalog.roles)
    ]
    env_of = {var: env for env, var in DEPLOYMENT_VARIABLES.items()}
    problems += [
        f"{env_of[var]}: required, the catalog uses {{{{{var}}}}}"
        for var in sorted(catalog.variables & env_of.keys())
        if var not in settings.deployment
    ]
    if problems:
        raise ConfigError("settings", problems)
