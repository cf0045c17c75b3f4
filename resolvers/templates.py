"""Parse ``{{variable}}`` templates and render them from already-validated values. Pure, no I/O.

Our placeholders use double braces so that IAM policy variables such as ``${aws:PrincipalTag/team}`` pass
through untouched as literal text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_PLACEHOLDER = re.compile(r"\{\{([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\}\}")
_IAM_VARIABLE = re.compile(r"\$\{[^{}]+\}")


class TemplateSyntaxError(ValueError):
    """A template that cannot be parsed; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Var:
    name: str


@dataclass(frozen=True, slots=True)
class Template:
    source: str
    parts: tuple[str | Var, ...]

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(p.name for p in self.parts if isinstance(p, Var))

    @property
    def literal_text(self) -> str:
        return "".join(p for p in self.parts if isinstance(p, str))

    def render(self, values: Mapping[str, str]) -> str:
        """Substitute validated values. A missing value is a programming error, not user input."""
        return "".join(p if isinstance(p, str) else values[p.name] for p in self.parts)


def parse(source: str) -> Template:
    parts: list[str | Var] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(source):
        parts.append(source[pos : match.start()])
        parts.append(Var(match.group(1)))
        pos = match.end()
    parts.append(source[pos:])
    # Outside our placeholders, a brace may only belong to an IAM policy variable such as ${aws:username}.
    literal = _IAM_VARIABLE.sub("", "".join(p for p in parts if isinstance(p, str)))
    if "{" in literal or "}" in literal:
        raise TemplateSyntaxError(
            f"{source!r} has a malformed placeholder: write {{{{name}}}} with a lowercase name such as "
            "{{sub}} or {{claim.tenant}}"
        )
    return Template(source=source, parts=tuple(p for p in parts if p != ""))


def wildcard_next_to_variable(template: Template) -> str | None:
    """Name a variable written right beside ``*`` or ``?``; ``{{claim.t}}*`` would also match other tenants."""
    parts = template.parts
    for i, part in enumerate(parts):
        if not isinstance(part, Var):
            continue
        before = parts[i - 1] if i > 0 else ""
        after = parts[i + 1] if i + 1 < len(parts) else ""
        if (isinstance(before, str) and before.endswith(_WILDCARDS)) or (
            isinstance(after, str) and after.startswith(_WILDCARDS)
        ):
            return part.name
    return None


_WILDCARDS = ("*", "?")
