"""Cognito SRP and TOTP for `vend smoke`: the client's numbers against an independent server-side computation.

moto's Cognito accepts any SRP answer, so the client is checked here instead: a server written separately from
vend_local.cognito_srp (from the SRP-6a equations, with Cognito's padding, hashing and key derivation) must accept
the client's PASSWORD_VERIFIER claim for the right password and reject it for a wrong one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import mpmath
import pytest

from vend_local.cognito_srp import N, SrpClient, SrpError, pad_hex, timestamp
from vend_local.smoke_signin import totp

POOL_ID = "eu-west-1_AbCdEfGhI"
USER_ID = "0f6c1e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
NOW = datetime(2027, 1, 5, 9, 3, 7, tzinfo=UTC)


def test_n_is_the_rfc_3526_3072_bit_prime() -> None:
    # RFC 3526 defines it from pi: two to the 3072, less two to the 3008, less one, plus two to the 64 times
    # (the integer part of pi times two to the 2942, plus 1690314).
    with mpmath.workprec(4000):
        pi_part = int(mpmath.floor(mpmath.mpf(2) ** 2942 * mpmath.pi))
    assert 2**3072 - 2**3008 - 1 + 2**64 * (pi_part + 1690314) == N


@pytest.mark.parametrize(
    ("value", "padded"), [(0x7F, "7f"), (0x80, "0080"), (0xABC, "0abc"), (0x1234, "1234"), (0xFF00, "00ff00")]
)
def test_pad_is_a_positive_twos_complement_in_whole_bytes(value: int, padded: str) -> None:
    assert pad_hex(value) == padded


def test_timestamp_is_cognitos_english_format_with_an_unpadded_day() -> None:
    assert timestamp(NOW) == "Tue Jan 5 09:03:07 UTC 2027"
    assert timestamp(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)) == "Thu Dec 31 23:59:59 UTC 2026"


def _h(*hex_parts: str) -> int:
    return int(hashlib.sha256(bytes.fromhex("".join(hex_parts))).hexdigest(), 16)


def _pad(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 8) // 8, "big")  # one spare bit: a leading 00 when the high bit is set
    return raw.hex() if raw[0] or len(raw) == 1 or raw[1] >= 0x80 else raw[1:].hex()


class Server:
    """Cognito's side of one sign-in, from the equations: it stores only the verifier g^x."""

    def __init__(self, password: str) -> None:
        self.pool_name = POOL_ID.split("_")[1]
        self.salt = secrets.randbits(128)
        inner = hashlib.sha256(f"{self.pool_name}{USER_ID}:{password}".encode()).hexdigest()
        x = _h(_pad(self.salt), inner)
        self.verifier = pow(2, x, N)
        self.b = secrets.randbits(1024)
        k = _h(_pad(N), _pad(2))
        self.public = (k * self.verifier + pow(2, self.b, N)) % N
        self.secret_block = base64.b64encode(secrets.token_bytes(64)).decode()

    def accepts(self, a_public: int, answer: dict[str, str]) -> bool:
        u = _h(_pad(a_public), _pad(self.public))
        shared = pow(a_public * pow(self.verifier, u, N) % N, self.b, N)
        prk = hmac.new(bytes.fromhex(_pad(u)), bytes.fromhex(_pad(shared)), hashlib.sha256).digest()
        key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
        message = (
            self.pool_name.encode()
            + USER_ID.encode()
            + base64.b64decode(self.secret_block)
            + answer["TIMESTAMP"].encode()
        )
        expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        return hmac.compare_digest(expected, answer["PASSWORD_CLAIM_SIGNATURE"])


def _answer(client: SrpClient, server: Server, password: str) -> dict[str, str]:
    return client.answer(
        user_id=USER_ID,
        password=password,
        salt_hex=format(server.salt, "x"),
        b_hex=format(server.public, "x"),
        secret_block=server.secret_block,
        now=NOW,
    )


@pytest.mark.parametrize("attempt", range(5))
def test_the_server_accepts_the_right_password_and_rejects_a_wrong_one(attempt: int) -> None:
    server = Server("Correct-horse-9!")
    client = SrpClient(pool_id=POOL_ID, a=secrets.randbits(1024))
    good = _answer(client, server, "Correct-horse-9!")
    assert good["USERNAME"] == USER_ID
    assert good["PASSWORD_CLAIM_SECRET_BLOCK"] == server.secret_block
    assert good["TIMESTAMP"] == "Tue Jan 5 09:03:07 UTC 2027"
    assert server.accepts(client.public, good)
    assert not server.accepts(client.public, _answer(client, server, "Correct-horse-9?"))


def test_a_b_that_is_zero_mod_n_or_a_malformed_field_is_refused() -> None:
    client = SrpClient(pool_id=POOL_ID, a=secrets.randbits(1024))
    base = {"user_id": USER_ID, "password": "p", "salt_hex": "ab", "secret_block": "AAAA", "now": NOW}
    with pytest.raises(SrpError, match="0 mod N"):
        client.answer(b_hex=format(N, "x"), **base)  # type: ignore[arg-type]
    with pytest.raises(SrpError, match="not hex"):
        client.answer(b_hex="not-hex", **base)  # type: ignore[arg-type]
    with pytest.raises(SrpError, match="not base64"):
        client.answer(**{**base, "b_hex": "1234", "secret_block": "a-uuid-is-not-base64"})  # type: ignore[arg-type]


def test_the_secret_exponent_never_shows_in_repr() -> None:
    secret = secrets.randbits(1024)
    assert str(secret) not in repr(SrpClient(pool_id=POOL_ID, a=secret))


@pytest.mark.parametrize(
    ("unix", "code"),
    # RFC 6238 appendix B (SHA-1, secret "12345678901234567890"), the last six of each eight-digit value.
    [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_totp_matches_rfc_6238(unix: int, code: str) -> None:
    secret = base64.b32encode(b"12345678901234567890").decode().rstrip("=")
    assert totp(secret, datetime.fromtimestamp(unix, tz=UTC)) == code
