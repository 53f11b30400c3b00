"""Search: keyword (BM25 over FTS5), semantic (embeddings + vector index), hybrid (both fused).

The store, the embedder and the index are passed in; ranking and fusion are pure (fusion.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from papersift.embed.base import paper_text
from papersift.errors import UsageError
from papersift.fusion import KEYWORD_SHARE, fts_match_expression, fuse_scores
from papersift.index.sync import SemanticSearcher
from papersift.records import Paper, PaperFilter
from papersift.store.base import Store

Mode = Literal["hybrid", "semantic", "keyword"]
MODES: tuple[str, ...] = ("hybrid", "semantic", "keyword")
# A query is what a reader remembers of a paper; past this it is a pasted document, and the
# model reads only its first 256 tokens anyway.
MAX_QUERY_CHARS = 2_000
# How deep each list goes before fusion: the tails find papers both lists like, and set the
# scale each list is standardized on.
POOL = 100
# `similar`: the keyword list's share, with the paper's own first terms as its query (a
# more-like-this query); chosen on CSFCube's dev fold (docs/benchmarks.md#similar).
SIMILAR_KEYWORD_SHARE = 0.25
MORE_LIKE_THIS_TERMS = 32


@dataclass(frozen=True)
class Hit:
    paper: Paper
    score: float
    keyword_rank: int | None = None  # 1-based position in the BM25 list, if present
    semantic_rank: int | None = None
    similarity: float | None = None  # cosine to the query, when semantic ran


def clean_query(query: str, warn: Callable[[str], None]) -> str:
    text = " ".join(query.split())
    if not text:
        raise UsageError('the query is empty; try e.g. papersift search "sparse attention"')
    if len(text) > MAX_QUERY_CHARS:
        warn(f"query is {len(text):,} characters; using its first {MAX_QUERY_CHARS:,}")
        text = text[:MAX_QUERY_CHARS]
    return text


def search(
    store: Store,
    query: str,
    *,
    mode: Mode = "hybrid",
    k: int = 10,
    where: PaperFilter | None = None,
    semantic: Callable[[], SemanticSearcher] | None = None,
    warn: Callable[[str], None] = lambda message: None,
) -> list[Hit]:
    """The best `k` papers for `query`; `semantic` is built only when the mode needs it."""
    if mode not in MODES:
        raise UsageError(f"--mode must be one of {', '.join(MODES)}")
    if k < 1:
        raise UsageError("-k must be at least 1")
    text = clean_query(query, warn)
    where = where or PaperFilter()
    pool = max(POOL, k)
    keyword: list[tuple[int, float]] = []
    vector: list[tuple[int, float]] = []
    if mode in ("hybrid", "keyword"):
        expression = fts_match_expression(text)
        keyword = store.keyword_search(expression, pool, where) if expression else []
    if mode in ("hybrid", "semantic"):
        if semantic is None:
            raise UsageError("semantic search needs an embedding model")
        searcher = semantic()
        allowed = None if where.is_empty else np.asarray(store.filtered_rowids(where), np.int64)
        if allowed is not None and not len(allowed):
            vector = []
        else:
            vector = _visible_neighbours(store, searcher, searcher.embed_query(text), pool, allowed)
    if mode == "keyword":
        ranked = keyword[:k]
    elif mode == "semantic":
        ranked = vector[:k]
    else:
        ranked = fuse_scores([keyword, vector], [KEYWORD_SHARE, 1.0 - KEYWORD_SHARE], POOL)[:k]
    return _hits(store, ranked, keyword, vector)


def _visible_neighbours(
    store: Store,
    searcher: SemanticSearcher,
    vector: np.ndarray,
    depth: int,
    allowed: np.ndarray | None,
) -> list[tuple[int, float]]:
    """The index's nearest `depth` papers the viewer may see. The index holds every paper
    (one index serves all readers): those private to other readers are asked for on top and
    dropped, unless `allowed` (already the viewer's) leaves them out."""
    extra = store.private_papers().hidden_count(store.viewer) if allowed is None else 0
    found = searcher.search(vector, depth + extra, allowed)
    if extra:
        visible = set(store.visible_rowids([rowid for rowid, _ in found]))
        found = [(rowid, score) for rowid, score in found if rowid in visible]
    return found[:depth]


def _hits(
    store: Store,
    ranked: list[tuple[int, float]],
    keyword: list[tuple[int, float]],
    vector: list[tuple[int, float]],
) -> list[Hit]:
    keyword_rank = {rowid: i for i, (rowid, _) in enumerate(keyword, start=1)}
    semantic_rank = {rowid: i for i, (rowid, _) in enumerate(vector, start=1)}
    similarity = dict(vector)
    papers = store.papers_by_rowid([rowid for rowid, _ in ranked])
    return [
        Hit(
            paper=papers[rowid],
            score=float(score),
            keyword_rank=keyword_rank.get(rowid),
            semantic_rank=semantic_rank.get(rowid),
            similarity=similarity.get(rowid),
        )
        for rowid, score in ranked
        if rowid in papers
    ]


def similar(store: Store, ident: str, searcher: SemanticSearcher, k: int = 10) -> list[Hit]:
    """Papers most like a stored paper (itself excluded): its embedding's nearest neighbours
    fused with a keyword search for its own words, as hybrid search fuses a query's."""
    rowid = store.rowid_of(ident)
    if rowid is None:
        raise UsageError(f"no paper {ident!r} in the store")
    vector = searcher.vector_of(rowid)
    if vector is None:
        raise UsageError(f"{ident} has no embedding yet; run `papersift embed`")
    depth = max(POOL, k) + 1
    found = [
        (r, s) for r, s in _visible_neighbours(store, searcher, vector, depth, None) if r != rowid
    ]
    paper = store.papers_by_rowid([rowid])[rowid]
    expression = fts_match_expression(
        paper_text(paper.title, paper.abstract), max_terms=MORE_LIKE_THIS_TERMS
    )
    keyword = store.keyword_search(expression, depth) if expression else []
    keyword = [(r, s) for r, s in keyword if r != rowid]
    weights = [SIMILAR_KEYWORD_SHARE, 1.0 - SIMILAR_KEYWORD_SHARE]
    return _hits(store, fuse_scores([keyword, found], weights, POOL)[:k], keyword, found)


def hit_as_dict(hit: Hit) -> dict[str, Any]:
    paper = hit.paper
    return {
        "id": paper.id,
        "title": paper.title,
        "authors": list(paper.authors),
        "published": paper.published.isoformat() if paper.published else None,
        "categories": list(paper.categories),
        "score": round(hit.score, 6),
        "keyword_rank": hit.keyword_rank,
        "semantic_rank": hit.semantic_rank,
        "similarity": None if hit.similarity is None else round(hit.similarity, 6),
        "url": paper.link("abs"),
    }
