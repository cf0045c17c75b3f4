"""The installed `vend` console script, once, in a subprocess: exit codes and output survive the entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Final

from tests.cli.helpers import EXAMPLE_CATALOG, EXAMPLE_SCHEMA, REPO, SUB, golden_policy

# The script pip installed beside this interpreter (.venv/bin/vend).
VEND: Final = Path(sys.executable).with_name("vend")


def _vend(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script with fixed arguments
        [str(VEND), *argv], capture_output=True, text=True, cwd=REPO, timeout=60, check=False
    )


def test_catalog_check_through_the_console_script() -> None:
    ok = _vend("catalog", "check", str(EXAMPLE_CATALOG), "--schema", str(EXAMPLE_SCHEMA))
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout.startswith(f"{EXAMPLE_CATALOG}: 4 scope(s), 0 error(s), 0 warning(s)")

    missing = _vend("catalog", "check", "no-such-catalog.toml")
    assert missing.returncode == 1
    assert missing.stdout.startswith("no-such-catalog.toml: error: cannot read the catalog")
    assert "Traceback" not in missing.stdout + missing.stderr


def test_explain_through_the_console_script() -> None:
    args = ("--scope", "TENANT_FILES", "--sub", SUB, "--group", "analysts", "--claim", "tenant=acme")

    granted = _vend("explain", *args, "--json")
    assert granted.returncode == 0
    assert json.loads(granted.stdout)["policy"] == golden_policy("TENANT_FILES")

    refused = _vend("explain", "--scope", "REPORTS_READ", "--sub", SUB)
    assert refused.returncode == 3
    assert "REFUSED ScopeForbidden: You are not in a group that may request REPORTS_READ.\n" in refused.stdout
