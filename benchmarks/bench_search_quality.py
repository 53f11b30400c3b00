"""Search quality: MRR@10 of keyword, semantic and hybrid search on the bundled evaluation set.

The invented demo corpus (src/papersift/data) has 62 queries: ones sharing words with their
target's title, paraphrases sharing few, and mixed. Hybrid must beat both single modes.

    python benchmarks/bench_search_quality.py [--model fast|static|NAME]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from importlib import resources
from pathlib import Path

import orjson

from papersift.embed import load_embedder
from papersift.embeddings import semantic_searcher
from papersift.ingest import ingest_paths
from papersift.search import search
from papersift.store import open_store

MODES = ("keyword", "semantic", "hybrid")


def reciprocal_rank(found: list[str], relevant: set[str], k: int = 10) -> float:
    for rank, paper_id in enumerate(found[:k], start=1):
        if paper_id in relevant:
            return 1.0 / rank
    return 0.0


def evaluate(model: str | None) -> dict[str, dict[str, float]]:
    data = resources.files("papersift") / "data"
    queries = orjson.loads((data / "eval_queries.json").read_bytes())
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "eval.db")
        with resources.as_file(data / "demo_papers.jsonl") as corpus:
            ingest_paths(store, [str(corpus)])
        embedder = load_embedder(model)
        t0 = time.perf_counter()
        searcher = semantic_searcher(store, embedder, warn=print)
        print(
            f"model {embedder.model_id}: embedded {store.count()} papers in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        scores: dict[str, dict[str, list[float]]] = {m: {} for m in MODES}
        latency: dict[str, list[float]] = {m: [] for m in MODES}
        for query in queries:
            for mode in MODES:
                t0 = time.perf_counter()
                hits = search(store, query["query"], mode=mode, k=10, semantic=lambda: searcher)
                latency[mode].append(time.perf_counter() - t0)
                rr = reciprocal_rank([h.paper.id for h in hits], set(query["relevant"]))
                for group in ("all", query["kind"]):
                    scores[mode].setdefault(group, []).append(rr)
        store.close()
    print(
        f"{'mode':10s} "
        + " ".join(f"{g:>11s}" for g in ("all", "keyword", "mixed", "paraphrase"))
        + "  p50 ms"
    )
    results: dict[str, dict[str, float]] = {}
    for mode in MODES:
        results[mode] = {g: statistics.mean(v) for g, v in scores[mode].items()}
        row = " ".join(
            f"{results[mode].get(g, 0.0):11.3f}" for g in ("all", "keyword", "mixed", "paraphrase")
        )
        print(f"{mode:10s} {row}  {statistics.median(latency[mode]) * 1000:6.1f}")
    best_single = max(results["keyword"]["all"], results["semantic"]["all"])
    verdict = "beats" if results["hybrid"]["all"] > best_single else "does NOT beat"
    print(
        f"hybrid MRR@10 {results['hybrid']['all']:.3f} {verdict} the best single mode ({best_single:.3f})"
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="embedding model (default: bundled)")
    evaluate(parser.parse_args().model)


if __name__ == "__main__":
    main()
