"""The Hypothesis profiles: CI is deterministic, `make fuzz` is freshly seeded and deeper, nothing else changes."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests import fuzzing


@pytest.mark.parametrize(
    ("environ", "profile"),
    [
        ({}, "dev"),
        ({"CI": "true"}, "ci"),
        ({"CI": "1"}, "ci"),
        ({"CI": ""}, "dev"),
        ({"HYPOTHESIS_PROFILE": "fuzz"}, "fuzz"),
        ({"HYPOTHESIS_PROFILE": "fuzz", "CI": "true"}, "fuzz"),
        ({"HYPOTHESIS_PROFILE": "dev", "CI": "true"}, "dev"),
    ],
)
def test_the_profile_follows_ci_unless_one_is_named(environ: dict[str, str], profile: str) -> None:
    assert fuzzing.profile_for(environ) == profile


def test_an_unknown_profile_name_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'nightly'"):
        fuzzing.profile_for({"HYPOTHESIS_PROFILE": "nightly"})


def test_ci_is_derandomised_and_never_replays_a_saved_example() -> None:
    ci = settings.get_profile("ci")
    assert ci.derandomize is True
    assert ci.database is None


def test_fuzz_draws_fresh_seeds_and_keeps_no_database() -> None:
    fuzz = settings.get_profile("fuzz")
    assert fuzz.derandomize is False
    assert fuzz.database is None


def test_this_session_runs_the_profile_its_environment_asks_for() -> None:
    # Under .ci/run (CI set) this proves the suite itself is derandomised, not only that a profile exists.
    expected = fuzzing.profile_for(os.environ)
    assert settings().derandomize is (expected == "ci")
    assert settings().database is None or expected == "dev"


@pytest.mark.parametrize(("raw", "scale"), [("1", 1), ("2", 2), ("40", 40)])
def test_the_scale_multiplies_each_property_s_own_count(raw: str, scale: int) -> None:
    assert fuzzing.scale_for({fuzzing.SCALE_VARIABLE: raw}) == scale
    assert fuzzing.scale_for({}) == 1


@pytest.mark.parametrize("raw", ["0", "-1", "1.5", "", "ten"])
def test_a_scale_below_one_or_not_a_whole_number_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=fuzzing.SCALE_VARIABLE):
        fuzzing.scale_for({fuzzing.SCALE_VARIABLE: raw})
