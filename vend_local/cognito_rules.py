"""Which user attributes a Cognito app client lets its users read and write, as Cognito decides it. Pure, no I/O.

An app client's ReadAttributes and WriteAttributes (CreateUserPoolClient) bound what a user holding that client's
tokens may read (GetUser, the claims of the ID token) and write (SignUp, UpdateUserAttributes). Cognito's API
reference (UserPoolClientType) gives the defaults when a list is not specified: read, "email_verified,
phone_number_verified, and the standard attributes of your user pool"; write, "the Standard attributes of your
user pool". Custom attributes are in neither default. ``sub`` is always readable and never writable. A write of
anything else fails with NotAuthorizedException, "A client attempted to write unauthorized attribute".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

# OpenID Connect's standard claims, as Cognito lists its standard attributes (Cognito developer guide, "Working
# with user attributes"); sub and the two verification flags are handled apart.
STANDARD_ATTRIBUTES: Final = frozenset(
    {
        "address",
        "birthdate",
        "email",
        "family_name",
        "gender",
        "given_name",
        "locale",
        "middle_name",
        "name",
        "nickname",
        "phone_number",
        "picture",
        "preferred_username",
        "profile",
        "updated_at",
        "website",
        "zoneinfo",
    }
)
VERIFICATION_ATTRIBUTES: Final = frozenset({"email_verified", "phone_number_verified"})
SUB: Final = "sub"

UNAUTHORIZED_WRITE_TYPE: Final = "NotAuthorizedException"
UNAUTHORIZED_WRITE_MESSAGE: Final = "A client attempted to write unauthorized attribute"


@dataclass(frozen=True)
class AttributeAccess:
    readable: frozenset[str]
    writable: frozenset[str]

    def may_write(self, names: Iterable[str]) -> bool:
        return all(name in self.writable for name in names)

    def readable_only(self, attributes: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
        """The attributes (Cognito's ``{"Name", "Value"}`` items) this client may show its user."""
        return [dict(a) for a in attributes if a.get("Name") in self.readable]

    def readable_claims(
        self, claims: Mapping[str, object], attribute_names: Iterable[str]
    ) -> dict[str, object]:
        """``claims`` without the user attributes this client may not read; other claims (iss, aud, groups...)
        stay."""
        hidden = {name for name in attribute_names if name not in self.readable}
        return {key: value for key, value in claims.items() if key not in hidden}


# A token whose app client is unknown reads nothing but its sub and writes nothing.
NO_ACCESS: Final = AttributeAccess(readable=frozenset({SUB}), writable=frozenset())


def client_access(
    read_attributes: Sequence[str] | None, write_attributes: Sequence[str] | None
) -> AttributeAccess:
    """The access an app client grants, from its ReadAttributes and WriteAttributes (absent or empty: defaults)."""
    readable = (
        frozenset(read_attributes) if read_attributes else STANDARD_ATTRIBUTES | VERIFICATION_ATTRIBUTES
    )
    writable = frozenset(write_attributes) if write_attributes else STANDARD_ATTRIBUTES
    return AttributeAccess(readable=readable | {SUB}, writable=writable - {SUB})
