"""The real entry point ``resolvers.handler.lambda_handler``: cold-start validation, import hygiene, and a
vend on moto with the powertools logger, whose output must hold the audit record and no secret.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from types import ModuleType

import pytest

from tests import support

LOCAL_ONLY = ("strawberry", "moto", "uvicorn", "starlette", "aws_cdk", "jwt", "hypothesis", "vend_local")


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VEND_", "AWS_"))}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_import_pulls_in_no_local_only_dependency() -> None:
    code = (
        "import sys, json, resolvers.handler; "
        f"print(json.dumps(sorted(m for m in {list(LOCAL_ONLY)!r} if m in sys.modules)))"
    )
    result = run_python(code, support.ENV)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("VEND_USER_POOL_ISSUER", ""), ("VEND_ROLE_ARNS", "{}"), ("VEND_BUCKET", "Not A Bucket")],
)
def test_a_bad_setting_fails_the_cold_start_and_is_named(name: str, value: str) -> None:
    result = run_python("import resolvers.handler", {**support.ENV, name: value})
    assert result.returncode != 0
    assert "ConfigError" in result.stderr
    assert f"{name}:" in result.stderr


def test_a_broken_catalog_fails_the_cold_start(tmp_path: object) -> None:
    result = run_python(
        "import resolvers.handler", {**support.ENV, "VEND_CATALOG_PATH": "/nonexistent/c.toml"}
    )
    assert result.returncode != 0
    assert "cannot read the catalog" in result.stderr


@dataclass
class Context:
    aws_request_id: str = "req-handler"
    function_name: str = "vend"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:vend"


@pytest.fixture(scope="module")
def handler() -> ModuleType:
    # The settings are read at import (cold start); the environment is restored afterwards.
    with pytest.MonkeyPatch.context() as mp:
        for name, value in support.ENV.items():
            mp.setenv(name, value)
        mp.setenv("POWERTOOLS_METRICS_DISABLED", "true")
        return importlib.import_module("resolvers.handler")


def test_lambda_handler_vends_and_audits_without_secrets(handler: ModuleType, aws: None) -> None:
    lines = support.LogLines()
    logging.getLogger("credential-vending").addHandler(lines)
    try:
        granted = handler.lambda_handler(support.load_event("cognito_id_token"), Context())
        refused = handler.lambda_handler(support.load_event("cognito_groups_null"), Context())
    finally:
        logging.getLogger("credential-vending").removeHandler(lines)
    creds = granted["data"]
    support.ISSUED_SECRETS.update({creds["secretAccessKey"], creds["sessionToken"]})
    assert refused == {
        "error": {
            "type": "ScopeForbidden",
            "message": "You are not in a group that may request REPORTS_READ.",
        }
    }
    audits = [r.__dict__["audit"] for r in lines.records if r.getMessage() == "vend decision"]
    assert [(a["decision"], a["code"]) for a in audits] == [
        ("granted", "Granted"),
        ("refused", "ScopeForbidden"),
    ]
    assert audits[0]["access_key_id"] == creds["accessKeyId"]
    assert audits[0]["request_id"] == "req-handler"
    text = json.dumps([r.__dict__ for r in lines.records], default=str)
    assert creds["secretAccessKey"] not in text
    assert creds["sessionToken"] not in text
    assert "eyJ" not in text  # the request's authorization header is never logged


def test_handler_sts_client_is_created_once_and_repeats_hit_the_cache(handler: ModuleType, aws: None) -> None:
    lines = support.LogLines()
    logging.getLogger("credential-vending").addHandler(lines)
    try:
        results = [
            handler.lambda_handler(support.load_event("cognito_access_token"), Context()) for _ in range(2)
        ]
        first = handler.sts_issuer.client
        handler.lambda_handler(support.load_event("api_key"), Context())
    finally:
        logging.getLogger("credential-vending").removeHandler(lines)
    for result in results:
        support.ISSUED_SECRETS.update({result["data"]["secretAccessKey"], result["data"]["sessionToken"]})
    assert handler.sts_issuer.client is first
    assert results[0]["data"]["accessKeyId"] == results[1]["data"]["accessKeyId"]
    audits = [r.__dict__["audit"] for r in lines.records if r.getMessage() == "vend decision"]
    assert [(a["code"], a["cache_hit"]) for a in audits] == [
        ("Granted", False),
        ("Granted", True),
        ("Unauthorized", False),
    ]
    assert "sts_latency_ms" in audits[0]
    assert "sts_latency_ms" not in audits[1]


def test_the_handler_registers_snapstart_hooks_that_leave_no_client_and_vend_after_restore(
    handler: ModuleType, aws: None
) -> None:
    import snapshot_restore_py  # type: ignore[import-untyped]  # noqa: PLC0415 - the runtime's registry

    hooks = handler.snapstart_hooks
    assert (hooks.before_snapshot, (), {}) in snapshot_restore_py.get_before_snapshot()
    assert (hooks.after_restore, (), {}) in snapshot_restore_py.get_after_restore()
    # A vend before the snapshot (Lambda runs none; the hooks must cope): a client and a cache entry.
    first = handler.lambda_handler(support.load_event("cognito_access_token"), Context())
    support.ISSUED_SECRETS.update({first["data"]["secretAccessKey"], first["data"]["sessionToken"]})
    hooks.before_snapshot()
    assert handler.sts_issuer._client is None
    assert handler.cache is None or len(handler.cache) == 0
    hooks.after_restore()
    result = handler.lambda_handler(support.load_event("cognito_access_token"), Context())
    support.ISSUED_SECRETS.update({result["data"]["secretAccessKey"], result["data"]["sessionToken"]})
    assert handler.sts_issuer._client is not None
