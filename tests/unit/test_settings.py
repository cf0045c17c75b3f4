"""Every setting is validated at cold start; a bad one is named in the error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from resolvers.catalog import DEFAULT_PATH
from resolvers.errors import ConfigError
from resolvers.settings import check_against_catalog, load_settings
from tests import support


def problems_for(**env: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings({k: v for k, v in {**support.ENV, **env}.items() if v != "<unset>"})
    return info.value.problems


def test_valid_settings_and_defaults() -> None:
    s = support.settings()
    assert s.region == "eu-west-1"
    assert s.catalog_path == DEFAULT_PATH
    assert s.client_ids == {support.CLIENT_ID}
    assert s.deployment == {
        "region": "eu-west-1",
        "bucket": support.BUCKET,
        "table_arn": support.TABLE_ARN,
        "account": support.ACCOUNT,
    }
    assert load_settings({**support.ENV, "VEND_CATALOG_PATH": "/x/c.toml"}).catalog_path == Path("/x/c.toml")
    assert load_settings({**support.ENV, "VEND_APP_CLIENT_IDS": "a1, b2"}).client_ids == {"a1", "b2"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AWS_REGION", "<unset>"),
        ("AWS_REGION", "Europe"),
        ("VEND_USER_POOL_ISSUER", "<unset>"),
        ("VEND_USER_POOL_ISSUER", "cognito-idp.eu-west-1.amazonaws.com/pool"),
        ("VEND_USER_POOL_ISSUER", "https://cognito-idp.eu-west-1.amazonaws.com/pool/extra"),
        ("VEND_APP_CLIENT_IDS", "<unset>"),
        ("VEND_APP_CLIENT_IDS", " , "),
        ("VEND_APP_CLIENT_IDS", "client*"),
        ("VEND_ROLE_ARNS", "<unset>"),
        ("VEND_ROLE_ARNS", "not json"),
        ("VEND_ROLE_ARNS", "[]"),
        ("VEND_ROLE_ARNS", json.dumps({"uploads": "arn:aws:iam::123:role/x"})),
        ("VEND_BUCKET", "Bad_Bucket"),
        ("VEND_BUCKET", "a..b"),
        ("VEND_TABLE_ARN", "arn:aws:dynamodb:eu-west-1:123456789012:table/*"),
        ("VEND_ACCOUNT_ID", "12345678901"),
        ("VEND_REVOCATION_TABLE", "ab"),
        ("VEND_REVOCATION_TABLE", "revocations/../other"),
        ("VEND_REVOCATION_TTL_SECONDS", "61"),
        ("VEND_REVOCATION_TTL_SECONDS", "-1"),
        ("VEND_REVOCATION_TTL_SECONDS", "ten"),
    ],
)
def test_bad_setting_is_named(name: str, value: str) -> None:
    found = problems_for(**{name: value})
    assert len(found) == 1
    assert found[0].startswith(f"{name}:")


def test_the_revocation_lookup_is_off_unless_a_table_is_named_and_its_ttl_is_bounded() -> None:
    assert support.settings().revocation_table is None
    assert support.settings().revocation_ttl_seconds == 10
    on = support.settings(VEND_REVOCATION_TABLE="vend-prod-revocations")
    assert on.revocation_table == "vend-prod-revocations"
    for ttl in ("0", "59", "60"):
        assert support.settings(VEND_REVOCATION_TTL_SECONDS=ttl).revocation_ttl_seconds == int(ttl)


def test_all_bad_settings_are_reported_together() -> None:
    found = problems_for(AWS_REGION="<unset>", VEND_USER_POOL_ISSUER="<unset>", VEND_BUCKET="B")
    assert [p.split(":")[0] for p in found] == ["AWS_REGION", "VEND_USER_POOL_ISSUER", "VEND_BUCKET"]


def test_catalog_roles_and_variables_must_be_configured() -> None:
    env = {k: v for k, v in support.ENV.items() if k not in ("VEND_BUCKET", "VEND_TABLE_ARN")}
    env["VEND_ROLE_ARNS"] = json.dumps(
        {"uploads": support.ROLE_ARNS["uploads"], "spare": support.ROLE_ARNS["data"]}
    )
    with pytest.raises(ConfigError) as info:
        check_against_catalog(load_settings(env), support.catalog())
    assert info.value.problems == [
        "VEND_ROLE_ARNS: no ARN for role 'data', which the catalog uses",
        "VEND_ROLE_ARNS: role 'spare' is not used by the catalog (a typo?)",
        "VEND_BUCKET: required, the catalog uses {{bucket}}",
        "VEND_TABLE_ARN: required, the catalog uses {{table_arn}}",
    ]


def test_example_settings_match_the_example_catalog() -> None:
    check_against_catalog(support.settings(), support.catalog())  # raises on any mismatch
    assert support.catalog().roles == support.settings().role_arns.keys()
