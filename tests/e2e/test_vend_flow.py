"""Token, vend, use the credentials: over real HTTP against `vend serve` and its embedded AWS."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.e2e.client import aws_client, claims_of, post, tokens, vend
from tests.e2e.conftest import ROOT, RunningServer


def test_vend_token_then_vend_then_use_the_credentials(server: RunningServer) -> None:
    # GIVEN alice's tokens from the `vend token` command
    completed = subprocess.run(  # noqa: S603 - our own console command
        [sys.executable, "-m", "vend_local.cli", "token", "alice", "--state-file", str(server.state_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    printed = json.loads(completed.stdout)
    assert set(printed) == {"idToken", "accessToken", "expiresIn"}
    server.secrets.update({printed["idToken"], printed["accessToken"]})
    sub = server.state.user("alice").sub  # type: ignore[union-attr]
    assert claims_of(printed["idToken"])["sub"] == sub

    # WHEN alice vends her own prefix with the ID token
    response = vend(server, printed["idToken"], "S3_OWN_PREFIX")

    # THEN she gets credentials for the uploads vend role, as an assumed-role session named after her
    assert response.status_code == 200, response.text
    creds = response.json()["data"]["vendCredentials"]
    assert creds["accessKeyId"].startswith("ASIA")
    assert creds["scope"] == "S3_OWN_PREFIX"
    assert creds["region"] == server.state.region
    identity = aws_client(server, "sts", creds).get_caller_identity()
    assert identity["Arn"].endswith(f":assumed-role/vend-local-vend-uploads/{sub}.S3_OWN_PREFIX")
    # AND they read an object under her own prefix
    body = aws_client(server, "s3", creds).get_object(
        Bucket="vend-local-uploads", Key=f"users/{sub}/hello.txt"
    )
    assert body["Body"].read().decode() == "Hello alice, this is your own prefix.\n"


def test_the_raw_token_flags_print_one_token(server: RunningServer) -> None:
    completed = subprocess.run(  # noqa: S603 - our own console command
        [
            sys.executable,
            "-m",
            "vend_local.cli",
            "token",
            "bob",
            "--access",
            "--state-file",
            str(server.state_file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    token = completed.stdout.strip()
    server.secrets.add(token)
    assert claims_of(token)["token_use"] == "access"
    assert claims_of(token)["cognito:groups"] == ["analysts"]


@pytest.mark.parametrize("kind", ["id", "access"])
def test_an_id_token_and_an_access_token_both_work(server: RunningServer, kind: str) -> None:
    token = tokens(server, "alice")[kind]
    response = vend(server, token, "DYNAMODB_OWN_ITEMS")
    assert response.status_code == 200, response.text
    creds = response.json()["data"]["vendCredentials"]
    arn = aws_client(server, "sts", creds).get_caller_identity()["Arn"]
    assert ":assumed-role/vend-local-vend-data/" in arn


def test_a_group_scope_is_for_its_group_only(server: RunningServer) -> None:
    # alice is in no group: ScopeForbidden, with AppSync's error shape
    refused = vend(server, tokens(server, "alice")["id"], "REPORTS_READ")
    assert refused.status_code == 200
    body = refused.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["errorType"] == "ScopeForbidden"
    assert error["path"] == ["vendCredentials"]
    assert set(error) == {"path", "data", "errorType", "errorInfo", "locations", "message"}
    # bob is an analyst: granted, and the credentials read the shared reports
    granted = vend(server, tokens(server, "bob")["id"], "REPORTS_READ")
    creds = granted.json()["data"]["vendCredentials"]
    report = aws_client(server, "s3", creds).get_object(
        Bucket="vend-local-uploads", Key="reports/2024-q4.csv"
    )
    assert report["Body"].read().startswith(b"quarter,revenue")


@pytest.mark.parametrize("token_use", ["access", "id"])
def test_a_tenant_scope_is_vended_with_either_token_of_a_tenant_user(
    server: RunningServer, token_use: str
) -> None:
    # GIVEN carol, whose custom:tenant_id is acme, with the token Amplify sends (access) or the ID token
    token = tokens(server, "carol")[token_use]
    # THEN the token carries the claim: the ID token natively, the access token through the token trigger
    assert claims_of(token)["custom:tenant_id"] == "acme"
    assert claims_of(token)["token_use"] == token_use
    granted = vend(server, token, "TENANT_FILES")
    creds = granted.json()["data"]["vendCredentials"]
    obj = aws_client(server, "s3", creds).get_object(
        Bucket="vend-local-uploads", Key="tenants/acme/welcome.txt"
    )
    assert obj["Body"].read() == b"Shared files of tenant acme.\n"


@pytest.mark.parametrize("token_use", ["access", "id"])
def test_a_user_without_a_tenant_is_refused_with_either_token(server: RunningServer, token_use: str) -> None:
    token = tokens(server, "alice")[token_use]
    assert "custom:tenant_id" not in claims_of(token)
    (error,) = vend(server, token, "TENANT_FILES").json()["errors"]
    assert error["errorType"] == "ClaimMissing"


def test_the_local_access_token_carries_nothing_the_catalog_does_not_declare(server: RunningServer) -> None:
    # The embedded pool knows carol's email too; only the catalog's claim joins the access token.
    carol = tokens(server, "carol")
    access, id_token = claims_of(carol["access"]), claims_of(carol["id"])
    assert "email" in id_token
    added = set(access) - {
        "sub",
        "iss",
        "client_id",
        "token_use",
        "iat",
        "auth_time",
        "exp",
        "jti",
        "origin_jti",
        "username",
        "scope",
    }
    assert added == {"custom:tenant_id"}


def test_an_unknown_scope_is_rejected_by_the_schema(server: RunningServer) -> None:
    response = post(
        server,
        {"query": "mutation { vendCredentials(scope: ADMIN) { accessKeyId } }"},
        tokens(server, "alice")["id"],
    )
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["errorType"] == "ValidationError"
    assert "ADMIN" in error["message"]


@pytest.mark.parametrize("duration", [899, 43_201, -1])
def test_a_duration_out_of_range_is_invalid(server: RunningServer, duration: int) -> None:
    response = vend(server, tokens(server, "alice")["id"], "S3_OWN_PREFIX", duration)
    (error,) = response.json()["errors"]
    assert error["errorType"] == "InvalidDuration"


def test_scopes_says_what_each_caller_can_get_and_why_not(server: RunningServer) -> None:
    query = {"query": "{ scopes { name maxDurationSeconds available unavailableReason unavailableMessage } }"}

    def answer(user: str) -> dict[str, tuple[bool, str | None]]:
        scopes = post(server, query, tokens(server, user)["id"]).json()["data"]["scopes"]
        return {s["name"]: (s["available"], s["unavailableReason"]) for s in scopes}

    assert answer("alice") == {
        "S3_OWN_PREFIX": (True, None),
        "DYNAMODB_OWN_ITEMS": (True, None),
        "REPORTS_READ": (False, "NOT_IN_GROUP"),
        "TENANT_FILES": (False, "CLAIM_MISSING"),
    }
    assert answer("bob")["REPORTS_READ"] == (True, None)
    assert answer("carol")["TENANT_FILES"] == (True, None)
