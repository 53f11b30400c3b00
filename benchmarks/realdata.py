"""Readers for the real third-party data sets in ../shared/datasets, and an embedding cache.

Nothing here is copied into the project: every function reads the shared files by path. The
data sets and their protocols are described in each folder's SOURCES.md.

The cache keeps vectors per model and text hash under ~/.cache/papersift/bench (or
PAPERSIFT_BENCH_CACHE), so a second run of a benchmark does not embed 25,000 texts again.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from papersift.embed.base import Embedder, paper_text, text_hash

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERSIFT_SHARED", ROOT.parent / "shared"))
DATASETS = SHARED / "datasets"


def available() -> bool:
    return DATASETS.is_dir()


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    abstract: str
    sentences: tuple[str, ...] = ()
    date: str | None = None

    @property
    def text(self) -> str:
        return paper_text(self.title, self.abstract)


# -- SciFact (BEIR) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Retrieval:
    docs: list[Doc]
    queries: dict[str, str]  # query id -> text
    qrels: dict[str, dict[str, dict[str, int]]]  # split -> query id -> doc id -> grade


def scifact() -> Retrieval:
    folder = DATASETS / "scifact"
    docs = [
        Doc(row["_id"], row["title"], row["text"])
        for row in map(json.loads, (folder / "corpus.jsonl").open(encoding="utf-8"))
    ]
    queries = {
        row["_id"]: row["text"]
        for row in map(json.loads, (folder / "queries.jsonl").open(encoding="utf-8"))
    }
    qrels: dict[str, dict[str, dict[str, int]]] = {}
    for split in ("train", "test"):
        judged: dict[str, dict[str, int]] = {}
        with (folder / "qrels" / f"{split}.tsv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                judged.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
        qrels[split] = judged
    return Retrieval(docs, queries, qrels)


# -- CSFCube ----------------------------------------------------------------------------------

FACETS = ("background", "method", "result")


@dataclass(frozen=True)
class FacetQuery:
    key: str  # "<pid>_<facet>", as in evaluation_splits.json
    paper: str
    facet: str
    pool: tuple[str, ...]
    grades: tuple[int, ...]


@dataclass(frozen=True)
class Csfcube:
    docs: dict[str, Doc]
    queries: list[FacetQuery]
    folds: dict[str, list[str]]  # fold1_dev, fold2_dev, fold1_test, fold2_test -> keys


def csfcube() -> Csfcube:
    folder = DATASETS / "csfcube"
    docs: dict[str, Doc] = {}
    for row in map(json.loads, (folder / "abstracts-csfcube-reconstructed.jsonl").open()):
        sentences = tuple(s.strip() for s in row["abstract"] if s.strip())
        docs[row["paper_id"]] = Doc(
            row["paper_id"], row["title"].strip(), " ".join(sentences), sentences
        )
    queries = []
    for facet in FACETS:
        judged = json.loads((folder / f"test-pid2anns-csfcube-{facet}.json").read_text())
        for pid, pool in judged.items():
            queries.append(
                FacetQuery(
                    f"{pid}_{facet}",
                    pid,
                    facet,
                    tuple(pool["cands"]),
                    tuple(pool["relevance_adju"]),
                )
            )
    folds = json.loads((folder / "evaluation_splits.json").read_text())["all"]
    return Csfcube(docs, queries, folds)


# -- CiteULike-a ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Citeulike:
    titles: list[str]  # item i's title
    libraries: list[list[int]]  # user u's items


def citeulike() -> Citeulike:
    folder = DATASETS / "citeulike-a"
    titles = (folder / "titles.txt").read_text(encoding="utf-8").splitlines()
    libraries = []
    for line in (folder / "users.dat").read_text().splitlines():
        numbers = [int(x) for x in line.split()]
        libraries.append(numbers[1:])
    return Citeulike(titles, libraries)


# -- arxiv-daily ------------------------------------------------------------------------------

ARXIV_DAILY = DATASETS / "arxiv-daily" / "arxiv_cs_daily_2025-03-18_2026-07-01.jsonl.gz"


def arxiv_daily() -> Iterator[dict]:
    with gzip.open(ARXIV_DAILY, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


# -- metrics ----------------------------------------------------------------------------------


def ndcg_at(ranked: Sequence[str], grades: dict[str, int], k: int) -> float:
    """BEIR's nDCG@k: linear gains, log2 discounts, ideal from all judged grades."""
    gains = [grades.get(doc, 0) for doc in ranked[:k]]
    dcg = sum(g / np.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(g / np.log2(i + 2) for i, g in enumerate(ideal))
    return float(dcg / idcg) if idcg > 0 else 0.0


def average_precision(relevant: Sequence[int]) -> float:
    """CSFCube's (rank_metrics) AP over a fully ranked pool of 0/1 judgments."""
    hits, total = 0, 0.0
    for i, rel in enumerate(relevant, start=1):
        if rel:
            hits += 1
            total += hits / i
    return total / hits if hits else 0.0


def pool_ndcg(grades_in_order: Sequence[int], k: int) -> float:
    """CSFCube's (rank_metrics method 0) graded nDCG@k: first gain undiscounted."""

    def dcg(values: Sequence[int]) -> float:
        values = list(values[:k])
        if not values:
            return 0.0
        return values[0] + sum(v / np.log2(i + 1) for i, v in enumerate(values[1:], start=2))

    ideal = dcg(sorted(grades_in_order, reverse=True))
    return dcg(grades_in_order) / ideal if ideal > 0 else 0.0


# -- embedding cache --------------------------------------------------------------------------


def cache_dir() -> Path:
    base = os.environ.get("PAPERSIFT_BENCH_CACHE")
    return Path(base) if base else Path.home() / ".cache" / "papersift" / "bench"


def embed_cached(embedder: Embedder, texts: Sequence[str], name: str) -> np.ndarray:
    """float32 unit rows for `texts`, computing only those not cached for this model."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in embedder.model_id)
    path = cache_dir() / safe / f"{name}.npz"
    cached: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as stored:
            cached = dict(zip(stored["hashes"].tolist(), stored["vectors"]))
    hashes = [text_hash(t) for t in texts]
    missing = [i for i, h in enumerate(hashes) if h not in cached]
    if missing:
        unique = list(dict.fromkeys(hashes[i] for i in missing))
        first = {h: i for i, h in reversed(list(enumerate(hashes)))}
        vectors = embedder.encode([texts[first[h]] for h in unique], batch_size=64)
        cached.update(zip(unique, vectors.astype(np.float32)))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, hashes=np.array(list(cached)), vectors=np.stack(list(cached.values())))
        tmp.replace(path)
    return np.stack([cached[h] for h in hashes]).astype(np.float32)
