"""Pure: which of a window's papers the reader has not seen yet, and which came back changed.

A paper shown on an earlier day is left out, unless it came back with a higher version or a
different abstract: then it is shown again, marked as an update ("updated: v3, new abstract").
A cross-list is the same paper in the store with the same version and abstract, so it stays
out. A paper marked read stays out the same way; a snoozed one stays out until its day, and
then comes back once even though it was seen.

`judge` is the rule, a function of its inputs; `leave_out_seen` applies it to a loaded window
and `record_shown` notes what a digest, the feed or an e-mail showed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from papersift.rank.candidates import Collection
from papersift.records import Paper
from papersift.store.base import SeenPlace, SeenState, Store
from papersift.store.seen import abstract_hash

Verdict = Literal["new", "update", "hidden"]


@dataclass(frozen=True)
class Unseen:
    """The verdict on one paper and, for an update, what changed in words."""

    verdict: Verdict
    update: str | None = None  # "updated: v3, new abstract"


def judge(paper: Paper, state: SeenState | None, today: dt.date) -> Unseen:
    """Whether `paper` belongs in today's digest or feed, given what the reader saw of it."""
    if state is None:
        return Unseen("new")
    if state.snoozed_until is not None and state.snoozed_until > today:
        return Unseen("hidden")
    if state.last_day is None:  # snoozed, never shown, and the snooze is over
        return Unseen("new")
    changes = []
    if paper.version is not None and state.version is not None and paper.version > state.version:
        changes.append(f"v{paper.version}")
    if state.abstract_hash is not None and abstract_hash(paper.abstract) != state.abstract_hash:
        changes.append("new abstract")
    if changes:
        return Unseen("update", "updated: " + ", ".join(changes))
    if state.snoozed_until is not None and state.last_day < state.snoozed_until:
        return Unseen("new")  # back from a snooze: shown once more
    return Unseen("hidden")


@dataclass(frozen=True)
class UnseenWindow:
    """A loaded window without what the reader has seen; updates marked by paper id."""

    collection: Collection
    updates: dict[str, str]
    hidden: int


def leave_out_seen(
    store: Store, collection: Collection, user_id: int, today: dt.date
) -> UnseenWindow:
    """The window's papers `judge` lets through, the vectors kept aligned."""
    rowids = [int(r) for r in collection.rowids]
    states = store.seen(user_id).states(rowids, before=today)
    keep: list[int] = []
    updates: dict[str, str] = {}
    for i, (rowid, paper) in enumerate(zip(rowids, collection.papers)):
        verdict = judge(paper, states.get(rowid), today)
        if verdict.verdict == "hidden":
            continue
        keep.append(i)
        if verdict.update:
            updates[paper.id] = verdict.update
    if len(keep) == len(rowids):
        return UnseenWindow(collection, updates, 0)
    rows = np.asarray(keep, dtype=np.int64)
    kept = replace(
        collection,
        rowids=collection.rowids[rows],
        papers=[collection.papers[i] for i in keep],
        vectors=collection.vectors[rows],
    )
    return UnseenWindow(kept, updates, len(rowids) - len(keep))


def record_shown(
    store: Store,
    user_id: int,
    papers: Sequence[Paper],
    place: SeenPlace,
    at: dt.datetime,
    day: dt.date,
) -> int:
    """Note that the reader was shown `papers` at `place` (papers not in the store are skipped)."""
    shown = [(rowid, p) for p in papers if (rowid := store.rowid_of(p.id)) is not None]
    with store.transaction():
        return store.seen(user_id).record(shown, place, at, day)


@dataclass(frozen=True)
class ShownPaper:
    """One showing with its paper, for `papersift seen`."""

    at: dt.datetime
    place: SeenPlace
    paper: Paper


def shown_papers(
    store: Store, user_id: int, since: dt.date | None, limit: int = 1000
) -> list[ShownPaper]:
    """What the reader was shown on or after `since` (None: ever), newest first."""
    showings = store.seen(user_id).history(since, limit)
    papers = store.papers_by_rowid([s.paper_rowid for s in showings])
    return [
        ShownPaper(s.at, s.place, papers[s.paper_rowid])
        for s in showings
        if s.paper_rowid in papers
    ]
