"""Vended credentials against the enforcing embedded AWS, with the AWS SDK: what the scope grants works, what
it does not is refused in the service's own error shape, with AWS's wording."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.enforcement.conftest import World


def refused(call: Callable[[], Any]) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value


def error(exc: ClientError) -> tuple[int, str, str]:
    response: Any = exc.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"].get("Message", ""),
    )


def session_arn(world: World, role: str, username: str, scope: str) -> str:
    sub = world.user(username).sub
    return f"arn:aws:sts::123456789012:assumed-role/vend-local-vend-{role}/{sub}.{scope}"


# ---- S3_OWN_PREFIX ------------------------------------------------------------------------------------------


def test_own_prefix_put_get_list_and_delete_work(world: World) -> None:
    s3 = world.client("s3", world.vend("alice", "S3_OWN_PREFIX"))
    key = world.key("alice")
    s3.put_object(Bucket=world.bucket, Key=key, Body=b"mine")
    assert s3.get_object(Bucket=world.bucket, Key=key)["Body"].read() == b"mine"
    assert s3.head_object(Bucket=world.bucket, Key=key)["ContentLength"] == 4
    prefix = f"users/{world.user('alice').sub}/"
    listed = s3.list_objects_v2(Bucket=world.bucket, Prefix=prefix)
    assert key in [o["Key"] for o in listed["Contents"]]
    s3.delete_object(Bucket=world.bucket, Key=key)


def test_another_user_s_prefix_is_s3_s_access_denied_with_aws_s_wording(world: World) -> None:
    s3 = world.client("s3", world.vend("alice", "S3_OWN_PREFIX"))
    bob_key = world.key("bob")
    status, code, message = error(refused(lambda: s3.put_object(Bucket=world.bucket, Key=bob_key, Body=b"x")))
    assert (status, code) == (403, "AccessDenied")
    assert message == (
        f"User: {session_arn(world, 'uploads', 'alice', 'S3_OWN_PREFIX')} is not authorized to perform: "
        f's3:PutObject on resource: "arn:aws:s3:::{world.bucket}/{bob_key}" because no session policy allows '
        "the s3:PutObject action"
    )
    # Nothing was written.
    keys = world.client("s3").list_objects_v2(Bucket=world.bucket, Prefix=bob_key).get("Contents", [])
    assert keys == []


@pytest.mark.parametrize(
    "call",
    [
        lambda s3, w: s3.get_object(Bucket=w.bucket, Key=f"users/{w.user('bob').sub}/hello.txt"),
        lambda s3, w: s3.delete_object(Bucket=w.bucket, Key=f"users/{w.user('bob').sub}/hello.txt"),
        lambda s3, w: s3.list_objects_v2(Bucket=w.bucket, Prefix="users/"),
        lambda s3, w: s3.list_objects_v2(Bucket=w.bucket),  # no prefix at all: s3:prefix is absent
        lambda s3, w: s3.get_object(Bucket=w.bucket, Key="reports/2024-q4.csv"),
        lambda s3, w: s3.list_buckets(),
        lambda s3, w: s3.create_bucket(Bucket="someone-elses-bucket"),
    ],
    ids=[
        "get-other",
        "delete-other",
        "list-parent",
        "list-unprefixed",
        "get-reports",
        "list-buckets",
        "create-bucket",
    ],
)
def test_everything_outside_the_scope_is_access_denied(
    world: World, call: Callable[[Any, World], Any]
) -> None:
    s3 = world.client("s3", world.vend("alice", "S3_OWN_PREFIX"))
    status, code, _ = error(refused(lambda: call(s3, world)))
    assert (status, code) == (403, "AccessDenied")


def test_head_of_another_user_s_object_is_a_bare_403(world: World) -> None:
    s3 = world.client("s3", world.vend("alice", "S3_OWN_PREFIX"))
    exc = refused(lambda: s3.head_object(Bucket=world.bucket, Key=f"users/{world.user('bob').sub}/hello.txt"))
    assert error(exc)[:2] == (403, "403")  # S3 answers a HEAD without a body


def test_multipart_upload_under_the_own_prefix_works_and_elsewhere_does_not(world: World) -> None:
    s3 = world.client("s3", world.vend("alice", "S3_OWN_PREFIX"))
    key = world.key("alice")
    upload = s3.create_multipart_upload(Bucket=world.bucket, Key=key)["UploadId"]
    part = s3.upload_part(Bucket=world.bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"one part")
    # ListParts needs s3:ListMultipartUploadParts, which S3_OWN_PREFIX does not grant.
    assert (
        error(refused(lambda: s3.list_parts(Bucket=world.bucket, Key=key, UploadId=upload)))[1]
        == "AccessDenied"
    )
    s3.complete_multipart_upload(
        Bucket=world.bucket,
        Key=key,
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert s3.get_object(Bucket=world.bucket, Key=key)["Body"].read() == b"one part"
    # Nor s3:AbortMultipartUpload.
    other = s3.create_multipart_upload(Bucket=world.bucket, Key=world.key("alice"))["UploadId"]
    assert error(refused(lambda: s3.abort_multipart_upload(Bucket=world.bucket, Key=key, UploadId=other)))[
        1
    ] == ("AccessDenied")
    bob_key = world.key("bob")
    assert (
        error(refused(lambda: s3.create_multipart_upload(Bucket=world.bucket, Key=bob_key)))[1]
        == "AccessDenied"
    )


def test_the_sdk_s_managed_multipart_upload_works_under_the_own_prefix(world: World) -> None:
    s3 = world.client("s3", world.vend("alice", "S3_OWN_PREFIX"))
    key = world.key("alice")
    body = b"x" * (5 * 1024 * 1024 + 1)  # two parts at the 5 MiB threshold
    config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_fileobj(io.BytesIO(body), world.bucket, key, Config=config)
    assert s3.head_object(Bucket=world.bucket, Key=key)["ContentLength"] == len(body)


def test_copy_needs_read_on_the_source_and_write_on_the_destination(world: World) -> None:
    s3 = world.client("s3", world.vend("alice", "S3_OWN_PREFIX"))
    own = world.key("alice")
    s3.put_object(Bucket=world.bucket, Key=own, Body=b"copy me")
    s3.copy_object(
        Bucket=world.bucket, Key=world.key("alice"), CopySource={"Bucket": world.bucket, "Key": own}
    )
    bob_source = {"Bucket": world.bucket, "Key": f"users/{world.user('bob').sub}/hello.txt"}
    _, code, message = error(
        refused(lambda: s3.copy_object(Bucket=world.bucket, Key=world.key("alice"), CopySource=bob_source))
    )
    assert code == "AccessDenied"
    assert "s3:GetObject" in message


def test_an_acl_on_upload_needs_put_object_acl_which_the_scope_does_not_grant(world: World) -> None:
    s3 = world.client("s3", world.vend("alice", "S3_OWN_PREFIX"))
    _, code, message = error(
        refused(
            lambda: s3.put_object(Bucket=world.bucket, Key=world.key("alice"), Body=b"x", ACL="public-read")
        )
    )
    assert code == "AccessDenied"
    assert "s3:PutObjectAcl" in message


def test_delete_objects_is_allowed_only_when_every_key_is(world: World) -> None:
    s3 = world.client("s3", world.vend("alice", "S3_OWN_PREFIX"))
    mine = [world.key("alice") for _ in range(2)]
    for key in mine:
        s3.put_object(Bucket=world.bucket, Key=key, Body=b"x")
    deleted = s3.delete_objects(Bucket=world.bucket, Delete={"Objects": [{"Key": k} for k in mine]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == sorted(mine)
    mixed = {"Objects": [{"Key": world.key("alice")}, {"Key": f"users/{world.user('bob').sub}/hello.txt"}]}
    assert error(refused(lambda: s3.delete_objects(Bucket=world.bucket, Delete=mixed)))[1] == "AccessDenied"


def test_a_key_with_spaces_and_unicode_is_judged_on_its_real_name(world: World) -> None:
    s3 = world.client("s3", world.vend("alice", "S3_OWN_PREFIX"))
    key = world.key("alice", "ünï cödé + plus%20")
    s3.put_object(Bucket=world.bucket, Key=key, Body=b"x")
    assert s3.get_object(Bucket=world.bucket, Key=key)["Body"].read() == b"x"


def test_the_refusal_is_readable_by_an_allowed_browser_origin(world: World) -> None:
    s3 = world.client("s3", world.vend("alice", "S3_OWN_PREFIX"))

    def add_origin(request: Any, **_: Any) -> None:
        request.headers["Origin"] = "http://localhost:5173"

    s3.meta.events.register("before-send.s3.PutObject", add_origin)
    exc = refused(lambda: s3.put_object(Bucket=world.bucket, Key=world.key("bob"), Body=b"x"))
    headers = exc.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["access-control-allow-origin"] == "http://localhost:5173"


# ---- other scopes -------------------------------------------------------------------------------------------


def test_reports_read_is_read_only(world: World) -> None:
    s3 = world.client("s3", world.vend("bob", "REPORTS_READ"))
    assert s3.get_object(Bucket=world.bucket, Key="reports/2024-q4.csv")["Body"].read().startswith(b"quarter")
    assert s3.list_objects_v2(Bucket=world.bucket, Prefix="reports/")["KeyCount"] >= 1
    assert error(refused(lambda: s3.put_object(Bucket=world.bucket, Key="reports/new.csv", Body=b"x")))[
        1
    ] == ("AccessDenied")


def test_tenant_files_are_the_tenant_s_only(world: World) -> None:
    s3 = world.client("s3", world.vend("carol", "TENANT_FILES"))
    s3.put_object(Bucket=world.bucket, Key="tenants/acme/from-carol.txt", Body=b"x")
    assert error(refused(lambda: s3.put_object(Bucket=world.bucket, Key="tenants/other/x.txt", Body=b"x")))[
        1
    ] == ("AccessDenied")
    assert (
        error(refused(lambda: s3.list_objects_v2(Bucket=world.bucket, Prefix="tenants/")))[1]
        == "AccessDenied"
    )


# ---- DYNAMODB_OWN_ITEMS -------------------------------------------------------------------------------------


def test_own_items_work_and_another_partition_is_access_denied_exception(world: World) -> None:
    dynamodb = world.client("dynamodb", world.vend("alice", "DYNAMODB_OWN_ITEMS"))
    alice, bob = world.user("alice").sub, world.user("bob").sub
    assert dynamodb.get_item(TableName=world.table, Key={"pk": {"S": alice}})["Item"]["pk"]["S"] == alice
    dynamodb.put_item(TableName=world.table, Item={"pk": {"S": alice}, "note": {"S": "updated"}})
    found = dynamodb.query(
        TableName=world.table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": alice}},
    )
    assert found["Count"] == 1
    status, code, message = error(
        refused(lambda: dynamodb.get_item(TableName=world.table, Key={"pk": {"S": bob}}))
    )
    assert (status, code) == (400, "AccessDeniedException")
    assert message == (
        f"User: {session_arn(world, 'data', 'alice', 'DYNAMODB_OWN_ITEMS')} is not authorized to perform: "
        f"dynamodb:GetItem on resource: {world.deployment.table_arn} because no session policy allows the "
        "dynamodb:GetItem action"
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda d, w, bob: d.put_item(TableName=w.table, Item={"pk": {"S": bob}}),
        lambda d, w, bob: d.delete_item(TableName=w.table, Key={"pk": {"S": bob}}),
        lambda d, w, bob: d.update_item(
            TableName=w.table,
            Key={"pk": {"S": bob}},
            UpdateExpression="SET n = :n",
            ExpressionAttributeValues={":n": {"S": "x"}},
        ),
        lambda d, w, bob: d.query(
            TableName=w.table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": bob}}
        ),
        lambda d, w, bob: d.batch_get_item(
            RequestItems={w.table: {"Keys": [{"pk": {"S": w.user("alice").sub}}, {"pk": {"S": bob}}]}}
        ),
        lambda d, w, bob: d.scan(TableName=w.table),
        lambda d, w, bob: d.describe_table(TableName=w.table),
    ],
    ids=["put", "delete", "update", "query", "batch-get-mixed", "scan", "describe"],
)
def test_other_partitions_and_ungranted_actions_are_refused(
    world: World, call: Callable[[Any, World, str], Any]
) -> None:
    dynamodb = world.client("dynamodb", world.vend("alice", "DYNAMODB_OWN_ITEMS"))
    status, code, _ = error(refused(lambda: call(dynamodb, world, world.user("bob").sub)))
    assert (status, code) == (400, "AccessDeniedException")


def test_batch_get_of_own_items_only_works(world: World) -> None:
    dynamodb = world.client("dynamodb", world.vend("alice", "DYNAMODB_OWN_ITEMS"))
    got = dynamodb.batch_get_item(
        RequestItems={world.table: {"Keys": [{"pk": {"S": world.user("alice").sub}}]}}
    )
    assert len(got["Responses"][world.table]) == 1


# ---- credentials that are not what they claim ---------------------------------------------------------------


def forged(world: World, service: str, **changes: str) -> Any:
    creds = world.vend("alice", "S3_OWN_PREFIX" if service == "s3" else "DYNAMODB_OWN_ITEMS")
    changed = replace(
        creds,
        secret_access_key=changes.get("secret_access_key", creds.secret_access_key),
        session_token=changes.get("session_token", creds.session_token),
    )
    return world.client(service, changed, config=Config(retries={"max_attempts": 1}))


def test_a_wrong_secret_is_a_signature_mismatch(world: World) -> None:
    s3 = forged(world, "s3", secret_access_key="not-the-secret")
    assert error(refused(lambda: s3.get_object(Bucket=world.bucket, Key=world.key("alice"))))[:2] == (
        403,
        "SignatureDoesNotMatch",
    )
    dynamodb = forged(world, "dynamodb", secret_access_key="not-the-secret")
    assert error(refused(lambda: dynamodb.get_item(TableName=world.table, Key={"pk": {"S": "x"}})))[:2] == (
        400,
        "InvalidSignatureException",
    )


def test_another_session_s_token_is_invalid(world: World) -> None:
    other = world.vend("bob", "S3_OWN_PREFIX")
    s3 = forged(world, "s3", session_token=other.session_token)
    assert error(refused(lambda: s3.get_object(Bucket=world.bucket, Key=world.key("alice"))))[:2] == (
        400,
        "InvalidToken",
    )
    dynamodb = forged(world, "dynamodb", session_token=other.session_token)
    assert error(refused(lambda: dynamodb.get_item(TableName=world.table, Key={"pk": {"S": "x"}})))[1] == (
        "UnrecognizedClientException"
    )


@pytest.mark.parametrize("signature", ["s3", "s3v4"])
def test_a_presigned_url_of_a_vended_session_is_not_modelled_and_refused(
    world: World, signature: str
) -> None:
    creds = world.vend("alice", "S3_OWN_PREFIX")
    key = world.key("alice")
    world.client("s3", creds).put_object(Bucket=world.bucket, Key=key, Body=b"x")
    s3 = world.client("s3", creds, config=Config(signature_version=signature))
    url = s3.generate_presigned_url("get_object", Params={"Bucket": world.bucket, "Key": key})
    response = httpx.get(url, timeout=30)
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text
    assert "presigned" in response.text


def test_an_operation_without_a_mapping_is_refused_and_named(world: World) -> None:
    creds = world.vend("alice", "DYNAMODB_OWN_ITEMS")
    dynamodb = world.client("dynamodb", creds)
    alice = world.user("alice").sub
    _, code, message = error(
        refused(
            lambda: dynamodb.transact_get_items(
                TransactItems=[{"Get": {"TableName": world.table, "Key": {"pk": {"S": alice}}}}]
            )
        )
    )
    assert code == "AccessDeniedException"
    assert "does not model it" in message
    assert "TransactGetItems" in message
    iam = world.client("iam", creds)
    assert error(refused(iam.list_roles))[:2] == (403, "AccessDenied")


def test_get_caller_identity_needs_no_permission(world: World) -> None:
    sts = world.client("sts", world.vend("alice", "S3_OWN_PREFIX"))
    assert sts.get_caller_identity()["Arn"] == session_arn(world, "uploads", "alice", "S3_OWN_PREFIX")
