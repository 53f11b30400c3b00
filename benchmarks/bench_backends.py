"""The PostgreSQL store against SQLite on this machine: ingest speed and search latency.

Real papers (arxiv-daily, read by path) are written once as an arXiv snapshot file; then, in
turns so the machine's drift falls on both alike, a fresh SQLite file and a fresh PostgreSQL
database (a throw-away local cluster, or --pg URL's server) ingest it through papersift's own
ingest. Search: keyword searches whose queries are the first words of real titles, and the
one-day window a digest reads, each timed end to end through `papersift.search` / the store.

    python benchmarks/bench_backends.py --n 20000
    python benchmarks/bench_backends.py --pg postgresql://me@dbhost/papersift_bench

Prints records/s per backend and round, the PostgreSQL/SQLite ratio, and search p50/p95.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from bench_real_day import DATASET, write_snapshot  # noqa: E402
from realdata import arxiv_daily  # noqa: E402


def read_rows(n: int) -> list[dict]:
    """The last n papers of arxiv-daily (the newest listing days)."""
    return list(collections.deque(arxiv_daily(), maxlen=n))


@contextmanager
def postgres(url: str | None) -> Iterator[Callable[[], str]]:
    """A maker of fresh empty databases: on --pg's server, or in a throw-away local cluster."""
    if url:
        import psycopg

        counter = itertools.count()

        def fresh_remote() -> str:
            name = f"papersift_bench_{next(counter)}"
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')  # type: ignore[arg-type]
                conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
            return url.rsplit("/", 1)[0] + "/" + name

        yield fresh_remote
        return
    from tests.pg_cluster import PgCluster, why_unavailable

    reason = why_unavailable()
    if reason:
        raise SystemExit(f"bench_backends: {reason}")
    cluster = PgCluster().start()
    try:
        yield cluster.create_database
    finally:
        cluster.stop()


def ingest(location: str, snapshot: Path) -> tuple[float, int]:
    from papersift.ingest.files import ingest_paths
    from papersift.store import open_store

    t0 = time.perf_counter()
    store = open_store(location)
    report = ingest_paths(store, [str(snapshot)])
    store.close()
    elapsed = time.perf_counter() - t0
    if report.counts.added < report.records * 0.99:
        raise SystemExit(f"bench_backends: {location}: only {report.counts} of {report.records}")
    return elapsed, report.records


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def time_searches(location: str, queries: list[str], day: str) -> dict[str, list[float]]:
    import datetime as dt

    from papersift.records import PaperFilter
    from papersift.search import search
    from papersift.store import open_store

    store = open_store(location)
    times: dict[str, list[float]] = {"keyword search": [], "one-day window": []}
    window = PaperFilter(since=dt.date.fromisoformat(day))
    try:
        search(store, queries[0], mode="keyword", k=10)  # warm: first statement, caches
        for query in queries:
            t0 = time.perf_counter()
            search(store, query, mode="keyword", k=10)
            times["keyword search"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            store.papers_by_rowid(store.filtered_rowids(window))
            times["one-day window"].append(time.perf_counter() - t0)
    finally:
        store.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="real papers to ingest")
    parser.add_argument("--rounds", type=int, default=2, help="fresh ingests per backend")
    parser.add_argument("--queries", type=int, default=200, help="searches per backend")
    parser.add_argument("--pg", default=None, help="a PostgreSQL server URL (default: local)")
    args = parser.parse_args()
    if not DATASET.exists():
        raise SystemExit(f"bench_backends: no data set at {DATASET}")

    rows = read_rows(args.n)
    day = max(r["listing_date"] for r in rows)
    rng = random.Random(3)
    queries = [" ".join(r["title"].split()[:5]) for r in rng.sample(rows, args.queries)]
    with tempfile.TemporaryDirectory() as tmp, postgres(args.pg) as fresh_database:
        work = Path(tmp)
        snapshot = work / "papers.jsonl"
        write_snapshot(snapshot, rows)
        print(f"{len(rows):,} real papers (arxiv-daily, up to {day}); {args.rounds} rounds")
        rates: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
        last: dict[str, str] = {}
        for round_ in range(1, args.rounds + 1):
            for backend in ("sqlite", "postgresql"):
                location = (
                    str(work / f"round{round_}.db") if backend == "sqlite" else fresh_database()
                )
                elapsed, records = ingest(location, snapshot)
                rates[backend].append(records / elapsed)
                last[backend] = location
                print(f"round {round_} {backend:10s} ingest {records / elapsed:8,.0f} records/s")
        ratio = statistics.median(
            pg / lite for pg, lite in zip(rates["postgresql"], rates["sqlite"], strict=True)
        )
        print(f"ingest: PostgreSQL at {ratio:.2f}x SQLite's rate (median of rounds)")
        results: dict[str, Any] = {}
        for backend in ("sqlite", "postgresql"):
            results[backend] = time_searches(last[backend], queries, day)
        for kind in ("keyword search", "one-day window"):
            for backend in ("sqlite", "postgresql"):
                print(f"{kind:15s} {backend:10s} {percentiles(results[backend][kind])}")


if __name__ == "__main__":
    main()
