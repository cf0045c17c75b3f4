"""An S3 scope's location, as file browsers (Amplify's Storage Browser for S3) see it: parsing and validating the
catalog's ``location`` table, and rendering it for one caller. Pure, no I/O.

A location is a bucket, a prefix that ends in ``/`` (a "folder" in S3 consoles, and the only prefix shape the
Storage Browser offers as a location), and the permissions the scope grants there, in the Storage Browser's
vocabulary. It describes the statements, it grants nothing: `vend catalog check` proves with the IAM evaluator
that the statements grant each declared permission on the prefix and nothing outside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from resolvers import variables
from resolvers.catalog_model import Location, RenderedLocation
from resolvers.errors import Internal
from resolvers.templates import Template, TemplateSyntaxError, parse

LOCATION_KEYS: Final = frozenset({"bucket", "prefix", "permissions"})
# The Storage Browser's LocationPermissions, in the order the answer lists them.
PERMISSIONS: Final = ("list", "get", "write", "delete")
# The only placeholder a bucket may be: a deployment value, already validated as a bucket name at cold start.
BUCKET_PLACEHOLDER: Final = "{{bucket}}"
# Literal prefix text: S3's "safe" key characters without the IAM wildcards '*' and '?' (and no '$', braces,
# spaces or quotes). Every template value is already narrower (a UUID, a claim of [A-Za-z0-9_-]).
PREFIX_TEXT: Final = re.compile(r"[A-Za-z0-9_.!'()/-]*")
# A segment of a rendered prefix; each ends in '/', and none is '.' or '..'.
SEGMENT: Final = re.compile(r"[A-Za-z0-9_.!'()-]+")


def parse_location(raw: Any, where: str, problems: list[str]) -> Location | None:
    """The ``location`` table of a scope, or None after appending every problem found to ``problems``."""
    at = f"{where}.location"
    if not isinstance(raw, dict):
        problems.append(f"{at}: must be a table with bucket, prefix and permissions")
        return None
    before = len(problems)
    problems.extend(
        f"{at}: unknown field {key!r} (allowed: {', '.join(sorted(LOCATION_KEYS))})"
        for key in sorted(set(raw) - LOCATION_KEYS)
    )
    bucket = _bucket(raw.get("bucket"), at, problems)
    prefix = _prefix(raw.get("prefix"), at, problems)
    permissions = _permissions(raw.get("permissions"), at, problems)
    if len(problems) > before or bucket is None or prefix is None or permissions is None:
        return None
    return Location(bucket=bucket, prefix=prefix, permissions=permissions)


def _bucket(raw: Any, at: str, problems: list[str]) -> Template | None:
    if not isinstance(raw, str):
        problems.append(f"{at}.bucket: required, a string: {BUCKET_PLACEHOLDER!r} or a bucket name")
        return None
    if raw != BUCKET_PLACEHOLDER and not variables.SETTINGS["bucket"].fullmatch(raw):
        problems.append(
            f"{at}.bucket: {raw!r} must be {BUCKET_PLACEHOLDER!r} (VEND_BUCKET) or an S3 bucket name "
            f"({variables.SETTINGS['bucket'].pattern})"
        )
        return None
    return parse(raw)


def _prefix(raw: Any, at: str, problems: list[str]) -> Template | None:
    if not isinstance(raw, str) or not raw:
        problems.append(f"{at}.prefix: required, a non-empty string such as 'users/{{{{sub}}}}/'")
        return None
    try:
        template = parse(raw)
    except TemplateSyntaxError as exc:
        problems.append(f"{at}.prefix: {exc}")
        return None
    literal = "".join(p for p in template.parts if isinstance(p, str))
    found = []
    if raw.startswith("/") or not raw.endswith("/"):
        # S3 keys do not start with '/'; the Storage Browser offers only prefixes that end in '/' as locations,
        # and a prefix that does not end in '/' also names its siblings ("users/1" starts "users/10/").
        found.append("must not start with '/' and must end with '/'")
    if not PREFIX_TEXT.fullmatch(literal):
        found.append(
            "may hold only letters, digits and _ . ! ' ( ) - / besides placeholders "
            "(no IAM wildcard, policy variable or space)"
        )
    segments = raw.split("/")[:-1]
    if any(segment in ("", ".", "..") for segment in segments):
        found.append("must not have an empty, '.' or '..' segment")
    problems.extend(f"{at}.prefix: {raw!r} {problem}" for problem in found)
    return None if found else template


def _permissions(raw: Any, at: str, problems: list[str]) -> tuple[str, ...] | None:
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
        problems.append(f"{at}.permissions: required, a non-empty list of {', '.join(PERMISSIONS)}")
        return None
    unknown = sorted(set(raw) - set(PERMISSIONS))
    if unknown:
        problems.append(
            f"{at}.permissions: {', '.join(map(repr, unknown))} not in the Storage Browser's vocabulary "
            f"({', '.join(PERMISSIONS)})"
        )
        return None
    if len(set(raw)) != len(raw):
        problems.append(f"{at}.permissions: lists a permission twice")
        return None
    return tuple(p for p in PERMISSIONS if p in raw)


def render_location(location: Location, values: Mapping[str, str]) -> RenderedLocation:
    """The location for one caller, from values ``plan_vend``'s own binding validated (``bind_values``)."""
    bucket = location.bucket.render(values)
    prefix = location.prefix.render(values)
    if not (variables.SETTINGS["bucket"].fullmatch(bucket) and is_folder_prefix(prefix)):
        # Unreachable with a validated catalog and validated values; never hand out a location that is not one.
        raise Internal("The credential service could not describe a location.", detail="rendered location")
    return RenderedLocation(bucket=bucket, prefix=prefix, permissions=location.permissions)


def is_folder_prefix(prefix: str) -> bool:
    """One or more segments, each ending in '/', none empty, '.' or '..'."""
    *segments, last = prefix.split("/")
    return (
        bool(segments) and last == "" and all(SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments)
    )
