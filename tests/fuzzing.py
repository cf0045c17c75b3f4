"""Hypothesis profiles for the property suites: deterministic under CI, deep and freshly seeded on demand. Pure.

- ``ci``: chosen whenever the ``CI`` environment variable is set (``.ci/run`` sets it). Derandomised (the seed
  comes from each test's own source) and without the example database, so one commit always gives one result
  and a failure found elsewhere is never replayed into an unrelated landing.
- ``fuzz``: ``make fuzz``. Random seeds, no example database (every run explores afresh), and every property's
  example count multiplied by ``VEND_FUZZ_SCALE``.
- ``dev``: everything else (a plain ``make test`` on a laptop). Random seeds, with Hypothesis's example database,
  so a failure found once is replayed until fixed.

``HYPOTHESIS_PROFILE`` names a profile explicitly and wins over ``CI``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final

from hypothesis import HealthCheck, settings

PROFILES: Final = ("ci", "fuzz", "dev")
SCALE_VARIABLE: Final = "VEND_FUZZ_SCALE"

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    derandomize=False,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", derandomize=False, deadline=None)


def profile_for(environ: Mapping[str, str]) -> str:
    explicit = environ.get("HYPOTHESIS_PROFILE")
    if explicit:
        if explicit not in PROFILES:
            msg = f"HYPOTHESIS_PROFILE={explicit!r} is not one of {', '.join(PROFILES)}"
            raise ValueError(msg)
        return explicit
    return "ci" if environ.get("CI") else "dev"


def scale_for(environ: Mapping[str, str]) -> int:
    """How many times each property's own example count to run: only ``make fuzz`` asks for more."""
    raw = environ.get(SCALE_VARIABLE, "1")
    if not raw.isdigit() or int(raw) < 1:
        msg = f"{SCALE_VARIABLE}={raw!r} must be a whole number of at least 1"
        raise ValueError(msg)
    return int(raw)


def examples(count: int) -> int:
    """A property's ``max_examples``: its own count, scaled up under ``make fuzz``."""
    return count * scale_for(os.environ)


def activate(environ: Mapping[str, str]) -> str:
    """Load the profile for this environment (tests/conftest.py, before any test module is imported)."""
    name = profile_for(environ)
    scale_for(environ)  # a bad scale fails the session at once, not in the middle of it
    settings.load_profile(name)
    return name
