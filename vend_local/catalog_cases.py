"""The catalog's test cases (``<catalog>.cases.toml``): callers, scopes and the requests each must be allowed or
denied. Reads one file; everything after the read is pure and reports every problem at once.

Format (docs/catalog-cli.md has the whole reference)::

    [deployment]                      # optional: the values {{bucket}}, {{table_arn}}, ... render with
    bucket = "vend-example-uploads"

    [callers.alice]
    sub = "11111111-2222-4333-8444-555555555555"
    groups = []                       # optional
    token_use = "id"                  # optional: "id" (default) or "access"
    claims = { tenant = "acme" }      # optional: catalog claim variables or raw claim names

    [[cases]]
    name = "alice writes under her own prefix"
    caller = "alice"
    scope = "S3_OWN_PREFIX"
    allow = [{ action = "s3:PutObject", resource = "arn:aws:s3:::{{bucket}}/users/{{sub}}/a.txt" }]
    deny = [{ action = "s3:PutObject", resource = "arn:aws:s3:::{{bucket}}/users/{{bob.sub}}/a.txt",
              context = { "s3:prefix" = "..." } }]
    # or, instead of allow/deny: refused = "ScopeForbidden"  (the vend itself must be refused with this code)

Templates in resources and context values: {{sub}} and {{claim.<name>}} of the case's caller, {{<caller>.sub}}
of any caller, and the deployment values {{bucket}}, {{table_arn}}, {{account}}, {{region}}.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from resolvers import variables
from resolvers.catalog_model import Catalog
from resolvers.errors import Unauthorized
from resolvers.identity import Caller
from resolvers.templates import TemplateSyntaxError, parse
from vend_local import options, synthetic
from vend_local.access import Question

TOP_KEYS: Final = frozenset({"deployment", "callers", "cases", "managed_policies"})
DEPLOYMENT_KEYS: Final = frozenset({"bucket", "table_arn", "account", "region"})
CALLER_KEYS: Final = frozenset({"sub", "groups", "token_use", "claims", "username"})
CASE_KEYS: Final = frozenset({"name", "caller", "scope", "allow", "deny", "refused"})
EXPECTATION_KEYS: Final = frozenset({"action", "resource", "context"})
CALLER_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,31}")
RESERVED_CALLER_NAMES: Final = frozenset({"claim", "sub", *variables.SETTINGS})
REFUSAL_CODE: Final = re.compile(r"[A-Z][A-Za-z]+")

Verdict = Literal["allow", "deny"]


class CasesError(ValueError):
    """The cases file cannot be used; ``problems`` lists every problem, each naming where and what to change."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: {len(problems)} problem(s)")
        self.source = source
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Expectation:
    verdict: Verdict
    question: Question


@dataclass(frozen=True, slots=True)
class Case:
    index: int
    name: str
    caller_name: str
    caller: Caller
    scope: str
    expectations: tuple[Expectation, ...]
    refused: str | None  # the refusal code the vend must end in, instead of expectations


@dataclass(frozen=True, slots=True)
class Cases:
    source: str
    deployment: Mapping[str, str]
    cases: tuple[Case, ...]
    managed: Mapping[str, Mapping[str, Any]]


def default_path(catalog_path: Path) -> Path:
    """``resolvers/catalog.toml`` -> ``resolvers/catalog.cases.toml``: the cases sit beside their catalog."""
    return catalog_path.with_name(f"{catalog_path.stem}.cases.toml")


def load_cases(path: Path, catalog: Catalog, defaults: Mapping[str, str]) -> Cases:
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise CasesError(str(path), [f"cannot read the cases file: {exc.strerror}"]) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CasesError(str(path), [f"not valid TOML: {exc}"]) from None
    return parse_cases(data, catalog, defaults, source=str(path), base=path.parent)


def parse_cases(
    data: Mapping[str, Any], catalog: Catalog, defaults: Mapping[str, str], *, source: str, base: Path
) -> Cases:
    problems: list[str] = []
    _unknown(data, TOP_KEYS, "cases file", problems)
    deployment = _deployment(data.get("deployment", {}), defaults, problems)
    callers = _callers(data.get("callers"), catalog, problems)
    managed = _managed(data.get("managed_policies", {}), deployment, base, problems)
    raw_cases = data.get("cases")
    cases: list[Case] = []
    if not isinstance(raw_cases, list) or not raw_cases:
        problems.append("cases: give at least one [[cases]] table")
    else:
        for i, raw in enumerate(raw_cases):
            case = _case(i, raw, callers=callers, catalog=catalog, deployment=deployment, problems=problems)
            if case is not None:
                cases.append(case)
    if problems:
        raise CasesError(source, problems)
    return Cases(source, deployment, tuple(cases), managed)


