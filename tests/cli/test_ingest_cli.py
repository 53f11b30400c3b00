import json
import re

from tests.cli.snapshot_lines import snapshot_file, snapshot_line


def test_help_lists_commands(run):
    result = run("--help")
    assert result.code == 0
    for command in ("ingest", "show", "stats", "papers", "fetch"):
        assert command in result.out


def test_ingest_then_count_show_stats(run, tmp_path):
    path = tmp_path / "snap.jsonl"
    path.write_bytes(snapshot_file(3))
    result = run("ingest", str(path), "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["added"] == 3 and summary["rejected"] == 0
    assert summary["formats"] == {str(path): "arxiv-snapshot"}
    assert run("papers", "count").out.strip() == "3"
    shown = json.loads(run("show", "2404.00002v1", "--json").out)
    assert shown["id"] == "2404.00002"
    assert shown["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert shown["categories"] == ["cs.LG", "stat.ML"]
    stats = json.loads(run("stats", "--json").out)
    assert stats["papers"] == 3 and stats["categories"]["cs.LG"] == 3


def test_reingest_changes_nothing(run, tmp_path):
    path = tmp_path / "snap.jsonl"
    path.write_bytes(snapshot_file(4))
    run("ingest", str(path))
    again = json.loads(run("ingest", str(path), "--json").out)
    assert (again["added"], again["merged"], again["unchanged"]) == (0, 0, 4)


def test_stdin_is_read_with_dash(run):
    result = run("ingest", "-", "--json", stdin=snapshot_file(2))
    assert result.code == 0, result.err
    assert json.loads(result.out)["added"] == 2


def test_bad_record_is_named_good_ones_kept_exit_1(run, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        snapshot_file(1) + b'{"id": "2404.09999", "title": \n' + snapshot_file(1, start=5)
    )
    result = run("ingest", str(path))
    assert result.code == 1
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and str(path) in lines[0] and "line 2" in lines[0]
    assert run("papers", "count").out.strip() == "2"


def test_malformed_file_leaves_store_intact(run, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_bytes(snapshot_file(2))
    run("ingest", str(good))
    before = run("show", "2404.00001", "--json").out
    bad = tmp_path / "bad.xml"
    bad.write_bytes(
        b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry><title>x"
    )
    result = run("ingest", str(bad), "--format", "arxiv-atom")
    assert result.code == 1 and "Traceback" not in result.err
    assert str(bad) in result.err
    assert run("papers", "count").out.strip() == "2"
    assert run("show", "2404.00001", "--json").out == before


def test_unknown_format_and_missing_file(run, tmp_path):
    result = run("ingest", "x.bib", "--format", "nope")
    assert result.code == 2 and "unknown format" in result.err
    missing = run("ingest", str(tmp_path / "absent.json"))
    assert missing.code == 1 and "no such file" in missing.err and "Traceback" not in missing.err


def test_unrecognised_content_is_one_line(run, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some words\n")
    result = run("ingest", str(path))
    assert result.code == 1 and "unrecognised format" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_newer_version_replaces_title(run, tmp_path):
    v1 = tmp_path / "v1.jsonl"
    v1.write_bytes(snapshot_line("2404.00007", "First title of the paper"))
    v2 = tmp_path / "v2.jsonl"
    v2.write_bytes(snapshot_line("2404.00007", "Second title of the paper", version=2))
    run("ingest", str(v2))
    run("ingest", str(v1))  # an older version arriving later does not win
    shown = json.loads(run("show", "2404.00007", "--json").out)
    assert shown["title"] == "Second title of the paper" and shown["version"] == 2


def test_show_unknown_id_is_usage_error(run):
    result = run("show", "9999.99999")
    assert result.code == 2 and "no paper" in result.err


def test_stats_says_what_it_leaves_out_and_all_shows_it(run, tmp_path):
    path = tmp_path / "many.jsonl"
    # 25 categories, one paper each: more than the 20 rows stats shows by default.
    lines = [
        snapshot_line(f"2404.{i:05d}", f"Paper {i}").replace(b"cs.LG stat.ML", f"cs.X{i}".encode())
        for i in range(1, 26)
    ]
    path.write_bytes(b"".join(lines))
    assert run("ingest", str(path)).code == 0
    short = run("stats").out
    assert "Showing the top 20 of 25; `papersift stats --all` shows every one." in short
    assert len(re.findall(r"cs\.X\d+ ", short)) == 20
    full = run("stats", "--all").out
    assert "Showing" not in full
    assert len(re.findall(r"cs\.X\d+ ", full)) == 25
