"""One `vend serve` subprocess for the HTTP abuse and load tests, started with the e2e suite's own code.

Everything it prints and every HTTP error body the tests receive are scanned for secrets when it stops.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import support
from tests.e2e.conftest import RunningServer, assert_clean_stop, start_server
from tests.secret_scan import find_leaks
from tests.security import http_support


@pytest.fixture(scope="session")
def abuse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("security-serve"))
    yield running
    # The server's whole output and every error body must be free of tokens and credentials, ours included.
    secrets = running.secrets | support.ISSUED_SECRETS
    output_leaks = find_leaks(running.output().splitlines(), secrets)
    body_leaks = find_leaks(http_support.ERROR_BODIES, secrets)
    assert_clean_stop(running)
    assert not output_leaks, output_leaks
    assert not body_leaks, body_leaks
