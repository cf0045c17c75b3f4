"""Suite-wide fixtures and guards. Infra tests run in their own environment (see infra/infra.mk)."""

from __future__ import annotations

import json
import logging
import os
import traceback
from collections.abc import Iterator

import pytest

from tests import fuzzing, support
from tests.secret_scan import find_leaks

# The embedded AWS refuses to start in a process where moto was imported with its reflect-any-Origin CORS on.
# tests/enforcement starts one in-process, so the flag is set before any test module imports moto (the imports
# above do not).
os.environ.setdefault("MOTO_DISABLE_GLOBAL_CORS", "true")

collect_ignore = ["infra"]
HYPOTHESIS_PROFILE = fuzzing.activate(os.environ)


def pytest_report_header() -> str:
    return f"hypothesis profile: {HYPOTHESIS_PROFILE} (tests/fuzzing.py)"


# Every log line any test produces, from our service logger and from the root logger (boto, moto, ...).
CAPTURED_LOG_LINES: list[str] = []


class _CaptureAll(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage() + " " + json.dumps(vars(record), default=str)
        if record.exc_info:
            text += "".join(traceback.format_exception(*record.exc_info))
        CAPTURED_LOG_LINES.append(text)


@pytest.fixture(scope="session", autouse=True)
def no_secret_reaches_a_log() -> Iterator[None]:
    handler = _CaptureAll(level=logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("credential-vending")]
    for logger in loggers:
        logger.addHandler(handler)
    yield
    for logger in loggers:
        logger.removeHandler(handler)
    texts = [line for text in support.SCANNED_TEXTS for line in text.splitlines()]
    leaks = find_leaks([*CAPTURED_LOG_LINES, *texts], support.ISSUED_SECRETS)
    assert not leaks, leaks
