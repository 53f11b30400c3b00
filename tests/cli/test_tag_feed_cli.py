"""`papersift digest --tag TAG`: the tag's Atom feed beside the digest, no model needed."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser

from tests.cli.snapshot_lines import snapshot_line


def test_digest_tag_writes_the_feed(run, tmp_path):
    path = tmp_path / "seed.jsonl"
    path.write_bytes(
        snapshot_line("2611.00001", "Eight-bit weights") + snapshot_line("2611.00002", "Graphs")
    )
    assert run("ingest", str(path)).code == 0
    assert run("tag", "to read", "2611.00002").code == 0
    out = tmp_path / "out"
    result = run("digest", "--tag", "to read", "--out", str(out), "--json")
    assert result.code == 0, result.err
    written = json.loads(result.out)
    [(tag, shown)] = written.items()
    # Beside the digest, under a file-safe name (the space becomes `_` plus a short hash).
    assert tag == "to read" and Path(shown).parent == out / "tags"
    assert Path(shown).name.startswith("to_read-")
    feed = feedparser.parse(Path(shown).read_bytes())
    assert feed.bozo == 0 and [e.title for e in feed.entries] == ["Graphs"]
    missing = run("digest", "--tag", "nope", "--out", str(out))
    assert missing.code == 2 and "no tag 'nope'" in missing.err


def test_daily_keeps_every_tag_feed_fresh(run, tmp_path):
    path = tmp_path / "seed.jsonl"
    path.write_bytes(
        snapshot_line("2611.00001", "Eight-bit weights") + snapshot_line("2611.00002", "Graphs")
    )
    assert run("ingest", str(path)).code == 0
    assert run("tag", "quantization", "2611.00001").code == 0
    out = tmp_path / "daily"
    config = tmp_path / "config.toml"
    config.write_text(f'[digest]\nsince = "all"\nout_dir = "{out}"\n')
    result = run_with_config(run, config, "daily", "--no-fetch", "--json")
    assert result.returncode in (0, 1), result.stderr
    feeds = json.loads(result.stdout)["tag_feeds"]
    assert list(feeds) == ["quantization"]
    feed = feedparser.parse(Path(feeds["quantization"]).read_bytes())
    assert [e.title for e in feed.entries] == ["Eight-bit weights"]


def run_with_config(run, config: Path, *args: str):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PAPERSIFT_DB": str(run.db), "PAPERSIFT_CONFIG": str(config)}
    return subprocess.run(
        [sys.executable, "-m", "papersift.cli", *args], capture_output=True, text=True, env=env
    )
