"""Load and validate the scope catalog (TOML) as a whole, reporting every problem by scope and field.

Reads one file; everything after the read is pure. The result is frozen data (``catalog_model``).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TypeVar

from resolvers import limits, variables
from resolvers.catalog_model import Catalog, ClaimVariable, Condition, Scope, Statement
from resolvers.errors import ConfigError
from resolvers.lint import lint_scope
from resolvers.location import parse_location
from resolvers.templates import Template, TemplateSyntaxError, parse

DEFAULT_PATH: Final = Path(__file__).with_name("catalog.toml")

# A GraphQL enum value, narrowed so that "<sub>.<scope>" always fits RoleSessionName's 64 characters.
SCOPE_NAME: Final = re.compile(r"[A-Z][A-Z0-9_]{1,26}")
GRAPHQL_RESERVED: Final = frozenset({"TRUE", "FALSE", "NULL"})
ROLE_NAME: Final = re.compile(r"[a-z][a-z0-9-]{0,31}")
CLAIM_VAR_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,31}")
CLAIM_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_:.-]{0,127}")
# Cognito group names are 1-128 characters; we keep to characters that are safe in logs and tags.
GROUP_NAME: Final = re.compile(r"[A-Za-z0-9_.@+=,-]{1,128}")
SID: Final = re.compile(r"[A-Za-z0-9]{1,64}")
ACTION: Final = re.compile(r"\*|[a-z0-9-]+:[A-Za-z0-9*?]+")
CONDITION_KEY: Final = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9/_.:-]+")
# Session tag keys: STS's character set minus spaces, and never the reserved "aws:" prefix.
TAG_KEY: Final = re.compile(r"(?!aws:)[A-Za-z0-9_.:/=+@-]{1,128}", re.IGNORECASE)
MANAGED_POLICY_ARN: Final = re.compile(
    r"arn:aws[a-z-]*:iam::(?:\d{12}|\{\{account\}\}|aws):policy/[\w+=,.@/-]{1,512}"
)

# Tags every vend sets; a catalog may not redefine them (keys are case-insensitive in STS).
SUB_TAG: Final = "vend:sub"
SCOPE_TAG: Final = "vend:scope"
RESERVED_TAG_KEYS: Final = frozenset({SUB_TAG, SCOPE_TAG})

_CONDITION_OPERATORS: Final = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    }
)

TOP_KEYS: Final = frozenset({"claims", "scopes"})
CLAIM_KEYS: Final = frozenset({"claim", "pattern", "description"})
SCOPE_KEYS: Final = frozenset(
    {
        "description",
        "groups",
        "any_signed_in_user",
        "role",
        "statements",
        "managed_policy_arns",
        "session_tags",
        "max_duration_seconds",
        "allow_wildcard_resource",
        "location",
    }
)
STATEMENT_KEYS: Final = frozenset(
    {"sid", "effect", "actions", "not_actions", "resources", "not_resources", "conditions"}
)

T = TypeVar("T")


def is_condition_operator(name: str) -> bool:
    base = name.removesuffix("IfExists")
    for prefix in ("ForAllValues:", "ForAnyValue:"):
        base = base.removeprefix(prefix)
    return base in _CONDITION_OPERATORS


def load_catalog(path: Path = DEFAULT_PATH) -> Catalog:
    """Read and validate ``path``; raise ConfigError listing every problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot read the catalog: {exc.strerror}"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), [f"not valid TOML: {exc}"]) from None
    return parse_catalog(data, source=str(path), version=hashlib.sha256(raw).hexdigest()[:16])


def parse_catalog(data: Mapping[str, Any], *, source: str, version: str) -> Catalog:
    problems: list[str] = []
    _unknown_keys(data, TOP_KEYS, "catalog", problems)

    claims_raw = data.get("claims", {})
    claims: dict[str, ClaimVariable] = {}
    if not isinstance(claims_raw, dict):
        problems.append("claims: must be a table of claim variables")
    else:
        for name, spec in claims_raw.items():
            claim = _claim(name, spec, problems)
            if claim is not None:
                claims[name] = claim

    scopes_raw = data.get("scopes")
    scopes: dict[str, Scope] = {}
    if not isinstance(scopes_raw, dict) or not scopes_raw:
        problems.append("scopes: the catalog must define at least one scope")
    else:
        for name, spec in scopes_raw.items():
            scope = _scope(name, spec, frozenset(claims), problems)
            if scope is not None:
                scopes[name] = scope

    if problems:
        raise ConfigError(source, problems)
    return Catalog(version=version, claims=claims, scopes=scopes)


