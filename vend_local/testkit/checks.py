"""Assertions for scope tests: by a real SDK call against the enforcing embedded AWS, or by evaluation of the
policies a vend would carry (no server). The SDK checks do the caller's I/O; the evaluation checks are pure.

By evaluation: the caller goes through the Lambda's own identity parsing and ``plan_vend``, and the question is
judged by the local IAM evaluator against the session policy and the vend role's ceiling as infra deploys them
(``vend_local.access``, the same path as ``vend catalog test``). A NotModelled verdict is neither an allow nor
a deny: both ``assert_allows`` and ``assert_denies`` fail on it, with the evaluator's reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from botocore.exceptions import ClientError

from resolvers.catalog import DEFAULT_PATH, load_catalog
from resolvers.catalog_model import Catalog
from resolvers.decision import plan_vend
from resolvers.identity import TokenUse
from vend_local.access import Question, ask
from vend_local.iam.model import Decision
from vend_local.synthetic import example_deployment, make_caller, settings_for

T = TypeVar("T")
# The codes each service uses for an authorisation refusal.
DENIAL_CODES: Final = frozenset({"AccessDenied", "AccessDeniedException", "403"})


# ---- by a real SDK call -------------------------------------------------------------------------------------


def assert_sdk_allows(call: Callable[[], T]) -> T:
    """Run ``call`` (an SDK call with vended credentials); fail with the service's message if it is refused."""
    try:
        return call()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise AssertionError(
            f"expected the call to be allowed, got {error.get('Code')}: {error.get('Message')}"
        ) from None


def assert_sdk_denies(call: Callable[[], object], code: str | None = None) -> ClientError:
    """Run ``call``; it must be refused as an authorisation failure (``code`` to expect one exactly)."""
    try:
        call()
    except ClientError as exc:
        got = str(exc.response.get("Error", {}).get("Code"))
        expected = {code} if code is not None else DENIAL_CODES
        if got not in expected:
            raise AssertionError(f"expected a denial ({' or '.join(sorted(expected))}), got {got}") from None
        return exc
    raise AssertionError("expected the call to be denied, and it was allowed")


# ---- by evaluation ------------------------------------------------------------------------------------------


class ScopeChecker:
    """Judges questions for one catalog, as ``vend catalog test`` does, without any server."""

    def __init__(
        self,
        catalog_path: Path = DEFAULT_PATH,
        deployment: Mapping[str, str] | None = None,
        managed: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.catalog_path = catalog_path
        self.catalog: Catalog = load_catalog(catalog_path)
        self.deployment = dict(deployment or example_deployment())
        self.managed = dict(managed or {})
        self.settings = settings_for(self.catalog, catalog_path, self.deployment)

    def decide(
        self,
        scope: str,
        action: str,
        resource: str,
        *,
        sub: str | None = None,
        groups: Sequence[str] = (),
        claims: Mapping[str, str] | None = None,
        token_use: TokenUse = "id",  # noqa: S107 - which Cognito token, not a secret
        context: Mapping[str, Sequence[str]] | None = None,
        now: datetime | None = None,
    ) -> Decision:
        """The evaluator's decision for ``action`` on ``resource`` by a session vended for this caller.

        Refusals of the vend itself (ScopeForbidden, ClaimMissing, ...) raise the handler's own errors.
        """
        caller = make_caller(
            sub=sub or str(uuid.uuid4()),
            username="kit-user",
            groups=list(groups),
            claims=dict(claims or {}),
            token_use=token_use,
        )
        plan = plan_vend(caller, scope, None, catalog=self.catalog, settings=self.settings)
        question = Question(action, resource, {k: tuple(v) for k, v in (context or {}).items()})
        answer = ask(
            plan,
            question,
            catalog=self.catalog,
            deployment=self.deployment,
            now=now or datetime.now(UTC),
            managed=self.managed,
        )
        return answer.decision

    def assert_allows(self, scope: str, action: str, resource: str, **caller: Any) -> Decision:
        decision = self.decide(scope, action, resource, **caller)
        if not decision.allowed:
            raise AssertionError(
                f"{scope}: expected {action} on {resource} to be allowed: {decision.message}"
            )
        return decision

    def assert_denies(self, scope: str, action: str, resource: str, **caller: Any) -> Decision:
        decision = self.decide(scope, action, resource, **caller)
        if decision.allowed or decision.outcome == "NotModelled":
            raise AssertionError(f"{scope}: expected {action} on {resource} to be denied: {decision.message}")
        return decision
