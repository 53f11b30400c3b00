"""Personalized recommendations and the self-evaluation: the store and model around rank.py.

Loads the reader's library and interests, the candidate window and a background sample of the
store as `rank.Corpus` arrays (embedding what lacks a vector), and calls the pure ranker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from papersift.embed.base import Embedder, paper_text
from papersift.errors import ColdStart
from papersift.index.sync import vectors_for
from papersift.rank.candidates import Collection
from papersift.rank.controls import switched_off_message, usable_entries
from papersift.rank.model import cold_start_message, rank
from papersift.rank.types import (
    Corpus,
    Interest,
    LibraryEntry,
    Profile,
    Recommendation,
    day_number,
    profile_keys,
)
from papersift.records import Paper, PaperFilter
from papersift.store.base import LOCAL_USER, Store
from papersift.window import window_start

if TYPE_CHECKING:
    from papersift.rank.evaluate import Evaluation

# Negatives drawn from the rest of the store; a few thousand is plenty for a linear model.
BACKGROUND_SAMPLE = 2_000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Recommendations:
    items: list[Recommendation]
    candidates: int
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class EmbedHooks:
    progress: Progress | None = None
    on_total: Callable[[int], None] | None = None


NO_HOOKS = EmbedHooks()


def corpus_of(store: Store, embedder: Embedder, rowids: Sequence[int], hooks: EmbedHooks) -> Corpus:
    """The papers with these rowids as a ranker corpus (rows without a vector left out)."""
    keys, vectors = vectors_for(store, embedder, rowids, hooks.progress, hooks.on_total)
    if not len(keys):
        return Corpus.empty(embedder.dim)
    papers = store.papers_by_rowid(keys.tolist())
    return _corpus(keys, [papers[int(k)] for k in keys], vectors)


def window_corpus(collection: Collection, exclude: np.ndarray, dim: int) -> Corpus:
    """A loaded window as a ranker corpus, without the papers `exclude` names (rowids)."""
    rows = np.flatnonzero(~np.isin(collection.rowids, exclude))
    if not len(rows):
        return Corpus.empty(dim)
    papers = [collection.papers[i] for i in rows]
    return _corpus(collection.rowids[rows], papers, collection.vectors[rows])


def _corpus(keys: np.ndarray, papers: list[Paper], vectors: np.ndarray) -> Corpus:
    return Corpus(
        keys=keys,
        ids=[p.id for p in papers],
        titles=[p.title for p in papers],
        texts=[paper_text(p.title, p.abstract) for p in papers],
        vectors=vectors,
        published=np.array([day_number(p.published) for p in papers], dtype=np.float64),
    )


def library_entries(store: Store, user_id: int) -> list[LibraryEntry]:
    library = store.library(user_id)
    ratings = {f.paper_rowid: f.rating for f in library.feedback()}
    tags: dict[int, set[str]] = {}
    for name, rowids in library.tags().items():
        for rowid in rowids:
            tags.setdefault(rowid, set()).add(name)
    keys = list(dict.fromkeys([*ratings, *tags]))
    return [LibraryEntry(k, ratings.get(k), frozenset(tags.get(k, ()))) for k in keys]


def interests_of(store: Store, embedder: Embedder, user_id: int) -> tuple[Interest, ...]:
    texts = [i.text for i in store.library(user_id).interests()]
    if not texts:
        return ()
    vectors = embedder.encode(texts)
    return tuple(Interest(text, vectors[i]) for i, text in enumerate(texts))


def background_rowids(store: Store, model_id: str, exclude: np.ndarray, seed: int = 0) -> list[int]:
    """A sample of papers that already have vectors (so no embedding is spent on negatives)."""
    have = store.embedding_rowids(model_id)
    have = have[~np.isin(have, exclude)]
    if len(have) > BACKGROUND_SAMPLE:
        have = np.random.default_rng(seed).choice(have, BACKGROUND_SAMPLE, replace=False)
    return sorted(int(r) for r in have)


def recommend(
    store: Store,
    embedder: Embedder,
    *,
    k: int = 20,
    since: str | None = "1d",
    tag: str | None = None,
    user_id: int = LOCAL_USER,
    today: dt.date | None = None,
    hooks: EmbedHooks = NO_HOOKS,
    collection: Collection | None = None,
    has_code: bool = False,
) -> Recommendations:
    """The k papers of the window this reader (or this tag of theirs) should read, with reasons.

    `collection`: the window `since` already loaded (candidates.load_collection), as a digest
    has it; its papers and vectors are used instead of loading and checking them again.
    `has_code`: only papers with a code link are candidates.
    """
    entries = library_entries(store, user_id)
    if tag is not None and not any(tag in e.tags for e in entries):
        known = sorted({t for e in entries for t in e.tags})
        from papersift.errors import UsageError

        raise UsageError(f"no tag {tag!r} (tags: {', '.join(known) or 'none yet'})")
    # The reader's switches: what is off is no evidence, but never recommended either.
    switches = store.profile(user_id).switches()
    if tag is not None and not switches.uses_tag(tag):
        from papersift.errors import UsageError

        raise UsageError(f"tag {tag!r} is switched off: papersift profile set tag:{tag} on")
    entries, unused = usable_entries(entries, switches)
    keys = profile_keys(entries, tag)
    keys = replace(keys, seen=np.concatenate([keys.seen, unused]))
    interests = interests_of(store, embedder, user_id) if switches.uses("interests") else ()
    if not len(keys.liked) and not interests:
        raise ColdStart(switched_off_message(switches) or cold_start_message(tag))
    excluded = np.concatenate([keys.liked, keys.disliked, keys.seen])
    if collection is not None:
        start, latest = collection.start, collection.end
        if has_code:  # the store filter's rule, applied to the papers already loaded
            from papersift.badges import has_code as with_code

            no_code = [
                int(r) for r, p in zip(collection.rowids, collection.papers) if not with_code(p)
            ]
            excluded = np.concatenate([excluded, np.asarray(no_code, dtype=excluded.dtype)])
        candidates = window_corpus(collection, excluded, embedder.dim)
    else:
        latest = store.latest_date()
        start = window_start(since, latest)
        excluded_set = set(excluded.tolist())
        window = [
            r
            for r in store.filtered_rowids(PaperFilter(since=start, has_code=has_code))
            if r not in excluded_set
        ]
        candidates = corpus_of(store, embedder, window, hooks)
    profile = Profile(
        liked=corpus_of(store, embedder, keys.liked.tolist(), hooks),
        disliked=corpus_of(store, embedder, keys.disliked.tolist(), hooks),
        interests=interests,
        tag=tag,
        seen=keys.seen,
        tagged_only=keys.tagged_only,
    )
    background = corpus_of(
        store, embedder, background_rowids(store, embedder.model_id, excluded), hooks
    )
    if not len(background):
        background = candidates
    items = (
        rank(profile, candidates, background, k, today or latest or dt.date.today())
        if len(candidates)
        else []
    )
    return Recommendations(items, len(candidates), start, latest)


def reason_as_dict(reason: object) -> dict[str, object]:
    from dataclasses import asdict

    return {key: value for key, value in asdict(reason).items() if value not in (None, ())}  # type: ignore[call-overload]


def self_evaluate(
    store: Store,
    embedder: Embedder,
    *,
    user_id: int = LOCAL_USER,
    hooks: EmbedHooks = NO_HOOKS,
    seed: int = 0,
) -> Evaluation:
    """How well the reader's own profile predicts their own likes (see evaluate.py)."""
    from papersift.rank.evaluate import evaluate

    entries = library_entries(store, user_id)
    keys = profile_keys(entries)
    liked = corpus_of(store, embedder, keys.liked.tolist(), hooks)
    liked_when = {f.paper_rowid: day_number(f.at.date()) for f in store.library(user_id).feedback()}
    liked_at = np.array([liked_when.get(int(k), np.nan) for k in liked.keys], dtype=np.float64)
    excluded = np.concatenate([keys.liked, keys.disliked, keys.seen])
    sample = _random_rowids(store, excluded, 2 * BACKGROUND_SAMPLE, seed)
    today = store.latest_date() or dt.date.today()
    return evaluate(
        liked,
        liked_at,
        corpus_of(store, embedder, keys.disliked.tolist(), hooks),
        interests_of(store, embedder, user_id),
        corpus_of(store, embedder, sample, hooks),
        today,
        seed=seed,
    )


def _random_rowids(store: Store, exclude: np.ndarray, n: int, seed: int) -> list[int]:
    every = np.asarray(store.filtered_rowids(PaperFilter()), dtype=np.int64)
    every = every[~np.isin(every, exclude)]
    if len(every) > n:
        every = np.random.default_rng(seed).choice(every, n, replace=False)
    return sorted(int(r) for r in every)
