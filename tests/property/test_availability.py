"""Hypothesis property: the `scopes` answer never disagrees with vendCredentials about who may have a scope."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from resolvers import errors
from resolvers.decision import UNAVAILABLE_REASONS, plan_vend, scope_availability
from resolvers.identity import Caller
from tests import support
from tests.fuzzing import examples

groups = st.one_of(
    st.none(),
    st.lists(st.sampled_from(["analysts", "Analysts", "users", "analysts ", "admins"]), max_size=3),
)
tenant = st.one_of(
    st.none(),
    st.sampled_from(["acme", "ACME", "ac", "acm", "a" * 32, "a" * 33, "acme*", "${aws:username}", "-acme"]),
    st.text(max_size=12),
    st.integers(),
    st.lists(st.text(max_size=3), max_size=2),
)
ADMISSION = (errors.ScopeForbidden, errors.ClaimMissing, errors.ClaimInvalid)


@settings(max_examples=examples(200), deadline=None)
@given(groups=groups, tenant=tenant, with_claim=st.booleans())
def test_available_exactly_when_vend_admits_and_the_reason_is_the_refusal(
    groups: list[str] | None, tenant: Any, with_claim: bool
) -> None:
    claims = {"custom:tenant_id": tenant} if with_claim else {}
    caller = support.caller_with_claims(groups, claims)
    catalog = support.catalog()
    for entry in scope_availability(caller, catalog):
        refusal = _refusal(caller, entry.scope.name)
        assert entry.available == (refusal is None)
        assert entry.reason == (None if refusal is None else UNAVAILABLE_REASONS[refusal.code])
        assert entry.message == (None if refusal is None else refusal.message)


def _refusal(caller: Caller, scope: str) -> errors.VendError | None:
    """What vendCredentials says about who the caller is, for a request with the default duration."""
    try:
        plan_vend(caller, scope, None, catalog=support.catalog(), settings=support.settings())
    except ADMISSION as refused:
        return refused
    return None
