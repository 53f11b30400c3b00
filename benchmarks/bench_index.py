"""Benchmark the vector index on synthetic clustered 384-d vectors.

    python benchmarks/bench_index.py --sizes 100000 --exact-sweep     # ~2 min
    python benchmarks/bench_index.py --sizes 2700000 --ef auto,256,512,1024 --workdir DIR
        # ~1.5 h on 2 shared cores, 7 GB under DIR; add --skip-build to time queries again

For each size: build the index in a child process (build time, peak RSS, file sizes), compute
exact top-10 for the queries by streaming the vectors again, then load the index in a fresh
child process and time single queries on one thread (p50/p99, recall@10 against exact, peak
RSS) for each HNSW search depth in --ef ("auto": the index's own), then filtered searches
(allowed = random subsets), then updates on a copy (add 1,000 papers and save; add enough to
fold the delta into the graph and save). Results print as JSON; docs/benchmarks.md has them.

The vectors imitate sentence embeddings of papers: 2,000 topics of Zipf-skewed popularity, each
a centre on the unit sphere plus a 32-dimensional spread of its own (embeddings of related
texts vary along few directions) and a little isotropic noise. Nearest-neighbour cosine is
~0.75 at 200k. Half the queries are noisy copies of indexed papers ("more like this"), half
fresh draws from the topics ("a new paper"). Every child is a fresh process, so RSS is the
index's, not the generator's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from papersift.index.vectors import IndexSettings, VectorIndex, build_index

DIM = 384
MODEL = "synthetic/clustered-384"
CHUNK = 50_000
QUERIES = 200
WARMUP = 20
K = 10


class ClusteredVectors:
    """Deterministic synthetic embeddings: chunk `i` is the same every time it is drawn."""

    def __init__(self, topics: int = 2_000, spread_rank: int = 32, seed: int = 7) -> None:
        rng = np.random.default_rng(seed)
        self.seed = seed
        self.rank = spread_rank
        self.centres = _unit(rng.standard_normal((topics, DIM), dtype=np.float32))
        self.bases = rng.standard_normal((topics, spread_rank, DIM), dtype=np.float32) / np.sqrt(
            DIM
        )
        spectrum = np.arange(1, spread_rank + 1, dtype=np.float32) ** -0.5
        spectrum /= np.sqrt((spectrum**2).sum())
        width = rng.uniform(0.7, 1.3, topics).astype(np.float32)  # some topics are broader
        self.scales = width[:, None] * spectrum[None, :] * 0.9
        self.noise = width * 0.45 / np.sqrt(DIM)
        popularity = 1 / np.arange(1, topics + 1) ** 0.7
        self.popularity = popularity / popularity.sum()

    def draw(self, count: int, rng: np.random.Generator) -> np.ndarray:
        topics = rng.choice(len(self.popularity), count, p=self.popularity)
        out = np.empty((count, DIM), np.float32)
        order = np.argsort(topics, kind="stable")
        sorted_topics = topics[order]
        starts = np.r_[0, np.flatnonzero(np.diff(sorted_topics)) + 1]
        ends = np.r_[starts[1:], count]
        for start, end in zip(starts, ends, strict=True):
            topic, size = sorted_topics[start], end - start
            spread = rng.standard_normal((size, self.rank), dtype=np.float32) * self.scales[topic]
            noise = rng.standard_normal((size, DIM), dtype=np.float32) * self.noise[topic]
            out[order[start:end]] = self.centres[topic] + spread @ self.bases[topic] + noise
        return _unit(out)

    def chunk(self, number: int, size: int) -> np.ndarray:
        return self.draw(size, np.random.default_rng([self.seed, number]))

    def batches(self, total: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for number, start in enumerate(range(0, total, CHUNK)):
            size = min(CHUNK, total - start)
            yield np.arange(start, start + size, dtype=np.int64), self.chunk(number, size)


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def rss_breakdown_mb() -> dict[str, float]:
    """Anonymous (heap) and file-backed (memory-mapped pages touched) resident memory now."""
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) / 1024
    return fields


def directory_bytes(directory: Path) -> dict[str, int]:
    return {path.name: path.stat().st_size for path in sorted(directory.iterdir())}


# -- phases, each run in its own process ------------------------------------------------------


def phase_build(size: int, directory: Path) -> dict:
    data = ClusteredVectors()
    wall, cpu = time.perf_counter(), time.process_time()
    index = build_index(directory, MODEL, DIM, data.batches(size))
    return {
        "kind": index.kind,
        "build_s": round(time.perf_counter() - wall, 1),
        "build_cpu_s": round(time.process_time() - cpu, 1),
        "peak_rss_mb": round(peak_rss_mb()),
        "files": directory_bytes(directory),
    }


def phase_truth(size: int, directory: Path) -> dict:
    """Queries and their exact top-10, by streaming every vector once more."""
    data = ClusteredVectors()
    rng = np.random.default_rng(12345)
    copies = (QUERIES + WARMUP) // 2
    sources = np.sort(rng.choice(size, copies, replace=False))
    fresh = data.draw(QUERIES + WARMUP - copies, rng)
    best_scores = np.full((QUERIES + WARMUP, K), -np.inf, np.float32)
    best_keys = np.full((QUERIES + WARMUP, K), -1, np.int64)
    copied = np.zeros((copies, DIM), np.float32)
    # First pass picks the papers to copy (queries must exist before scoring).
    for keys, vectors in data.batches(size):
        inside = (sources >= keys[0]) & (sources <= keys[-1])
        copied[inside] = vectors[sources[inside] - keys[0]]
    noise = rng.standard_normal(copied.shape, dtype=np.float32) * (0.3 / np.sqrt(DIM))
    queries = _unit(np.concatenate([copied + noise, fresh]))
    queries = queries[rng.permutation(len(queries))]
    for keys, vectors in data.batches(size):
        scores = queries @ vectors.T
        merged_scores = np.concatenate([best_scores, scores], axis=1)
        merged_keys = np.concatenate([best_keys, np.broadcast_to(keys, scores.shape)], axis=1)
        top = np.argpartition(-merged_scores, K, axis=1)[:, :K]
        best_scores = np.take_along_axis(merged_scores, top, axis=1)
        best_keys = np.take_along_axis(merged_keys, top, axis=1)
    np.save(directory / "bench-queries.npy", queries)
    np.save(directory / "bench-truth.npy", best_keys)
    return {"queries": len(queries)}


def phase_query(size: int, directory: Path, expansions: list[int | None]) -> dict:
    index_dir = directory / "index"
    queries = np.load(directory / "bench-queries.npy")
    truth = np.load(directory / "bench-truth.npy")
    started = time.perf_counter()
    index = VectorIndex.load(index_dir, MODEL, DIM)
    load_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    index.search(queries[0], K)
    first_ms = (time.perf_counter() - started) * 1000
    # Page the graph in once (a server's steady state); the first query above shows the cold cost.
    for query in queries:
        index.search(query, K)
    saved = index.settings
    runs = []
    for expansion in expansions:
        # One loaded index for every run: loading again would map the graph twice.
        index.settings = replace(saved, expansion_search=expansion)
        for query in queries[:WARMUP]:
            index.search(query, K)
        latencies, hits = [], 0
        for query, expected in zip(queries[WARMUP:], truth[WARMUP:], strict=True):
            started = time.perf_counter()
            found = index.search(query, K)
            latencies.append(time.perf_counter() - started)
            hits += len({key for key, _ in found} & set(expected.tolist()))
        runs.append(
            {
                "expansion_search": index.settings.expansion_for(len(index)),
                "p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 3),
                "p99_ms": round(float(np.percentile(latencies, 99)) * 1000, 3),
                "recall_at_10": round(hits / (K * len(latencies)), 4),
            }
        )
    return {
        "kind": index.kind,
        "load_ms": round(load_ms, 1),
        "first_query_ms": round(first_ms, 1),
        "runs": runs,
        "peak_rss_mb": round(peak_rss_mb()),
        "rss_now_mb": {name: round(value) for name, value in rss_breakdown_mb().items()},
    }


def phase_filtered(size: int, directory: Path) -> dict:
    """Search restricted to a random subset of keys (a category or date filter)."""
    index_dir = directory / "index"
    queries = np.load(directory / "bench-queries.npy")[WARMUP : WARMUP + 50]
    index = VectorIndex.load(index_dir, MODEL, DIM)
    # With an unbounded exact limit every filtered search takes the exact path: the truth.
    exact = VectorIndex.load(index_dir, MODEL, DIM, replace(index.settings, exact_limit=1 << 40))
    rng = np.random.default_rng(5)
    runs = []
    for fraction in (0.002, 0.01, 0.05, 0.2):
        allowed = np.sort(rng.choice(size, int(size * fraction), replace=False))
        latencies, hits = [], 0
        for query in queries:
            started = time.perf_counter()
            found = index.search(query, K, allowed=allowed)
            latencies.append(time.perf_counter() - started)
            expected = {key for key, _ in exact.search(query, K, allowed=allowed)}
            hits += len({key for key, _ in found} & expected)
        runs.append(
            {
                "allowed": len(allowed),
                "p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 3),
                "recall_at_10": round(hits / (K * len(queries)), 4),
            }
        )
    return {"filtered": runs}


def phase_update(size: int, directory: Path) -> dict:
    """Update a copy of the saved index: a day's papers, then enough to fold the delta."""
    index_dir = directory / "index-update"
    shutil.rmtree(index_dir, ignore_errors=True)
    shutil.copytree(directory / "index", index_dir)
    data = ClusteredVectors()
    report = {}
    next_key = size
    for label, count in (("add_1000", 1_000), ("add_until_fold", None)):
        index = VectorIndex.load(index_dir, MODEL, DIM)
        # The second step brings the delta to the exact limit, so the graph takes it in.
        count = count or index.settings.exact_limit - (len(index._keys) - index._graph_rows)
        new = data.chunk(10_000_000 + next_key, count)
        keys = np.arange(next_key, next_key + count, dtype=np.int64)
        next_key += count
        before = sum(directory_bytes(index_dir).values())
        started = time.perf_counter()
        index.add(keys, new)
        index.save(index_dir)
        took = time.perf_counter() - started
        peak = peak_rss_mb()
        del index
        found = VectorIndex.load(index_dir, MODEL, DIM).search(new[count // 2], 1)
        report[label] = {
            "rows": count,
            "add_and_save_s": round(took, 2),
            "found_new_paper": bool(found[0][0] == keys[count // 2]),
            "bytes_grown": sum(directory_bytes(index_dir).values()) - before,
            "peak_rss_mb_so_far": round(peak),
        }
    shutil.rmtree(index_dir)
    return report


def phase_exact_sweep() -> dict:
    """Single-query latency of exact search and of the graph at small sizes."""
    data = ClusteredVectors()
    rng = np.random.default_rng(3)
    queries = data.draw(200, rng)
    results = []
    for size in (2_500, 5_000, 10_000, 20_000, 40_000):
        vectors = data.draw(size, rng)
        keys = np.arange(size, dtype=np.int64)
        row = {"size": size}
        for name, limit in (("exact", size + 1), ("hnsw", 1)):
            index = VectorIndex(DIM, MODEL, IndexSettings(exact_limit=limit))
            index.add(keys, vectors)
            for query in queries[:WARMUP]:
                index.search(query, K)
            latencies = []
            for query in queries[WARMUP:]:
                started = time.perf_counter()
                index.search(query, K)
                latencies.append(time.perf_counter() - started)
            row[f"{name}_p50_ms"] = round(float(np.median(latencies)) * 1000, 3)
        results.append(row)
    return {"sweep": results}


# -- driver -----------------------------------------------------------------------------------


def run_phase(name: str, size: int, directory: Path, extra: list[str] | None = None) -> dict:
    command = [sys.executable, __file__, "--phase", name, "--size", str(size), "--dir"]
    command += [str(directory), *(extra or [])]
    # One BLAS thread: the query timings are single-threaded by design, and the other workers on
    # this machine need the second core.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        sys.exit(f"phase {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,2700000")
    parser.add_argument(
        "--ef", default="auto", help="HNSW expansion_search values to time, e.g. auto,256,512"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    parser.add_argument("--exact-sweep", action="store_true")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--skip-build", action="store_true", help="reuse --workdir's index")
    args = parser.parse_args()
    expansions = [None if value == "auto" else int(value) for value in args.ef.split(",")]

    if args.phase:
        result = {
            "build": lambda: phase_build(args.size, args.dir / "index"),
            "truth": lambda: phase_truth(args.size, args.dir),
            "query": lambda: phase_query(args.size, args.dir, expansions),
            "update": lambda: phase_update(args.size, args.dir),
            "filtered": lambda: phase_filtered(args.size, args.dir),
            "exact-sweep": phase_exact_sweep,
        }[args.phase]()
        print(json.dumps(result))
        return

    if args.exact_sweep:
        print(json.dumps(run_phase("exact-sweep", 0, Path(".")), indent=2), flush=True)
    for size in [int(value) for value in args.sizes.split(",") if value]:
        root = args.workdir or Path(tempfile.mkdtemp(prefix="bench-index-"))
        directory = root / str(size)
        directory.mkdir(parents=True, exist_ok=True)
        report: dict = {"size": size, "load_average_at_start": load_average()}
        if not args.skip_build:
            report["build"] = run_phase("build", size, directory)
            report["truth"] = run_phase("truth", size, directory)
        report["load_average_before_queries"] = load_average()
        report["query"] = run_phase("query", size, directory, ["--ef", args.ef])
        report["filtered"] = run_phase("filtered", size, directory)
        report["update"] = run_phase("update", size, directory)
        report["load_average_at_end"] = load_average()
        print(json.dumps(report, indent=2), flush=True)


if __name__ == "__main__":
    main()
