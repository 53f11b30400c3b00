"""What `ingest` takes besides one plain file, and counts that add up (issue 19, item 5)."""

import gzip
import json
from pathlib import Path

import pytest

from papersift.ingest.files import CHUNK_BYTES
from tests.cli.snapshot_lines import snapshot_file

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "formats"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/formats is absent")


def test_a_folder_is_read_recursively_each_file_in_its_own_format(run, tmp_path):
    folder = tmp_path / "exports"
    (folder / "nested").mkdir(parents=True)
    (folder / "a.jsonl").write_bytes(snapshot_file(2))
    (folder / "nested" / "b.bib").write_text(
        "@article{k, title={A paper from a library}, author={Lovelace, Ada}, year={2021}}\n"
    )
    (folder / ".hidden.jsonl").write_bytes(snapshot_file(5, start=10))  # skipped
    result = run("ingest", str(folder), "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["files"] == 2 and summary["added"] == 3
    assert sorted(summary["formats"].values()) == ["arxiv-snapshot", "bibtex"]
    text = run("ingest", str(folder)).out
    assert "Formats: 1 arxiv-snapshot, 1 bibtex (2 files)." in " ".join(text.split())


def test_an_empty_folder_is_one_line(run, tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("ingest", str(tmp_path / "empty"))
    assert result.code == 1
    assert result.err.strip() == f"error: {tmp_path / 'empty'}: is a folder with no files to read"


@pytest.mark.parametrize("name", ["snap.jsonl.gz", "no-suffix"])
def test_gzip_files_are_read_whatever_their_name(run, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(gzip.compress(snapshot_file(3) + b"\n"))
    result = run("ingest", str(path), "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert (summary["added"], summary["formats"][str(path)]) == (3, "arxiv-snapshot")


def test_a_big_gzip_snapshot_is_read_a_chunk_at_a_time(run, tmp_path):
    path = tmp_path / "big.jsonl.gz"
    unpacked = snapshot_file(20_000)
    assert len(unpacked) > CHUNK_BYTES  # more than one chunk, and a line cut between two
    path.write_bytes(gzip.compress(unpacked))
    result = run("ingest", str(path), "--json", timeout=300)
    assert result.code == 0, result.err
    assert json.loads(result.out)["added"] == 20_000


def test_a_broken_gzip_file_is_one_line_and_nothing_stored_is_lost(run, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_bytes(snapshot_file(2))
    run("ingest", str(good))
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(snapshot_file(3))[:40])
    result = run("ingest", str(broken))
    assert result.code == 1
    assert result.err.startswith(f"error: {broken}: not a readable gzip file")
    assert len(result.err.strip().splitlines()) == 1
    assert run("papers", "count").out.strip() == "2"


def test_counts_add_up_when_a_file_repeats_a_record(run, tmp_path):
    path = tmp_path / "twice.bib"
    entry = "@article{{{key}, title={{The same paper}}, author={{Lovelace, Ada}}, year={{2021}}}}\n"
    path.write_text(entry.format(key="a") + entry.format(key="b"))
    summary = json.loads(run("ingest", str(path), "--json").out)
    assert summary["records"] == 2
    assert (summary["added"], summary["repeated"]) == (1, 1)
    parts = ("added", "merged", "unchanged", "repeated", "rejected")
    assert sum(summary[k] for k in parts) == summary["records"]
    assert "1 repeated within a file" in run("ingest", str(path)).out.replace("\n", " ")


@needs_shared
@pytest.mark.parametrize(
    ("sample", "said"),
    [
        (
            "arxiv-oai-arxivraw/edge/norecordsmatch_badset.xml",
            "the server found no records (noRecordsMatch: Set argument doesn't match any sets.",
        ),
        ("arxiv-api-atom/edge/empty_id_list_0000.0000.xml", "lists no papers (totalResults 0)"),
        ("arxiv-rss/edge/rss_empty_channel.xml", "arXiv announces nothing on Saturday and Sunday"),
    ],
)
def test_an_empty_result_says_what_the_server_said(run, sample, said):
    result = run("ingest", str(SHARED / sample))
    assert result.code == 0, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ") and said in lines[0], result.err
