"""Pure: which of a window's papers the reader has not seen yet, and which came back changed.

A paper shown on an earlier day is left out, unless it came back with a higher version or a
different abstract: then it is shown again, marked as an update ("updated: v3, new abstract").
A cross-list is the same paper in the store with the same version and abstract, so it stays
out. A paper marked read stays out the same way; a snoozed one stays out until its day, and
then comes back once even though it was seen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from papersift.records import Paper
from papersift.store.base import SeenState
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
