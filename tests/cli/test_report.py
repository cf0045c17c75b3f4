"""The shared error output: one line per problem, and an unexpected failure as one line, not a traceback."""

from __future__ import annotations

import io

import pytest

from vend_local.report import EXIT_INTERNAL, guarded, write_problems


@pytest.mark.parametrize(
    ("problems", "label", "expected"),
    [
        ([], "error", ""),
        (["scopes.A.role: required"], "error", "c.toml: error: scopes.A.role: required\n"),
        (["a", "b"], "warning", "c.toml: warning: a\nc.toml: warning: b\n"),
    ],
)
def test_write_problems(problems: list[str], label: str, expected: str) -> None:
    stream = io.StringIO()
    assert write_problems(stream, "c.toml", problems, label=label) == len(problems)
    assert stream.getvalue() == expected


def test_an_unexpected_exception_is_one_line_and_exit_70() -> None:
    def boom() -> int:
        raise KeyError("bucket")

    stream = io.StringIO()
    assert guarded(boom, stream) == EXIT_INTERNAL == 70
    assert stream.getvalue().startswith("vend: internal error (KeyError: 'bucket'). This is a bug in vend")
    assert stream.getvalue().count("\n") == 1


def test_a_normal_return_passes_through() -> None:
    assert guarded(lambda: 3, io.StringIO()) == 3