def _unknown_keys(table: Mapping[str, Any], allowed: frozenset[str], where: str, problems: list[str]) -> None:
    problems.extend(
        f"{where}: unknown field {key!r} (allowed: {', '.join(sorted(allowed))})"
        for key in sorted(set(table) - allowed)
    )


def _claim(name: str, spec: Any, problems: list[str]) -> ClaimVariable | None:
    where = f"claims.{name}"
    if not isinstance(spec, dict):
        problems.append(f"{where}: must be a table with claim, pattern and description")
        return None
    before = len(problems)
    _unknown_keys(spec, CLAIM_KEYS, where, problems)
    if not CLAIM_VAR_NAME.fullmatch(name):
        problems.append(f"{where}: variable name must match {CLAIM_VAR_NAME.pattern}")
    claim = _field(spec, "claim", str, where, problems)
    if claim is not None and not CLAIM_NAME.fullmatch(claim):
        problems.append(f"{where}.claim: {claim!r} is not a claim name ({CLAIM_NAME.pattern})")
    description = _field(spec, "description", str, where, problems)
    pattern_src = _field(spec, "pattern", str, where, problems)
    pattern: re.Pattern[str] | None = None
    if pattern_src is not None:
        try:
            pattern = re.compile(pattern_src)
        except re.error as exc:
            problems.append(f"{where}.pattern: not a valid regular expression ({exc})")
    if len(problems) > before or claim is None or pattern is None or description is None:
        return None
    return ClaimVariable(name=name, claim=claim, pattern=pattern, description=description)


def _scope(name: str, spec: Any, claims: frozenset[str], problems: list[str]) -> Scope | None:
    where = f"scopes.{name}"
    if not isinstance(spec, dict):
        problems.append(f"{where}: must be a table")
        return None
    before = len(problems)
    _unknown_keys(spec, SCOPE_KEYS, where, problems)
    if not SCOPE_NAME.fullmatch(name) or name in GRAPHQL_RESERVED:
        problems.append(
            f"{where}: scope name must be a GraphQL enum value matching {SCOPE_NAME.pattern} "
            "(upper case, at most 27 characters, so that RoleSessionName '<sub>.<scope>' fits 64)"
        )
    description = _field(spec, "description", str, where, problems)
    if description is not None and not description.strip():
        problems.append(f"{where}.description: must not be empty")

    groups = _string_list(spec, "groups", where, problems, required=False)
    any_user = spec.get("any_signed_in_user", False)
    if not isinstance(any_user, bool):
        problems.append(f"{where}.any_signed_in_user: must be true or false")
        any_user = False
    if any_user and groups:
        problems.append(f"{where}: set either groups or any_signed_in_user = true, not both")
    elif not any_user and not groups:
        problems.append(
            f"{where}: nobody may request this scope; list groups, or set any_signed_in_user = true "
            "(there is no default grant)"
        )
    for i, group in enumerate(groups):
        if not GROUP_NAME.fullmatch(group):
            problems.append(f"{where}.groups[{i}]: {group!r} must match {GROUP_NAME.pattern}")

    role = _field(spec, "role", str, where, problems)
    if role is not None and not ROLE_NAME.fullmatch(role):
        problems.append(f"{where}.role: {role!r} must match {ROLE_NAME.pattern} (a key into VEND_ROLE_ARNS)")

    max_duration = _field(spec, "max_duration_seconds", int, where, problems)
    if max_duration is not None and not (limits.DURATION_MIN <= max_duration <= limits.DURATION_MAX_CHAINED):
        problems.append(
            f"{where}.max_duration_seconds: {max_duration} is outside {limits.DURATION_MIN}-"
            f"{limits.DURATION_MAX_CHAINED}; the Lambda's AssumeRole is role chaining, which AWS caps at one hour"
        )

    wildcard_ok = spec.get("allow_wildcard_resource", False)
    if not isinstance(wildcard_ok, bool):
        problems.append(f"{where}.allow_wildcard_resource: must be true or false")
        wildcard_ok = False

    statements = _statements(spec.get("statements"), where, problems)

    arns_src = _string_list(spec, "managed_policy_arns", where, problems, required=False)
    if len(arns_src) > limits.MANAGED_POLICY_ARNS_MAX:
        problems.append(
            f"{where}.managed_policy_arns: {len(arns_src)} ARNs; AssumeRole takes at most "
            f"{limits.MANAGED_POLICY_ARNS_MAX}"
        )
    arns: list[Template] = []
    for i, arn in enumerate(arns_src):
        if not MANAGED_POLICY_ARN.fullmatch(arn):
            problems.append(f"{where}.managed_policy_arns[{i}]: {arn!r} is not an IAM policy ARN")
        template = _template(arn, f"{where}.managed_policy_arns[{i}]", problems)
        if template is not None:
            arns.append(template)

    tags = _session_tags(spec.get("session_tags", {}), where, problems)
    location = parse_location(spec["location"], where, problems) if "location" in spec else None

    if len(problems) > before or description is None or role is None or max_duration is None:
        return None
    scope = Scope(
        name=name,
        description=description,
        groups=frozenset(groups),
        any_signed_in_user=any_user,
        role=role,
        statements=statements,
        managed_policy_arns=tuple(arns),
        session_tags=tags,
        max_duration_seconds=max_duration,
        allow_wildcard_resource=wildcard_ok,
        location=location,
    )
    problems.extend(lint_scope(scope, claims))
    return scope if len(problems) == before else None


