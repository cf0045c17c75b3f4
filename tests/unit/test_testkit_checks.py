"""The test kit's assertions fail when they should: a kit whose checks always pass would prove nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests import support
from vend_local.testkit import ScopeChecker, assert_sdk_allows, assert_sdk_denies


def client_error(code: str, message: str = "m") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "PutObject")


def raise_(exc: Exception) -> None:
    raise exc


def test_assert_sdk_allows_returns_the_result_and_fails_on_a_refusal() -> None:
    assert assert_sdk_allows(lambda: 42) == 42
    with pytest.raises(AssertionError, match="AccessDenied: nope"):
        assert_sdk_allows(lambda: raise_(client_error("AccessDenied", "nope")))


@pytest.mark.parametrize("code", ["AccessDenied", "AccessDeniedException", "403"])
def test_assert_sdk_denies_accepts_each_service_s_denial(code: str) -> None:
    assert assert_sdk_denies(lambda: raise_(client_error(code))).response["Error"]["Code"] == code


def test_assert_sdk_denies_fails_when_allowed_or_refused_for_another_reason() -> None:
    with pytest.raises(AssertionError, match="was allowed"):
        assert_sdk_denies(lambda: None)
    with pytest.raises(AssertionError, match="got NoSuchKey"):
        assert_sdk_denies(lambda: raise_(client_error("NoSuchKey")))
    with pytest.raises(AssertionError, match="got AccessDenied"):
        assert_sdk_denies(lambda: raise_(client_error("AccessDenied")), code="AccessDeniedException")


CHECKER = ScopeChecker()
BUCKET = CHECKER.deployment["bucket"]
OWN = f"arn:aws:s3:::{BUCKET}/users/{support.SUB}/a.txt"
OTHERS = f"arn:aws:s3:::{BUCKET}/users/{support.OTHER_SUB}/a.txt"


def test_scope_checker_allows_and_denies_as_the_catalog_says() -> None:
    assert CHECKER.assert_allows("S3_OWN_PREFIX", "s3:PutObject", OWN, sub=support.SUB).outcome == "Allow"
    assert (
        CHECKER.assert_denies("S3_OWN_PREFIX", "s3:PutObject", OTHERS, sub=support.SUB).outcome
        == "ImplicitDeny"
    )


def test_scope_checker_assertions_fail_on_the_wrong_expectation() -> None:
    with pytest.raises(AssertionError, match=r"expected s3:PutObject .* to be allowed"):
        CHECKER.assert_allows("S3_OWN_PREFIX", "s3:PutObject", OTHERS, sub=support.SUB)
    with pytest.raises(AssertionError, match="to be denied"):
        CHECKER.assert_denies("S3_OWN_PREFIX", "s3:PutObject", OWN, sub=support.SUB)


MANAGED_CATALOG = """
[scopes.WITH_MANAGED]
description = "A scope that also passes a managed session policy."
any_signed_in_user = true
role = "uploads"
max_duration_seconds = 900
managed_policy_arns = ["arn:aws:iam::{{account}}:policy/extra"]

[[scopes.WITH_MANAGED.statements]]
sid = "Read"
effect = "Allow"
actions = ["s3:GetObject"]
resources = ["arn:aws:s3:::{{bucket}}/*"]
"""


def test_a_not_modelled_verdict_is_neither_allowed_nor_denied(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(MANAGED_CATALOG, encoding="utf-8")
    checker = ScopeChecker(catalog)  # the managed policy's document is not given
    resource = f"arn:aws:s3:::{checker.deployment['bucket']}/a.txt"
    assert checker.decide("WITH_MANAGED", "s3:GetObject", resource, sub=support.SUB).outcome == "NotModelled"
    with pytest.raises(AssertionError, match="managed policy"):
        checker.assert_allows("WITH_MANAGED", "s3:GetObject", resource, sub=support.SUB)
    with pytest.raises(AssertionError, match="managed policy"):
        checker.assert_denies("WITH_MANAGED", "s3:GetObject", resource, sub=support.SUB)
    # Given the document, it is judged.
    managed = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    known = ScopeChecker(catalog, managed={"arn:aws:iam::123456789012:policy/extra": managed})
    known.assert_allows("WITH_MANAGED", "s3:GetObject", resource, sub=support.SUB)


def test_a_refused_vend_raises_the_handler_s_error() -> None:
    from resolvers.errors import ScopeForbidden  # noqa: PLC0415

    with pytest.raises(ScopeForbidden):
        CHECKER.decide(
            "REPORTS_READ", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/reports/a.csv", sub=support.SUB
        )
