"""Synthetic callers and deployments for local previews, parsed by the Lambda's own code. Pure, no I/O.

Nothing here re-implements a rule: a caller goes through ``caller_from_identity`` and a deployment through
``load_settings`` and ``check_against_catalog``, exactly as the Lambda parses them at run time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from resolvers.catalog_model import Catalog
from resolvers.identity import Caller, TokenUse, caller_from_identity
from resolvers.settings import Settings, check_against_catalog, load_settings

# Example deployment values: the ones the README and the golden policies use.
EXAMPLE_REGION: Final = "eu-west-1"
EXAMPLE_ACCOUNT: Final = "123456789012"
EXAMPLE_BUCKET: Final = "vend-example-uploads"
EXAMPLE_TABLE_NAME: Final = "vend-example-items"
EXAMPLE_USERNAME: Final = "example-user"
# The caller is parsed as if it came from this pool and app client; both are ours, never the operator's input.
EXAMPLE_ISSUER: Final = f"https://cognito-idp.{EXAMPLE_REGION}.amazonaws.com/{EXAMPLE_REGION}_Example1"
EXAMPLE_CLIENT_ID: Final = "exampleclientid0123456789a"

# Claims the identity itself sets; an operator's --claim may not override them.
IDENTITY_CLAIMS: Final = frozenset(
    {"sub", "iss", "token_use", "client_id", "aud", "cognito:groups", "username"}
)


def table_arn(region: str, account: str, name: str = EXAMPLE_TABLE_NAME) -> str:
    return f"arn:aws:dynamodb:{region}:{account}:table/{name}"


def example_deployment(region: str = EXAMPLE_REGION, account: str = EXAMPLE_ACCOUNT) -> dict[str, str]:
    """The deployment values templates render with, as the README and the golden policies use them."""
    return {
        "bucket": EXAMPLE_BUCKET,
        "table_arn": table_arn(region, account),
        "account": account,
        "region": region,
    }


def placeholder_role_arns(catalog: Catalog, account: str) -> dict[str, str]:
    """One placeholder vend-role ARN per catalog role; the ARN is not part of the policy budget."""
    return {role: f"arn:aws:iam::{account}:role/vend-{role}" for role in sorted(catalog.roles)}


def make_caller(
    *,
    sub: str,
    username: str,
    groups: list[str],
    claims: Mapping[str, str],
    token_use: TokenUse,
) -> Caller:
    """Build the AppSync identity a Cognito caller would present and parse it like the Lambda does.

    Raises ``resolvers.errors.Unauthorized`` exactly where the Lambda would (a sub that is not a UUID).
    """
    token: dict[str, object] = {
        **claims,
        "sub": sub,
        "iss": EXAMPLE_ISSUER,
        "token_use": token_use,
        "cognito:groups": list(groups),
    }
    # An access token names its app client in client_id, an ID token in aud.
    token["client_id" if token_use == "access" else "aud"] = EXAMPLE_CLIENT_ID  # noqa: S105 - claim value
    identity = {
        "sub": sub,
        "username": username,
        "groups": list(groups) or None,
        "issuer": EXAMPLE_ISSUER,
        "claims": token,
        "sourceIp": ["127.0.0.1"],
        "defaultAuthStrategy": "ALLOW",
    }
    return caller_from_identity(identity, issuer=EXAMPLE_ISSUER, client_ids=frozenset({EXAMPLE_CLIENT_ID}))


def make_settings(
    catalog: Catalog,
    *,
    catalog_path: Path,
    region: str,
    account: str,
    bucket: str,
    table: str,
    role_arns: Mapping[str, str],
) -> Settings:
    """Settings as the Lambda would load them from its environment; raises ConfigError naming bad values."""
    env = {
        "AWS_REGION": region,
        "VEND_USER_POOL_ISSUER": EXAMPLE_ISSUER,
        "VEND_APP_CLIENT_IDS": EXAMPLE_CLIENT_ID,
        "VEND_ROLE_ARNS": json.dumps(dict(role_arns)),
        "VEND_BUCKET": bucket,
        "VEND_TABLE_ARN": table,
        "VEND_ACCOUNT_ID": account,
        "VEND_CATALOG_PATH": str(catalog_path),
    }
    settings = load_settings(env)
    check_against_catalog(settings, catalog)
    return settings


def settings_for(catalog: Catalog, catalog_path: Path, deployment: Mapping[str, str]) -> Settings:
    """Settings for a deployment given as template values, with placeholder vend-role ARNs in its account."""
    return make_settings(
        catalog,
        catalog_path=catalog_path,
        region=deployment["region"],
        account=deployment["account"],
        bucket=deployment["bucket"],
        table=deployment["table_arn"],
        role_arns=placeholder_role_arns(catalog, deployment["account"]),
    )
