"""The botocore client configuration every AWS adapter of the Lambda uses: timeouts and a retry budget. Pure."""

from __future__ import annotations

from botocore.config import Config


def bounded(*, connect_seconds: float, read_seconds: float, attempts: int) -> Config:
    """Standard retry mode with ``attempts`` in all; Config's "max_attempts" would count retries only (one more)."""
    return Config(
        connect_timeout=connect_seconds,
        read_timeout=read_seconds,
        retries={"total_max_attempts": attempts, "mode": "standard"},
    )
