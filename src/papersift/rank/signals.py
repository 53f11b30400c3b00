"""The ranker's signals: what each candidate's likeness to the profile is measured by.

The embedding signals need only vectors and are cheap enough for every candidate: a linear
discriminant of the likes against a background sample, the cosine to the likes' centroid, the
cosine to the nearest written interest. The lexical signals need a tf-idf of the texts and are
computed for the stage-2 pool only: a linear SVM of the likes against the negatives
(arxiv-sanity's model) and the tf-idf cosine to the interests. Also here: which negatives the
models learn from, and what counts as a strong match. Pure: arrays and strings in, arrays out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from papersift.rank.fusion import top_rows
from papersift.rank.types import Corpus, Interest, Profile

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

# Negatives sampled (seeded) for the background covariance and for the tf-idf model: more
# stops improving either long before it stops costing time.
EMBEDDING_NEGATIVES = 4000
LEXICAL_NEGATIVES = 500  # more scored no better on real readers (docs/benchmarks.md#ranking)
# When the store offers fewer negatives than this, unlabeled candidates stand in for them (as
# arxiv-sanity trains on every paper): a classifier needs something to be different from.
MIN_NEGATIVES = 50
# An explicit dislike says more than a random paper of the store. A design choice: none of the
# real sets here has dislikes to measure it on.
DISLIKE_WEIGHT = 3.0
# Cosine thresholds for all-MiniLM-L6-v2, from real papers (docs/benchmarks.md#strong-matches).
# A "strong match" is what a top pick must be; the rest of a day goes to the topic sections.
# To the nearest like: the lowest cosine above which most of CSFCube's judged candidates were
# at least related to the query paper, while most of those judged similar still clear it.
STRONG_LIKE_COSINE = 0.60
# For a written interest (a short text against an abstract): where SciFact's claims keep
# nearly all of their cited abstracts.
INTEREST_MIN = 0.45
PROFILE_TERMS = 100


def stack_interests(interests: Sequence[Interest], dim: int) -> np.ndarray:
    """The interests' vectors as the columns of a (dim, n) matrix."""
    if not interests:
        return np.empty((dim, 0), dtype=np.float32)
    return np.stack([np.asarray(i.vector, dtype=np.float32) for i in interests], axis=1)


def strong_matches(
    vectors: np.ndarray, profile: Profile, interest_matrix: np.ndarray
) -> np.ndarray:
    """Rows close enough to a like (or an interest) to be worth a top pick."""
    strong = np.zeros(len(vectors), dtype=bool)
    if len(profile.liked):
        strong |= (vectors @ profile.liked.vectors.T).max(axis=1) >= STRONG_LIKE_COSINE
    if interest_matrix.shape[1]:
        strong |= (vectors @ interest_matrix).max(axis=1) >= INTEREST_MIN
    return strong


# -- negatives ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Negatives:
    disliked: Corpus
    sample: Corpus  # in random order

    def texts(self, limit: int) -> list[str]:
        return [*self.disliked.texts, *self.sample.texts[:limit]]

    def text_weights(self, limit: int) -> np.ndarray:
        count = min(limit, len(self.sample))
        return np.concatenate([np.full(len(self.disliked), DISLIKE_WEIGHT), np.ones(count)])


def sample_negatives(
    profile: Profile, background: Corpus, candidates: Corpus, eligible: np.ndarray
) -> Negatives:
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
    return Negatives(profile.disliked, background.take(rows))


# -- the embedding model: one whitened direction for the likes ---------------------------------

# Shrinkage of the background covariance towards a multiple of the identity. Real readers'
# libraries ranked best with strong shrinkage (CiteULike-a tune readers,
# docs/benchmarks.md#ranking): the direction is then mostly the likes' centroid with the
# store's mean removed.
LDA_SHRINKAGE = 0.9
# How far dislikes push the direction away from themselves, relative to the likes' pull.
LDA_DISLIKE_PULL = 0.5


@dataclass(frozen=True)
class EmbeddingModel:
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


def fit_embedding_model(liked: Corpus, negatives: Negatives) -> EmbeddingModel:
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
    return EmbeddingModel(
        coef.astype(np.float32), float(-(mean @ coef)), centroid.astype(np.float32)
    )


def embedding_signals(
    vectors: np.ndarray, embedding_model: EmbeddingModel | None, interest_matrix: np.ndarray
) -> dict[str, np.ndarray]:
    """The signals that need only the vectors: cheap enough for every candidate."""
    signals: dict[str, np.ndarray] = {}
    if embedding_model is not None:
        signals["embedding_model"] = embedding_model.score(vectors)
        signals["liked_cosine"] = embedding_model.cosine(vectors)
    if interest_matrix.shape[1]:
        signals["interest"] = (vectors @ interest_matrix).max(axis=1)
    return signals


# -- the lexical model -----------------------------------------------------------------------


@dataclass(frozen=True)
class _LinearModel:
    """w . x + b over sparse tf-idf rows."""

    coef: np.ndarray
    intercept: float

    def score(self, features: Any) -> np.ndarray:
        return np.asarray(features @ self.coef).ravel() + self.intercept


# arxiv-sanity's classifier; other values of C ranked real readers the same
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


@dataclass(frozen=True)
class Lexical:
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
    strongest = eligible[top_rows(model.coef[eligible], min(PROFILE_TERMS, len(eligible)))]
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


def fit_lexical_model(profile: Profile, negatives: Negatives, pool: Corpus) -> Lexical | None:
    """The tf-idf of likes, negatives and pool, and the SVM on it; None if no text has a word."""
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
    return Lexical(pool_matrix.tocsr(), vocabulary, model, interests, profile_terms)


def _vectorizer(n_texts: int) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    # arxiv-sanity's settings (uni+bigrams, sublinear tf, English stopwords, words of 2+
    # characters starting with a letter), keeping hyphenated words ("fine-tuning") whole.
    # Bigrams as arxiv-sanity uses them, although they make the fit several times slower
    # (docs/benchmarks.md#ranking-speed). Rare and ubiquitous terms only make sense to drop on
    # a corpus big enough to tell.
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


def stage2_signals(
    profile: Profile,
    pool: Corpus,
    embedding_model: EmbeddingModel | None,
    interest_matrix: np.ndarray,
    lexical: Lexical | None,
) -> dict[str, np.ndarray]:
    """Every signal for the stage-2 pool: the embedding ones and the lexical ones."""
    signals = embedding_signals(pool.vectors, embedding_model, interest_matrix)
    if lexical is not None and lexical.model is not None:
        signals["lexical_model"] = lexical.model.score(lexical.pool_matrix)
    if lexical is not None and lexical.interest_matrix is not None:
        # Both sides are L2-normalized tf-idf rows, so the product is their cosine.
        cosine = lexical.pool_matrix @ lexical.interest_matrix.T
        signals["interest_words"] = np.asarray(cosine.max(axis=1).todense()).ravel()
    return signals
