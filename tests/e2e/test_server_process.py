"""The server process itself: loopback by default, CORS, isolation between two instances, clean stops."""

from __future__ import annotations

import signal
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.client import aws_client, claims_of, post, tokens, vend
from tests.e2e.conftest import CORS_ORIGIN, RunningServer, assert_clean_stop, start_server
from vend_local.cli import build_parser
from vend_local.cmd_serve import subprocess_command


def test_the_default_host_is_loopback() -> None:
    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"


def test_the_server_bound_loopback_only(server: RunningServer) -> None:
    # Started without --host: the state records the socket's real address.
    state = server.state
    assert state.host == "127.0.0.1"
    assert server.url.startswith(f"http://127.0.0.1:{state.port}/")
    # Where this machine has another address, nothing listens on it.
    try:
        # The address this machine would send from (a UDP connect sends no packet).
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            other = str(probe.getsockname()[0])
    except OSError:
        other = "127.0.0.1"
    if other.startswith("127.") or other == "0.0.0.0":  # noqa: S104 - an address we compare, never bind
        pytest.skip("this machine has no non-loopback address to try")
    with pytest.raises(ConnectionRefusedError), socket.create_connection((other, state.port), timeout=5):
        pass


def test_cors_is_allowed_for_the_configured_origin_only(server: RunningServer) -> None:
    token = tokens(server, "alice")["id"]
    allowed = post(server, {"query": "{ scopes { name } }"}, token, origin=CORS_ORIGIN)
    assert allowed.headers["access-control-allow-origin"] == CORS_ORIGIN
    other = post(server, {"query": "{ scopes { name } }"}, token, origin="http://localhost:9999")
    assert "access-control-allow-origin" not in other.headers
    # The embedded bucket allows the same origin, for browser uploads with vended credentials.
    rules = aws_client(server, "s3").get_bucket_cors(Bucket="vend-local-uploads")["CORSRules"]
    assert rules[0]["AllowedOrigins"] == [CORS_ORIGIN]


def test_graphiql_is_served(server: RunningServer) -> None:
    page = httpx.get(server.url, headers={"accept": "text/html"}, timeout=60)
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_the_server_survives_abuse(server: RunningServer) -> None:
    token = tokens(server, "alice")["id"]
    for body in (b"{", b"[]", b"\x00" * 70_000):
        response = httpx.post(
            server.url,
            content=body,
            headers={"authorization": token, "content-type": "application/json"},
            timeout=60,
        )
        assert response.status_code in (400, 413)
        assert "errorType" in response.json()["errors"][0]
    assert vend(server, token, "S3_OWN_PREFIX").status_code == 200


def test_two_servers_share_no_state(server: RunningServer, tmp_path: Path) -> None:
    # GIVEN a second server running beside the session's
    second = start_server(tmp_path)
    try:
        first_state, second_state = server.state, second.state
        # THEN each has its own embedded AWS, pool, client and users
        assert first_state.aws_endpoint != second_state.aws_endpoint
        assert first_state.user_pool_id != second_state.user_pool_id
        assert first_state.user("alice").sub != second_state.user("alice").sub  # type: ignore[union-attr]
        pools = aws_client(second, "cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
        assert [p["Id"] for p in pools] == [second_state.user_pool_id]
        # AND a token of one is refused by the other
        first_token = tokens(server, "alice")["id"]
        refused = post(second, {"query": "{ scopes { name } }"}, first_token)
        assert refused.status_code == 401
        # AND each vends for its own users
        second_token = tokens(second, "alice")["id"]
        creds = vend(second, second_token, "S3_OWN_PREFIX").json()["data"]["vendCredentials"]
        arn = aws_client(second, "sts", creds).get_caller_identity()["Arn"]
        assert claims_of(second_token)["sub"] in arn
    finally:
        # A SIGTERM stop is as clean as Ctrl-C: moto stopped, state file gone, nothing leaked.
        assert_clean_stop(second, signal.SIGTERM)


def test_a_port_in_use_is_one_readable_line_at_once(server: RunningServer, tmp_path: Path) -> None:
    # GIVEN the session's server holding its port
    taken = server.state.port
    state_file = tmp_path / "serve.json"
    # WHEN a second server is asked for that same port
    done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [*subprocess_command(state_file), "--port", str(taken)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # THEN it stops with one line on stderr that says what to do, nothing else, and no state file
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line == (
        f"vend serve: port {taken} on 127.0.0.1 is already in use (another vend serve?). "
        f'Stop it, or choose another port: make serve ARGS="--port {taken + 1}"'
    )
    assert not state_file.exists()
