"""The embedded AWS: an in-process moto server on 127.0.0.1, seeded from the scope catalog. Does network I/O
(to that local server only) and nothing else.

Seeded like the deployed stack: a user pool with the catalog's groups, the deployed pre token generation trigger
(vend_local/token_trigger.py) and an app client that may not write custom:tenant_id; demo users; a Lambda role and one vend role per catalog role, trusting only the Lambda role
with sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity; the uploads bucket with a few objects and the
items table. The handler then runs with credentials of the assumed Lambda role, so a vend is role chaining
as in Lambda. Each vend role's identity policy is the ceiling the CDK app deploys (vend_local.iam.ceiling).

Enforcement (on unless ``enforce=False``): requests signed with a role session this embedded AWS issued are
allowed only as IAM would allow them (vend_local.enforcement, a WSGI middleware between EmbeddedCors and moto).

Its Cognito is hooked (moto_cognito) to behave as Cognito does where it matters to us: tokens are signed with a
key made for this run (signing_key), never with the one moto ships, and app clients' read and write attributes
are enforced.

CORS is only what the example page needs, for the --cors-origin values only: moto's global CORS (which reflects
any Origin on every service) is off; S3 answers by the bucket's CORS rules (GET and PUT, the SDK's headers);
Cognito's InitiateAuth gets its CORS from EmbeddedCors in front of moto. Nothing else answers a browser.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import boto3

from resolvers.catalog_model import Catalog
from vend_local import demo, moto_cognito, signing_key, token_trigger
from vend_local.enforcement.sigv4 import access_key_of
from vend_local.iam import ceiling, trust
from vend_local.iam import revocation as revocation_policies
from vend_local.revocation.aws import create_store

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef, SchemaAttributeTypeTypeDef
    from werkzeug.serving import BaseWSGIServer

    from vend_local.enforcement.middleware import Enforcement

logger = logging.getLogger("vend_local.embedded_aws")

# Credentials for seeding moto; moto accepts any. Never real ones: the embedded mode never reaches AWS.
BOOTSTRAP_KEY_ID: Final = "AKIAVENDLOCALBOOTSTR"
# The key of the background seeding's own requests, the only ones SeedGate lets through while it runs.
SEEDING_KEY_ID: Final = "AKIAVENDLOCALSEEDING"
# How long a request waits for the background seeding (a fraction of a second, normally) before it is refused.
SEED_WAIT_SECONDS: Final = 60.0
BOOTSTRAP_SECRET: Final = "vend-local-bootstrap-not-a-secret"  # noqa: S105 - moto accepts any value
LAMBDA_SESSION_SECONDS: Final = 3600

# CORS, for the --cors-origin values only. Browsers cache a preflight this long (as the GraphQL endpoint does).
CORS_MAX_AGE_SECONDS: Final = 600
# Amplify's sign-in (USER_PASSWORD_AUTH, and the token refresh) is InitiateAuth, POSTed to the endpoint's root.
# Nothing else from Cognito is the page's: no admin API, and RevokeToken (Amplify's sign-out) is not in moto,
# whose failure Amplify ignores before it forgets the tokens.
COGNITO_CORS_PATH: Final = "/"
COGNITO_CORS_TARGETS: Final = frozenset({"AWSCognitoIdentityProviderService.InitiateAuth"})
COGNITO_CORS_METHODS: Final = ("POST",)
# What Amplify's Cognito client sends besides the CORS-safelisted ones. No authorization: the call is unsigned.
COGNITO_CORS_HEADERS: Final = (
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "cache-control",
    "content-type",
    "x-amz-target",
    "x-amz-user-agent",
)
# The bucket's rule. The example page lists (GET) and uploads (PUT) with the AWS SDK v3; the Storage Browser example
# (Amplify Storage) also reads an object's head before a download (HEAD), deletes (DELETE), and uploads large files
# in parts (POST to start and complete, PUT per part, DELETE to abort). The headers are those the two clients send
# (SigV4, the session token, flexible checksums, the SDK's retry headers; Amplify's If-None-Match for "do not
# overwrite", and for the Storage Browser's Copy the copy source, its If-Match and If-Unmodified-Since, and the
# metadata and tagging directives); the one response header beyond CORS's safe list that a client reads is a part's
# ETag.
S3_CORS_METHODS: Final = ("GET", "PUT", "HEAD", "DELETE", "POST")
S3_CORS_HEADERS: Final = (
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "authorization",
    "content-type",
    "if-none-match",
    "x-amz-checksum-algorithm",
    "x-amz-checksum-crc32",
    "x-amz-checksum-type",
    "x-amz-content-sha256",
    "x-amz-copy-source",
    "x-amz-copy-source-if-match",
    "x-amz-copy-source-if-unmodified-since",
    "x-amz-date",
    "x-amz-metadata-directive",
    "x-amz-sdk-checksum-algorithm",
    "x-amz-security-token",
    "x-amz-tagging-directive",
    "x-amz-user-agent",
)
S3_CORS_EXPOSE_HEADERS: Final = ("ETag",)
# S3's body for a preflight its CORS rules do not allow (403, and no CORS header: the browser sends nothing).
S3_CORS_REFUSAL: Final = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessForbidden</Code><Message>CORSResponse: This CORS '
    "request is not allowed. This is usually because the evalution of Origin, request method / "
    "Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's "
    "CORS spec.</Message></Error>"
)


@dataclass(frozen=True)
class RoleCredentials:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)


@dataclass(frozen=True)
class SeededUser:
    username: str
    sub: str
    groups: tuple[str, ...]
    tenant: str | None
    password: str = field(repr=False)


@dataclass(frozen=True)
class Deployment:
    """What the handler and the verifier need, for the embedded AWS or a real account."""

    region: str
    user_pool_id: str
    app_client_ids: tuple[str, ...]
    role_arns: Mapping[str, str]
    bucket: str | None
    table_arn: str | None
    account_id: str | None
    endpoint_url: str | None = None
    # The embedded S3 over HTTPS, as Amplify Storage's customEndpoint takes it ("localhost:<port>"), and the
    # listener's certificate (PEM, public), made for this run.
    s3_custom_endpoint: str | None = None
    s3_certificate_pem: bytes = field(default=b"", repr=False)
    lambda_credentials: RoleCredentials | None = None
    users: tuple[SeededUser, ...] = ()
    # The revocation store and the operator-owned deny policy (`vend revoke`); None: no revocation lookup.
    revocation_table: str | None = None
    revocation_policy_arn: str | None = None

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        # moto serves the pool's JWKS under its own host; Cognito under the issuer.
        if self.endpoint_url:
            return f"{self.endpoint_url}/{self.user_pool_id}/.well-known/jwks.json"
        return f"{self.issuer}/.well-known/jwks.json"


def handler_environment(deployment: Deployment, catalog_path: str) -> dict[str, str]:
    """The Lambda's environment variables, as the deployed stack sets them."""
    env = {
        "AWS_REGION": deployment.region,
        "AWS_DEFAULT_REGION": deployment.region,
        "VEND_USER_POOL_ISSUER": deployment.issuer,
        "VEND_APP_CLIENT_IDS": ",".join(deployment.app_client_ids),
        "VEND_ROLE_ARNS": json.dumps(dict(deployment.role_arns), sort_keys=True),
        "VEND_CATALOG_PATH": catalog_path,
        # Local use: no X-Ray daemon and no CloudWatch metrics to flush.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "credential-vending",
    }
    optional = {
        "VEND_BUCKET": deployment.bucket,
        "VEND_TABLE_ARN": deployment.table_arn,
        "VEND_ACCOUNT_ID": deployment.account_id,
    }
    env |= {name: value for name, value in optional.items() if value}
    if deployment.revocation_table is not None:
        env["VEND_REVOCATION_TABLE"] = deployment.revocation_table
    if deployment.endpoint_url is not None and deployment.lambda_credentials is not None:
        creds = deployment.lambda_credentials
        env |= {
            # Every AWS call of the handler goes to the embedded endpoint, with the Lambda role's credentials.
            "AWS_ENDPOINT_URL": deployment.endpoint_url,
            "AWS_ENDPOINT_URL_STS": deployment.endpoint_url,
            "AWS_ENDPOINT_URL_DYNAMODB": deployment.endpoint_url,
            "AWS_ACCESS_KEY_ID": creds.access_key_id,
            "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
            "AWS_SESSION_TOKEN": creds.session_token,
            # Nothing from the developer's ~/.aws may take part.
            "AWS_CONFIG_FILE": "/nonexistent/vend-local/config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/vend-local/credentials",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    return env


# Browsers resolve every *.localhost name to the loopback address (RFC 6761), so "<bucket>.localhost" needs no DNS.
LOCAL_HOST: Final = "localhost"


def virtual_hosts(bucket: str) -> tuple[str, ...]:
    """The host names the HTTPS listener answers for: the bucket's virtual host, and the bare name."""
    return (f"{bucket}.{LOCAL_HOST}", LOCAL_HOST)


# Variables that would point boto3 at another account or endpoint in embedded mode.
EMBEDDED_UNSET: Final = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI")


def _is_cors_header(name: str) -> bool:
    return name.lower().startswith("access-control-")


def _header_list(value: str) -> frozenset[str]:
    return frozenset(h.strip().lower() for h in value.split(",") if h.strip())


class EmbeddedCors:
    """WSGI middleware in front of moto: CORS for the given origins only, and only what the example pages need.

    - the root (Cognito's JSON API): preflights answered here, and InitiateAuth's answers made readable, since
      moto's Cognito has no CORS of its own once moto's global CORS is off;
    - the uploads bucket, addressed by path (``/<bucket>/...``) or by virtual host (``<bucket>.localhost``, the
      HTTPS listener Amplify Storage reaches): preflights answered here by the bucket's rule as S3 evaluates it
      (origin, method and every requested header must match, else 403 and no CORS header). moto's own preflight
      answer checks only the origin, and refuses a preflight for a key that exists (its anonymous-access check
      runs first), which would block every download, overwrite and delete. S3 puts the rule's CORS headers on
      every answer to a method of the rule; moto only on object GETs and PUTs, so where it left them out (a
      listing, HEAD, DELETE, POST) the Access-Control-Allow-Origin and Expose-Headers are added;
    - any origin not given: every CORS header moto would send is dropped, so no service grants it anything.

    Requests are forwarded unchanged: CORS decides what a browser may read, not what reaches moto.
    """

    def __init__(self, app: WSGIApplication, origins: Iterable[str], bucket: str = demo.BUCKET) -> None:
        self._app = app
        self._origins = frozenset(origins)
        self._bucket = bucket
        self._bucket_host = virtual_hosts(bucket)[0]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        if origin is None:
            return self._app(environ, start_response)
        method = environ.get("REQUEST_METHOD")
        preflight = method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
        allowed = origin in self._origins
        bucket_level = self._bucket_level(environ)
        if bucket_level is not None and preflight:
            return self._s3_preflight(environ, origin, start_response)
        if bucket_level is None and environ.get("PATH_INFO") == COGNITO_CORS_PATH:
            return self._cognito(environ, origin, start_response, preflight=preflight)
        if not allowed:
            return self._app(environ, _with_cors(start_response, None, replace=True))
        if bucket_level is not None and method in S3_CORS_METHODS:
            # S3 answers every method of the rule with its CORS headers; moto only some (GET and PUT of objects).
            return self._app(
                environ, _with_cors(start_response, origin, replace=False, expose=S3_CORS_EXPOSE_HEADERS)
            )
        return self._app(environ, start_response)

    def _cognito(
        self, environ: WSGIEnvironment, origin: str, start_response: StartResponse, *, preflight: bool
    ) -> Iterable[bytes]:
        if preflight:
            return self._cognito_preflight(environ, origin, start_response)
        readable = (
            origin in self._origins
            and environ.get("REQUEST_METHOD") in COGNITO_CORS_METHODS
            and environ.get("HTTP_X_AMZ_TARGET") in COGNITO_CORS_TARGETS
        )
        # Only this middleware speaks CORS for the root: whatever moto might add is dropped.
        return self._app(environ, _with_cors(start_response, origin if readable else None, replace=True))

    def _bucket_level(self, environ: WSGIEnvironment) -> bool | None:
        """None: not a request to the bucket; True: to the bucket itself; False: to one of its objects."""
        path = environ.get("PATH_INFO", "")
        host = environ.get("HTTP_HOST", "").rpartition(":")[0] or environ.get("HTTP_HOST", "")
        if host.lower() == self._bucket_host:
            return path in ("", "/")
        if path in (f"/{self._bucket}", f"/{self._bucket}/"):
            return True
        return False if path.startswith(f"/{self._bucket}/") else None

    def _s3_preflight(
        self, environ: WSGIEnvironment, origin: str, start_response: StartResponse
    ) -> list[bytes]:
        """S3's answer to a preflight, by the bucket's one rule (see _seed_data)."""
        requested = [
            h.strip().lower()
            for h in environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").split(",")
            if h.strip()
        ]
        allowed = (
            origin in self._origins
            and environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] in S3_CORS_METHODS
            and set(requested) <= set(S3_CORS_HEADERS)
        )
        vary = ("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
        if not allowed:
            # What a developer needs to see why the browser sent nothing; names and methods only, never values.
            logger.info(
                "S3 CORS preflight refused: origin %s allowed: %s, method %s, headers outside the rule: %s",
                origin,
                origin in self._origins,
                environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"],
                ", ".join(sorted(set(requested) - set(S3_CORS_HEADERS))) or "none",
            )
            body = S3_CORS_REFUSAL.encode()
            start_response(
                "403 Forbidden",
                [("Content-Type", "application/xml"), ("Content-Length", str(len(body))), vary],
            )
            return [body]
        headers = [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", ", ".join(S3_CORS_METHODS)),
            ("Access-Control-Expose-Headers", ", ".join(S3_CORS_EXPOSE_HEADERS)),
            ("Access-Control-Max-Age", str(CORS_MAX_AGE_SECONDS)),
            ("Content-Length", "0"),
            vary,
        ]
        if requested:
            # S3 names the requested headers back, as sent.
            headers.insert(2, ("Access-Control-Allow-Headers", ", ".join(dict.fromkeys(requested))))
        start_response("200 OK", headers)
        return []

    def _cognito_preflight(
        self, environ: WSGIEnvironment, origin: str, start_response: StartResponse
    ) -> list[bytes]:
        requested = _header_list(environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", ""))
        allowed = (
            origin in self._origins
            and environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] in COGNITO_CORS_METHODS
            and requested <= frozenset(COGNITO_CORS_HEADERS)
        )
        if not allowed:
            # As S3 and the GraphQL endpoint do: 403 and not one CORS header, so the browser sends nothing.
            start_response("403 Forbidden", [("Content-Length", "0"), ("Vary", "Origin")])
            return []
        start_response(
            "204 No Content",
            [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Methods", ", ".join(COGNITO_CORS_METHODS)),
                ("Access-Control-Allow-Headers", ", ".join(COGNITO_CORS_HEADERS)),
                ("Access-Control-Max-Age", str(CORS_MAX_AGE_SECONDS)),
                ("Vary", "Origin"),
            ],
        )
        return []


class SeedGate:
    """WSGI middleware in front of everything: while the embedded AWS is being seeded in the background, only that
    seeding (its own key) gets through; any other request waits for it to finish, so no client ever sees a
    half-made world (no bucket yet, no table yet). `vend serve` is ready once the Cognito pool, the roles and the
    Lambda's session exist; the bucket, the table and their demo contents are made in the background, which keeps
    them off the start-up (README, "Performance"). Open until ``close``.
    """

    def __init__(self, app: WSGIApplication, wait_seconds: float = SEED_WAIT_SECONDS) -> None:
        self._app = app
        self._wait = wait_seconds
        self._open = threading.Event()
        self._open.set()
        self._failed = False

    def close(self) -> None:
        self._failed = False
        self._open.clear()

    def opened(self, *, failed: bool = False) -> None:
        self._failed = failed
        self._open.set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the background seeding finished well (False: it failed, or ``timeout`` passed first)."""
        return self._open.wait(timeout) and not self._failed

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if access_key_of(environ.get("HTTP_AUTHORIZATION")) == SEEDING_KEY_ID or self.wait(self._wait):
            return self._app(environ, start_response)
        body = b"The embedded AWS could not finish seeding; see vend serve's log."
        start_response(
            "503 Service Unavailable",
            [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
        )
        return [body]


def _with_cors(
    start_response: StartResponse, allow_origin: str | None, *, replace: bool, expose: tuple[str, ...] = ()
) -> StartResponse:
    """``start_response`` that drops moto's CORS headers (``replace``) and allows ``allow_origin`` if given (with the
    ``expose`` response headers), where moto did not already."""

    def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        kept = [(k, v) for k, v in headers if not (replace and _is_cors_header(k))]
        present = {k.lower() for k, _ in kept}
        if allow_origin is not None and "access-control-allow-origin" not in present:
            kept.append(("Access-Control-Allow-Origin", allow_origin))
        if allow_origin is not None and expose and "access-control-expose-headers" not in present:
            kept.append(("Access-Control-Expose-Headers", ", ".join(expose)))
        if not any(k.lower() == "vary" and "origin" in v.lower() for k, v in kept):
            # The answer depends on Origin: a cache must not hand one origin's answer to another.
            kept.append(("Vary", "Origin"))
        return start_response(status, kept, exc_info)

    return respond


def _moto_app(
    cors_origins: Iterable[str], *, enforce: bool = True
) -> tuple[WSGIApplication, Enforcement | None]:
    """moto's server application with its global CORS off, behind the enforcement (unless off) and EmbeddedCors."""
    # moto reads this once, when moto.settings is first imported: before that, or it is too late.
    os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"
    from moto.moto_server import werkzeug_app  # noqa: PLC0415 - heavy: only when an embedded AWS starts

    # The flag as create_backend_app reads it. Not True: moto was imported earlier in this process with its
    # reflect-any-Origin CORS on (or moto renamed it), so refuse to serve rather than allow every origin.
    if vars(werkzeug_app).get("DISABLE_GLOBAL_CORS") is not True:
        msg = "moto was imported before MOTO_DISABLE_GLOBAL_CORS was set; start the embedded AWS in a fresh process"
        raise RuntimeError(msg)
    moto_app: WSGIApplication = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
    if not enforce:
        return EmbeddedCors(moto_app, cors_origins), None
    from vend_local.enforcement.middleware import Enforcement  # noqa: PLC0415 - it imports moto

    enforcement = Enforcement(moto_app)
    return EmbeddedCors(enforcement, cors_origins), enforcement


