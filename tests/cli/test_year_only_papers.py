"""A paper known only by its year (a Semantic Scholar record of a journal paper) keeps its year
and venue in `show` and the lists, and a window that holds its whole year keeps it (issue 19,
item 9)."""

import json
import os
import subprocess
import sys

import orjson

RECORD = {
    "paperId": "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e",
    "externalIds": {"CorpusId": 4242},  # no DOI: the id is the long s2: one
    "url": "https://www.semanticscholar.org/paper/5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e",
    "title": "Kernel sifting for tabular learning with very long identifiers",
    "abstract": "We sift kernels. We find that sifting helps tabular learning.",
    "venue": "Journal of Machine Learning Research",
    "year": 2021,
    "publicationDate": None,
    "authors": [
        {"authorId": "1", "name": "Ada Lovelace"},
        {"authorId": "2", "name": "Alan Turing"},
    ],
}


def _store_it(run, tmp_path):
    path = tmp_path / "s2.json"
    path.write_bytes(orjson.dumps({"total": 1, "offset": 0, "data": [RECORD]}))
    result = run("ingest", str(path))
    assert result.code == 0, result.err
    return "s2:" + RECORD["paperId"]


def test_show_and_search_keep_the_year_and_venue(run, tmp_path):
    paper_id = _store_it(run, tmp_path)
    shown = run("show", paper_id).out
    assert "published 2021" in shown and "Journal of Machine Learning Research" in shown
    listed = run("search", "kernel sifting", "--mode", "keyword").out
    assert "2021" in listed and paper_id in listed.replace("\n", "").replace(" ", "")


def test_a_window_holding_the_whole_year_keeps_it_a_shorter_one_does_not(run, tmp_path):
    paper_id = _store_it(run, tmp_path)

    def ids(*window: str) -> list[str]:
        found = run("search", "kernel sifting", "--mode", "keyword", "--json", *window)
        assert found.code == 0, found.err
        return [hit["id"] for hit in json.loads(found.out)]

    assert ids("--since", "2021-01-01") == [paper_id]
    assert ids("--since", "2020-06-01", "--until", "2021-12-31") == [paper_id]
    assert ids("--since", "2021-06-01") == []  # its day may be before June
    assert ids("--until", "2021-06-30") == []


def test_search_results_fit_80_columns_and_long_adds_a_tldr(run, tmp_path):
    paper_id = _store_it(run, tmp_path)

    def at_80(*args: str) -> str:
        env = {**os.environ, "PAPERSIFT_DB": str(run.db), "COLUMNS": "80", "NO_COLOR": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "papersift.cli", *args], capture_output=True, env=env
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.decode()

    out = at_80("search", "kernel sifting", "--mode", "keyword")
    assert all(len(line.rstrip()) <= 80 for line in out.splitlines()), out
    assert "Kernel sifting for tabular learning" in out
    assert paper_id in out  # the id whole, on a line of its own if need be
    long = at_80("search", "kernel sifting", "--mode", "keyword", "--long")
    assert "sift" in long.split(paper_id)[1]  # a TL;DR line under the paper
