"""Personalized ranking: a reader's likes, dislikes and interests -> scored papers with reasons.

Pure: the store, the embedder and the clock are the caller's; this module only sees arrays and
strings. One call ranks in two stages so that 100k candidates take well under a second:

1. every candidate is scored in embedding space only: a linear discriminant of the likes
   against a background sample of the store (closed form), the cosine to the likes' centroid
   and the cosine to the written interests; a few matrix-vector products;
2. the best STAGE2_POOL are re-scored with the full model: those embedding scores and a linear
   SVM on tf-idf of likes vs dislikes + background (arxiv-sanity's model, fitted on the pool
   only), fused as z-scores, plus a recency prior;

then maximal marginal relevance reorders the strong matches so that one topic cannot fill the
top of the page (it never lifts a weaker paper above a strong one).
Every recommendation carries the reasons a person can check: the liked papers it is closest
to, the words it shares with the profile, the interest and tag it matches.
Weights were chosen on real readers and real papers (benchmarks/bench_relevance.py, the tune
sides of CiteULike-a and CSFCube); docs/benchmarks.md#ranking has the numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from papersift.errors import PapersiftError

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

ReasonKind = Literal["similar_to_liked", "shares_words", "matches_interest", "matches_tag"]

# Stage 2 re-scores this many candidates with tf-idf; the vectorizer is most of its cost
# (~0.3 ms a text with bigrams). A pool of 1000 ranked real readers no better
# (docs/benchmarks.md#ranking).
STAGE2_POOL = 400
# Besides the fused stage-1 top, each stage-1 signal sends its own top few to stage 2, so a
# paper strongly matching one interest survives even when the likes point elsewhere.
STAGE2_PER_SIGNAL = 100
# Negatives sampled (seeded) for the background covariance and for the tf-idf model: more
# stops improving either long before it stops costing time.
EMBEDDING_NEGATIVES = 4000
LEXICAL_NEGATIVES = 500  # 1000 scored no better on real readers (docs/benchmarks.md#ranking)
# When the store offers fewer negatives than this, unlabeled candidates stand in for them (as
# arxiv-sanity trains on every paper): a classifier needs something to be different from.
MIN_NEGATIVES = 50
# An explicit dislike says more than a random paper of the store. A design choice: none of the
# real sets here has dislikes to measure it on.
DISLIKE_WEIGHT = 3.0
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
# MMR looks at this many of the best papers per slot asked for (and at least MMR_MIN_POOL).
MMR_POOL_PER_SLOT = 5
MMR_MIN_POOL = 100
# Cosine thresholds for all-MiniLM-L6-v2, from real papers (docs/benchmarks.md#strong-matches).
# A "strong match" is what a top pick must be; the rest of a day goes to the topic sections.
# At 0.60 to the nearest like, CSFCube's experts judged 65% of the candidates (dev fold) at
# least related to the query paper, and 77% of those judged similar or identical clear it.
STRONG_LIKE_COSINE = 0.60
# For a written interest (a short text against an abstract): SciFact's claims keep 90% of
# their cited abstracts at 0.45.
INTEREST_MIN = 0.45
NEAR_DUPLICATE = 0.95  # the same work twice (versions, re-posts)
REASON_LIKED_PAPERS = 2
SECOND_LIKED_MARGIN = 0.1
REASON_WORDS = 5
PROFILE_TERMS = 100


class ColdStart(PapersiftError):
    """Nothing to rank with: no likes (for this tag) and no written interests."""


@dataclass(frozen=True)
class Corpus:
    """Papers as the ranker sees them: row i of every field is paper i.

    `keys` are store rowids (int64); `texts` are title + abstract; `vectors` are L2-normalized
    float32 embeddings (n, d); `published` are day numbers (`date.toordinal()`), NaN if unknown.
    """

    keys: np.ndarray
    ids: Sequence[str]
    titles: Sequence[str]
    texts: Sequence[str]
    vectors: np.ndarray
    published: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.keys)
        sizes = (len(self.ids), len(self.titles), len(self.texts), len(self.published))
        if any(size != n for size in sizes) or self.vectors.ndim != 2 or len(self.vectors) != n:
            raise ValueError(f"corpus fields disagree on the number of papers: {n}, {sizes}")

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def take(self, rows: np.ndarray) -> Corpus:
        rows = np.asarray(rows, dtype=np.int64)
        return Corpus(
            keys=self.keys[rows],
            ids=[self.ids[i] for i in rows],
            titles=[self.titles[i] for i in rows],
            texts=[self.texts[i] for i in rows],
            vectors=self.vectors[rows],
            published=self.published[rows],
        )

    @classmethod
    def join(cls, first: Corpus, *others: Corpus) -> Corpus:
        """One corpus of these corpora's papers, in order."""
        parts = (first, *others)
        return cls(
            keys=np.concatenate([part.keys for part in parts]),
            ids=[paper_id for part in parts for paper_id in part.ids],
            titles=[title for part in parts for title in part.titles],
            texts=[text for part in parts for text in part.texts],
            vectors=np.concatenate([part.vectors for part in parts]),
            published=np.concatenate([part.published for part in parts]),
        )

    @classmethod
    def empty(cls, dim: int) -> Corpus:
        return cls(
            keys=np.empty(0, dtype=np.int64),
            ids=[],
            titles=[],
            texts=[],
            vectors=np.empty((0, dim), dtype=np.float32),
            published=np.empty(0, dtype=np.float64),
        )


