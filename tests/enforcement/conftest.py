"""An enforcing embedded AWS in this process, seeded from the example catalog, with an adjustable clock.

Sessions are issued as the Lambda issues them: the real ``plan_vend`` and ``resolvers.sts.StsIssuer`` with the
Lambda role's credentials, against the embedded STS. moto's state is process-wide, so one embedded AWS serves
the whole package and every test writes keys of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import boto3
import pytest

from resolvers.catalog import DEFAULT_PATH, load_catalog
from resolvers.catalog_model import Catalog
from resolvers.credentials import IssuedCredentials
from resolvers.decision import plan_vend
from resolvers.settings import Settings, load_settings
from resolvers.sts import StsIssuer
from tests import support
from vend_local.embedded_aws import Deployment, EmbeddedAws, SeededUser, handler_environment
from vend_local.enforcement.middleware import Enforcement, utcnow
from vend_local.synthetic import make_caller

CORS_ORIGIN: Final = "http://localhost:5173"


@dataclass
class Clock:
    """Real time plus an offset the tests move, or a fixed moment (to expire a session without waiting)."""

    offset: timedelta = field(default_factory=timedelta)
    fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed if self.fixed is not None else utcnow() + self.offset


@dataclass
class World:
    aws: EmbeddedAws
    enforcement: Enforcement
    deployment: Deployment
    catalog: Catalog
    settings: Settings
    clock: Clock

    def user(self, name: str) -> SeededUser:
        return next(u for u in self.deployment.users if u.username == name)

    def vend(self, username: str, scope: str, duration: int | None = None) -> IssuedCredentials:
        user = self.user(username)
        claims = {"custom:tenant_id": user.tenant} if user.tenant else {}
        caller = make_caller(
            sub=user.sub, username=user.username, groups=list(user.groups), claims=claims, token_use="id"
        )
        plan = plan_vend(caller, scope, duration, catalog=self.catalog, settings=self.settings)
        lambda_creds = self.deployment.lambda_credentials
        assert lambda_creds is not None
        issuer = StsIssuer(
            lambda: self.aws.client(
                "sts",
                self.deployment.region,
                access_key_id=lambda_creds.access_key_id,
                secret_access_key=lambda_creds.secret_access_key,
                session_token=lambda_creds.session_token,
            )
        )
        issued = issuer.issue(plan)
        support.ISSUED_SECRETS.update({issued.secret_access_key, issued.session_token})
        return issued

    def client(self, service: str, creds: IssuedCredentials | None = None, **config: Any) -> Any:
        """A client with ``creds`` (the seeding credentials without)."""
        if creds is None:
            return self.aws.client(service, self.deployment.region)
        session = boto3.session.Session(
            aws_access_key_id=creds.access_key_id,
            aws_secret_access_key=creds.secret_access_key,
            aws_session_token=creds.session_token,
            region_name=self.deployment.region,
        )
        return session.client(service, endpoint_url=self.aws.endpoint_url, **config)  # type: ignore[call-overload]

    def key(self, username: str, name: str = "") -> str:
        """A key under the user's own prefix, unique to the calling test."""
        return f"users/{self.user(username).sub}/{name or uuid.uuid4().hex}.txt"

    @property
    def bucket(self) -> str:
        assert self.deployment.bucket is not None
        return self.deployment.bucket

    @property
    def table(self) -> str:
        assert self.deployment.table_arn is not None
        return self.deployment.table_arn.rpartition("/")[2]


@pytest.fixture(scope="package")
def world() -> Iterator[World]:
    catalog = load_catalog(DEFAULT_PATH)
    aws = EmbeddedAws(cors_origins=[CORS_ORIGIN])
    assert aws.enforcement is not None
    clock = Clock()
    aws.enforcement.clock = clock
    aws.start()
    try:
        deployment = aws.seed(catalog)
        assert deployment.lambda_credentials is not None
        support.ISSUED_SECRETS.update(
            {deployment.lambda_credentials.secret_access_key, deployment.lambda_credentials.session_token}
        )
        settings = load_settings(handler_environment(deployment, str(DEFAULT_PATH)))
        yield World(aws, aws.enforcement, deployment, catalog, settings, clock)
    finally:
        aws.stop()


@pytest.fixture(autouse=True)
def real_time(world: World) -> Iterator[None]:
    world.clock.offset, world.clock.fixed = timedelta(), None
    yield
    world.clock.offset, world.clock.fixed = timedelta(), None
