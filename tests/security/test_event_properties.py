"""Threat: a malformed or hostile AppSync event (missing keys, wrong types, extra keys, random claims, groups
and arguments) crashes the resolver, or yields credentials for a scope the caller may not have, or a policy
naming a resource outside the scope's templates. Hypothesis generates whole events; the envelope contract and
the grant rule must hold for every one."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as label
from hypothesis import strategies as st

from resolvers.errors import ERROR_CODES
from resolvers.resolver import build_resolver, dispatch
from resolvers.service import VendService
from tests import support
from tests.fuzzing import examples
from tests.security import harness

FIXTURES = [p.stem for p in sorted(support.EVENTS.glob("*.json"))]
WEIGHTED_FIXTURES = [*FIXTURES, *(["cognito_access_token", "cognito_id_token", "cognito_groups_null"] * 3)]
CATALOG = support.catalog()
SETTINGS = support.settings()
SCOPE_NAMES = sorted(CATALOG.scopes)
SCOPE_NAMES_IN_ORDER = list(CATALOG.scopes)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FIXTURE_JWT = support.load_event("cognito_access_token")["request"]["headers"]["authorization"]

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["*", "?", "${aws:username}", "../", '"', "\\", "analysts", "acme", "租户", "\x00", ""]),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)

# Paths an attacker or a broken integration could plausibly disturb.
PATHS: list[tuple[str, ...]] = [
    ("arguments",),
    ("arguments", "scope"),
    ("arguments", "durationSeconds"),
    ("identity",),
    ("identity", "sub"),
    ("identity", "issuer"),
    ("identity", "groups"),
    ("identity", "username"),
    ("identity", "claims"),
    ("identity", "claims", "sub"),
    ("identity", "claims", "iss"),
    ("identity", "claims", "token_use"),
    ("identity", "claims", "client_id"),
    ("identity", "claims", "aud"),
    ("identity", "claims", "cognito:groups"),
    ("identity", "claims", "custom:tenant_id"),
    ("info",),
    ("info", "fieldName"),
    ("info", "parentTypeName"),
    ("request",),
    ("request", "headers"),
    ("source",),
    ("stash",),
    ("prev",),
]


def _parent(event: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    target: Any = event
    for key in path[:-1]:
        target = target.get(key) if isinstance(target, dict) else None
    return target if isinstance(target, dict) else None


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, tuple[str, ...], Any]:  # noqa: PLR0911 - one return per kind
    kind = draw(st.sampled_from(["drop", "set", "extra", "scope", "duration", "groups", "tenant", "field"]))
    if kind == "drop":
        return kind, draw(st.sampled_from(PATHS)), None
    if kind == "set":
        return kind, draw(st.sampled_from(PATHS)), draw(json_value)
    if kind == "extra":
        where = draw(st.sampled_from([(), ("identity",), ("identity", "claims"), ("arguments",), ("info",)]))
        return kind, (*where, draw(st.text(min_size=1, max_size=12))), draw(json_value)
    if kind == "scope":
        return "set", ("arguments", "scope"), draw(st.sampled_from(SCOPE_NAMES) | json_value)
    if kind == "duration":
        values = st.sampled_from([None, -1, 0, 899, 900, 901, 3599, 3600, 3601, 43_200, 43_201, 10**30])
        return "set", ("arguments", "durationSeconds"), draw(values | json_value)
    if kind == "groups":
        names = st.sampled_from(["analysts", "admins", "Analysts", "*"]) | st.text(max_size=8)
        return "set", ("identity", "groups"), draw(st.none() | st.lists(names, max_size=3) | json_value)
    if kind == "tenant":
        tenant = st.from_regex(r"[a-z0-9][a-z0-9-]{1,30}[a-z0-9]", fullmatch=True) | json_value
        return "set", ("identity", "claims", "custom:tenant_id"), draw(tenant)
    field = draw(
        st.sampled_from([("Mutation", "vendCredentials"), ("Query", "scopes"), ("Query", "vendCredentials")])
    )
    return "field", ("info",), field


@st.composite
def events(draw: st.DrawFn) -> Any:
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(json_value)  # not even an event
    # Weighted towards our own pool's fixtures, so that grants are common enough to test the grant rule.
    event: dict[str, Any] = copy.deepcopy(support.load_event(draw(st.sampled_from(WEIGHTED_FIXTURES))))
    for kind, path, value in draw(st.lists(mutation(), max_size=5)):
        parent = _parent(event, path)
        if parent is None:
            continue
        if kind == "drop":
            parent.pop(path[-1], None)
        elif kind == "field":
            # An earlier "set" may have made info any JSON value: keep it only while it is still an object.
            info = parent.get("info")
            kept = info if isinstance(info, dict) else {}
            parent["info"] = {**kept, "parentTypeName": value[0], "fieldName": value[1]}
        else:
            parent[path[-1]] = value
    return event


def may_have(event: dict[str, Any], scope: str) -> bool:
    """The grant rule, restated from the issue: our pool, our client, and a group the scope names."""
    ident = event.get("identity")
    if not isinstance(ident, dict) or not isinstance(ident.get("claims"), dict):
        return False
    claims = ident["claims"]
    token_use = claims.get("token_use")
    # token_use may be any JSON value here (a list is unhashable): compare, never look it up.
    client = (
        claims.get("client_id") if token_use == "access" else claims.get("aud") if token_use == "id" else None
    )
    sub = ident.get("sub")
    ours = (
        ident.get("issuer") == support.ISSUER == claims.get("iss")
        and isinstance(sub, str)
        and UUID.fullmatch(sub) is not None
        and claims.get("sub") == sub
        and client == support.CLIENT_ID
        and not {"accountId", "userArn", "resolverContext", "cognitoIdentityPoolId"} & ident.keys()
    )
    groups = ident.get("groups")
    # Mutations may have made groups any JSON value: only a list of strings can name a group.
    names = {g for g in groups if isinstance(g, str)} if isinstance(groups, list) else set()
    spec = CATALOG.scopes[scope]
    return ours and (spec.any_signed_in_user or bool(spec.groups & names))


def allowed_resources(event: dict[str, Any], scope: str) -> set[str]:
    """The scope's resource templates filled in by plain text substitution with this caller's values."""
    ident = event["identity"]
    values = {
        "{{sub}}": ident["sub"],
        "{{bucket}}": support.BUCKET,
        "{{table_arn}}": support.TABLE_ARN,
        "{{account}}": support.ACCOUNT,
        "{{region}}": support.REGION,
    }
    tenant = ident["claims"].get("custom:tenant_id")
    if isinstance(tenant, str):
        values["{{claim.tenant}}"] = tenant
    out = set()
    for statement in CATALOG.scopes[scope].statements:
        for template in statement.resources:
            text = template.source
            for placeholder, value in values.items():
                text = text.replace(placeholder, value)
            out.add(text)
    return out


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=events())
def test_any_event_yields_an_allowed_grant_or_a_typed_error_and_never_raises(event: Any) -> None:
    issuer = support.FakeIssuer()
    telemetry = support.RecordingTelemetry()
    service = VendService(catalog=CATALOG, settings=SETTINGS, issuer=issuer, telemetry=telemetry)

    envelope = dispatch(build_resolver(service), event, harness.Context(), telemetry)

    assert isinstance(envelope, dict)
    assert FIXTURE_JWT not in json.dumps(envelope, default=str)
    if "error" in envelope:
        assert set(envelope) == {"error"}
        assert set(envelope["error"]) == {"type", "message"}
        assert envelope["error"]["type"] in ERROR_CODES
        label(envelope["error"]["type"])
        harness.assert_browser_safe(envelope["error"]["message"])
        assert issuer.plans == []
        return
    assert set(envelope) == {"data"}
    data = envelope["data"]
    if isinstance(data, list):  # the scopes query: every scope, available only where this caller may have it
        assert issuer.plans == []
        assert [s["name"] for s in data] == SCOPE_NAMES_IN_ORDER
        assert all(may_have(event, s["name"]) for s in data if s["available"])
        for s in data:
            assert s["available"] == (s["unavailableReason"] is None) == (s["unavailableMessage"] is None)
            if not s["available"]:
                harness.assert_browser_safe(s["unavailableMessage"])
        label("scopes listed")
        return
    (plan,) = issuer.plans
    assert data["scope"] == plan.scope
    label("granted")
    assert may_have(event, plan.scope), "granted a scope the caller may not have"
    assert plan.source_identity == event["identity"]["sub"]
    assert plan.duration_seconds <= min(CATALOG.scopes[plan.scope].max_duration_seconds, 3600)
    policy = json.loads(plan.policy)
    rendered = harness.resources_of(policy)
    assert rendered
    assert set(rendered) <= allowed_resources(event, plan.scope)
    (record,) = telemetry.records
    assert (record.decision, record.sub) == ("granted", event["identity"]["sub"])


@settings(max_examples=examples(150), deadline=None)
@given(
    scope=st.sampled_from(SCOPE_NAMES),
    groups=st.none() | st.lists(st.sampled_from(["analysts", "admins", "ops"]), max_size=3),
    duration=st.none() | st.integers(min_value=900, max_value=43_200),
)
def test_valid_requests_by_our_users_are_granted_exactly_when_the_scope_admits_them(
    scope: str, groups: list[str] | None, duration: int | None
) -> None:
    # A control for the property above: it would pass vacuously if nothing were ever granted.
    event = harness.event(harness.ID_TOKEN, scope=scope, durationSeconds=duration)
    event["identity"]["groups"] = groups
    outcome = harness.run(event)
    if may_have(event, scope):
        harness.assert_granted(outcome, scope)
        assert set(harness.resources_of(harness.policy_of(outcome))) <= allowed_resources(event, scope)
    else:
        harness.assert_refused(outcome, "ScopeForbidden")
