"""Maximal marginal relevance: the order in which the strong matches are shown.

MMR reorders only the papers close to the profile, so that one topic cannot fill the top of
the page; it never lifts a weaker paper above a strong one. Pure: scores and vectors in, rows out.
"""

from __future__ import annotations

import numpy as np

from papersift.rank.fusion import top_rows

# MMR looks at this many of the best papers per slot asked for (and at least MMR_MIN_POOL).
MMR_POOL_PER_SLOT = 5
MMR_MIN_POOL = 100
NEAR_DUPLICATE = 0.95  # the same work twice (versions, re-posts)


def diversify(
    relevance: np.ndarray,
    vectors: np.ndarray,
    k: int,
    diversity: float,
    strong: np.ndarray | None = None,
) -> np.ndarray:
    """The rows to show, in order: the strong matches reordered by MMR, then the rest.

    With `strong` (a mask over rows), maximal marginal relevance only reorders the strong
    matches, and every other row follows them in relevance order: diversity never promotes a
    paper that does not match. Without it, the whole window counts as strong.

    Each pick maximizes (1 - diversity) * gain - diversity * max cosine to those already
    picked. The gain is the relevance rescaled so that the best paper of the window MMR looks
    at scores 1 and its median paper 0: `diversity` then means the same whatever the scale of
    the scores, and a paper from the weaker half of the window, however different, cannot
    overtake the relevant papers it would diversify. Near-copies (cosine >= NEAR_DUPLICATE) of
    a paper already picked go last. `diversity=0` is plain relevance order.
    """
    if strong is not None:
        order = np.argsort(-relevance, kind="stable")
        matches = order[strong[order]]
        picked = _mmr(relevance, vectors, min(k, len(matches)), diversity, matches)
        rest = order[~np.isin(order, picked)]
        return np.concatenate([picked, rest])[:k].astype(np.int64)
    return _mmr(relevance, vectors, k, diversity, np.arange(len(relevance)))


def _mmr(
    relevance: np.ndarray, vectors: np.ndarray, k: int, diversity: float, rows: np.ndarray
) -> np.ndarray:
    """Maximal marginal relevance (Carbonell & Goldstein 1998) over `rows`: k of them, in order."""
    if k <= 0 or not len(rows):
        return np.empty(0, dtype=np.int64)
    window = rows[top_rows(relevance[rows], max(MMR_MIN_POOL, MMR_POOL_PER_SLOT * k))]
    window = window[np.argsort(-relevance[window], kind="stable")]
    k = min(k, len(window))
    if diversity == 0.0 or k <= 1:
        return window[:k]
    scores = relevance[window]
    floor = float(np.median(scores))
    spread = scores[0] - floor
    gain = (scores - floor) / spread if spread > 0 else np.ones_like(scores)
    similarity = vectors[window] @ vectors[window].T
    redundancy = np.zeros(len(window))
    available = np.ones(len(window), dtype=bool)
    picked: list[int] = []
    for _ in range(k):
        marginal = (1 - diversity) * gain - diversity * redundancy
        # A near-copy of a paper already shown (another version, a re-post) adds nothing,
        # however relevant: it comes only once nothing else is left.
        marginal = np.where(redundancy >= NEAR_DUPLICATE, marginal - 1e9, marginal)
        marginal = np.where(available, marginal, -np.inf)
        best = int(np.argmax(marginal))
        picked.append(best)
        available[best] = False
        redundancy = np.maximum(redundancy, similarity[best])
    return window[picked]
