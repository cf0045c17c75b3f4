"""The demo world the embedded AWS is seeded with: users, their groups and claims, bucket objects. Pure data.

The passwords are local-only demo values for the embedded Cognito; they are printed at start-up on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

ACCOUNT_ID: Final = "123456789012"  # moto's default account
REGION: Final = "us-east-1"
NAME_PREFIX: Final = "vend-local"
BUCKET: Final = f"{NAME_PREFIX}-uploads"
TABLE: Final = f"{NAME_PREFIX}-items"
TABLE_PARTITION_KEY: Final = "pk"
LAMBDA_ROLE: Final = f"{NAME_PREFIX}-resolver"
APP_CLIENT: Final = f"{NAME_PREFIX}-web"
USER_POOL: Final = f"{NAME_PREFIX}-users"
TENANT_ATTRIBUTE: Final = "tenant_id"  # custom:tenant_id in tokens
# Revocation, named as the stack names them for a stage (vend-<stage>-...).
REVOCATION_TABLE: Final = f"{NAME_PREFIX}-revocations"
SESSION_DENIES_POLICY: Final = f"{NAME_PREFIX}-session-denies"
REVOCATION_POLICY: Final = f"{NAME_PREFIX}-revocations"


@dataclass(frozen=True)
class DemoUser:
    username: str
    # A local-only demo value for the embedded Cognito, never a real credential.
    password: str = field(repr=False)
    groups: tuple[str, ...] = ()
    tenant: str | None = None
    email: str = ""


DEMO_USERS: Final = (
    DemoUser("alice", "Alice-local-demo-1", email="alice@example.com"),
    DemoUser("bob", "Bob-local-demo-1", groups=("analysts",), email="bob@example.com"),
    DemoUser("carol", "Carol-local-demo-1", tenant="acme", email="carol@example.com"),
)


def vend_role_name(catalog_role: str) -> str:
    return f"{NAME_PREFIX}-vend-{catalog_role}"


def objects_for(subs: dict[str, str]) -> dict[str, bytes]:
    """Bucket key -> content: each user's own prefix, the shared reports, a tenant's files."""
    objects = {
        f"users/{sub}/hello.txt": f"Hello {name}, this is your own prefix.\n".encode()
        for name, sub in subs.items()
    }
    objects["reports/2024-q4.csv"] = b"quarter,revenue\n2024-q4,42\n"
    objects["tenants/acme/welcome.txt"] = b"Shared files of tenant acme.\n"
    return objects
