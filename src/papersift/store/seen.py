"""What each reader has been shown, in the store's SQLite file: the record behind "never twice".

A row per paper, place and reader's day, with the paper's version and a hash of its abstract
at the time, so a paper that comes back changed (a replacement, a new abstract) can be told
from one that merely reappears (a cross-list). Snoozes hide a paper until a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

from papersift.records import Paper
from papersift.store.base import LOCAL_USER, SEEN_PLACES, SeenPlace, SeenState, Showing

# SQLite's default limit on bound parameters is 999 in old builds; stay well under it.
_CHUNK = 500


def abstract_hash(abstract: str | None) -> str | None:
    """A short fingerprint of an abstract, blind to whitespace (sources wrap lines differently)."""
    if not abstract:
        return None
    words = " ".join(abstract.split())
    return hashlib.blake2b(words.encode(), digest_size=8).hexdigest()


class SqliteSeen:
    """One reader's shown and snoozed papers, sharing the store's connection."""

    def __init__(self, db: sqlite3.Connection, user_id: int = LOCAL_USER) -> None:
        self.db = db
        self.user_id = user_id

    def record(
        self, shown: Sequence[tuple[int, Paper]], place: SeenPlace, at: dt.datetime, day: dt.date
    ) -> int:
        """Note that these papers were shown at `place`; again on the same day keeps the last."""
        if place not in SEEN_PLACES:
            raise ValueError(f"unknown place {place!r}")
        stamp = at.astimezone(dt.UTC).isoformat(timespec="seconds")
        cur = self.db.executemany(
            "INSERT INTO seen(user_id, paper_rowid, place, day, at, version, abstract_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(user_id, paper_rowid, place, day) DO UPDATE "
            "SET at = excluded.at, version = excluded.version, "
            "abstract_hash = excluded.abstract_hash",
            [
                (
                    self.user_id,
                    rowid,
                    place,
                    day.isoformat(),
                    stamp,
                    paper.version,
                    abstract_hash(paper.abstract),
                )
                for rowid, paper in shown
            ],
        )
        return cur.rowcount

    def states(self, rowids: Sequence[int], before: dt.date) -> dict[int, SeenState]:
        """What the reader saw of these papers on days before `before` (or marked read).

        Showings of `before` itself do not count: a digest built twice that day, or the feed
        reloaded, is the same showing, not a repeat.
        """
        shown: dict[int, list[tuple[str, str, str, int | None, str | None]]] = {}
        snoozed: dict[int, dt.date] = {}
        unique = sorted(set(rowids))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT paper_rowid, place, day, at, version, abstract_hash FROM seen "
                f"WHERE user_id = ? AND paper_rowid IN ({marks}) AND (day < ? OR place = 'read') "
                "ORDER BY at",
                (self.user_id, *chunk, before.isoformat()),
            )
            for r in rows:
                shown.setdefault(r[0], []).append((r[1], r[2], r[3], r[4], r[5]))
            for r in self.db.execute(
                f"SELECT paper_rowid, until FROM snoozed "
                f"WHERE user_id = ? AND paper_rowid IN ({marks})",
                (self.user_id, *chunk),
            ):
                snoozed[r[0]] = dt.date.fromisoformat(r[1])
        states: dict[int, SeenState] = {}
        for rowid in shown.keys() | snoozed.keys():
            sightings = shown.get(rowid, [])
            versions = [s[3] for s in sightings if s[3] is not None]
            states[rowid] = SeenState(
                last_day=max((dt.date.fromisoformat(s[1]) for s in sightings), default=None),
                version=max(versions, default=None),
                abstract_hash=sightings[-1][4] if sightings else None,
                read=any(s[0] == "read" for s in sightings),
                snoozed_until=snoozed.get(rowid),
            )
        return states

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
        return [
            Showing(
                r[0],
                dt.datetime.fromisoformat(r[1]),
                dt.date.fromisoformat(r[2]),
                cast(SeenPlace, r[3]),
                r[4],
                r[5],
            )
            for r in rows
        ]

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
