import json
import sqlite3

from papersift.reader_library import REJECTED_SHOWN
from tests.cli.snapshot_lines import snapshot_file

BIB = r"""@article{lovelace2024sifting,
  title = {Invented paper number 2 about sifting},
  author = {Lovelace, Ada and Turing, Alan},
  year = {2024},
  eprint = {2404.00002},
  archivePrefix = {arXiv}
}

@inproceedings{hopper2023compilers,
  title = {Compilers that read papers for you},
  author = {Hopper, Grace},
  booktitle = {Invented Conference on Reading},
  year = {2023},
  doi = {10.5555/invented.1}
}

@article{broken2020,
  title = {An entry with no closing brace
"""


def _seed(run, tmp_path, n=4):
    path = tmp_path / "snap.jsonl"
    path.write_bytes(snapshot_file(n))
    assert run("ingest", str(path)).code == 0


def _feedback(db):
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT paper_rowid, rating FROM feedback ORDER BY paper_rowid"
        ).fetchall()
    finally:
        con.close()


def test_like_dislike_unlike_latest_wins(run, tmp_path):
    _seed(run, tmp_path)
    assert run("like", "2404.00001", "2404.00002").code == 0
    again = run("like", "2404.00001", "--json")
    assert json.loads(again.out)["changed"] == 0  # liking twice changes nothing
    assert run("dislike", "2404.00002").code == 0
    assert _feedback(run.db) == [(1, 1), (2, -1)]
    assert run("unlike", "2404.00002").code == 0
    assert _feedback(run.db) == [(1, 1)]


def test_unknown_id_changes_nothing(run, tmp_path):
    _seed(run, tmp_path)
    result = run("like", "2404.00001", "9999.99999")
    assert result.code == 2 and "9999.99999" in result.err and "Traceback" not in result.err
    assert _feedback(run.db) == []


def test_tags_and_library_listing(run, tmp_path):
    _seed(run, tmp_path)
    run("like", "2404.00001")
    assert run("tag", "sifting", "2404.00003").code == 0
    listing = json.loads(run("library", "--json").out)
    assert {row["id"] for row in listing} == {"2404.00001", "2404.00003"}
    tagged = json.loads(run("library", "--tag", "sifting", "--json").out)
    assert [row["id"] for row in tagged] == ["2404.00003"] and tagged[0]["tags"] == ["sifting"]
    missing = run("library", "--tag", "nope")
    assert missing.code == 2 and "sifting" in missing.err


def test_empty_library_says_how_to_start(run):
    result = run("library")
    assert result.code == 0 and "papersift like" in result.out


def test_import_matches_adds_likes_and_lists_broken_entries(run, tmp_path):
    _seed(run, tmp_path)
    bib = tmp_path / "mine.bib"
    bib.write_text(BIB)
    result = run("library", "import", str(bib), "--json")
    assert result.code == 1  # one broken entry
    summary = json.loads(result.out)
    assert (summary["matched"], summary["added"], summary["liked"], summary["rejected"]) == (
        1,
        1,
        2,
        1,
    )
    assert "broken2020" in result.err or "line" in result.err
    assert run("papers", "count").out.strip() == "5"
    ids = {row["id"] for row in json.loads(run("library", "--json").out)}
    assert ids == {"2404.00002", "doi:10.5555/invented.1"}


def test_export_round_trips_through_our_own_parsers(run, tmp_path):
    _seed(run, tmp_path)
    run("like", "2404.00001", "2404.00004")
    run("dislike", "2404.00002")
    for fmt, name in (("bibtex", "out.bib"), ("csl-json", "out.json")):
        out = tmp_path / name
        assert run("library", "export", "--format", fmt, "--out", str(out)).code == 0
        other = tmp_path / f"other-{fmt}.db"
        env_run = run("--db", str(other), "ingest", str(out), "--json")
        assert env_run.code == 0, env_run.err
        assert json.loads(env_run.out)["added"] == 2


def test_interests_add_list_remove(run):
    assert run("interest", "add", "sparse attention   for long context").code == 0
    run("interest", "add", "quantization")
    listed = json.loads(run("interest", "list", "--json").out)
    assert [i["text"] for i in listed] == ["sparse attention for long context", "quantization"]
    assert run("interest", "remove", str(listed[0]["id"])).code == 0
    assert run("interest", "remove", "nope").code == 2
    assert [i["text"] for i in json.loads(run("interest", "list", "--json").out)] == [
        "quantization"
    ]


def test_the_cli_lists_the_first_rejections_and_counts_the_rest(run, tmp_path):
    bib = tmp_path / "junk.bib"
    bib.write_bytes(b"@article{k, title = {T}, year = 2020}\n" + b"@{\n" * 500)  # 500 broken
    result = run("library", "import", str(bib), "--json")
    assert result.code == 1
    lines = result.err.splitlines()
    assert len(lines) == REJECTED_SHOWN + 1
    assert lines[-1] == f"error: {bib}: and {500 - REJECTED_SHOWN:,} more records rejected"
    assert json.loads(result.out)["rejected"] == 500
