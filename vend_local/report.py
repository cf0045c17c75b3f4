"""Exit codes and the readable error output shared by the operator commands. Writes to the given stream.

Commands print problems a person can act on (file, scope, field, what to change) and never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final, TextIO

EXIT_OK: Final = 0
EXIT_PROBLEMS: Final = 1  # the catalog, the schema or the settings are wrong: fix the file
EXIT_USAGE: Final = 2  # a command-line value is wrong (argparse uses 2 as well)
EXIT_REFUSED: Final = 3  # explain: the Lambda would refuse this caller; the output says why
EXIT_DENIED: Final = 4  # explain --action: the vend is granted, but IAM would not allow the action
EXIT_INTERNAL: Final = 70  # a bug in vend itself (EX_SOFTWARE)


def write_problems(stream: TextIO, source: str, problems: Iterable[str], *, label: str = "error") -> int:
    """``source: label: problem`` per line, the format editors and CI annotations pick up. Returns the count."""
    count = 0
    for problem in problems:
        stream.write(f"{source}: {label}: {problem}\n")
        count += 1
    return count


def guarded(run: Callable[[], int], stream: TextIO) -> int:
    """Run a command; an unexpected exception becomes one readable line and EXIT_INTERNAL, not a traceback."""
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - the last line of defence for an operator-facing command
        stream.write(
            f"vend: internal error ({type(exc).__name__}: {exc}). This is a bug in vend, not in your input; "
            "please report it with the command you ran.\n"
        )
        return EXIT_INTERNAL
