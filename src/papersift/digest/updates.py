"""Updates on the papers a reader cares about: a new version, code released, a venue accepted.

A paper the reader liked or tagged is compared with how it looked in their last published
digest (the store's snapshots); what changed becomes a line of the next digest's "Updates"
section, and publishing that digest records the new state, so each update is told once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from papersift.badges import code_url, venue
from papersift.records import DigestUpdate, Paper
from papersift.store.base import PaperSnapshot, Store


def snapshot_of(paper: Paper) -> PaperSnapshot:
    return PaperSnapshot(version=paper.version, code_url=code_url(paper), venue=venue(paper))


def changes_since(before: PaperSnapshot, paper: Paper) -> tuple[str, ...]:
    """What is new on `paper` against its snapshot, in the reader's words; () if nothing.

    Only arrivals count: a code link or venue that a later merge rewords (Semantic Scholar's
    venue name after OpenReview's) is no news once the reader was told of one.
    """
    now = snapshot_of(paper)
    found: list[str] = []
    if now.version is not None and now.version > (before.version or 1):
        found.append(f"v{now.version} posted")
    if now.code_url and not before.code_url:
        found.append(f"code released: {_without_scheme(now.code_url)}")
    if now.venue and not before.venue:
        found.append(f"accepted at {now.venue}")
    return tuple(found)


def _without_scheme(url: str) -> str:
    return url.split("://", 1)[-1]


@dataclass(frozen=True)
class FollowedUpdates:
    """The updates to show, and the snapshots to record once the digest is published."""

    updates: tuple[DigestUpdate, ...] = ()
    snapshots: dict[int, PaperSnapshot] = field(default_factory=dict)


def followed_updates(store: Store, user_id: int) -> FollowedUpdates:
    """Updates on the reader's liked and tagged papers since their last published digest.

    A paper without a snapshot (liked since, or the first digest) gets its first snapshot and
    no update: there is nothing to compare it with.
    """
    snapshots = store.snapshots(user_id)
    rowids = snapshots.followed()
    if not rowids:
        return FollowedUpdates()
    before = snapshots.get(rowids)
    papers = store.papers_by_rowid(rowids)
    updates: list[DigestUpdate] = []
    current: dict[int, PaperSnapshot] = {}
    for rowid in rowids:
        paper = papers.get(rowid)
        if paper is None:
            continue
        current[rowid] = snapshot_of(paper)
        if rowid in before:
            changes = changes_since(before[rowid], paper)
            if changes:
                updates.append(DigestUpdate(paper, changes))
    # Only changed rows need writing, but new papers need their first snapshot too.
    to_record = {r: s for r, s in current.items() if before.get(r) != s}
    return FollowedUpdates(tuple(updates), to_record)
