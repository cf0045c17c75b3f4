"""IAM's wildcard matching as regular expressions: actions, resource ARNs, StringLike and ArnLike. Pure, no I/O.

A pattern arrives as chunks: ``(text, wildcards)`` where ``wildcards`` says whether ``*`` and ``?`` in the text
are wildcards (policy text) or literal characters (``${*}``, ``${?}`` and resolved policy-variable values).

The rules, from AWS's IAM JSON policy element reference:
- Action: ``*`` any run of characters, ``?`` one character, case-insensitive (action names are).
- Resource: ``*`` and ``?`` work within one colon-delimited ARN segment; a ``*`` that is the last character of a
  segment may expand beyond the colon boundaries. Everything after the fifth colon is one segment (the resource
  part, which may itself contain colons). Case-sensitive.
- StringLike: ``*`` and ``?`` anywhere, case-sensitive.
- ArnLike/ArnEquals: "each of the six colon-delimited components of the ARN is checked separately", so a
  wildcard in the first five never crosses a colon; the sixth component may contain colons. Case-sensitive.
"""

from __future__ import annotations

import functools
import re
from typing import Final, Literal

Mode = Literal["action", "resource", "string", "arn"]
Chunk = tuple[str, bool]

# An ARN has six components: arn:partition:service:region:account:resource.
ARN_PREFIX_COLONS: Final = 5


def matches(chunks: tuple[Chunk, ...], mode: Mode, value: str) -> bool:
    return compiled(chunks, mode).fullmatch(value) is not None


@functools.lru_cache(maxsize=8192)
def compiled(chunks: tuple[Chunk, ...], mode: Mode) -> re.Pattern[str]:
    """The regular expression for a pattern; cached, since the same policies are judged again and again."""
    out: list[str] = []
    segment = 0
    text = [(ch, wild) for part, wild in chunks for ch in part]
    for i, (ch, wild) in enumerate(text):
        if ch == ":" and mode in ("resource", "arn"):
            segment += 1
        if not wild or ch not in "*?":
            out.append(re.escape(ch))
            continue
        within_prefix = mode in ("resource", "arn") and segment < ARN_PREFIX_COLONS
        if ch == "?":
            out.append("[^:]" if within_prefix else ".")
        elif not within_prefix:
            out.append(".*")
        else:
            last_of_segment = i + 1 == len(text) or text[i + 1][0] == ":"
            # Resource element only: a trailing '*' of a segment may run over colons (IAM Resource reference).
            out.append(".*" if mode == "resource" and last_of_segment else "[^:]*")
    flags = re.DOTALL | (re.IGNORECASE if mode == "action" else 0)
    return re.compile("".join(out), flags)


def plain(text: str) -> tuple[Chunk, ...]:
    """A pattern written without policy variables: every ``*`` and ``?`` is a wildcard."""
    return ((text, True),)
