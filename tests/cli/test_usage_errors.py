"""Usage mistakes are one line naming the mistake and the usage, exit 2: never a crash report."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (
            ("search",),
            "error: Missing argument 'query'. (usage: papersift search [OPTIONS] {query}; "
            "see `papersift search --help`)",
        ),
        (("show",), "error: Missing argument 'paper_id'."),
        (("like",), "error: Missing argument 'ids'."),
        (("ingest",), "error: Missing argument 'paths'."),
        (("search", "-k", "abc", "x"), "error: Invalid value for '-k'"),
        (("search", "--bogus", "x"), "error: No such option: --bogus"),
        (("lke", "2301.00001"), "error: No such command 'lke'. Did you mean 'like'"),
    ],
)
def test_a_usage_mistake_is_one_line_and_exit_2(run, args, first_line):
    result = run(*args)
    assert result.code == 2
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(first_line)
    assert "unexpected" not in result.err and "Traceback" not in result.err
    assert "--help" in lines[0]