def _statements(raw: Any, where: str, problems: list[str]) -> tuple[Statement, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}.statements: must be a non-empty list of statements")
        return ()
    out: list[Statement] = []
    sids: set[str] = set()
    for i, spec in enumerate(raw):
        at = f"{where}.statements[{i}]"
        if not isinstance(spec, dict):
            problems.append(f"{at}: must be a table")
            continue
        _unknown_keys(spec, STATEMENT_KEYS, at, problems)
        sid = _field(spec, "sid", str, at, problems)
        if sid is not None:
            if not SID.fullmatch(sid):
                problems.append(f"{at}.sid: {sid!r} must match {SID.pattern}")
            if sid in sids:
                problems.append(f"{at}.sid: {sid!r} is used twice in this scope")
            sids.add(sid)
        effect = _field(spec, "effect", str, at, problems)
        if effect is not None and effect not in ("Allow", "Deny"):
            problems.append(f"{at}.effect: {effect!r} must be Allow or Deny")
        actions = _actions(spec, "actions", at, problems)
        not_actions = _actions(spec, "not_actions", at, problems)
        if bool(actions) == bool(not_actions):
            problems.append(f"{at}: give exactly one of actions or not_actions")
        resources = _templates(spec, "resources", at, problems)
        not_resources = _templates(spec, "not_resources", at, problems)
        if bool(resources) == bool(not_resources):
            problems.append(f"{at}: give exactly one of resources or not_resources")
        conditions = _conditions(spec.get("conditions", {}), at, problems)
        if sid is None or effect not in ("Allow", "Deny"):
            continue
        out.append(
            Statement(
                sid=sid,
                effect="Allow" if effect == "Allow" else "Deny",
                actions=actions,
                resources=resources,
                conditions=conditions,
                not_actions=not_actions,
                not_resources=not_resources,
            )
        )
    return tuple(out)


def _actions(spec: Mapping[str, Any], key: str, at: str, problems: list[str]) -> tuple[str, ...]:
    values = _string_list(spec, key, at, problems, required=False)
    for j, action in enumerate(values):
        if not ACTION.fullmatch(action):
            problems.append(f"{at}.{key}[{j}]: {action!r} is not an IAM action such as 's3:GetObject'")
    return tuple(values)


