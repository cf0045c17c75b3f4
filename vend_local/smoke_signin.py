"""Sign a test user in to Cognito for `vend smoke`: SRP (the deployed app client's flow) or USER_PASSWORD_AUTH
(the embedded Cognito's), answering a TOTP challenge from a secret the operator provides. Talks to Cognito only.

Tokens are returned to the caller and never printed or logged; errors carry Cognito's error code, never its text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from vend_local.cmd_token import ACCESS_TOKEN, ID_TOKEN
from vend_local.cognito_srp import SrpClient, SrpError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

AuthFlow = Literal["srp", "password"]
TOTP_STEP_SECONDS: Final = 30
TOTP_DIGITS: Final = 6
SRP_EXPONENT_BITS: Final = 1024


class SignInFailed(Exception):
    """No tokens: the message names Cognito's error code or the challenge, and what to do."""


def totp(secret_base32: str, now: datetime) -> str:
    """RFC 6238 (HMAC-SHA1, 30 s, 6 digits), as authenticator apps and Cognito's software token compute it."""
    key = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    counter = int(now.timestamp()) // TOTP_STEP_SECONDS
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**TOTP_DIGITS
    return f"{code:0{TOTP_DIGITS}d}"


def sign_in(
    client: CognitoIdentityProviderClient,
    *,
    flow: AuthFlow,
    pool_id: str,
    client_id: str,
    username: str,
    password: str,
    totp_secret: str | None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, str]:
    """{"id": ID token, "access": access token}. ``client`` is an unsigned cognito-idp client."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415 - with boto3, only when used

    try:
        if flow == "password":
            response: Any = client.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        else:
            srp = SrpClient(pool_id=pool_id, a=secrets.randbits(SRP_EXPONENT_BITS))
            first = client.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_SRP_AUTH",
                AuthParameters={"USERNAME": username, "SRP_A": format(srp.public, "x")},
            )
            if first.get("ChallengeName") != "PASSWORD_VERIFIER":
                raise SignInFailed(
                    f"expected the PASSWORD_VERIFIER challenge, got {first.get('ChallengeName')}"
                )
            params = first["ChallengeParameters"]
            answer = srp.answer(
                user_id=params["USER_ID_FOR_SRP"],
                password=password,
                salt_hex=params["SALT"],
                b_hex=params["SRP_B"],
                secret_block=params["SECRET_BLOCK"],
                now=clock(),
            )
            response = client.respond_to_auth_challenge(
                ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
            )
        if response.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
            if totp_secret is None:
                raise SignInFailed("the user pool asks for a TOTP code: set the secret (--totp-secret-env)")
            response = client.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="SOFTWARE_TOKEN_MFA",
                Session=response["Session"],
                ChallengeResponses={
                    "USERNAME": response["ChallengeParameters"].get("USER_ID_FOR_SRP", username),
                    "SOFTWARE_TOKEN_MFA_CODE": totp(totp_secret, clock()),
                },
            )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "unknown")
        raise SignInFailed(f"sign-in refused ({code})") from None
    except BotoCoreError as exc:
        raise SignInFailed(f"cannot reach Cognito ({type(exc).__name__})") from None
    except (SrpError, KeyError) as exc:
        raise SignInFailed(f"Cognito's SRP challenge could not be answered ({type(exc).__name__})") from None
    tokens = response.get("AuthenticationResult")
    if not tokens or ID_TOKEN not in tokens or ACCESS_TOKEN not in tokens:
        challenge = response.get("ChallengeName", "none")
        raise SignInFailed(
            f"Cognito asked for the {challenge} challenge; finish the user's set-up first (docs/deploy.md, "
            "'The smoke test user')"
        )
    return {"id": tokens[ID_TOKEN], "access": tokens[ACCESS_TOKEN]}
