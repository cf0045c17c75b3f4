"""The issue's "done when", over real HTTP against `vend serve`: a new user vends S3_OWN_PREFIX and, with the
AWS SDK, writes under their own prefix, is refused another user's prefix with S3's AccessDenied, and is refused
another user's DynamoDB partition with AccessDeniedException. And `--no-enforce` turns it off, visibly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.client import aws_client, tokens, vend
from tests.e2e.conftest import RunningServer, assert_clean_stop, start_server


def credentials(server: RunningServer, username: str, scope: str) -> dict[str, str]:
    response = vend(server, tokens(server, username)["id"], scope)
    assert response.status_code == 200, response.text
    creds: dict[str, str] = response.json()["data"]["vendCredentials"]
    return creds


def refusal(call: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    response: Any = caught.value.response
    return {
        "status": response["ResponseMetadata"]["HTTPStatusCode"],
        "code": response["Error"]["Code"],
        "message": response["Error"]["Message"],
    }


def test_the_banner_says_iam_is_enforced(server: RunningServer) -> None:
    assert "IAM       ENFORCED" in server.output()


def test_own_prefix_upload_succeeds_and_another_user_s_prefix_is_access_denied(server: RunningServer) -> None:
    state = server.state
    alice, bob = state.user("alice"), state.user("bob")
    assert alice is not None
    assert bob is not None
    s3 = aws_client(server, "s3", credentials(server, "alice", "S3_OWN_PREFIX"))
    s3.put_object(Bucket=state.bucket, Key=f"users/{alice.sub}/done-when.txt", Body=b"mine")
    assert (
        s3.get_object(Bucket=state.bucket, Key=f"users/{alice.sub}/done-when.txt")["Body"].read() == b"mine"
    )
    refused = refusal(
        lambda: s3.put_object(Bucket=state.bucket, Key=f"users/{bob.sub}/done-when.txt", Body=b"x")
    )
    assert (refused["status"], refused["code"]) == (403, "AccessDenied")
    assert refused["message"].endswith("because no session policy allows the s3:PutObject action")


def test_reading_another_user_s_partition_is_access_denied_exception(server: RunningServer) -> None:
    state = server.state
    alice, bob = state.user("alice"), state.user("bob")
    assert alice is not None
    assert bob is not None
    table = (state.table_arn or "").rpartition("/")[2]
    dynamodb = aws_client(server, "dynamodb", credentials(server, "alice", "DYNAMODB_OWN_ITEMS"))
    own = dynamodb.get_item(TableName=table, Key={"pk": {"S": alice.sub}})
    assert own["Item"]["pk"]["S"] == alice.sub
    refused = refusal(lambda: dynamodb.get_item(TableName=table, Key={"pk": {"S": bob.sub}}))
    assert (refused["status"], refused["code"]) == (400, "AccessDeniedException")
    assert refused["message"] == (
        f"User: arn:aws:sts::123456789012:assumed-role/vend-local-vend-data/{alice.sub}.DYNAMODB_OWN_ITEMS is not "
        f"authorized to perform: dynamodb:GetItem on resource: {state.table_arn} because no session policy "
        "allows the dynamodb:GetItem action"
    )


@pytest.fixture(scope="module")
def unenforced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(Path(tmp_path_factory.mktemp("no-enforce")), "--no-enforce")
    yield running
    assert_clean_stop(running)


def test_no_enforce_says_so_and_lets_vended_credentials_do_more_than_in_aws(
    unenforced: RunningServer,
) -> None:
    assert "IAM       NOT ENFORCED (--no-enforce)" in unenforced.output()
    state = unenforced.state
    bob = state.user("bob")
    assert bob is not None
    s3 = aws_client(unenforced, "s3", credentials(unenforced, "alice", "S3_OWN_PREFIX"))
    s3.put_object(Bucket=state.bucket, Key=f"users/{bob.sub}/unenforced.txt", Body=b"x")
