"""What a check found: an error (the check fails) or a warning (it passes unless --strict). Pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    # The file the finding is about (the catalog or the schema), as the operator named it.
    source: str
    # "<where>: <what is wrong and what to change>", where is a catalog path such as scopes.X.statements[0].
    message: str


def error(source: str, message: str) -> Finding:
    return Finding("error", source, message)


def warning(source: str, message: str) -> Finding:
    return Finding("warning", source, message)
