"""Cognito's SRP sign-in (USER_SRP_AUTH) as a client computes it: the numbers only. Pure, no I/O.

The deployed app client allows SRP only, so `vend smoke` proves sign-in the way Amplify does it: the password never
leaves this process. Cognito's variant of SRP-6a, as its SDKs implement it:
- N is the 3072-bit MODP prime of RFC 3526 (group 15, also RFC 5054's 3072-bit group), g = 2, H = SHA-256,
  k = H(pad(N) | pad(g));
- x = H(pad(salt) | H(pool name | user id | ":" | password)), where the pool name is the user pool id after "_";
- u = H(pad(A) | pad(B)); S = (B - k g^x)^(a + u x) mod N;
- the key is HKDF-SHA256(ikm = pad(S), salt = pad(u), info = "Caldera Derived Key"), 16 bytes;
- the claim is base64 HMAC-SHA256(key, pool name | user id | secret block (base64-decoded) | timestamp), with the
  timestamp in English as "Tue Jan 5 09:03:07 UTC 2027" (day not padded).
``pad`` is the big-endian hex of a number with a leading 00 byte when its high bit is set (a positive two's
complement), as the SDKs hash it. tests/local/test_cognito_srp.py checks the client against an independent
server-side computation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

N_HEX: Final = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N: Final = int(N_HEX, 16)
G: Final = 2
INFO: Final = b"Caldera Derived Key"
KEY_BYTES: Final = 16
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class SrpError(ValueError):
    """The server's challenge cannot be answered (a value SRP forbids, or a malformed field)."""


def pad_hex(value: int) -> str:
    text = format(value, "x")
    if len(text) % 2:
        text = "0" + text
    elif text[0] in "89abcdef":
        text = "00" + text
    return text


def hash_hex(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


def multiplier() -> int:
    return int(hash_hex(pad_hex(N) + pad_hex(G)), 16)


def private_value(pool_name: str, user_id: str, password: str, salt: int) -> int:
    """x: the exponent both sides derive from the password (the server stores only g^x)."""
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return int(hash_hex(pad_hex(salt) + inner), 16)


def scrambler(a_public: int, b_public: int) -> int:
    return int(hash_hex(pad_hex(a_public) + pad_hex(b_public)), 16)


def derive_key(shared: int, u: int) -> bytes:
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(shared)), hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:KEY_BYTES]


def timestamp(now: datetime) -> str:
    """Cognito's TIMESTAMP: ``now`` must be UTC."""
    return (
        f"{_DAYS[now.weekday()]} {_MONTHS[now.month - 1]} {now.day} "
        f"{now.hour:02d}:{now.minute:02d}:{now.second:02d} UTC {now.year}"
    )


def claim_signature(key: bytes, pool_name: str, user_id: str, secret_block: str, stamp: str) -> str:
    try:
        block = base64.b64decode(secret_block, validate=True)
    except ValueError:
        raise SrpError("SECRET_BLOCK is not base64") from None
    message = pool_name.encode() + user_id.encode() + block + stamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class SrpClient:
    """One sign-in attempt. ``a`` is the client's secret exponent: random per attempt (``secrets.randbits``)."""

    pool_id: str
    a: int = field(repr=False)

    @property
    def pool_name(self) -> str:
        return self.pool_id.partition("_")[2]

    @property
    def public(self) -> int:
        """A = g^a mod N, sent as SRP_A (hex)."""
        return pow(G, self.a, N)

    def answer(
        self, *, user_id: str, password: str, salt_hex: str, b_hex: str, secret_block: str, now: datetime
    ) -> dict[str, str]:
        """The PASSWORD_VERIFIER challenge responses for Cognito's challenge parameters."""
        try:
            salt, b_public = int(salt_hex, 16), int(b_hex, 16)
        except ValueError:
            raise SrpError("SALT or SRP_B is not hex") from None
        if b_public % N == 0:
            raise SrpError("SRP_B is 0 mod N")
        u = scrambler(self.public, b_public)
        if u == 0:
            raise SrpError("the scrambling parameter is 0")
        x = private_value(self.pool_name, user_id, password, salt)
        shared = pow((b_public - multiplier() * pow(G, x, N)) % N, self.a + u * x, N)
        stamp = timestamp(now)
        return {
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": secret_block,
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SIGNATURE": claim_signature(
                derive_key(shared, u), self.pool_name, user_id, secret_block, stamp
            ),
        }
