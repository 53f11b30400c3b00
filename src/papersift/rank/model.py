"""Personalized ranking: a reader's likes, dislikes and interests -> scored papers with reasons.

Pure: the store, the embedder and the clock are the caller's; this module only sees arrays and
strings. One call ranks in two stages so that a large window stays quick
(docs/benchmarks.md#ranking-speed):

1. every candidate is scored in embedding space only (`signals.embedding_signals`): a linear
   discriminant of the likes against a background sample of the store (closed form), the
   cosine to the likes' centroid and the cosine to the written interests; a few matrix-vector
   products;
2. the best STAGE2_POOL are re-scored with the full model: those embedding scores and a linear
   SVM on tf-idf of likes vs dislikes + background (arxiv-sanity's model, fitted on the pool
   only), fused as z-scores, plus a recency prior (`fusion`);

then maximal marginal relevance reorders the strong matches so that one topic cannot fill the
top of the page (`diversify`; it never lifts a weaker paper above a strong one).
Every recommendation carries the reasons a person can check (`reasons`): the liked papers it
is closest to, the words it shares with the profile, the interest and tag it matches.
Weights were chosen on real readers and real papers (benchmarks/bench_relevance.py, the tune
sides of CiteULike-a and CSFCube); docs/benchmarks.md#ranking has the numbers.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np

from papersift.errors import ColdStart
from papersift.rank.diversify import diversify
from papersift.rank.fusion import DEFAULT_HALF_LIFE_DAYS, recency_prior, relevance, top_rows
from papersift.rank.reasons import reasons_for
from papersift.rank.signals import (
    EmbeddingModel,
    embedding_signals,
    fit_embedding_model,
    fit_lexical_model,
    sample_negatives,
    stack_interests,
    stage2_signals,
    strong_matches,
)
from papersift.rank.types import Corpus, Profile, Recommendation, StageTimes

# Stage 2 re-scores this many candidates with tf-idf, whose vectorizer is most of a ranking's
# cost (docs/benchmarks.md#ranking-speed); a larger pool ranked real readers no better
# (docs/benchmarks.md#ranking).
STAGE2_POOL = 400
# Besides the fused stage-1 top, each stage-1 signal sends its own top few to stage 2, so a
# paper strongly matching one interest survives even when the likes point elsewhere.
STAGE2_PER_SIGNAL = 100


def cold_start_message(tag: str | None) -> str:
    """How to get started, for a reader (or tag) with nothing to rank by."""
    if tag is not None:
        return (
            f'No papers tagged "{tag}" yet, and no interests. Tag a paper you want more of: '
            f'`papersift tag ID {tag}`, or describe it: `papersift interest add "..."`.'
        )
    return (
        "Nothing to rank by yet: like a paper you enjoyed (`papersift like ID`) or describe "
        'what you want to read (`papersift interest add "sparse attention for long context"`).'
    )


def rank(
    profile: Profile,
    candidates: Corpus,
    background: Corpus,
    k: int,
    today: dt.date,
    *,
    diversity: float = 0.3,
    recency_half_life_days: float | None = DEFAULT_HALF_LIFE_DAYS,
) -> list[Recommendation]:
    """The k candidates this profile should read next, best first, each with its reasons.

    `background` is a sample of the store used as negatives (a few thousand is plenty); it may
    overlap the candidates. `diversity` in [0, 1] trades relevance for novelty (MMR's 1 - λ);
    `recency_half_life_days=None` turns the recency prior off.
    Raises ColdStart when the profile has neither likes nor interests.
    """
    return rank_with_times(
        profile,
        candidates,
        background,
        k,
        today,
        diversity=diversity,
        recency_half_life_days=recency_half_life_days,
    )[0]


def rank_with_times(
    profile: Profile,
    candidates: Corpus,
    background: Corpus,
    k: int,
    today: dt.date,
    *,
    diversity: float = 0.3,
    recency_half_life_days: float | None = DEFAULT_HALF_LIFE_DAYS,
) -> tuple[list[Recommendation], StageTimes]:
    """`rank`, also returning the seconds each stage took (for benchmarks and --verbose)."""
    from threadpoolctl import threadpool_limits

    # One BLAS thread: the products here are small or memory-bound, and on a busy machine
    # OpenBLAS's spinning worker threads made a small solve many times slower
    # (docs/benchmarks.md#ranking-speed).
    with threadpool_limits(limits=1, user_api="blas"):
        return _rank(profile, candidates, background, k, today, diversity, recency_half_life_days)


def _rank(
    profile: Profile,
    candidates: Corpus,
    background: Corpus,
    k: int,
    today: dt.date,
    diversity: float,
    recency_half_life_days: float | None,
) -> tuple[list[Recommendation], StageTimes]:
    _check_arguments(profile, candidates, background, k, diversity)
    eligible = _eligible_rows(candidates.keys, profile.excluded_keys)
    if k == 0 or len(eligible) == 0:
        return [], StageTimes()

    clock = time.perf_counter()
    has_likes = len(profile.liked) > 0
    negatives = sample_negatives(profile, background, candidates, eligible)
    embedding_model = fit_embedding_model(profile.liked, negatives) if has_likes else None
    interest_matrix = stack_interests(profile.interests, candidates.dim)
    pool = _stage1_pool(candidates.vectors, eligible, embedding_model, interest_matrix)
    pool_corpus = candidates.take(pool)
    stage1_time = time.perf_counter() - clock

    clock = time.perf_counter()
    lexical = fit_lexical_model(profile, negatives, pool_corpus)
    lexical_time = time.perf_counter() - clock

    clock = time.perf_counter()
    signals = stage2_signals(profile, pool_corpus, embedding_model, interest_matrix, lexical)
    scores = relevance(signals)
    scores += recency_prior(pool_corpus.published, today, recency_half_life_days)
    stage2_time = time.perf_counter() - clock

    strong = strong_matches(pool_corpus.vectors, profile, interest_matrix)
    clock = time.perf_counter()
    chosen = diversify(scores, pool_corpus.vectors, k, diversity, strong)
    diversify_time = time.perf_counter() - clock

    clock = time.perf_counter()
    recommendations = [
        Recommendation(
            key=int(pool_corpus.keys[row]),
            id=pool_corpus.ids[row],
            title=pool_corpus.titles[row],
            score=float(scores[row]),
            reasons=reasons_for(row, profile, pool_corpus, interest_matrix, lexical, signals),
            strong=bool(strong[row]),
        )
        for row in chosen
    ]
    reasons_time = time.perf_counter() - clock
    times = StageTimes(stage1_time, lexical_time, stage2_time, diversify_time, reasons_time)
    return recommendations, times


def _check_arguments(
    profile: Profile, candidates: Corpus, background: Corpus, k: int, diversity: float
) -> None:
    if len(profile.liked) == 0 and not profile.interests:
        raise ColdStart(cold_start_message(profile.tag))
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    if not 0.0 <= diversity <= 1.0:
        raise ValueError(f"diversity must be in [0, 1], got {diversity}")
    dims = {candidates.dim, background.dim, profile.liked.dim, profile.disliked.dim}
    dims |= {len(interest.vector) for interest in profile.interests}
    if len(dims) > 1:
        raise ValueError(f"embeddings of different sizes were mixed: {sorted(dims)}")


def _eligible_rows(keys: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """Rows of candidates that may be recommended: not in the library, first of each key."""
    _, first = np.unique(keys, return_index=True)
    first.sort()
    return first[~np.isin(keys[first], excluded)]


def _stage1_pool(
    vectors: np.ndarray,
    eligible: np.ndarray,
    embedding_model: EmbeddingModel | None,
    interest_matrix: np.ndarray,
) -> np.ndarray:
    """Rows worth the full model: the fused stage-1 top plus each signal's own top."""
    if len(eligible) <= STAGE2_POOL:
        return eligible
    # Scoring every row and then dropping the excluded few is cheaper than copying every
    # candidate's vector to leave them out.
    signals = embedding_signals(vectors, embedding_model, interest_matrix)
    signals = {name: values[eligible] for name, values in signals.items()}
    chosen = [top_rows(relevance(signals), STAGE2_POOL)]
    if len(signals) > 1:
        chosen += [top_rows(values, STAGE2_PER_SIGNAL) for values in signals.values()]
    return eligible[np.unique(np.concatenate(chosen))]
