"""Typed condition values: the numbers, dates, booleans, binary values and IP ranges IAM compares. Pure, no I/O.

Formats, from AWS's condition operator reference: numbers are integers or decimals; dates are one of the W3C
profiles of ISO 8601 or epoch (UNIX) seconds; booleans are "true" or "false"; binary values are base-64; IP
values are CIDR blocks, a bare address meaning /32 (or /128). A value that does not parse is ``None``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final

_NUMBER: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_EPOCH: Final = re.compile(r"-?\d+")
# W3C "Date and Time Formats": YYYY, YYYY-MM, YYYY-MM-DD, and with hh:mm[:ss[.s+]] a zone (Z or +hh:mm).
_W3C: Final = re.compile(
    r"(?P<y>\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d+))?)?(?P<tz>Z|[+-]\d{2}:\d{2}))?)?)?"
)
_BOOLEANS: Final = {"true": True, "false": False}


def number(text: str) -> Decimal | None:
    # The pattern admits only plain decimals, so Decimal never sees NaN, Infinity or an exponent.
    return Decimal(text) if _NUMBER.fullmatch(text) else None


def date(text: str) -> datetime | None:
    if _EPOCH.fullmatch(text):
        try:
            return datetime.fromtimestamp(int(text), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    match = _W3C.fullmatch(text)
    if match is None:
        return None
    g = match.groupdict()
    try:
        moment = datetime(
            int(g["y"]),
            int(g["mo"] or 1),
            int(g["d"] or 1),
            int(g["h"] or 0),
            int(g["mi"] or 0),
            int(g["s"] or 0),
            int((g["f"] or "0")[:6].ljust(6, "0")),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    zone = g["tz"]
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            return None
        moment -= sign * timedelta(hours=hours, minutes=minutes)
    return moment


def boolean(text: str) -> bool | None:
    return _BOOLEANS.get(text.lower())


def binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def ip_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def ip_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def scalar(value: object) -> str | None:
    """A JSON condition value as IAM reads it: strings as they are, booleans as true/false, numbers as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return None
