"""The global condition context of a role session's request, and the trust-policy reduction for AssumeRole."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from vend_local.enforcement.request_context import RequestFacts, SessionFacts, complete, global_context
from vend_local.enforcement.trust import TrustNotModelled, applicable
from vend_local.iam.model import Request

ROLE = "arn:aws:iam::123456789012:role/vend-local-vend-uploads"
SESSION = SessionFacts(
    account="123456789012",
    role_arn=ROLE,
    role_id="AROAEXAMPLEROLEID0001",
    session_name="u1.S3_OWN_PREFIX",
    tags=(("vend:sub", "u1"), ("vend:scope", "S3_OWN_PREFIX")),
    source_identity="u1",
    issued_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
)
NOW = RequestFacts(now=datetime(2026, 1, 2, 3, 5, 0, tzinfo=UTC), region="eu-west-1", source_ip="127.0.0.1")


def test_a_role_session_s_global_keys_are_aws_s() -> None:
    session = global_context(SESSION, NOW)
    context, absent = session.context, session.known_absent
    assert session.principal == SESSION.session_arn
    assert context["aws:PrincipalArn"] == (ROLE,)  # the role, not the session
    assert context["aws:userid"] == ("AROAEXAMPLEROLEID0001:u1.S3_OWN_PREFIX",)
    assert context["aws:PrincipalTag/vend:sub"] == ("u1",)
    assert context["aws:SourceIdentity"] == ("u1",)
    assert context["aws:TokenIssueTime"] == ("2026-01-02T03:04:05Z",)
    assert context["aws:CurrentTime"] == ("2026-01-02T03:05:00Z",)
    assert context["aws:EpochTime"] == (str(int(NOW.now.timestamp())),)
    assert context["aws:RequestedRegion"] == ("eu-west-1",)
    assert context["aws:SecureTransport"] == ("false",)
    assert context["aws:SourceIp"] == ("127.0.0.1",)
    assert "aws:username" in absent  # not present for roles
    assert {"aws:useragent", "aws:referer"} <= absent
    assert (
        SESSION.session_arn
        == "arn:aws:sts::123456789012:assumed-role/vend-local-vend-uploads/u1.S3_OWN_PREFIX"
    )


def test_without_a_source_identity_the_key_is_absent() -> None:
    session = global_context(replace(SESSION, source_identity=None), NOW)
    assert "aws:SourceIdentity" not in session.context
    assert "aws:sourceidentity" in session.known_absent


def test_complete_adds_the_session_and_makes_unset_tag_keys_the_policies_name_absent() -> None:
    named = frozenset(
        {"aws:principaltag/tenant", "s3:prefix", "aws:requesttag/vend:sub", "aws:principaltag/vend:sub"}
    )
    session = global_context(SESSION, NOW)
    request = Request("s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": ("x",)}, frozenset({"s3:delimiter"}))
    full = complete(request, session, named)
    assert full.principal == SESSION.session_arn
    assert full.context["s3:prefix"] == ("x",)
    assert full.context["aws:PrincipalTag/vend:sub"] == ("u1",)
    assert {
        "aws:principaltag/tenant",
        "aws:requesttag/vend:sub",
        "aws:tagkeys",
        "s3:delimiter",
    } <= full.known_absent
    # A key that is present is never also absent.
    assert "aws:principaltag/vend:sub" not in full.known_absent


def test_the_request_s_own_keys_win_and_request_tags_it_sets_are_not_absent() -> None:
    request = Request(
        "sts:AssumeRole",
        ROLE,
        {"aws:RequestTag/vend:sub": ("u2",), "aws:TagKeys": ("vend:sub",), "aws:RequestedRegion": ("x",)},
    )
    full = complete(request, global_context(SESSION, NOW), frozenset({"aws:requesttag/vend:sub"}))
    assert full.context["aws:RequestedRegion"] == ("x",)
    assert "aws:requesttag/vend:sub" not in full.known_absent
    assert "aws:tagkeys" not in full.known_absent


def trust(principal: object, **extra: object) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}],
    }


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": ROLE},
        {"AWS": [SESSION.session_arn]},
        {"AWS": "123456789012"},
        {"AWS": "arn:aws:iam::123456789012:root"},
        {"AWS": "*"},
        "*",
    ],
)
def test_a_trust_statement_naming_the_caller_applies_without_its_principal(principal: object) -> None:
    reduced = applicable(trust(principal), SESSION)
    assert reduced["Statement"] == [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": "arn:aws:iam::123456789012:role/other"},
        {"AWS": "210987654321"},
        {"Service": "lambda.amazonaws.com"},
        {"Federated": "cognito-identity.amazonaws.com"},
        None,
    ],
)
def test_a_trust_statement_naming_someone_else_does_not_apply(principal: object) -> None:
    assert applicable(trust(principal), SESSION)["Statement"] == []


def test_not_principal_in_a_trust_policy_is_not_modelled() -> None:
    document = {"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "sts:AssumeRole"}]}
    with pytest.raises(TrustNotModelled, match="NotPrincipal"):
        applicable(document, SESSION)
