"""STS request mapping: AssumeRole is sts:AssumeRole, plus sts:TagSession with tags and sts:SetSourceIdentity
with a source identity, all with the same request context; GetCallerIdentity needs no permission."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from vend_local.iam.http_request import HttpRequest, NotModelled, Operation
from vend_local.iam.sts_requests import assume_role_call, map_sts

ROLE = "arn:aws:iam::123456789012:role/vend-uploads"


def form(**params: str) -> HttpRequest:
    return HttpRequest(
        "POST", "/", (), {"content-type": "application/x-www-form-urlencoded"}, urlencode(params).encode()
    )


def test_a_vend_shaped_assume_role_asks_for_all_three_actions_with_the_request_tags() -> None:
    request = form(
        Action="AssumeRole",
        Version="2011-06-15",
        RoleArn=ROLE,
        RoleSessionName="u1.S3_OWN_PREFIX",
        SourceIdentity="u1",
        **{
            "Tags.member.1.Key": "vend:sub",
            "Tags.member.1.Value": "u1",
            "Tags.member.2.Key": "vend:scope",
            "Tags.member.2.Value": "S3_OWN_PREFIX",
            "PolicyArns.member.1.arn": "arn:aws:iam::123456789012:policy/p",
        },
    )
    mapped = map_sts(request)
    assert isinstance(mapped, Operation)
    assert [(r.action, r.resource) for r in mapped.requests] == [
        ("sts:AssumeRole", ROLE),
        ("sts:TagSession", ROLE),
        ("sts:SetSourceIdentity", ROLE),
    ]
    context = mapped.requests[0].context
    assert context["aws:RequestTag/vend:sub"] == ("u1",)
    assert context["aws:TagKeys"] == ("vend:sub", "vend:scope")
    assert context["sts:SourceIdentity"] == ("u1",)
    assert context["sts:RoleSessionName"] == ("u1.S3_OWN_PREFIX",)
    assert "sts:externalid" in mapped.requests[0].known_absent


def test_a_plain_assume_role_asks_for_assume_role_only_and_knows_what_it_lacks() -> None:
    mapped = map_sts(form(Action="AssumeRole", RoleArn=ROLE, RoleSessionName="s"))
    assert isinstance(mapped, Operation)
    (only,) = mapped.requests
    assert only.action == "sts:AssumeRole"
    assert {"sts:sourceidentity", "aws:tagkeys", "sts:transitivetagkeys"} <= only.known_absent


def test_the_call_keeps_tags_transitive_keys_and_policy_arns_in_order() -> None:
    params = {
        "Action": "AssumeRole",
        "RoleArn": ROLE,
        "RoleSessionName": "s",
        "Tags.member.2.Key": "b",
        "Tags.member.2.Value": "2",
        "Tags.member.10.Key": "c",
        "Tags.member.10.Value": "3",
        "Tags.member.1.Key": "a",
        "Tags.member.1.Value": "1",
        "TransitiveTagKeys.member.1": "a",
        "PolicyArns.member.1.arn": "arn:1",
        "PolicyArns.member.2.arn": "arn:2",
    }
    call = assume_role_call(params)
    assert call is not None
    assert call.tags == (("a", "1"), ("b", "2"), ("c", "3"))
    assert call.transitive_tag_keys == ("a",)
    assert call.policy_arns == ("arn:1", "arn:2")
    assert assume_role_call({"Action": "GetCallerIdentity"}) is None


def test_get_caller_identity_needs_no_permission() -> None:
    mapped = map_sts(HttpRequest("GET", "/", (("Action", "GetCallerIdentity"), ("Version", "2011-06-15"))))
    assert mapped == Operation("GetCallerIdentity", ())


@pytest.mark.parametrize(
    "action", ["GetSessionToken", "AssumeRoleWithWebIdentity", "DecodeAuthorizationMessage", ""]
)
def test_other_sts_operations_are_not_modelled(action: str) -> None:
    assert isinstance(map_sts(form(Action=action)), NotModelled)


@pytest.mark.parametrize(
    "name",
    ["Tags.member.{}.Key", "TransitiveTagKeys.member.{}", "PolicyArns.member.{}.arn"],
)
@pytest.mark.parametrize(("digits", "read"), [(8, True), (9, True), (10, False), (5000, False)])
def test_a_member_index_past_any_list_is_refused_not_an_exception(name: str, digits: int, read: bool) -> None:
    # Nine digits are the most read; beyond that (and past int()'s 4300-digit limit) the call is not one we can
    # read whole, so it is judged as not modelled: refused, with every other parameter ignored.
    params = {"Action": "AssumeRole", "RoleArn": ROLE, "RoleSessionName": "s", name.format("9" * digits): "x"}
    assert (assume_role_call(params) is not None) is read
    assert isinstance(map_sts(form(**params)), NotModelled) is not read
