"""The ranker's records: papers as arrays, a reader's profile, recommendations and reasons.

Frozen dataclasses and the two small functions that build them from a library (`profile_keys`)
and a date (`day_number`). No I/O and no ranking logic: the store fills these, `rank` reads them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

ReasonKind = Literal["similar_to_liked", "shares_words", "matches_interest", "matches_tag"]


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


def day_number(day: dt.date | None) -> float:
    """The `published` encoding of a date (NaN for unknown)."""
    return math.nan if day is None else float(day.toordinal())


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
    # Close to a like or an interest (signals.STRONG_LIKE_COSINE, signals.INTEREST_MIN): worth
    # a top pick.
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
