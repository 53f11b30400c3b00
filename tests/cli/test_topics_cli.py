"""`papersift topics` on a window too small to group: it says so (issue 19), exit 0."""

from __future__ import annotations

import json

from tests.cli.snapshot_lines import snapshot_line

TITLES = [
    "Eight-bit weights for chat models",
    "Four-bit inference on phones",
    "Graph networks for molecules",
    "Link prediction in citation graphs",
    "Robots folding laundry",
    "Grasping unseen objects",
    "Speech recognition for dialects",
]


def _seed(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "seed.jsonl"
    path.write_bytes(b"".join(snapshot_line(f"2611.{i:05d}", t) for i, t in enumerate(TITLES, 1)))
    assert run("ingest", str(path)).code == 0


def test_a_window_too_small_to_group_says_so_instead_of_other(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _seed(run, tmp_path)
    result = run("topics", "--since", "all", timeout=300)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "7 papers: too few to group into topics. Try --since 7d for more."
    assert "other" not in result.out
    assert sum(line.lstrip().startswith("•") for line in lines) == len(TITLES)


def test_the_json_names_the_bucket_too(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _seed(run, tmp_path)
    result = run("topics", "--since", "all", "--json", timeout=300)
    assert result.code == 0, result.err
    (topic,) = json.loads(result.out)
    assert topic["label"] == "7 papers: too few to group into topics"
    assert topic["size"] == 7 and topic["other"] is True