def _templates(spec: Mapping[str, Any], key: str, at: str, problems: list[str]) -> tuple[Template, ...]:
    out: list[Template] = []
    for j, source in enumerate(_string_list(spec, key, at, problems, required=False)):
        if source != "*" and not source.startswith(("arn:", *variables.ARN_PLACEHOLDERS)):
            problems.append(f"{at}.{key}[{j}]: {source!r} must be an ARN or '*'")
        template = _template(source, f"{at}.{key}[{j}]", problems)
        if template is not None:
            out.append(template)
    return tuple(out)


def _conditions(raw: Any, at: str, problems: list[str]) -> tuple[Condition, ...]:
    if not isinstance(raw, dict):
        problems.append(f"{at}.conditions: must be a table of operator -> {{key = [values]}}")
        return ()
    out: list[Condition] = []
    for operator, keys in sorted(raw.items()):
        where = f"{at}.conditions.{operator}"
        if not is_condition_operator(operator):
            problems.append(f"{where}: unknown condition operator {operator!r}")
        if not isinstance(keys, dict) or not keys:
            problems.append(f"{where}: must be a table of condition key -> list of values")
            continue
        for key, values in sorted(keys.items()):
            if not CONDITION_KEY.fullmatch(key):
                problems.append(f"{where}: {key!r} is not a condition key such as 's3:prefix'")
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                problems.append(f"{where}.{key}: must be a non-empty list of strings")
                continue
            templates = [_template(v, f"{where}.{key}", problems) for v in values]
            out.append(Condition(operator, key, tuple(t for t in templates if t is not None)))
    return tuple(out)


def _session_tags(raw: Any, where: str, problems: list[str]) -> tuple[tuple[str, Template], ...]:
    if not isinstance(raw, dict):
        problems.append(f"{where}.session_tags: must be a table of tag key -> value template")
        return ()
    out: list[tuple[str, Template]] = []
    seen: set[str] = {k.lower() for k in RESERVED_TAG_KEYS}
    if len(raw) + len(RESERVED_TAG_KEYS) > limits.SESSION_TAGS_MAX:
        problems.append(
            f"{where}.session_tags: {len(raw)} tags plus the {len(RESERVED_TAG_KEYS)} every vend sets exceed "
            f"STS's {limits.SESSION_TAGS_MAX}"
        )
    for key, value in sorted(raw.items()):
        at = f"{where}.session_tags.{key}"
        if not TAG_KEY.fullmatch(key):
            problems.append(f"{at}: tag key must match {TAG_KEY.pattern} (1-128 characters, not 'aws:')")
        if key.lower() in seen:
            problems.append(f"{at}: tag key is reserved or repeated (STS tag keys are case-insensitive)")
        seen.add(key.lower())
        if not isinstance(value, str):
            problems.append(f"{at}: value must be a string template")
            continue
        template = _template(value, at, problems)
        if template is not None:
            out.append((key, template))
    return tuple(out)


def _template(source: str, at: str, problems: list[str]) -> Template | None:
    try:
        return parse(source)
    except TemplateSyntaxError as exc:
        problems.append(f"{at}: {exc}")
        return None


def _field(spec: Mapping[str, Any], key: str, kind: type[T], at: str, problems: list[str]) -> T | None:
    value = spec.get(key)
    if value is None:
        problems.append(f"{at}.{key}: required")
        return None
    # bool is an int in Python; a duration of `true` is a mistake, not 1 second.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        problems.append(f"{at}.{key}: must be {_KIND_NAMES.get(kind, kind.__name__)}")
        return None
    return value


_KIND_NAMES: Final[dict[type, str]] = {str: "a string", int: "an integer"}


def _string_list(
    spec: Mapping[str, Any], key: str, at: str, problems: list[str], *, required: bool
) -> list[str]:
    value = spec.get(key)
    if value is None:
        if required:
            problems.append(f"{at}.{key}: required")
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{at}.{key}: must be a list of strings")
        return []
    return value
