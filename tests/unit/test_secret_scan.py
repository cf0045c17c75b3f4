"""The suite's log scan can fail: it finds issued secrets and JWTs, and says where without repeating them."""

from __future__ import annotations

from tests.secret_scan import find_leaks

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"


def test_finds_an_issued_secret_and_a_jwt() -> None:
    leaks = find_leaks(["ok", f"key={SECRET}", f"Bearer {JWT}"], [SECRET])
    assert leaks == [
        "log line 1: contains an issued secret key or session token",
        "log line 2: contains a JWT",
    ]
    assert SECRET not in str(leaks)


def test_clean_lines_pass() -> None:
    assert find_leaks(["vend decision", '{"access_key_id": "ASIAEXAMPLE"}'], [SECRET]) == []