def _unknown(table: Mapping[str, Any], allowed: frozenset[str], where: str, problems: list[str]) -> None:
    problems.extend(
        f"{where}: unknown field {key!r} (allowed: {', '.join(sorted(allowed))})"
        for key in sorted(set(table) - allowed)
    )


def _deployment(raw: Any, defaults: Mapping[str, str], problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append("deployment: must be a table of bucket, table_arn, account, region")
        return dict(defaults)
    _unknown(raw, DEPLOYMENT_KEYS, "deployment", problems)
    out = dict(defaults)
    for key, value in raw.items():
        if key not in DEPLOYMENT_KEYS:
            continue
        if not isinstance(value, str) or not variables.SETTINGS[key].fullmatch(value):
            problems.append(f"deployment.{key}: {value!r} does not match {variables.SETTINGS[key].pattern}")
        else:
            out[key] = value
    if "table_arn" not in raw:
        # The example table, but in the account and region the file names.
        out["table_arn"] = synthetic.table_arn(out["region"], out["account"])
    return out


@dataclass(frozen=True, slots=True)
class _CallerSpec:
    caller: Caller


def _callers(raw: Any, catalog: Catalog, problems: list[str]) -> dict[str, _CallerSpec]:
    if not isinstance(raw, dict) or not raw:
        problems.append("callers: define at least one [callers.<name>] table")
        return {}
    out: dict[str, _CallerSpec] = {}
    for name, spec in raw.items():
        where = f"callers.{name}"
        if not CALLER_NAME.fullmatch(name) or name in RESERVED_CALLER_NAMES:
            problems.append(
                f"{where}: a caller name must match {CALLER_NAME.pattern} and not be one of "
                f"{', '.join(sorted(RESERVED_CALLER_NAMES))}"
            )
            continue
        if not isinstance(spec, dict):
            problems.append(f"{where}: must be a table with sub, and optionally groups, token_use, claims")
            continue
        _unknown(spec, CALLER_KEYS, where, problems)
        caller = _caller(spec, catalog, where, problems)
        if caller is not None:
            out[name] = caller
    return out


def _caller(spec: Mapping[str, Any], catalog: Catalog, where: str, problems: list[str]) -> _CallerSpec | None:
    sub, groups, token_use = spec.get("sub"), spec.get("groups", []), spec.get("token_use", "id")
    claims_raw, username = spec.get("claims", {}), spec.get("username", synthetic.EXAMPLE_USERNAME)
    before = len(problems)
    if not isinstance(sub, str):
        problems.append(f"{where}.sub: required, the caller's Cognito sub (a lowercase UUID)")
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        problems.append(f"{where}.groups: must be a list of group names")
    if token_use not in ("id", "access"):
        problems.append(f'{where}.token_use: must be "id" or "access"')
    if not isinstance(username, str):
        problems.append(f"{where}.username: must be a string")
    if not isinstance(claims_raw, dict) or not all(isinstance(v, str) for v in claims_raw.values()):
        problems.append(f"{where}.claims: must be a table of claim name -> string value")
        claims_raw = {}
    try:
        claims = options.token_claims([f"{k}={v}" for k, v in claims_raw.items()], catalog)
    except options.UsageError as exc:
        problems.extend(f"{where}.claims: {p.removeprefix('--claim ')}" for p in exc.problems)
        return None
    if len(problems) > before:
        return None
    try:
        caller = synthetic.make_caller(
            sub=str(sub), username=str(username), groups=list(groups), claims=claims, token_use=token_use
        )
    except Unauthorized as exc:
        problems.append(
            f"{where}.sub: the Lambda would refuse this identity ({exc.detail}); use a lowercase UUID"
        )
        return None
    return _CallerSpec(caller)


def _managed(
    raw: Any, deployment: Mapping[str, str], base: Path, problems: list[str]
) -> dict[str, Mapping[str, Any]]:
    if not isinstance(raw, dict):
        problems.append(
            "managed_policies: must be a table of policy ARN -> JSON file (relative to the cases file)"
        )
        return {}
    out: dict[str, Mapping[str, Any]] = {}
    for arn_template, file in raw.items():
        where = f"managed_policies.{arn_template!r}"
        arn = _render(arn_template, deployment, where, problems)
        if arn is None or not isinstance(file, str):
            if not isinstance(file, str):
                problems.append(f"{where}: give the path of the policy's JSON document")
            continue
        try:
            document = json.loads((base / file).read_text(encoding="utf-8"))
        except OSError as exc:
            problems.append(f"{where}: cannot read {file!r}: {exc.strerror}")
            continue
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{where}: {file!r} is not JSON ({exc})")
            continue
        if not isinstance(document, dict):
            problems.append(f"{where}: {file!r} is not a JSON policy document (an object)")
            continue
        out[arn] = document
    return out


def _case(
    index: int,
    raw: Any,
    *,
    callers: Mapping[str, _CallerSpec],
    catalog: Catalog,
    deployment: Mapping[str, str],
    problems: list[str],
) -> Case | None:
    where = f"cases[{index}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table")
        return None
    _unknown(raw, CASE_KEYS, where, problems)
    name, caller_name, scope = raw.get("name"), raw.get("caller"), raw.get("scope")
    before = len(problems)
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}.name: required, a sentence saying what the case proves")
    spec = callers.get(caller_name) if isinstance(caller_name, str) else None
    if spec is None:
        problems.append(f"{where}.caller: {caller_name!r} is not one of the [callers] ({', '.join(callers)})")
    if not isinstance(scope, str):
        problems.append(f"{where}.scope: required, a scope name")
    elif scope not in catalog.scopes:
        problems.append(f"{where}.scope: {scope!r} is not in the catalog ({', '.join(catalog.scopes)})")
    refused = raw.get("refused")
    if refused is not None and (not isinstance(refused, str) or not REFUSAL_CODE.fullmatch(refused)):
        problems.append(f'{where}.refused: must be a refusal code such as "ScopeForbidden"')
    has_expectations = "allow" in raw or "deny" in raw
    if (refused is None) == (not has_expectations):
        problems.append(f'{where}: give allow and/or deny expectations, or refused = "<code>", not both')
    if len(problems) > before or spec is None:
        return None
    values = _values(spec, callers, catalog, deployment)
    expectations = [
        expectation
        for verdict in ("allow", "deny")
        for expectation in _expectations(
            raw.get(verdict, []), verdict, values, f"{where}.{verdict}", problems
        )
    ]
    if len(problems) > before:
        return None
    return Case(index, str(name), str(caller_name), spec.caller, str(scope), tuple(expectations), refused)


