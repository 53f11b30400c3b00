"""A real arXiv record (2506.02197) lists 500+ authors with their names run together in one
string ("Xiangyu Kongand Xiaoxia Xingand ..."): the paper must be kept, the names split, and the
repair said in one warning line, on the serial path and on the parallel bulk-load path."""

import json

import orjson
import pytest

from papersift.ingest.files import PARALLEL_MIN_BYTES
from papersift.sources.common import MAX_AUTHOR_CHARS, build_paper, collecting_warnings
from tests.cli.snapshot_lines import snapshot_file

# Invented names, joined the way that record's metadata joins them (a lost space before "and").
NAMES = [
    f"Author{chr(97 + i // 26)}{chr(97 + i % 26)} Surname{chr(97 + i % 26)}" for i in range(40)
]
RUN_TOGETHER = "and ".join(NAMES) + "and"


def _record(arxiv_id: str, authors: list[list[str]]) -> bytes:
    record = {
        "id": arxiv_id,
        "authors": "Marcos Conde, " + RUN_TOGETHER,
        "title": "A challenge report with very many authors",
        "abstract": "We report on a challenge.",
        "categories": "cs.CV",
        "versions": [{"version": "v1", "created": "Mon, 2 Jun 2025 10:00:00 GMT"}],
        "update_date": "2025-06-03",
        "authors_parsed": authors,
    }
    return orjson.dumps(record) + b"\n"


def test_the_run_together_string_is_longer_than_one_name_may_be():
    assert len(RUN_TOGETHER) > MAX_AUTHOR_CHARS


def test_build_paper_splits_the_names_and_reports_the_repair():
    with collecting_warnings() as repaired:
        paper = build_paper(
            "f.json",
            "2506.02197",
            id="2506.02197",
            title="T",
            source="arxiv",
            authors=["Marcos V. Conde", RUN_TOGETHER],
        )
    assert paper.authors == ("Marcos V. Conde", *NAMES)
    assert len(repaired) == 1
    assert repaired[0].one_line() == (
        f"f.json: record 2506.02197: field authors: an author name of {len(RUN_TOGETHER):,} "
        "characters was split into 40 names; the paper is kept"
    )


def test_a_name_that_cannot_be_split_is_dropped_and_the_paper_kept():
    with collecting_warnings() as repaired:
        paper = build_paper(
            "f.json", "x", id="x", title="T", source="arxiv", authors=["Ada", "x" * 600]
        )
    assert paper.authors == ("Ada",)
    assert "was dropped (too long to be one name)" in repaired[0].reason


def test_without_a_collector_nothing_is_reported_and_nothing_fails():
    paper = build_paper("f", "x", id="x", title="T", source="arxiv", authors=[RUN_TOGETHER])
    assert paper.authors == tuple(NAMES)


def test_ingest_keeps_the_paper_and_warns_once(run, tmp_path):
    path = tmp_path / "snap.jsonl"
    path.write_bytes(
        snapshot_file(2) + _record("2506.02197", [["Conde", "Marcos", ""], [RUN_TOGETHER, "", ""]])
    )
    result = run("ingest", str(path), "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert (summary["added"], summary["rejected"], summary["repaired"]) == (3, 0, 1)
    warnings = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "2506.02197" in warnings[0] and "split into 40 names; the paper is kept" in warnings[0]
    shown = json.loads(run("show", "2506.02197", "--json").out)
    assert shown["authors"] == ["Marcos Conde", *NAMES]


@pytest.mark.slow
def test_the_parallel_bulk_load_keeps_it_too(run, tmp_path):
    path = tmp_path / "big.jsonl"
    bad = _record("2506.02197", [[RUN_TOGETHER, "", ""]])
    lines = snapshot_file(36_000)
    path.write_bytes(lines + bad)
    assert path.stat().st_size >= PARALLEL_MIN_BYTES  # the path big loads take
    result = run("ingest", str(path), "--json", timeout=600)
    assert result.code == 0, result.err
    assert json.loads(result.out)["repaired"] == 1
    assert json.loads(run("show", "2506.02197", "--json").out)["authors"] == NAMES
