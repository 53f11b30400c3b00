"""Usage mistakes are one line naming the mistake and the usage, exit 2: never a crash report."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (
            ("search",),
            "error: Missing argument 'QUERY'. (usage: papersift search [OPTIONS] QUERY; "
            "see `papersift search --help`)",
        ),
        (("show",), "error: Missing argument 'ID'. (usage: papersift show [OPTIONS] ID;"),
        (("like",), "error: Missing argument 'ID...'. (usage: papersift like [OPTIONS] ID...;"),
        (("ingest",), "error: Missing argument 'PATH...'."),
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


def test_a_read_command_refuses_a_store_whose_folder_does_not_exist(run, tmp_path):
    missing = tmp_path / "no-such-dir" / "x.db"
    for args in (("stats",), ("search", "anything"), ("show", "2301.00001")):
        result = run("--db", str(missing), *args)
        assert result.code == 2, result.err
        assert result.err.splitlines() == [
            f"error: no store at {missing}: its folder does not exist (check --db)"
        ]
    assert not missing.parent.exists()  # nothing was created


def test_a_database_url_never_becomes_a_folder(tmp_path):
    import importlib.util
    import os
    import subprocess
    import sys

    # Without psycopg (a plain `pip install '.[dev]'`) the line says what to install instead.
    unreachable = "cannot connect" if importlib.util.find_spec("psycopg") else "needs psycopg"
    cases = (
        # A PostgreSQL server that cannot be reached (no such host here): one line.
        ("postgresql://me@db.invalid/papers", unreachable),
        ("mysql://me@db.invalid/papers", "only postgresql:// URLs"),
    )
    for url, message in cases:
        for args in (("stats",), ("ingest", "x.bib")):
            proc = subprocess.run(
                [sys.executable, "-m", "papersift.cli", "--db", url, *args],
                capture_output=True,
                text=True,
                cwd=tmp_path,
                env={**os.environ, "NO_COLOR": "1"},
            )
            assert proc.returncode == 2, proc.stderr
            assert message in proc.stderr
            assert len(proc.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_search_takes_the_same_since_grammar_as_recommend(run, tmp_path):
    from tests.cli.snapshot_lines import snapshot_line

    papers = tmp_path / "p.jsonl"
    papers.write_bytes(snapshot_line("2611.00001", "Eight-bit weights for chat models"))
    assert run("ingest", str(papers)).code == 0
    for since in ("1d", "7d", "2w", "all", "2020-01-01"):
        found = run("search", "weights", "--mode", "keyword", "--since", since, "--json")
        assert found.code == 0, (since, found.err)
        assert "2611.00001" in found.out, since
    bad = run("search", "weights", "--since", "soon")
    assert bad.code == 2 and bad.err.startswith("error: --since wants 1d, 7d, 2w, a date")


def test_a_reversed_since_until_range_is_a_usage_error(run):
    result = run("search", "weights", "--since", "2026-11-20", "--until", "2026-11-01")
    assert result.code == 2
    assert result.err.splitlines() == [
        "error: --since 2026-11-20 starts after --until 2026-11-01: nothing could match"
    ]


def test_search_on_an_empty_store_says_how_to_get_papers_in(run):
    result = run("search", "sparse attention")
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    assert text.startswith("The store is empty.")
    assert "papersift fetch arxiv" in text and "papersift ingest" in text
    assert "Try other words" not in text


@pytest.mark.parametrize(
    "command", [("search",), ("like",), ("fetch", "arxiv"), ("library", "export")]
)
def test_help_screens_use_conventional_metavars(run, command):
    """Flags take no value and show none; values are TEXT, INTEGER, PATH; arguments their name."""
    result = run(*command, "--help")
    assert result.code == 0, result.err
    assert "<" not in result.out and "{" not in result.out, result.out
    assert "-h" in result.out  # the short help option survives the relabelling


def test_search_help_names_its_argument_and_value_types(run):
    out = run("search", "--help").out
    assert "Usage: papersift search [OPTIONS] QUERY" in out
    assert "INTEGER" in out and "TEXT" in out
    json_row = next(line for line in out.splitlines() if "--json" in line)
    assert "TEXT" not in json_row and "bool" not in json_row


def test_a_database_url_without_psycopg_says_what_to_install(tmp_path):
    """Where the `cluster` extra is not installed (psycopg missing), a postgresql:// store is
    one line naming the extra, for opening it, serving it or copying into it."""
    import os
    import subprocess
    import sys

    from papersift.store import open_store

    url = "postgresql://me@127.0.0.1:1/papers"
    open_store(tmp_path / "laptop.db").close()
    # psycopg made unimportable in the child, as in an install without the extra.
    program = (
        "import sys; sys.modules['psycopg'] = None; "
        "from papersift.cli import main; sys.argv[0] = 'papersift'; main()"
    )
    for args in (("stats",), ("store", "copy", str(tmp_path / "laptop.db"), url)):
        proc = subprocess.run(
            [sys.executable, "-c", program, "--db", url, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "NO_COLOR": "1"},
        )
        assert proc.returncode == 2, proc.stderr
        assert "pip install 'papersift[cluster]'" in proc.stderr, proc.stderr
        assert len(proc.stderr.splitlines()) == 1, proc.stderr
