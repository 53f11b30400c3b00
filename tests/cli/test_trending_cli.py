"""`papersift trending`, `--has-code` and the badges on CLI rows, on real Daily Papers JSON."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, SHARED_FORMATS

FIXTURE = REPO / "tests" / "fixtures" / "hf-daily" / "daily_papers.json"
SHARED_DAY = SHARED_FORMATS / "hf-daily-papers" / "daily_papers_2026-06-12.json"


def test_trending_orders_by_upvotes_and_filters_code(run):
    assert run("ingest", str(FIXTURE)).code == 0
    found = run("trending", "--since", "all", "--json")
    assert found.code == 0, found.err
    rows = json.loads(found.out)
    # 118 and 42 upvotes; the featured paper with 0 is not trending.
    assert [(r["id"], r["upvotes"]) for r in rows] == [("2603.11111", 118), ("2603.10412", 42)]
    assert rows[1]["code"] == "https://github.com/invented-lab/sparse-sketch"
    with_code = json.loads(run("trending", "--since", "all", "--has-code", "--json").out)
    assert [r["id"] for r in with_code] == ["2603.10412"]
    text = run("trending", "--since", "all")
    assert text.code == 0
    assert text.out.splitlines()[0] == "Most upvoted of the whole store:"
    assert "▲42 code" in text.out and "▲118" in text.out
    assert text.out.index("Calibrated Refusals") < text.out.index("Sparse Gradient Sketches")


def test_trending_says_where_upvotes_come_from_when_there_are_none(run, tmp_path):
    paper = tmp_path / "one.bib"
    paper.write_text("@article{a, title={A paper}, author={Ada Lovelace}, year={2026}}\n")
    assert run("ingest", str(paper)).code == 0
    empty = run("trending", "--since", "all")
    assert empty.code == 0
    assert empty.out.startswith("No upvoted papers in the whole store.")
    assert "papersift fetch hf-daily" in empty.out
    bad = run("trending", "--since", "yesterday")
    assert bad.code == 2 and bad.err.startswith("error: --since wants")


def test_search_has_code_and_badges_on_rows(run):
    if not SHARED_DAY.is_file():
        pytest.skip(f"real samples not found at {SHARED_FORMATS}")
    assert run("ingest", str(SHARED_DAY)).code == 0
    every = json.loads(
        run("search", "language models", "--mode", "keyword", "-k", "50", "--json").out
    )
    coded = json.loads(
        run(
            "search", "language models", "--mode", "keyword", "-k", "50", "--has-code", "--json"
        ).out
    )
    assert coded and len(coded) < len(every)
    assert all(r["code"] and r["code"].startswith("https://github.com/") for r in coded)
    assert {r["id"] for r in coded} == {r["id"] for r in every if r["code"]}
    table = run("search", "language models", "--mode", "keyword", "-k", "5", "--has-code")
    assert table.code == 0 and table.out.count(" code") >= 1
    top = coded[0]
    marker = f"▲{top['upvotes']} code" if top["upvotes"] else "code"
    assert marker in table.out
