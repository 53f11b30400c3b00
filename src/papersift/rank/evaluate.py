"""Self-evaluation: how well does a reader's own profile predict their own likes?

Pure: takes the reader's library and a sample of the store, returns numbers. Held-out likes are
hidden among papers of the store the reader never rated; each method ranks that pool and is
scored by nDCG@10 and recall@20 of the held-out likes. Methods: papersift's `rank`, and the
baselines newest first, keyword match of the written interests, and a tf-idf linear SVM
trained the way arxiv-sanity trains it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from papersift.errors import NothingToEvaluate
from papersift.fusion import query_terms
from papersift.rank.model import rank
from papersift.rank.types import Corpus, Interest, Profile

Protocol = Literal["time split", "leave-one-out"]

NDCG_AT = 10
RECALL_AT = 20
# A time split needs enough dated likes that the newest fifth is more than one or two papers.
TIME_SPLIT_MIN_LIKES = 10
TIME_SPLIT_HELD_OUT = 0.2
# Leave-one-out ranks once per like; past this many, a seeded sample of likes is held out.
MAX_LEAVE_ONE_OUT = 30
# Unrated store papers each held-out like must beat; with this many, a random ranking scores
# near zero, so any real signal stands out (docs/benchmarks.md#self-evaluation-evaluate).
CANDIDATES_PER_QUERY = 1000
MIN_LIKES = 2


@dataclass(frozen=True)
class MethodScore:
    """One row of the table; None where the method cannot run (no interests to match)."""

    method: str
    ndcg_at_10: float | None
    recall_at_20: float | None
    note: str | None = None


@dataclass(frozen=True)
class Evaluation:
    protocol: Protocol
    queries: int  # rankings made per method: 1 for a time split, one per held-out like for LOO
    held_out: int  # liked papers held out, over all queries
    train_likes: int  # likes the profile kept (per query, for LOO: all but one)
    candidates: int  # papers per ranking: held-out likes + unrated store papers
    rows: tuple[MethodScore, ...]


# -- metrics ---------------------------------------------------------------------------------


def ndcg_at(ranked: Sequence[int], relevant: set[int], k: int = NDCG_AT) -> float:
    """Binary-relevance nDCG@k: DCG of the ranking over DCG of the ideal one (0 if nothing is
    relevant)."""
    if not relevant:
        return 0.0
    gain = sum(1.0 / math.log2(i + 2) for i, key in enumerate(ranked[:k]) if key in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return gain / ideal


def recall_at(ranked: Sequence[int], relevant: set[int], k: int = RECALL_AT) -> float:
    """Share of the relevant keys found in the first k."""
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


# -- baselines -------------------------------------------------------------------------------


def newest_first(candidates: Corpus) -> np.ndarray:
    """Candidate rows, newest publication first; unknown dates last, ties in given order."""
    published = np.nan_to_num(candidates.published, nan=-np.inf)
    return np.argsort(-published, kind="stable")


def interest_keyword_scores(candidates: Corpus, interests: Sequence[str]) -> np.ndarray:
    """How many distinct words of the interests each candidate's text contains."""
    terms = {term for text in interests for term in query_terms(text)}
    return np.array(
        [len(terms.intersection(query_terms(text))) for text in candidates.texts], dtype=float
    )


def keyword_match(candidates: Corpus, interests: Sequence[str]) -> np.ndarray:
    """Candidate rows by interest words matched, newest first among equals."""
    scores = interest_keyword_scores(candidates, interests)
    newest = newest_first(candidates)
    return newest[np.argsort(-scores[newest], kind="stable")]


# arxiv-sanity-lite's classifier (serve.py) and features (compute.py); its C was 0.1 in the
# first release and 0.01 later.
SVM_C = 0.1


