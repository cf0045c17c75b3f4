"""The state file names the embedded bucket and table, so clients (the example page) need no hard-coded names."""

from __future__ import annotations

from tests.e2e.client import aws_client
from tests.e2e.conftest import RunningServer
from vend_local import demo


def test_the_state_file_names_the_bucket_and_table_the_handler_uses(server: RunningServer) -> None:
    state = server.state
    assert state.bucket == demo.BUCKET
    assert state.table_arn == f"arn:aws:dynamodb:{state.region}:{demo.ACCOUNT_ID}:table/{demo.TABLE}"
    # They are the embedded AWS's real resources, not just names.
    aws_client(server, "s3").head_bucket(Bucket=state.bucket)
    table = aws_client(server, "dynamodb").describe_table(TableName=demo.TABLE)["Table"]
    assert table["TableArn"] == state.table_arn
