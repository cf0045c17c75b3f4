"""Three-valued results for the evaluator: True, False, or Unknown with the reason it cannot be judged. Pure.

Kleene logic: an Unknown only matters where it could change the answer (``True or Unknown`` is True,
``False and Unknown`` is False). That keeps "not modelled" from spreading to decisions it cannot affect.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Unknown:
    """Something the evaluator does not model; ``reason`` names it for an operator."""

    reason: str


Tri = bool | Unknown


def any_of(results: Iterable[Tri]) -> Tri:
    unknown: Unknown | None = None
    for result in results:
        if result is True:
            return True
        if isinstance(result, Unknown) and unknown is None:
            unknown = result
    return unknown if unknown is not None else False


def all_of(results: Iterable[Tri]) -> Tri:
    unknown: Unknown | None = None
    for result in results:
        if result is False:
            return False
        if isinstance(result, Unknown) and unknown is None:
            unknown = result
    return unknown if unknown is not None else True


def negate(result: Tri) -> Tri:
    return result if isinstance(result, Unknown) else not result
