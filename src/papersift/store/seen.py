"""What each reader has been shown, in the store's SQLite file: the record behind "never twice".

A row per paper, place and reader's day, with the paper's version and a hash of its abstract
at the time, so a paper that comes back changed (a replacement, a new abstract) can be told
from one that merely reappears (a cross-list). Snoozes hide a paper until a day.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from typing import Any

from papersift.records import Paper
from papersift.store.base import LOCAL_USER, SeenPlace, SeenState, Showing
from papersift.store.reader_rows import (
    abstract_hash,
    seen_states,
    showing_from_row,
    showing_rows,
)

__all__ = ["SqliteSeen", "abstract_hash"]

# SQLite's default limit on bound parameters is 999 in old builds; stay well under it.
_CHUNK = 500


class SqliteSeen:
    """One reader's shown and snoozed papers, sharing the store's connection."""

    def __init__(self, db: sqlite3.Connection, user_id: int = LOCAL_USER) -> None:
        self.db = db
        self.user_id = user_id

    def record(
        self, shown: Sequence[tuple[int, Paper]], place: SeenPlace, at: dt.datetime, day: dt.date
    ) -> int:
        """Note that these papers were shown at `place`; again on the same day keeps the last."""
        cur = self.db.executemany(
            "INSERT INTO seen(user_id, paper_rowid, place, day, at, version, abstract_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(user_id, paper_rowid, place, day) DO UPDATE "
            "SET at = excluded.at, version = excluded.version, "
            "abstract_hash = excluded.abstract_hash",
            showing_rows(self.user_id, shown, place, at, day),
        )
        return cur.rowcount

    def states(self, rowids: Sequence[int], before: dt.date) -> dict[int, SeenState]:
        """What the reader saw of these papers on days before `before` (or marked read).

        Showings of `before` itself do not count: a digest built twice that day, or the feed
        reloaded, is the same showing, not a repeat.
        """
        sightings: list[Any] = []
        snoozed: list[Any] = []
        unique = sorted(set(rowids))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            # Each paper's sightings come from one chunk, so they stay oldest first.
            sightings += self.db.execute(
                f"SELECT paper_rowid, place, day, at, version, abstract_hash FROM seen "
                f"WHERE user_id = ? AND paper_rowid IN ({marks}) AND (day < ? OR place = 'read') "
                "ORDER BY at",
                (self.user_id, *chunk, before.isoformat()),
            ).fetchall()
            snoozed += self.db.execute(
                f"SELECT paper_rowid, until FROM snoozed "
                f"WHERE user_id = ? AND paper_rowid IN ({marks})",
                (self.user_id, *chunk),
            ).fetchall()
        return seen_states(sightings, snoozed)

    def snooze(self, rowid: int, until: dt.date) -> None:
        """Hide the paper until `until` (it comes back that day); a later snooze replaces it."""
        self.db.execute(
            "INSERT INTO snoozed(user_id, paper_rowid, until) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id, paper_rowid) DO UPDATE SET until = excluded.until",
            (self.user_id, rowid, until.isoformat()),
        )

    def history(self, since: dt.date | None = None, limit: int = 1000) -> list[Showing]:
        """Papers shown on or after `since` (None: ever), newest first."""
        rows = self.db.execute(
            "SELECT paper_rowid, at, day, place, version, abstract_hash FROM seen "
            "WHERE user_id = ? AND day >= ? ORDER BY at DESC, paper_rowid LIMIT ?",
            (self.user_id, since.isoformat() if since else "", limit),
        )
        return [showing_from_row(r) for r in rows]

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes when the reader marks a paper read or snoozes one.

        Showings are left out on purpose: the feed records its papers on every render, and a
        cache keyed on that would never hit. Showings of earlier days change what is left out
        only when the day changes, which the caller's key holds.
        """
        row = self.db.execute(
            "SELECT (SELECT count(*) || ':' || coalesce(max(at), '') FROM seen "
            "WHERE user_id = ?1 AND place = 'read'),"
            " (SELECT count(*) || ':' || coalesce(max(until), '') FROM snoozed WHERE user_id = ?1)",
            (self.user_id,),
        ).fetchone()
        return tuple(row)
