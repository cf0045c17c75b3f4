"""A downstream team's scope tests, written against the credential-vending test kit only (docs/testing-kit.md).

Two ways to check a scope:
- by a real AWS SDK call: vend as a user through the real handler of `vend serve` (the ``vend_local`` fixture)
  and call S3 or DynamoDB on its enforcing embedded AWS, which refuses what AWS would refuse;
- by evaluation (the ``vend_checker`` fixture): no server, the same policies judged by the local IAM evaluator.
"""

from __future__ import annotations

import pytest

from vend_local.testkit import LocalVend, ScopeChecker, VendRefused, assert_sdk_allows, assert_sdk_denies


def test_a_user_uploads_and_reads_own_photos(vend_local: LocalVend, unique_key: str) -> None:
    dana = vend_local.user("dana")
    s3 = vend_local.vend(dana, "PHOTOS_UPLOAD").client("s3")
    key = f"photos/{dana.sub}/{unique_key}.jpg"
    assert_sdk_allows(lambda: s3.put_object(Bucket=vend_local.bucket, Key=key, Body=b"jpeg"))
    body = assert_sdk_allows(lambda: s3.get_object(Bucket=vend_local.bucket, Key=key))["Body"].read()
    assert body == b"jpeg"
    listed = s3.list_objects_v2(Bucket=vend_local.bucket, Prefix=f"photos/{dana.sub}/")
    assert key in [o["Key"] for o in listed["Contents"]]


def test_another_user_s_photos_are_access_denied(vend_local: LocalVend, unique_key: str) -> None:
    dana, eli = vend_local.user("dana"), vend_local.user("eli")
    s3 = vend_local.vend(dana, "PHOTOS_UPLOAD").client("s3")
    assert_sdk_denies(
        lambda: s3.put_object(Bucket=vend_local.bucket, Key=f"photos/{eli.sub}/{unique_key}.jpg", Body=b"x"),
        code="AccessDenied",
    )
    assert_sdk_denies(lambda: s3.list_objects_v2(Bucket=vend_local.bucket, Prefix="photos/"))


def test_editors_write_their_team_s_board_only(vend_local: LocalVend, unique_key: str) -> None:
    fay = vend_local.user("fay", groups=["editors"], claims={"custom:team": "blue-team"})
    s3 = vend_local.vend(fay, "TEAM_BOARD").client("s3")
    assert_sdk_allows(
        lambda: s3.put_object(Bucket=vend_local.bucket, Key=f"boards/blue-team/{unique_key}.md", Body=b"#")
    )
    assert_sdk_denies(
        lambda: s3.put_object(Bucket=vend_local.bucket, Key=f"boards/red-team/{unique_key}.md", Body=b"#")
    )


def test_the_board_is_for_editors_with_a_team(vend_local: LocalVend) -> None:
    with pytest.raises(VendRefused) as not_an_editor:
        vend_local.vend(vend_local.user("gus"), "TEAM_BOARD")
    assert not_an_editor.value.error_type == "ScopeForbidden"
    # An editor without a team attribute: the claim is missing, whichever token is sent.
    hal = vend_local.user("hal", groups=["editors"])
    for token in ("id", "access"):
        with pytest.raises(VendRefused) as no_team:
            vend_local.vend(hal, "TEAM_BOARD", token=token)
        assert no_team.value.error_type == "ClaimMissing"


def test_the_access_token_carries_the_team_as_the_deployed_trigger_adds_it(
    vend_local: LocalVend, unique_key: str
) -> None:
    # Amplify sends the access token; the pre token generation trigger copies the catalog's claims into it.
    ivy = vend_local.user("ivy", groups=["editors"], claims={"custom:team": "red-team"})
    s3 = vend_local.vend(ivy, "TEAM_BOARD", token="access").client("s3")
    assert_sdk_allows(
        lambda: s3.put_object(Bucket=vend_local.bucket, Key=f"boards/red-team/{unique_key}.md", Body=b"#")
    )


def test_the_demo_users_are_there_as_seeded(vend_local: LocalVend) -> None:
    assert vend_local.user("bob", groups=["analysts"]).sub == vend_local.user("bob", groups=["analysts"]).sub
    with pytest.raises(ValueError, match="other groups or claims"):
        vend_local.user("bob")  # bob is an analyst


def test_own_settings_item_only(vend_local: LocalVend) -> None:
    dana, eli = vend_local.user("dana"), vend_local.user("eli")
    dynamodb = vend_local.vend(dana, "OWN_SETTINGS").client("dynamodb")
    table = vend_local.table_name
    assert_sdk_allows(
        lambda: dynamodb.put_item(TableName=table, Item={"pk": {"S": dana.sub}, "theme": {"S": "dark"}})
    )
    assert_sdk_denies(
        lambda: dynamodb.get_item(TableName=table, Key={"pk": {"S": eli.sub}}), code="AccessDeniedException"
    )
    assert_sdk_denies(lambda: dynamodb.scan(TableName=table))


# ---- by evaluation: no server needed ----------------------------------------------------------------------------

SUB = "11111111-2222-4333-8444-555555555555"
OTHER = "99999999-8888-4777-8666-555555555555"


def test_photos_by_evaluation(vend_checker: ScopeChecker) -> None:
    bucket = vend_checker.deployment["bucket"]
    vend_checker.assert_allows(
        "PHOTOS_UPLOAD", "s3:PutObject", f"arn:aws:s3:::{bucket}/photos/{SUB}/a.jpg", sub=SUB
    )
    vend_checker.assert_denies(
        "PHOTOS_UPLOAD", "s3:PutObject", f"arn:aws:s3:::{bucket}/photos/{OTHER}/a.jpg", sub=SUB
    )
    vend_checker.assert_denies(
        "PHOTOS_UPLOAD", "s3:DeleteObject", f"arn:aws:s3:::{bucket}/photos/{SUB}/a.jpg", sub=SUB
    )
    vend_checker.assert_allows(
        "PHOTOS_UPLOAD",
        "s3:ListBucket",
        f"arn:aws:s3:::{bucket}",
        sub=SUB,
        context={"s3:prefix": [f"photos/{SUB}/"]},
    )
    vend_checker.assert_denies(
        "PHOTOS_UPLOAD",
        "s3:ListBucket",
        f"arn:aws:s3:::{bucket}",
        sub=SUB,
        context={"s3:prefix": ["photos/"]},
    )


def test_settings_by_evaluation(vend_checker: ScopeChecker) -> None:
    table = vend_checker.deployment["table_arn"]
    vend_checker.assert_allows(
        "OWN_SETTINGS", "dynamodb:GetItem", table, sub=SUB, context={"dynamodb:LeadingKeys": [SUB]}
    )
    vend_checker.assert_denies(
        "OWN_SETTINGS", "dynamodb:GetItem", table, sub=SUB, context={"dynamodb:LeadingKeys": [OTHER]}
    )
    # Without LeadingKeys (a Scan, say) the Null guard refuses.
    vend_checker.assert_denies("OWN_SETTINGS", "dynamodb:GetItem", table, sub=SUB)
