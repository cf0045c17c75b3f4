"""The local server maps Lambda envelopes exactly as the deployed APPSYNC_JS resolver does.

The real resolvers/appsync/vendResolver.js runs under Node.js with a stub of '@aws-appsync/utils' whose
util.error throws a recognisable object; vend_local.appsync_errors.map_envelope must give the same data, or
the same errorType and message, for every envelope in the table. The JS request(ctx) payload is compared with
vend_local.appsync_event.lambda_payload the same way.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Final

import pytest

from vend_local.appsync_errors import AppSyncError, map_envelope
from vend_local.appsync_event import lambda_payload

ROOT: Final = Path(__file__).resolve().parents[2]
RESOLVER_JS: Final = ROOT / "resolvers" / "appsync" / "vendResolver.js"
NODE: Final = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")

STUB: Final = """
export const util = {
  error(message, type, data, info) {
    throw { __utilError: true, message, type, data, info };
  },
};
"""

HARNESS: Final = """
import { readFileSync } from 'node:fs';
import { request, response } from './vendResolver.mjs';

const input = JSON.parse(readFileSync(0, 'utf8'));
const out = { responses: [], request: request(input.ctx) };
for (const c of input.cases) {
  const ctx = { result: c.undefinedResult ? undefined : c.result, error: c.error };
  try {
    const data = response(ctx);
    out.responses.push({ data: data === undefined ? '__undefined__' : data });
  } catch (e) {
    if (!e || !e.__utilError) throw e;
    out.responses.push({ error: { message: e.message ?? null, type: e.type ?? null } });
  }
}
process.stdout.write(JSON.stringify(out));
"""

# (id, envelope as the Lambda returns it, whether the invocation itself failed)
CASES: Final[list[tuple[str, Any, bool]]] = [
    ("data object", {"data": {"accessKeyId": "ASIAEXAMPLE", "scope": "S3_OWN_PREFIX"}}, False),
    ("data list", {"data": [{"name": "S3_OWN_PREFIX"}]}, False),
    ("empty data list", {"data": []}, False),
    ("data null", {"data": None}, False),
    ("data false", {"data": False}, False),
    ("data zero", {"data": 0}, False),
    ("typed error", {"error": {"type": "ScopeForbidden", "message": "Not in a group."}}, False),
    ("error beside data", {"error": {"type": "Throttled", "message": "Slow down."}, "data": {"x": 1}}, False),
    ("error without type", {"error": {"message": "Only a message."}}, False),
    ("error without message", {"error": {"type": "InvalidRequest"}}, False),
    ("empty error object", {"error": {}}, False),
    ("error string", {"error": "boom"}, False),
    ("error null", {"error": None, "data": {"ok": True}}, False),
    ("error false", {"error": False}, False),
    ("error empty string", {"error": "", "data": 1}, False),
    ("empty envelope", {}, False),
    ("null result", None, False),
    ("string result", "text", False),
    ("number result", 7, False),
    ("zero result", 0, False),
    ("list result", [1, 2], False),
    ("invocation failed", {"data": {"ignored": True}}, True),
]


def _python_outcome(result: Any, failed: bool) -> dict[str, Any]:
    try:
        data = map_envelope(result, invocation_failed=failed)
    except AppSyncError as error:
        return {"error": {"message": error.message, "type": error.error_type}}
    return {"data": data}


@pytest.fixture(scope="module")
def node_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the real vendResolver.js once over every case and the request ctx."""
    work = tmp_path_factory.mktemp("appsync-js")
    utils = work / "node_modules" / "@aws-appsync" / "utils"
    utils.mkdir(parents=True)
    (utils / "package.json").write_text(
        json.dumps({"name": "@aws-appsync/utils", "type": "module", "main": "index.mjs"})
    )
    (utils / "index.mjs").write_text(STUB)
    # A copy beside the stub: Node resolves bare imports from the importing file's own directory.
    shutil.copyfile(RESOLVER_JS, work / "vendResolver.mjs")
    (work / "harness.mjs").write_text(HARNESS)
    payload = {
        "ctx": CTX,
        "cases": [
            {"result": r, "error": {"message": "Lambda crashed"} if failed else None}
            for _, r, failed in CASES
        ],
    }
    assert NODE is not None
    completed = subprocess.run(  # noqa: S603 - fixed arguments, our own harness
        [NODE, "harness.mjs"],
        cwd=work,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    out: dict[str, Any] = json.loads(completed.stdout)
    return out


CTX: Final = {
    "arguments": {"scope": "S3_OWN_PREFIX"},
    "identity": {"sub": "11111111-2222-4333-8444-555555555555", "groups": None, "sourceIp": ["127.0.0.1"]},
    "source": None,
    "request": {"headers": {"authorization": "eyJ.not.a.real.token"}, "domainName": None},
    "info": {"fieldName": "vendCredentials", "parentTypeName": "Mutation", "variables": {}},
    "prev": None,
    "stash": {},
}


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=[c[0] for c in CASES])
def test_envelope_maps_as_the_js_resolver_does(
    node_run: dict[str, Any], index: int, case: tuple[str, Any, bool]
) -> None:
    # GIVEN the JS resolver's outcome for this envelope
    js = node_run["responses"][index]
    # WHEN the Python mapping handles the same envelope
    _, result, failed = case
    py = _python_outcome(result, failed)
    # THEN both return the same data, or raise the same errorType and message
    assert py == js


def test_typed_errors_keep_their_type_and_message(node_run: dict[str, Any]) -> None:
    # An anchor that does not depend on either implementation: the envelope's own values come through.
    index = next(i for i, c in enumerate(CASES) if c[0] == "typed error")
    assert node_run["responses"][index] == {"error": {"message": "Not in a group.", "type": "ScopeForbidden"}}


def test_request_payload_matches_the_js_request(node_run: dict[str, Any]) -> None:
    # GIVEN the JS request(ctx)
    js_request = node_run["request"]
    # THEN it invokes the Lambda with exactly the payload the local server sends: no request headers, no JWT
    assert js_request["operation"] == "Invoke"
    assert js_request["payload"] == lambda_payload(CTX)
    assert "request" not in js_request["payload"]