def _values(
    spec: _CallerSpec, callers: Mapping[str, _CallerSpec], catalog: Catalog, deployment: Mapping[str, str]
) -> dict[str, str]:
    values = {**deployment, "sub": spec.caller.sub}
    values.update({f"{name}.sub": other.caller.sub for name, other in callers.items()})
    for name, declared in catalog.claims.items():
        value = spec.caller.claims.get(declared.claim)
        if isinstance(value, str):
            values[f"claim.{name}"] = value
    return values


def _expectations(
    raw: Any, verdict: Verdict, values: Mapping[str, str], where: str, problems: list[str]
) -> list[Expectation]:
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        problems.append(f"{where}: must be a list of {{ action = ..., resource = ..., context = {{...}} }}")
        return []
    out: list[Expectation] = []
    for j, item in enumerate(raw):
        at = f"{where}[{j}]"
        _unknown(item, EXPECTATION_KEYS, at, problems)
        action, resource = item.get("action"), item.get("resource")
        if not isinstance(action, str) or ":" not in action:
            problems.append(f'{at}.action: required, an IAM action such as "s3:PutObject"')
            continue
        if not isinstance(resource, str):
            problems.append(
                f"{at}.resource: required, the resource ARN (templates such as {{{{bucket}}}} work)"
            )
            continue
        rendered = _render(resource, values, f"{at}.resource", problems)
        context = _context(item.get("context", {}), values, f"{at}.context", problems)
        if rendered is not None and context is not None:
            out.append(Expectation(verdict, Question(action, rendered, context)))
    return out


def _context(
    raw: Any, values: Mapping[str, str], where: str, problems: list[str]
) -> dict[str, tuple[str, ...]] | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table of condition key -> value or list of values")
        return None
    out: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in items):
            problems.append(f"{where}.{key}: values must be strings")
            return None
        rendered = [_render(v, values, f"{where}.{key}", problems) for v in items]
        if any(r is None for r in rendered):
            return None
        out[key] = tuple(r for r in rendered if r is not None)
    return out


def _render(source: str, values: Mapping[str, str], where: str, problems: list[str]) -> str | None:
    try:
        template = parse(source)
    except TemplateSyntaxError as exc:
        problems.append(f"{where}: {exc}")
        return None
    missing = sorted(template.variables - set(values))
    if missing:
        problems.append(
            f"{where}: {source!r} uses {', '.join('{{' + m + '}}' for m in missing)}; known here: "
            f"{', '.join('{{' + v + '}}' for v in sorted(values))}"
        )
        return None
    return template.render(values)