@dataclass(frozen=True)
class Interest:
    """A written interest ("sparse attention for long context") and its embedding."""

    text: str
    vector: np.ndarray


@dataclass(frozen=True)
class Profile:
    """What the ranker knows of a reader (or of one of their tags).

    `liked` are the positives, `disliked` explicit negatives; `seen` are other keys never to
    recommend (e.g. papers liked under another tag). `tag` names the tag this profile models.
    """

    liked: Corpus
    disliked: Corpus
    interests: tuple[Interest, ...] = ()
    tag: str | None = None
    seen: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    # Positives the reader tagged without liking them: reasons must not say "you liked".
    tagged_only: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @property
    def excluded_keys(self) -> np.ndarray:
        return np.concatenate([self.liked.keys, self.disliked.keys, self.seen]).astype(np.int64)


@dataclass(frozen=True)
class Reason:
    """One checkable reason; the fields other than `kind` and `text` depend on the kind."""

    kind: ReasonKind
    text: str  # one line for people
    paper_id: str | None = None  # similar_to_liked
    paper_title: str | None = None  # similar_to_liked
    similarity: float | None = None  # similar_to_liked, matches_interest (cosine)
    words: tuple[str, ...] = ()  # shares_words, matches_interest (terms in common)
    interest: str | None = None  # matches_interest
    tag: str | None = None  # matches_tag


@dataclass(frozen=True)
class Recommendation:
    key: int
    id: str
    title: str
    score: float  # fused relevance in z units; the list order is MMR's, so not always sorted
    reasons: tuple[Reason, ...]
    # Close to a like or an interest (STRONG_LIKE_COSINE, INTEREST_MIN): worth a top pick.
    strong: bool = True


@dataclass(frozen=True)
class StageTimes:
    """Seconds spent per stage of one `rank` call."""

    stage1: float = 0.0  # embedding model fit + scoring every candidate
    lexical: float = 0.0  # tf-idf fit + model on the stage-2 pool
    stage2: float = 0.0  # the other stage-2 signals and the fusion
    diversify: float = 0.0  # MMR
    reasons: float = 0.0

    @property
    def total(self) -> float:
        return self.stage1 + self.lexical + self.stage2 + self.diversify + self.reasons


# -- library -> profile keys ---------------------------------------------------------------


@dataclass(frozen=True)
class LibraryEntry:
    """A paper in the reader's library: rating +1 like, -1 dislike, None if only tagged."""

    key: int
    rating: int | None
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ProfileKeys:
    liked: np.ndarray  # likes and tagged papers: the positives
    disliked: np.ndarray
    seen: np.ndarray
    tagged_only: np.ndarray  # positives that were tagged, never liked