def _trusted_cognito() -> moto_cognito.Uninstall:
    """moto's Cognito with a signing key made for this run (kept in memory only) and app client attribute rules."""
    return moto_cognito.install(signing_key.generate())


class EmbeddedAws:
    """A moto server on a free port of 127.0.0.1, seeded by ``seed``. One per process: moto's state is global.

    ``cors_origins`` are the browser origins allowed on Cognito's InitiateAuth and in the bucket's CORS rule
    (EmbeddedCors). Served as moto's ThreadedMotoServer serves it (werkzeug, a thread per request, moto's
    request handler), because ThreadedMotoServer takes no middleware.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        cors_origins: Iterable[str] = (),
        enforce: bool = True,
    ) -> None:
        self._host = host
        self._port = port
        self._cors_origins = tuple(cors_origins)
        # The enforcement in front of moto (None with enforce=False): its session registry and clock.
        app, self.enforcement = _moto_app(self._cors_origins, enforce=enforce)
        self.gate = SeedGate(app)
        self._app = self.gate
        self._seeding: threading.Thread | None = None
        self._restore_cognito = _trusted_cognito()
        self._servers: list[tuple[BaseWSGIServer, threading.Thread]] = []
        self._session: boto3.session.Session | None = None
        # boto3 sessions are not thread-safe; clients made from one are.
        self._session_lock = threading.Lock()
        self.endpoint_url = ""
        # S3 over HTTPS for Amplify Storage's customEndpoint ("localhost:<port>"; see vend_local/local_tls.py).
        self.s3_custom_endpoint = ""
        self.certificate_pem = b""

    def start(self) -> str:
        from moto.moto_server.werkzeug_app import MotoRequestHandler  # noqa: PLC0415 - imported by __init__
        from werkzeug.serving import make_server  # noqa: PLC0415 - with moto, only when serving

        from vend_local.local_tls import server_context  # noqa: PLC0415 - cryptography: only when serving

        class QuietRequestHandler(MotoRequestHandler):
            # No access log: a request line can carry a presigned URL's security token.
            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                pass

        certificate = server_context(virtual_hosts(demo.BUCKET))
        self.certificate_pem = certificate.pem
        for port, tls in ((self._port, None), (0, certificate.context)):
            server = make_server(
                self._host,
                port,
                self._app,
                threaded=True,
                request_handler=QuietRequestHandler,
                ssl_context=tls,
            )
            if tls is not None:
                # Werkzeug wraps the listening socket, so by default each TLS handshake runs inside accept(), on
                # the one thread that accepts: a client that connects and sends nothing would hold up every
                # HTTPS request. Deferred, the handshake happens on the connection's own thread at its first read.
                server.socket.do_handshake_on_connect = False  # type: ignore[attr-defined]
            thread = threading.Thread(target=server.serve_forever, name="vend-embedded-aws", daemon=True)
            thread.start()
            self._servers.append((server, thread))
        # What the sockets really bound (port 0 picks a free one).
        host, port = self._servers[0][0].socket.getsockname()[:2]
        self.endpoint_url = f"http://{host}:{port}"
        self.s3_custom_endpoint = f"{LOCAL_HOST}:{self._servers[1][0].socket.getsockname()[1]}"
        return self.endpoint_url

    def stop(self) -> None:
        if self._seeding is not None and self._seeding.ident is not None:
            self._seeding.join(SEED_WAIT_SECONDS)
        for server, _ in self._servers:
            server.shutdown()
            server.server_close()
        for _, thread in self._servers:
            thread.join()
        self._restore_cognito()

    def client(self, service: str, region: str = demo.REGION, **credentials: str) -> Any:
        # One session for every client, each with its own credentials: the session's loader reads botocore's
        # endpoint, partition and service data once (a session per client read them again each time: about
        # 0.4 s of `vend serve`'s start-up for its six seeding clients).
        with self._session_lock:
            if self._session is None:
                self._session = boto3.session.Session()
            return self._session.client(  # type: ignore[call-overload]
                service,
                region_name=region,
                endpoint_url=self.endpoint_url,
                aws_access_key_id=credentials.get("access_key_id", BOOTSTRAP_KEY_ID),
                aws_secret_access_key=credentials.get("secret_access_key", BOOTSTRAP_SECRET),
                aws_session_token=credentials.get("session_token"),
            )

    def seed(self, catalog: Catalog, *, region: str = demo.REGION, defer_data: bool = False) -> Deployment:
        """Seed the embedded AWS; the bucket and the table are made in the background, behind the gate, from now
        on or (``defer_data``) from ``seed_data``: `vend serve` calls it once it is ready, so that work does not
        compete with its own start-up for the interpreter."""
        pool_id, client_id = self._seed_cognito(catalog, region)
        users = self._seed_users(pool_id, region)
        # The revocation table is made in the background with the bucket and the demo table (behind the gate);
        # the Lambda role's read statement needs only its ARN, DynamoDB's for that name (checked when it is made).
        revocation_table_arn = f"arn:aws:dynamodb:{region}:{demo.ACCOUNT_ID}:table/{demo.REVOCATION_TABLE}"
        lambda_role_arn, role_arns, revocation_policy_arn = self._seed_roles(
            catalog, region, revocation_table_arn
        )
        assumed = self.client("sts", region).assume_role(
            RoleArn=lambda_role_arn,
            RoleSessionName=demo.LAMBDA_ROLE,
            DurationSeconds=LAMBDA_SESSION_SECONDS,
        )["Credentials"]
        # The bucket, the table and their contents in the background: SeedGate holds every other request until
        # they exist. The table's ARN is the one DynamoDB gives a table of that name (checked when it is made).
        table_arn = f"arn:aws:dynamodb:{region}:{demo.ACCOUNT_ID}:table/{demo.TABLE}"
        self._seeding = threading.Thread(
            target=self._seed_data_then_open,
            args=(users, region, table_arn, revocation_table_arn),
            name="vend-seed-data",
            daemon=True,
        )
        if not defer_data:
            self.seed_data()
        return Deployment(
            region=region,
            user_pool_id=pool_id,
            app_client_ids=(client_id,),
            role_arns=role_arns,
            bucket=demo.BUCKET,
            table_arn=table_arn,
            account_id=demo.ACCOUNT_ID,
            endpoint_url=self.endpoint_url,
            s3_custom_endpoint=self.s3_custom_endpoint,
            s3_certificate_pem=self.certificate_pem,
            lambda_credentials=RoleCredentials(
                assumed["AccessKeyId"], assumed["SecretAccessKey"], assumed["SessionToken"]
            ),
            users=users,
            revocation_table=demo.REVOCATION_TABLE,
            revocation_policy_arn=revocation_policy_arn,
        )

    # ---- seeding ----------------------------------------------------------------------------------------

    def _seed_cognito(self, catalog: Catalog, region: str) -> tuple[str, str]:
        idp: CognitoIdentityProviderClient = self.client("cognito-idp", region)
        # The demo users' tenant attribute, and every custom attribute the catalog reads (a team's own catalog
        # declares its own), as the deployed pool has them: readable by the app client, never writable.
        custom = sorted(
            {demo.TENANT_ATTRIBUTE} | {c.removeprefix("custom:") for c in _custom_claims(catalog)}
        )
        schema: list[SchemaAttributeTypeTypeDef] = [
            {"Name": "email", "AttributeDataType": "String", "Mutable": True}
        ]
        schema += [
            {
                "Name": name,
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
            }
            for name in custom
        ]
        pool_id = idp.create_user_pool(PoolName=demo.USER_POOL, Schema=schema)["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=demo.APP_CLIENT,
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            ReadAttributes=["email", "email_verified", *(f"custom:{name}" for name in custom)],
            # Custom attributes reach policies: no app client may write them (users could pick any tenant).
            WriteAttributes=["email"],
        )["UserPoolClient"]["ClientId"]
        groups = set(catalog.groups) | {g for u in demo.DEMO_USERS for g in u.groups}
        for group in sorted(groups):
            idp.create_group(GroupName=group, UserPoolId=pool_id)
        # As the deployed pool's pre token generation trigger does: the catalog's claims in access tokens too.
        token_trigger.install(_moto_pool(pool_id, region), catalog.token_claims)
        return pool_id, client_id

    def _seed_users(self, pool_id: str, region: str) -> tuple[SeededUser, ...]:
        idp: CognitoIdentityProviderClient = self.client("cognito-idp", region)
        seeded = []
        for user in demo.DEMO_USERS:
            attributes: list[AttributeTypeTypeDef] = [
                {"Name": "email", "Value": user.email},
                {"Name": "email_verified", "Value": "true"},
            ]
            if user.tenant is not None:
                attributes.append({"Name": f"custom:{demo.TENANT_ATTRIBUTE}", "Value": user.tenant})
            created = idp.admin_create_user(
                UserPoolId=pool_id,
                Username=user.username,
                UserAttributes=attributes,
                MessageAction="SUPPRESS",
            )["User"]
            idp.admin_set_user_password(
                UserPoolId=pool_id, Username=user.username, Password=user.password, Permanent=True
            )
            for group in user.groups:
                idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user.username, GroupName=group)
            # AdminCreateUser answers with the user's attributes, the sub Cognito gave it among them.
            sub = next(a["Value"] for a in created.get("Attributes", []) if a["Name"] == "sub")
            seeded.append(SeededUser(user.username, sub, user.groups, user.tenant, user.password))
        return tuple(seeded)

    def _seed_roles(
        self, catalog: Catalog, region: str, revocation_table_arn: str
    ) -> tuple[str, dict[str, str], str]:
        iam = self.client("iam", region)
        # Both managed policies the stack attaches to every vend role: its own session denies, and the
        # revocation deny that `vend revoke` owns (created once, with nothing revoked).
        session_denies: str = iam.create_policy(
            PolicyName=demo.SESSION_DENIES_POLICY,
            PolicyDocument=json.dumps(trust.session_deny_policy(None, ()), sort_keys=True),
        )["Policy"]["Arn"]
        revocation_policy: str = iam.create_policy(
            PolicyName=demo.REVOCATION_POLICY,
            PolicyDocument=json.dumps(revocation_policies.initial_deny_policy(), sort_keys=True),
        )["Policy"]["Arn"]
        lambda_role_arn: str = iam.create_role(
            RoleName=demo.LAMBDA_ROLE,
            AssumeRolePolicyDocument=_document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            ),
        )["Role"]["Arn"]
        role_arns: dict[str, str] = {}
        for role in sorted(catalog.roles):
            # The trust policy infra deploys: the Lambda role only, a sub-shaped source identity, the vend tags.
            trust_policy = trust.trust_policy(
                lambda_role_arn,
                [s.name for s in ceiling.role_scopes(catalog, role)],
                ceiling.role_session_tag_keys(catalog, role),
            )
            arn: str = iam.create_role(
                RoleName=demo.vend_role_name(role),
                MaxSessionDuration=3600,
                AssumeRolePolicyDocument=json.dumps(trust_policy, sort_keys=True),
            )["Role"]["Arn"]
            iam.put_role_policy(
                RoleName=demo.vend_role_name(role),
                PolicyName="ceiling",
                PolicyDocument=json.dumps(
                    ceiling.role_ceiling(catalog, role, _deployment_values(region)), sort_keys=True
                ),
            )
            for policy_arn in (session_denies, revocation_policy):
                iam.attach_role_policy(RoleName=demo.vend_role_name(role), PolicyArn=policy_arn)
            role_arns[role] = arn
        # Role chaining needs these on the Lambda role's own permissions as well as in the trust policies; and,
        # as deployed, the handler may Query the revocation partition and nothing else of the store.
        iam.put_role_policy(
            RoleName=demo.LAMBDA_ROLE,
            PolicyName="vend",
            PolicyDocument=_document(
                [
                    {
                        "Effect": "Allow",
                        "Action": list(trust.TRUST_ACTIONS),
                        "Resource": sorted(role_arns.values()),
                    },
                    revocation_policies.resolver_read_statement(revocation_table_arn),
                ]
            ),
        )
        return lambda_role_arn, role_arns, revocation_policy

    def seed_data(self) -> None:
        """Start making the bucket and the table (once, after ``seed``); requests wait at the gate meanwhile."""
        if self._seeding is not None and self._seeding.ident is None:
            self.gate.close()
            self._seeding.start()

    def _seed_data_then_open(
        self, users: tuple[SeededUser, ...], region: str, table_arn: str, revocation_table_arn: str
    ) -> None:
        try:
            made = self._seed_data(users, region, access_key_id=SEEDING_KEY_ID)
            store = create_store(
                self.client("dynamodb", region, access_key_id=SEEDING_KEY_ID), demo.REVOCATION_TABLE
            )
            if (made, store) != (table_arn, revocation_table_arn):
                raise RuntimeError(f"the tables are {made}, {store}")  # noqa: TRY301 - reported below
        except Exception as exc:  # noqa: BLE001 - reported, and every waiting request is refused
            logger.error("seeding the bucket and the table failed: %s", type(exc).__name__)  # noqa: TRY400
            self.gate.opened(failed=True)
            return
        self.gate.opened()

    def _seed_data(self, users: tuple[SeededUser, ...], region: str, **credentials: str) -> str:
        s3 = self.client("s3", region, **credentials)
        if region == "us-east-1":
            s3.create_bucket(Bucket=demo.BUCKET)
        else:
            s3.create_bucket(Bucket=demo.BUCKET, CreateBucketConfiguration={"LocationConstraint": region})
        for key, body in demo.objects_for({u.username: u.sub for u in users}).items():
            s3.put_object(Bucket=demo.BUCKET, Key=key, Body=body)
        if self._cors_origins:
            # Without a rule (no --cors-origin) the bucket gives no browser any CORS header.
            s3.put_bucket_cors(
                Bucket=demo.BUCKET,
                CORSConfiguration={
                    "CORSRules": [
                        {
                            "AllowedOrigins": list(self._cors_origins),
                            "AllowedMethods": list(S3_CORS_METHODS),
                            "AllowedHeaders": list(S3_CORS_HEADERS),
                            "ExposeHeaders": list(S3_CORS_EXPOSE_HEADERS),
                            "MaxAgeSeconds": CORS_MAX_AGE_SECONDS,
                        }
                    ]
                },
            )
        dynamodb = self.client("dynamodb", region, **credentials)
        table_arn: str = dynamodb.create_table(
            TableName=demo.TABLE,
            KeySchema=[{"AttributeName": demo.TABLE_PARTITION_KEY, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": demo.TABLE_PARTITION_KEY, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )["TableDescription"]["TableArn"]
        for user in users:
            dynamodb.put_item(
                TableName=demo.TABLE,
                Item={demo.TABLE_PARTITION_KEY: {"S": user.sub}, "note": {"S": f"{user.username}'s item"}},
            )
        return table_arn


def _moto_pool(pool_id: str, region: str) -> Any:
    """The in-process moto object behind ``pool_id``: the embedded server shares this process's moto state."""
    from moto.cognitoidp.models import cognitoidp_backends  # noqa: PLC0415 - moto: only with an embedded AWS

    return cognitoidp_backends[demo.ACCOUNT_ID][region].user_pools[pool_id]


def _custom_claims(catalog: Catalog) -> tuple[str, ...]:
    return tuple(v.claim for v in catalog.claims.values() if v.claim.startswith("custom:"))


def _document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def _deployment_values(region: str) -> dict[str, str]:
    """The catalog's deployment variables for the embedded world, as infra's config gives them for an account."""
    return {
        "account": demo.ACCOUNT_ID,
        "region": region,
        "bucket": demo.BUCKET,
        "table_arn": f"arn:aws:dynamodb:{region}:{demo.ACCOUNT_ID}:table/{demo.TABLE}",
    }
