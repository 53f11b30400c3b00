"""Rank-stage fusion: the ranker's signals as one relevance score per paper.

Each signal is standardized (z-scores) and weighted within its channel (the likes, the written
interests); a paper takes its better channel plus a share of the other, and a recency prior is
added on top. Pure arithmetic on arrays. Hybrid search fuses ranked lists instead: that is the
top-level `papersift.fusion`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

# Fusion weights of the likes' signals, in z-score units, chosen on the tune readers of
# CiteULike-a and the dev fold of CSFCube (docs/benchmarks.md#ranking): the centroid's cosine
# and the discriminant together beat either alone; tf-idf adds a little on abstracts.
LIKES_WEIGHTS = {"embedding_model": 1.0, "liked_cosine": 1.0, "lexical_model": 0.3}
# An interest's words at half the weight of its embedding: SciFact's claims used as interests
# rank their abstracts best so (docs/benchmarks.md#ranking).
INTEREST_WEIGHTS = {"interest": 1.0, "interest_words": 0.5}
# Likes and interests are two channels: a paper scores its better channel (so a written
# interest unrelated to any like still reaches the page) plus this share of the other (so a
# paper matching both comes first). Design choices like the recency prior below: no real set
# here has readers with both likes and interests, or likes with dates.
OTHER_CHANNEL_SHARE = 0.25
RECENCY_WEIGHT = 0.5  # z units a paper published today gains over a very old one
DEFAULT_HALF_LIFE_DAYS = 30.0


def relevance(signals: dict[str, np.ndarray]) -> np.ndarray:
    """The fused score of each row: the channels' weighted z-scores, combined."""
    channels = [
        _zscore(_fuse(signals, weights))
        for weights in (LIKES_WEIGHTS, INTEREST_WEIGHTS)
        if weights.keys() & signals.keys()
    ]
    return _combine_channels(channels)


def _combine_channels(channels: list[np.ndarray]) -> np.ndarray:
    """The better of the likes and interests channels plus a share of the other."""
    if len(channels) == 1:
        return channels[0]
    better, other = np.maximum(*channels), np.minimum(*channels)
    return better + OTHER_CHANNEL_SHARE * other


def _fuse(signals: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    n = len(next(iter(signals.values())))
    fused = np.zeros(n, dtype=np.float64)
    for name, weight in weights.items():
        if name in signals:
            fused += weight * _zscore(signals[name].astype(np.float64))
    return fused


def recency_prior(
    published: np.ndarray, today: dt.date, half_life_days: float | None
) -> np.ndarray:
    """RECENCY_WEIGHT * 2^(-age / half-life); 0 for unknown dates, and no bonus for the future."""
    if half_life_days is None:
        return np.zeros(len(published))
    age = np.clip(today.toordinal() - published, 0.0, None)
    prior = RECENCY_WEIGHT * np.exp2(-age / half_life_days)
    return np.nan_to_num(prior, nan=0.0)


def _zscore(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    # A constant signal carries no preference; dividing by ~0 would make it dominate.
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


def top_rows(scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of the n best scores, in no particular order (all of them when n is larger)."""
    if len(scores) <= n:
        return np.arange(len(scores))
    return np.argpartition(-scores, n - 1)[:n]
