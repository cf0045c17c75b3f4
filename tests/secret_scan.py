"""Find secrets in captured log text: every secret the suite issued, and anything shaped like a JWT. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

JWT: Final = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+")


def find_leaks(lines: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """Describe each leak without repeating the secret (the report itself goes to CI output)."""
    known = [s for s in secrets if len(s) >= 8]
    leaks = []
    for number, line in enumerate(lines):
        if any(secret in line for secret in known):
            leaks.append(f"log line {number}: contains an issued secret key or session token")
        if JWT.search(line):
            leaks.append(f"log line {number}: contains a JWT")
    return leaks
