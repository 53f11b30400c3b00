"""A window of stored papers with their embeddings: what topics, maps and digests work on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from papersift.embed.base import Embedder, paper_text
from papersift.index.sync import vectors_for
from papersift.records import Paper, PaperFilter
from papersift.store.base import Store
from papersift.window import window_start


@dataclass(frozen=True)
class Collection:
    start: dt.date | None  # None: every paper
    end: dt.date | None
    rowids: np.ndarray
    papers: list[Paper]  # in rowid order, aligned with `vectors`
    vectors: np.ndarray

    @property
    def texts(self) -> list[str]:
        return [paper_text(p.title, p.abstract) for p in self.papers]

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.papers]


def window_rowids(
    store: Store, since: str | None
) -> tuple[dt.date | None, dt.date | None, list[int]]:
    latest = store.latest_date()
    start = window_start(since, latest)
    return start, latest, store.filtered_rowids(PaperFilter(since=start))


def load_collection(
    store: Store,
    since: str | None,
    embedder: Embedder,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> Collection:
    """The papers of the window `since` (see window.py) with vectors, embedding what is missing."""
    start, latest, rowids = window_rowids(store, since)
    keys, vectors = vectors_for(store, embedder, rowids, progress=progress, on_total=on_total)
    by_rowid = store.papers_by_rowid(keys.tolist())
    papers = [by_rowid[int(r)] for r in keys]
    return Collection(start, latest, keys, papers, vectors)
