"""A reader's follows, alerts and rules applied to a window: the sections no ranking cuts.

`pin_window` reads what the reader follows from the store and returns the papers of a loaded
window that each follow picks out, in sections ("From people you follow", "Your alerts",
"Matched your rules"), and the papers an exclude rule removes from everything. The digest and
the web feed show these sections above the ranked papers, whatever the model thinks of them
and even before the reader has liked anything. The matching itself is `rank.follows`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from papersift.embed.base import Embedder
from papersift.fusion import content_terms
from papersift.rank.candidates import Collection
from papersift.rank.follows import (
    ALERT_MAX_HITS,
    author_key,
    followed_authors,
    matching_rows,
    phrase_pattern,
    semantic_hits,
)
from papersift.records import Paper, PaperFilter
from papersift.store.base import LOCAL_USER, Follow, FollowKind, Store

SECTION_LABELS: dict[FollowKind, str] = {
    "author": "From people you follow",
    "alert": "Your alerts",
    "rule": "Matched your rules",
}

# Files a paper (by its row in the window) under a section, with one reason.
_Add = Callable[[int, FollowKind, str], None]


@dataclass(frozen=True)
class PinnedPaper:
    rowid: int
    paper: Paper
    reasons: tuple[str, ...]  # every follow, alert and rule that picked it


@dataclass(frozen=True)
class PinnedSection:
    kind: FollowKind
    label: str
    papers: tuple[PinnedPaper, ...]


@dataclass(frozen=True)
class Pinned:
    """The sections of a window (a paper is in the first that picked it) and what is hidden."""

    sections: tuple[PinnedSection, ...] = ()
    excluded: frozenset[int] = frozenset()  # rowids an exclude rule removes

    @property
    def rowids(self) -> frozenset[int]:
        return frozenset(p.rowid for section in self.sections for p in section.papers)


NOTHING_PINNED = Pinned()


def without(collection: Collection, rowids: frozenset[int]) -> Collection:
    """The window less these papers (rowids)."""
    if not rowids:
        return collection
    keep = np.flatnonzero(~np.isin(collection.rowids, np.fromiter(rowids, dtype=np.int64)))
    return Collection(
        collection.start,
        collection.end,
        collection.rowids[keep],
        [collection.papers[i] for i in keep],
        collection.vectors[keep],
    )


def pin_window(
    store: Store,
    embedder: Embedder,
    collection: Collection,
    user_id: int = LOCAL_USER,
) -> Pinned:
    """What this reader's follows, alerts and rules pick out of the window, and hide from it.

    Exclude rules always apply (a paper they match is gone, even one by a followed author);
    the follows and alerts sections only while the reader's "follows" signal is on.
    """
    follows = store.follows(user_id).list()
    if not follows or not collection.papers:
        return NOTHING_PINNED
    excluded: set[int] = set()
    for rule in (f for f in follows if f.kind == "rule" and f.mode == "exclude"):
        rows = matching_rows(collection.papers, phrase_pattern(rule.text))
        excluded.update(int(collection.rowids[i]) for i in rows)
    kept = without(collection, frozenset(excluded))
    use_follows = store.profile(user_id).switches().uses("follows")
    # rowid -> (the kind whose section shows it, its reasons), in the order found
    found: dict[int, tuple[FollowKind, list[str]]] = {}

    def add(row: int, kind: FollowKind, reason: str) -> None:
        entry = found.setdefault(int(kept.rowids[row]), (kind, []))
        entry[1].append(reason)

    if use_follows:
        _authors(kept, [f for f in follows if f.kind == "author"], add)
        for alert in (f for f in follows if f.kind == "alert"):
            _alert(store, embedder, kept, alert, add)
    for rule in (f for f in follows if f.kind == "rule" and f.mode == "include"):
        for row in matching_rows(kept.papers, phrase_pattern(rule.text)):
            add(row, "rule", f"Matches your rule: include “{rule.text}”")
    by_rowid = {int(r): p for r, p in zip(kept.rowids, kept.papers)}
    sections = []
    for kind, label in SECTION_LABELS.items():
        papers = tuple(
            PinnedPaper(rowid, by_rowid[rowid], tuple(dict.fromkeys(reasons)))
            for rowid, (where, reasons) in found.items()
            if where == kind
        )
        if papers:
            sections.append(PinnedSection(kind, label, papers))
    return Pinned(tuple(sections), frozenset(excluded))


def _authors(kept: Collection, follows: list[Follow], add: _Add) -> None:
    wanted = [(f.text, key) for f in follows if (key := author_key(f.text)) is not None]
    if not wanted:
        return
    for row, paper in enumerate(kept.papers):
        for name in followed_authors(paper, wanted):
            add(row, "author", f"You follow {name}")


def _alert(store: Store, embedder: Embedder, kept: Collection, alert: Follow, add: _Add) -> None:
    reason = f"Matches your alert “{alert.text}”"
    if alert.mode == "semantic":
        query = embedder.encode([alert.text])[0]
        for row, cosine in semantic_hits(kept.vectors, query):
            add(row, "alert", f"{reason} (similarity {cosine:.2f})")
        return
    terms = content_terms(alert.text)
    if not terms:
        return
    # Every word (stemmed by the index): a saved search that ORed its words would fill the
    # section with papers sharing one common word.
    expression = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
    row_of = {int(r): i for i, r in enumerate(kept.rowids)}
    where = PaperFilter(since=kept.start) if kept.start is not None else None
    hits = store.keyword_search(expression, max(len(row_of), 1), where)
    for rowid, _score in [h for h in hits if h[0] in row_of][:ALERT_MAX_HITS]:
        add(row_of[rowid], "alert", reason)
