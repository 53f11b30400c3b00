"""Pure score fusion and query shaping for hybrid search and more-like-this. No I/O."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

# Hybrid search: the keyword list's share of the fused score, each list in z units over its own
# top hits. Chosen on SciFact's train claims (docs/benchmarks.md#hybrid-search).
KEYWORD_SHARE = 0.6

# Words that only dilute a BM25 query ("papers about ..." is how people type).
_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in into is it its of on or that the their "
    "this to was were will with we our paper papers about using via based approach method "
    "methods new towards toward".split()
)
_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)


def fuse_scores(
    lists: Sequence[Sequence[tuple[K, float]]],
    weights: Sequence[float],
    depth: int | None = None,
) -> list[tuple[K, float]]:
    """Convex fusion of scored lists (each best first): sum_i w_i * z_i(d), best first.

    Each list's scores are standardized on its first `depth` entries (all by default), so
    BM25's unbounded scores and cosines add up on one scale, and a longer list does not change
    the scale its top is fused on. A key a list did not return takes that list's lowest
    standardized score, since it ranked below everything the list returned. Ties break on
    first appearance.
    """
    standardized: list[tuple[dict[K, float], float, float]] = []
    first_seen: dict[K, tuple[int, int]] = {}
    for list_index, (scored, weight) in enumerate(zip(lists, weights, strict=True)):
        if not scored:
            continue
        values = [float(score) for _, score in scored]
        head = values[:depth] if depth else values
        mean = sum(head) / len(head)
        spread = (sum((v - mean) ** 2 for v in head) / len(head)) ** 0.5
        z = {
            key: (v - mean) / spread if spread > 1e-12 else 0.0
            for (key, _), v in zip(scored, values)
        }
        standardized.append((z, min(z.values()), weight))
        for rank, (key, _) in enumerate(scored, start=1):
            first_seen.setdefault(key, (rank, list_index))
    fused = {
        key: sum(weight * z.get(key, floor) for z, floor, weight in standardized)
        for key in first_seen
    }
    return sorted(fused.items(), key=lambda item: (-item[1], first_seen[item[0]]))


def content_terms(text: str) -> list[str]:
    """The words of a text that are not stopwords, lower-cased, order kept (may be empty)."""
    words = [w.lower() for w in _TOKEN.findall(unicodedata.normalize("NFKC", text))]
    return list(dict.fromkeys(w for w in words if w not in _STOPWORDS))


def query_terms(text: str) -> list[str]:
    """The words of a query worth matching: lower-cased, stopwords dropped, order kept."""
    words = [w.lower() for w in _TOKEN.findall(unicodedata.normalize("NFKC", text))]
    kept = [w for w in words if w not in _STOPWORDS]
    return list(dict.fromkeys(kept or words))


def fts_match_expression(text: str, max_terms: int = 32) -> str | None:
    """An FTS5 MATCH expression for free text: each term quoted (no operator injection), ORed.

    OR rather than AND: BM25 still puts papers with every word first, and a reader's half-
    remembered phrasing should not return nothing because one word is off.
    """
    terms = query_terms(text)[:max_terms]
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