def arxiv_sanity_vectorizer(min_df: int, max_df: float) -> Any:
    """arxiv-sanity-lite's tf-idf settings (compute.py) with the given document-frequency cuts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        strip_accents="unicode",
        lowercase=True,
        analyzer="word",
        stop_words="english",
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
        ngram_range=(1, 2),
        max_features=20000,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=True,
        min_df=min_df,
        max_df=max_df,
        dtype=np.float32,
    )


def tfidf_svm_scores(
    liked_texts: Sequence[str],
    negative_texts: Sequence[str],
    candidate_texts: Sequence[str],
    c: float = SVM_C,
) -> np.ndarray:
    """arxiv-sanity's ranking: a linear SVM on tf-idf (uni+bigrams) of likes vs the rest.

    The vectorizer sees every text, as arxiv-sanity fits it on the whole database.
    """
    from sklearn.svm import LinearSVC

    texts = [*liked_texts, *negative_texts, *candidate_texts]
    big = len(texts) >= 200  # min_df / max_df need a corpus to mean anything
    vectorizer = arxiv_sanity_vectorizer(min_df=5 if big else 1, max_df=0.5 if big else 1.0)
    matrix = vectorizer.fit_transform(texts)
    n_train = len(liked_texts) + len(negative_texts)
    labels = np.r_[np.ones(len(liked_texts)), np.zeros(len(negative_texts))]
    svm = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=c)
    svm.fit(matrix[:n_train], labels)
    return np.asarray(svm.decision_function(matrix[n_train:]))


# -- the evaluation --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    """One ranking task: a training profile and a shuffled pool hiding the held-out likes."""

    profile: Profile
    candidates: Corpus
    held_out: set[int]


def evaluate(
    liked: Corpus,
    liked_at: np.ndarray,
    disliked: Corpus,
    interests: Sequence[Interest],
    store_sample: Corpus,
    today: dt.date,
    *,
    seed: int = 0,
) -> Evaluation:
    """Hold out likes, rank them among unrated papers with each method, score the rankings.

    `liked_at` are day numbers of when each like was made (NaN if unknown). With at least
    TIME_SPLIT_MIN_LIKES dated likes the newest fifth is held out (time split: the profile
    predicts the future); otherwise each like in turn (leave-one-out). `store_sample` are
    papers outside the library: half become the training background, half the pool the
    held-out likes hide in, so no method is scored on papers it was trained on.
    """
    if len(liked) < MIN_LIKES:
        raise NothingToEvaluate(
            f"Evaluation needs at least {MIN_LIKES} liked papers (you have {len(liked)}): "
            "like more with `papersift like ID`."
        )
    rng = np.random.default_rng(seed)
    rated = np.concatenate([liked.keys, disliked.keys])
    unrated = store_sample.take(np.flatnonzero(~np.isin(store_sample.keys, rated)))
    order = rng.permutation(len(unrated))
    half = len(order) // 2
    background = unrated.take(order[:half])
    hiding_place = unrated.take(order[half:][:CANDIDATES_PER_QUERY])

    dated = np.isfinite(liked_at)
    protocol: Protocol = "time split" if dated.sum() >= TIME_SPLIT_MIN_LIKES else "leave-one-out"
    held_out_sets = (
        [_newest_likes(liked_at)] if protocol == "time split" else _one_each(len(liked), rng)
    )
    queries = [
        _query(liked, held, disliked, interests, hiding_place, rng) for held in held_out_sets
    ]
    methods = _methods(background, disliked, interests, today)
    rows = tuple(_score_method(name, method, queries) for name, method in methods)
    return Evaluation(
        protocol=protocol,
        queries=len(queries),
        held_out=sum(len(q.held_out) for q in queries),
        train_likes=len(queries[0].profile.liked),
        candidates=len(queries[0].candidates),
        rows=rows,
    )


def _newest_likes(liked_at: np.ndarray) -> np.ndarray:
    """Rows of the newest TIME_SPLIT_HELD_OUT of the dated likes (at least 2)."""
    dated = np.flatnonzero(np.isfinite(liked_at))
    n_held = max(2, round(TIME_SPLIT_HELD_OUT * len(dated)))
    by_time = dated[np.argsort(liked_at[dated], kind="stable")]
    return by_time[-n_held:]


def _one_each(n_liked: int, rng: np.random.Generator) -> list[np.ndarray]:
    rows = np.arange(n_liked)
    if n_liked > MAX_LEAVE_ONE_OUT:
        rows = np.sort(rng.choice(rows, MAX_LEAVE_ONE_OUT, replace=False))
    return [np.array([row]) for row in rows]


def _query(
    liked: Corpus,
    held_rows: np.ndarray,
    disliked: Corpus,
    interests: Sequence[Interest],
    hiding_place: Corpus,
    rng: np.random.Generator,
) -> _Query:
    kept = np.setdiff1d(np.arange(len(liked)), held_rows)
    held = liked.take(held_rows)
    pool = Corpus.join(held, hiding_place)
    # Shuffled so that a method that ties (keyword counts, equal dates) cannot win by order.
    pool = pool.take(rng.permutation(len(pool)))
    profile = Profile(liked=liked.take(kept), disliked=disliked, interests=tuple(interests))
    return _Query(profile, pool, {int(key) for key in held.keys})


RankingMethod = Callable[[_Query], list[int] | None]


def _methods(
    background: Corpus, disliked: Corpus, interests: Sequence[Interest], today: dt.date
) -> list[tuple[str, RankingMethod]]:
    interest_texts = [interest.text for interest in interests]
    negative_texts = [*disliked.texts, *background.texts]

    def papersift(query: _Query) -> list[int] | None:
        if not len(query.profile.liked) and not query.profile.interests:
            return None  # leave-one-out of a single like, and no interests: nothing to go on
        found = rank(query.profile, query.candidates, background, RECALL_AT, today)
        return [r.key for r in found]

    def newest(query: _Query) -> list[int]:
        return _keys(query.candidates, newest_first(query.candidates))

    def keywords(query: _Query) -> list[int] | None:
        if not interest_texts:
            return None
        return _keys(query.candidates, keyword_match(query.candidates, interest_texts))

    def svm(query: _Query) -> list[int] | None:
        if not len(query.profile.liked):
            return None
        scores = tfidf_svm_scores(query.profile.liked.texts, negative_texts, query.candidates.texts)
        return _keys(query.candidates, np.argsort(-scores, kind="stable"))

    return [
        ("papersift", papersift),
        ("newest first", newest),
        ("interest keywords", keywords),
        ("tf-idf SVM (arxiv-sanity)", svm),
    ]


def _keys(corpus: Corpus, rows: np.ndarray) -> list[int]:
    return [int(key) for key in corpus.keys[rows[:RECALL_AT]]]


def _score_method(name: str, method: RankingMethod, queries: list[_Query]) -> MethodScore:
    rankings = [(method(query), query.held_out) for query in queries]
    scored = [(ranked, held) for ranked, held in rankings if ranked is not None]
    if not scored:
        reason = "no interests written" if name == "interest keywords" else "nothing to train on"
        return MethodScore(name, None, None, reason)
    ndcg = float(np.mean([ndcg_at(ranked, held) for ranked, held in scored]))
    recall = float(np.mean([recall_at(ranked, held) for ranked, held in scored]))
    skipped = len(rankings) - len(scored)
    note = (
        f"{skipped} of {len(rankings)} held-out sets had nothing to train on" if skipped else None
    )
    return MethodScore(name, round(ndcg, 4), round(recall, 4), note)
