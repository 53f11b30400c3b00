"""The real-data relevance benchmark still runs: `bench_relevance.py --quick` end to end."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Where benchmarks/realdata.py reads them: ../shared/datasets beside the repository.
DATASETS = Path(os.environ.get("PAPERSIFT_SHARED", REPO.parent / "shared")) / "datasets"
TABLES = ("SciFact", "CSFCube", "CiteULike-a")


def tables_of(output: str) -> dict[str, list[list[str]]]:
    """Each printed table's rows (a title line starting with a data set's name, a header
    line, then rows until a blank or indented line), keyed by title."""
    found: dict[str, list[list[str]]] = {}
    rows: list[list[str]] | None = None
    for line in output.splitlines():
        if line.startswith(TABLES):
            rows = found.setdefault(line, [])
        elif rows is not None and line and not line.startswith(" "):
            rows.append(line.split())
        elif not line.strip() or line.startswith("  ("):
            rows = None
    return found


@pytest.mark.slow
@pytest.mark.skipif(not DATASETS.is_dir(), reason=f"real data sets not found at {DATASETS}")
def test_quick_relevance_benchmark_prints_every_table_with_papersift_rows():
    run = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_relevance.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=3600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    tables = tables_of(run.stdout)
    for name in TABLES:
        assert any(title.startswith(name) for title in tables), (name, run.stdout[-3000:])
    assert sum(title.startswith("CiteULike-a") for title in tables) == 3  # 1, 3 and 10 likes
    for title, rows in tables.items():
        ours = [row for row in rows if row[0] == "papersift"]
        assert ours, (title, rows)
        for row in rows:
            values = [float(v) for v in row if _is_number(v)]
            assert values, (title, row)
            assert all(math.isnan(v) or 0.0 <= v <= 1.0 for v in values), (title, row)
        for row in ours:  # every papersift row measured something
            assert any(not math.isnan(float(v)) for v in row if _is_number(v)), (title, row)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