def profile_keys(entries: Iterable[LibraryEntry], tag: str | None = None) -> ProfileKeys:
    """Split a library into positives, negatives and papers merely not to recommend.

    The reader's model learns from likes and tagged papers (tagging a paper is keeping it, as
    in arxiv-sanity); a tag's model learns only from that tag's papers, and the reader's other
    likes are `seen`: never recommended, but no evidence about the tag either way.
    """
    liked: list[int] = []
    disliked: list[int] = []
    seen: list[int] = []
    tagged_only: list[int] = []
    for entry in entries:
        if entry.rating is not None and entry.rating < 0:
            disliked.append(entry.key)
        elif tag is None or tag in entry.tags:
            liked.append(entry.key)
            if entry.rating is None:
                tagged_only.append(entry.key)
        else:
            seen.append(entry.key)
    groups = (liked, disliked, seen, tagged_only)
    return ProfileKeys(*(np.array(keys, dtype=np.int64) for keys in groups))


def day_number(day: dt.date | None) -> float:
    """The `published` encoding of a date (NaN for unknown)."""
    return math.nan if day is None else float(day.toordinal())


# -- ranking ---------------------------------------------------------------------------------


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

    # One BLAS thread: the products here are small or memory-bound, and on a busy 2-core box
    # OpenBLAS's spinning worker threads made a 384x384 solve take 300 ms instead of 2 ms.
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
    negatives = _negatives(profile, background, candidates, eligible)
    embedding_model = _fit_embedding_model(profile.liked, negatives) if has_likes else None
    interest_matrix = _interest_matrix(profile.interests, candidates.dim)
    pool = _stage1_pool(candidates.vectors, eligible, embedding_model, interest_matrix)
    pool_corpus = candidates.take(pool)
    stage1_time = time.perf_counter() - clock

    clock = time.perf_counter()
    lexical = _fit_lexical_model(profile, negatives, pool_corpus)
    lexical_time = time.perf_counter() - clock

    clock = time.perf_counter()
    signals = _stage2_signals(profile, pool_corpus, embedding_model, interest_matrix, lexical)
    relevance = _relevance(signals)
    relevance += _recency_prior(pool_corpus.published, today, recency_half_life_days)
    stage2_time = time.perf_counter() - clock

    strong = _strong_matches(pool_corpus.vectors, profile, interest_matrix)
    clock = time.perf_counter()
    chosen = diversify(relevance, pool_corpus.vectors, k, diversity, strong)
    diversify_time = time.perf_counter() - clock

    clock = time.perf_counter()
    recommendations = [
        Recommendation(
            key=int(pool_corpus.keys[row]),
            id=pool_corpus.ids[row],
            title=pool_corpus.titles[row],
            score=float(relevance[row]),
            reasons=_reasons(row, profile, pool_corpus, interest_matrix, lexical, signals),
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


def _eligible_rows(keys: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """Rows of candidates that may be recommended: not in the library, first of each key."""
    _, first = np.unique(keys, return_index=True)
    first.sort()
    return first[~np.isin(keys[first], excluded)]


def _negatives(
    profile: Profile, background: Corpus, candidates: Corpus, eligible: np.ndarray
) -> _Negatives:
    """Dislikes (weighted up) and a seeded sample of the background, never a liked paper."""
    rng = np.random.default_rng(0)
    not_own = ~np.isin(background.keys, np.concatenate([profile.liked.keys, profile.disliked.keys]))
    rows = np.flatnonzero(not_own)
    if len(rows) + len(profile.disliked) < MIN_NEGATIVES:
        # Unlabeled candidates stand in; most papers are not for any given reader.
        background = candidates
        rows = eligible
    # Kept in random order: the lexical model takes the first LEXICAL_NEGATIVES of them.
    rows = rng.permutation(rows)[:EMBEDDING_NEGATIVES]
    return _Negatives(profile.disliked, background.take(rows))


@dataclass(frozen=True)
class _Negatives:
    disliked: Corpus
    sample: Corpus  # in random order

    def texts(self, limit: int) -> list[str]:
        return [*self.disliked.texts, *self.sample.texts[:limit]]

    def text_weights(self, limit: int) -> np.ndarray:
        count = min(limit, len(self.sample))
        return np.concatenate([np.full(len(self.disliked), DISLIKE_WEIGHT), np.ones(count)])


# -- the embedding model: one whitened direction for the likes ---------------------------------

# Shrinkage of the background covariance towards a multiple of the identity. Real readers'
# libraries ranked best with strong shrinkage (CiteULike-a tune readers, docs/benchmarks.md
# #ranking): the direction is then mostly the likes' centroid with the store's mean removed.
LDA_SHRINKAGE = 0.9
# How far dislikes push the direction away from themselves, relative to the likes' pull.
LDA_DISLIKE_PULL = 0.5


@dataclass(frozen=True)
class _EmbeddingModel:
    """A linear discriminant of the likes in embedding space.

    Like exemplar-LDA (Hariharan, Malik & Ramanan, ECCV 2012): the background's covariance
    is estimated once and the direction is Σ⁻¹(mean of the likes − background mean), a closed
    form that needs no iterative fit and works from a single like. One direction for all
    likes: scoring each group of similar likes apart and taking the best group ranked real
    libraries worse (docs/benchmarks.md#ranking).
    """

    coef: np.ndarray  # (d,) float32
    intercept: float
    centroid: np.ndarray  # (d,) the likes' mean vector: its cosine is a signal of its own

    def score(self, vectors: np.ndarray) -> np.ndarray:
        return vectors @ self.coef + self.intercept

    def cosine(self, vectors: np.ndarray) -> np.ndarray:
        return vectors @ self.centroid


def _fit_embedding_model(liked: Corpus, negatives: _Negatives) -> _EmbeddingModel:
    background = negatives.sample.vectors if len(negatives.sample) else negatives.disliked.vectors
    mean = background.mean(axis=0, dtype=np.float64)
    centered = background - mean
    covariance = centered.T @ centered / max(1, len(background))
    dim = covariance.shape[0]
    ridge = LDA_SHRINKAGE * np.trace(covariance) / dim + 1e-6
    covariance = (1 - LDA_SHRINKAGE) * covariance + ridge * np.eye(dim)
    centroid = liked.vectors.mean(axis=0)
    direction = centroid - mean
    if len(negatives.disliked):
        direction = direction - LDA_DISLIKE_PULL * (negatives.disliked.vectors.mean(axis=0) - mean)
    coef = np.linalg.solve(covariance, direction)
    coef /= max(float(np.linalg.norm(coef)), 1e-12)
    return _EmbeddingModel(
        coef.astype(np.float32), float(-(mean @ coef)), centroid.astype(np.float32)
    )


# -- the lexical model -----------------------------------------------------------------------


@dataclass(frozen=True)
class _LinearModel:
    """w . x + b over sparse tf-idf rows."""

    coef: np.ndarray
    intercept: float

    def score(self, features: Any) -> np.ndarray:
        return np.asarray(features @ self.coef).ravel() + self.intercept


# arxiv-sanity's classifier; C = 0.1, 1 and 10 ranked real readers the same
# (docs/benchmarks.md#ranking).
LEXICAL_C = 1.0


def _fit_svm(
    features: Any, n_positives: int, negative_weights: np.ndarray, c: float = LEXICAL_C
) -> _LinearModel:
    from sklearn.svm import LinearSVC

    labels = np.concatenate([np.ones(n_positives), np.zeros(len(negative_weights))])
    weights = np.concatenate([np.ones(n_positives), negative_weights])
    # class_weight="balanced": a handful of likes against hundreds of negatives would
    # otherwise teach the model to say "no" to everything.
    model = LinearSVC(C=c, class_weight="balanced", max_iter=10000, tol=1e-6)
    model.fit(features, labels, sample_weight=weights)
    return _LinearModel(model.coef_[0].astype(np.float32), float(model.intercept_[0]))


def _interest_matrix(interests: Sequence[Interest], dim: int) -> np.ndarray:
    if not interests:
        return np.empty((dim, 0), dtype=np.float32)
    return np.stack([np.asarray(i.vector, dtype=np.float32) for i in interests], axis=1)


def _stage1_pool(
    vectors: np.ndarray,
    eligible: np.ndarray,
    embedding_model: _EmbeddingModel | None,
    interest_matrix: np.ndarray,
) -> np.ndarray:
    """Rows worth the full model: the fused stage-1 top plus each signal's own top."""
    if len(eligible) <= STAGE2_POOL:
        return eligible
    # Scoring every row and then dropping the excluded few is cheaper than copying 100k
    # vectors to leave them out.
    signals = _embedding_signals(vectors, embedding_model, interest_matrix)
    signals = {name: values[eligible] for name, values in signals.items()}
    chosen = [_top(_relevance(signals), STAGE2_POOL)]
    if len(signals) > 1:
        chosen += [_top(values, STAGE2_PER_SIGNAL) for values in signals.values()]
    return eligible[np.unique(np.concatenate(chosen))]


def _embedding_signals(
    vectors: np.ndarray, embedding_model: _EmbeddingModel | None, interest_matrix: np.ndarray
) -> dict[str, np.ndarray]:
    """The signals that need only the vectors: cheap enough for every candidate."""
    signals: dict[str, np.ndarray] = {}
    if embedding_model is not None:
        signals["embedding_model"] = embedding_model.score(vectors)
        signals["liked_cosine"] = embedding_model.cosine(vectors)
    if interest_matrix.shape[1]:
        signals["interest"] = (vectors @ interest_matrix).max(axis=1)
    return signals


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    if len(scores) <= n:
        return np.arange(len(scores))
    return np.argpartition(-scores, n - 1)[:n]


def _zscore(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    # A constant signal carries no preference; dividing by ~0 would make it dominate.
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


@dataclass(frozen=True)
class _Lexical:
    """The tf-idf view of the stage-2 pool: its matrix, vocabulary, and the models on it."""

    pool_matrix: csr_matrix
    vocabulary: np.ndarray  # term of each column
    model: _LinearModel | None  # likes vs negatives; None without likes
    interest_matrix: csr_matrix | None  # one row per interest; None without interests
    profile_terms: np.ndarray  # mask of the model's PROFILE_TERMS strongest positive terms


def _strongest_terms(
    model: _LinearModel | None, vocabulary: np.ndarray, liked_matrix: csr_matrix
) -> np.ndarray:
    """The model's strongest positive terms that occur in the likes and say something.

    A term the SVM weighs up but no liked paper contains, or a phrase made only of words any
    abstract uses ("methods rely", "especially"), is no reason a person would accept.
    """
    mask = np.zeros(len(vocabulary), dtype=bool)
    if model is None:
        return mask
    in_likes = np.zeros(len(vocabulary), dtype=bool)
    in_likes[np.unique(liked_matrix.indices)] = True
    eligible = np.flatnonzero(in_likes & (model.coef[: len(vocabulary)] > 0))
    # Only the few terms of the likes are checked for saying something, not the whole pool's.
    eligible = eligible[
        [not GENERIC_WORDS.issuperset(str(vocabulary[i]).split()) for i in eligible]
    ]
    strongest = eligible[_top(model.coef[eligible], min(PROFILE_TERMS, len(eligible)))]
    mask[strongest] = True
    return mask


# Words any abstract uses: on their own (or as a phrase of them alone) they say nothing about
# a topic, so a reason never names them. sklearn's English stopwords are already dropped.
GENERIC_WORDS = frozenset(
    "ability able achieve achieved achieves achieving address addresses advantage allow allows "
    "approach approaches art based benchmark benchmarks better challenge challenges compared "
    "comprehensive consistently current data dataset datasets degrade demonstrate demonstrates "
    "design different effective effectively efficient efficiently enable enables especially "
    "evaluate evaluation existing experiment experiments extensive framework frameworks "
    "furthermore gains general high however improve improved improvement improvements improves "
    "improving including introduce key large leading leverage limited low making method methods "
    "model models new novel outperforms paper performance potential present previous problem "
    "problems propose proposed provide provides quality recent rely relies remains respectively "
    "result results set sets shows significant significantly simple small specific state strong "
    "studies study superior task tasks techniques tested use used uses using various way well "
    "work works".split()
)


def _fit_lexical_model(profile: Profile, negatives: _Negatives, pool: Corpus) -> _Lexical | None:
    liked_texts = list(profile.liked.texts)
    negative_texts = negatives.texts(LEXICAL_NEGATIVES)
    interest_texts = [interest.text for interest in profile.interests]
    texts = [*liked_texts, *negative_texts, *pool.texts]
    vectorizer = _vectorizer(len(texts))
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # "empty vocabulary": every text was stopwords or shorter than a word
        return None
    n_liked, n_negative = len(liked_texts), len(negative_texts)
    pool_matrix = matrix[n_liked + n_negative :]
    model = None
    if n_liked:
        weights = negatives.text_weights(LEXICAL_NEGATIVES)
        model = _fit_svm(matrix[: n_liked + n_negative], n_liked, weights)
    interests = vectorizer.transform(interest_texts) if interest_texts else None
    vocabulary = np.asarray(vectorizer.get_feature_names_out())
    profile_terms = _strongest_terms(model, vocabulary, matrix[:n_liked].tocsr())
    return _Lexical(pool_matrix.tocsr(), vocabulary, model, interests, profile_terms)


def _vectorizer(n_texts: int) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    # arxiv-sanity's settings (uni+bigrams, sublinear tf, English stopwords, words of 2+
    # characters starting with a letter), keeping hyphenated words ("fine-tuning") whole.
    # Bigrams as arxiv-sanity uses them (they triple the fit time). Rare and ubiquitous terms
    # only make sense to drop on a corpus big enough to tell.
    big = n_texts >= 200
    return TfidfVectorizer(
        strip_accents="unicode",
        lowercase=True,
        stop_words="english",
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_\-]+\b",
        sublinear_tf=True,
        ngram_range=(1, 2),
        min_df=2 if big else 1,
        max_df=0.5 if big else 1.0,
        dtype=np.float32,
    )


def _stage2_signals(
    profile: Profile,
    pool: Corpus,
    embedding_model: _EmbeddingModel | None,
    interest_matrix: np.ndarray,
    lexical: _Lexical | None,
) -> dict[str, np.ndarray]:
    signals = _embedding_signals(pool.vectors, embedding_model, interest_matrix)
    if lexical is not None and lexical.model is not None:
        signals["lexical_model"] = lexical.model.score(lexical.pool_matrix)
    if lexical is not None and lexical.interest_matrix is not None:
        # Both sides are L2-normalized tf-idf rows, so the product is their cosine.
        cosine = lexical.pool_matrix @ lexical.interest_matrix.T
        signals["interest_words"] = np.asarray(cosine.max(axis=1).todense()).ravel()
    return signals


def _relevance(signals: dict[str, np.ndarray]) -> np.ndarray:
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


def _recency_prior(
    published: np.ndarray, today: dt.date, half_life_days: float | None
) -> np.ndarray:
    """RECENCY_WEIGHT * 2^(-age / half-life); 0 for unknown dates, and no bonus for the future."""
    if half_life_days is None:
        return np.zeros(len(published))
    age = np.clip(today.toordinal() - published, 0.0, None)
    prior = RECENCY_WEIGHT * np.exp2(-age / half_life_days)
    return np.nan_to_num(prior, nan=0.0)


def _strong_matches(
    vectors: np.ndarray, profile: Profile, interest_matrix: np.ndarray
) -> np.ndarray:
    """Rows close enough to a like (or an interest) to be worth a top pick."""
    strong = np.zeros(len(vectors), dtype=bool)
    if len(profile.liked):
        strong |= (vectors @ profile.liked.vectors.T).max(axis=1) >= STRONG_LIKE_COSINE
    if interest_matrix.shape[1]:
        strong |= (vectors @ interest_matrix).max(axis=1) >= INTEREST_MIN
    return strong


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
    window = rows[_top(relevance[rows], max(MMR_MIN_POOL, MMR_POOL_PER_SLOT * k))]
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


# -- reasons ---------------------------------------------------------------------------------


def _reasons(
    row: int,
    profile: Profile,
    pool: Corpus,
    interest_matrix: np.ndarray,
    lexical: _Lexical | None,
    signals: dict[str, np.ndarray],
) -> tuple[Reason, ...]:
    """The checkable reasons for one pick, each from a signal that moved it up."""
    vector = pool.vectors[row]
    evidence: list[Reason] = [*_similar_liked_reasons(vector, profile)]
    # Words are a reason only when the word model ranked this paper above the pool's average.
    lexical_pull = signals.get("lexical_model")
    pulled_up = lexical_pull is not None and lexical_pull[row] > lexical_pull.mean()
    words = _profile_words(row, lexical) if pulled_up else ()
    if words:
        evidence.append(
            Reason(
                kind="shares_words",
                text="shares words with your profile: " + ", ".join(words),
                words=words,
            )
        )
    interest = _interest_reason(row, vector, profile.interests, interest_matrix, lexical)
    if interest is not None:
        evidence.append(interest)
    if not evidence:
        # Nothing clears a threshold: still name the nearest like (or interest) with its
        # cosine, so the reader can see how weak the link is.
        evidence = _similar_liked_reasons(vector, profile, minimum=-1.0)[:1]
        weakest_interest = _interest_reason(
            row, vector, profile.interests, interest_matrix, lexical, minimum=-1.0
        )
        if not evidence and weakest_interest is not None:
            evidence = [weakest_interest]
    if profile.tag is None:
        return tuple(evidence)
    tag = Reason(
        kind="matches_tag",
        text=f'ranked by the model of your papers tagged "{profile.tag}"',
        tag=profile.tag,
    )
    return (tag, *evidence)


def _similar_liked_reasons(
    vector: np.ndarray, profile: Profile, minimum: float = STRONG_LIKE_COSINE
) -> list[Reason]:
    liked = profile.liked
    if not len(liked):
        return []
    similarity = liked.vectors @ vector
    nearest = np.argsort(-similarity, kind="stable")[:REASON_LIKED_PAPERS]
    # A second like is named only if about as close as the first: "close to X (0.84) and to
    # Y (0.53)" would present a chance resemblance as a reason.
    minimum = max(minimum, float(similarity[nearest[0]]) - SECOND_LIKED_MARGIN)
    tagged = set(profile.tagged_only.tolist())
    return [
        Reason(
            kind="similar_to_liked",
            text=f"close to {liked.ids[i]} “{liked.titles[i]}” that you "
            f"{'tagged' if int(liked.keys[i]) in tagged else 'liked'} "
            f"(cosine {similarity[i]:.2f})",
            paper_id=liked.ids[i],
            paper_title=liked.titles[i],
            similarity=round(float(similarity[i]), 4),
        )
        for i in nearest
        if similarity[i] >= minimum
    ]


def _profile_words(row: int, lexical: _Lexical | None) -> tuple[str, ...]:
    """The paper's terms among the lexical model's strongest positive ones, biggest pull first.

    Only the model's top PROFILE_TERMS count (arxiv-sanity shows its top 40): every term has
    some weight, and "helps, simpler" is not why anyone reads a paper.
    """
    if lexical is None or lexical.model is None:
        return ()
    paper = lexical.pool_matrix[row]
    columns = paper.indices
    contribution = np.where(
        lexical.profile_terms[columns], lexical.model.coef[columns] * paper.data, 0.0
    )
    return _distinct_terms(lexical.vocabulary[columns], contribution)


def _interest_words(row: int, lexical: _Lexical | None, interest: int) -> tuple[str, ...]:
    """The paper's terms that also occur in the interest's text."""
    if lexical is None or lexical.interest_matrix is None:
        return ()
    paper = lexical.pool_matrix[row]
    columns = paper.indices
    in_interest = np.asarray(lexical.interest_matrix[interest, columns].todense()).ravel()
    return _distinct_terms(lexical.vocabulary[columns], in_interest * paper.data)


def _distinct_terms(terms: np.ndarray, contribution: np.ndarray) -> tuple[str, ...]:
    """Up to REASON_WORDS positive-contribution terms, best first, no word named twice."""
    chosen: list[str] = []
    covered: set[str] = set()
    for i in np.argsort(-contribution, kind="stable"):
        if contribution[i] <= 0 or len(chosen) == REASON_WORDS:
            break
        words = str(terms[i]).split()
        if covered.isdisjoint(words):  # "message passing", then not "passing" again
            chosen.append(str(terms[i]))
            covered.update(words)
    return tuple(chosen)


def _interest_reason(
    row: int,
    vector: np.ndarray,
    interests: Sequence[Interest],
    interest_matrix: np.ndarray,
    lexical: _Lexical | None,
    minimum: float = INTEREST_MIN,
) -> Reason | None:
    if not interests:
        return None
    similarity = vector @ interest_matrix
    best = int(np.argmax(similarity))
    if similarity[best] < minimum:
        return None
    words = _interest_words(row, lexical, best)
    shared = f"; shares: {', '.join(words)}" if words else ""
    return Reason(
        kind="matches_interest",
        text=f"matches your interest “{interests[best].text}” "
        f"(cosine {similarity[best]:.2f}{shared})",
        similarity=round(float(similarity[best]), 4),
        words=words,
        interest=interests[best].text,
    )
