"""The issue's proof, end to end on `vend serve` with IAM enforced: a user vends and uploads; `vend revoke` runs
(the real CLI, in a subprocess, against the server's state file); the credentials already issued are refused by
the embedded AWS (the role-level deny on aws:SourceIdentity, re-read from IAM after the change); a new vend is
refused with Revoked (a cache hit included); `vend unrevoke` restores service, while the credentials issued
before it stay dead.

Its own server: revoking a demo user must not touch the session's shared one. The resolver's snapshot TTL is 1 s
here (VEND_REVOCATION_TTL_SECONDS), and the test waits for the refusal by polling, never by timing.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.client import aws_client, post, tokens, vend
from tests.e2e.conftest import RunningServer, assert_clean_stop, start_server
from tests.e2e.test_smoke import vend_cli

POLL_SECONDS = 60.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("revoke"), env={"VEND_REVOCATION_TTL_SECONDS": "1"})
    yield running
    assert_clean_stop(running)


def vended(server: RunningServer, token: str) -> dict[str, Any]:
    response = vend(server, token, "S3_OWN_PREFIX")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def error_type(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return str(errors[0].get("errorType")) if errors else None


def eventually(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + POLL_SECONDS
    while not check():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.2)


def put(server: RunningServer, creds: dict[str, str], key: str) -> str | None:
    """None when the upload succeeded, else S3's error code."""
    try:
        aws_client(server, "s3", creds).put_object(Bucket=server.state.bucket, Key=key, Body=b"x")
    except ClientError as exc:
        code: str = exc.response["Error"]["Code"]
        return code
    return None


def cli(server: RunningServer, *args: str) -> str:
    done = vend_cli(*args, "--state-file", str(server.state_file))
    assert done.returncode == 0, done.stdout + done.stderr
    assert not re.search(r"\bASIA[A-Z0-9]{16}\b", done.stdout + done.stderr), "a credential was printed"
    assert "eyJ" not in done.stdout + done.stderr, "a token was printed"
    return done.stdout


def test_vend_upload_revoke_refused_everywhere_then_unrevoke_restores_service(server: RunningServer) -> None:
    alice = server.state.user("alice")
    assert alice is not None
    key = f"users/{alice.sub}/revocation.txt"
    token = tokens(server, "alice")["id"]

    # A user vends and uploads; a second vend is a cache hit (same credentials).
    first = vended(server, token)["data"]["vendCredentials"]
    assert put(server, first, key) is None
    assert vended(server, token)["data"]["vendCredentials"]["accessKeyId"] == first["accessKeyId"]

    # vend revoke runs.
    out = cli(server, "revoke", "--sub", alice.sub, "--reason", "e2e: phone stolen")
    assert f"{alice.sub}: revoked now" in out
    assert "role-level deny: vend-local-revocations v2 is the default version" in out
    assert f"cognito: alice ({alice.sub}) signed out everywhere" in out
    assert re.search(r"audit: entry \S+ by arn:aws:", out)

    # The old credentials are refused by the embedded AWS: the role-level deny, an explicit deny.
    with pytest.raises(ClientError) as caught:
        aws_client(server, "s3", first).put_object(Bucket=server.state.bucket, Key=key, Body=b"y")
    error: Any = caught.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (403, "AccessDenied")
    assert error["Error"]["Message"].endswith("with an explicit deny in an identity-based policy")

    # A new vend (the cached set included) and `scopes` are refused with Revoked, once the snapshot ages out.
    eventually(lambda: error_type(vended(server, token)) == "Revoked")
    refused = vended(server, token)
    assert refused["errors"][0]["message"] == "Your access has been revoked. Contact your administrator."
    scopes = vend_scopes(server, token)
    assert error_type(scopes) == "Revoked"

    listed = json.loads(cli(server, "revoke", "--list", "--json"))
    assert [r["sub"] for r in listed["revoked"]] == [alice.sub]
    assert listed["revoked"][0]["reason"] == "e2e: phone stolen"
    assert listed["policy"]["matchesStore"] is True

    # vend unrevoke restores service: a new vend works and uploads; the old credentials stay refused.
    out = cli(server, "unrevoke", "--sub", alice.sub, "--reason", "e2e: phone found")
    assert f"{alice.sub}: lifted; sessions issued before now stay denied" in out
    eventually(lambda: error_type(vended(server, token)) is None)
    fresh = vended(server, token)["data"]["vendCredentials"]
    assert fresh["accessKeyId"] != first["accessKeyId"], "the cache served a set issued before the lift"
    assert put(server, fresh, key) is None
    assert put(server, first, key) == "AccessDenied"


def vend_scopes(server: RunningServer, token: str) -> dict[str, Any]:
    response = post(server, {"query": "query { scopes { name available } }"}, token)
    body: dict[str, Any] = response.json()
    return body


def test_revoke_refuses_bad_input_and_changes_nothing(server: RunningServer, tmp_path: Path) -> None:
    before = json.loads(cli(server, "revoke", "--list", "--json"))
    for args in (
        ("revoke", "--sub", "alice"),
        ("revoke", "--sub", "11111111-2222-4333-8444-555555555555", "--hours", "1"),
        ("revoke", "--all-issued-before", "2999-01-01T00:00:00Z"),
        ("revoke",),
        ("unrevoke",),
    ):
        done = vend_cli(*args, "--state-file", str(server.state_file))
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stderr.startswith(f"vend {args[0]}: "), done.stderr
        assert "Traceback" not in done.stderr
    missing = vend_cli(
        "revoke", "--sub", "11111111-2222-4333-8444-555555555555", "--state-file", str(tmp_path / "none.json")
    )
    assert missing.returncode == 2
    assert "start the local server first" in missing.stderr
    after = json.loads(cli(server, "revoke", "--list", "--json"))
    assert {k: v for k, v in after.items() if k != "at"} == {k: v for k, v in before.items() if k != "at"}
