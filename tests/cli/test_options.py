"""--claim and --role-arn parsing: catalog variables map to token claims; every problem is reported."""

from __future__ import annotations

import pytest

from resolvers.catalog import load_catalog
from tests.cli.helpers import EXAMPLE_CATALOG
from vend_local.options import UsageError, role_arns, token_claims

CATALOG = load_catalog(EXAMPLE_CATALOG)


@pytest.mark.parametrize(
    ("pairs", "claims"),
    [
        ([], {}),
        (["tenant=acme"], {"custom:tenant_id": "acme"}),
        (["custom:tenant_id=acme"], {"custom:tenant_id": "acme"}),
        (["email=a@example.com"], {"email": "a@example.com"}),
        (["tenant="], {"custom:tenant_id": ""}),
        (["tenant=a=b"], {"custom:tenant_id": "a=b"}),
    ],
)
def test_token_claims(pairs: list[str], claims: dict[str, str]) -> None:
    assert token_claims(pairs, CATALOG) == claims


@pytest.mark.parametrize(
    ("pairs", "problems"),
    [
        (["tenant"], ["--claim 'tenant': write NAME=VALUE, for example --claim tenant=acme"]),
        (["=acme"], ["--claim '=acme': write NAME=VALUE, for example --claim tenant=acme"]),
        (["tenant=a", "tenant=b"], ["--claim tenant: given twice; give each name once"]),
        (
            ["tenant=a", "custom:tenant_id=b"],
            ["--claim custom:tenant_id: sets 'custom:tenant_id', which another --claim already sets"],
        ),
        (
            ["sub=x", "token_use=access", "x"],
            [
                "--claim 'x': write NAME=VALUE, for example --claim tenant=acme",
                "--claim sub: 'sub' comes from --sub, --group and --token-use; drop it",
                "--claim token_use: 'token_use' comes from --sub, --group and --token-use; drop it",
            ],
        ),
    ],
)
def test_every_claim_problem_at_once(pairs: list[str], problems: list[str]) -> None:
    with pytest.raises(UsageError) as caught:
        token_claims(pairs, CATALOG)
    assert caught.value.problems == problems


def test_role_arns_override_the_placeholders() -> None:
    defaults = {"uploads": "arn:aws:iam::1:role/u", "data": "arn:aws:iam::1:role/d"}
    assert role_arns(["data=arn:x"], defaults) == {"uploads": "arn:aws:iam::1:role/u", "data": "arn:x"}
    with pytest.raises(UsageError) as caught:
        role_arns(["data"], defaults)
    assert caught.value.problems == [
        "--role-arn 'data': write NAME=VALUE, for example --role-arn uploads=arn:aws:iam::123456789012:role/vend-uploads"
    ]
