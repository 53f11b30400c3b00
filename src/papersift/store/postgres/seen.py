"""What each reader has been shown, in PostgreSQL (twin of `store.seen`): showings by paper,
place and reader's day with the version and abstract hash then, and snoozes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from papersift.records import Paper
from papersift.store.base import LOCAL_USER, SeenPlace, SeenState, Showing
from papersift.store.reader_rows import seen_states, showing_from_row, showing_rows


class PgSeen:
    """One reader's shown and snoozed papers, sharing the store's connection."""

    def __init__(self, db: Any, user_id: int = LOCAL_USER) -> None:
        self.db = db
        self.user_id = user_id

    def record(
        self, shown: Sequence[tuple[int, Paper]], place: SeenPlace, at: dt.datetime, day: dt.date
    ) -> int:
        """Note that these papers were shown at `place`; again on the same day keeps the last."""
        rows = showing_rows(self.user_id, shown, place, at, day)
        if not rows:
            return 0
        # One statement per showing: a paper given twice is then shown twice (the second
        # replacing the first), as in SQLite; a single upsert would refuse it.
        with self.db.transaction(), self.db.cursor() as cur:  # all or none
            cur.executemany(
                "INSERT INTO seen(user_id, paper_rowid, place, day, at, version, abstract_hash) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (user_id, paper_rowid, place, day) DO UPDATE "
                "SET at = excluded.at, version = excluded.version, "
                "abstract_hash = excluded.abstract_hash",
                rows,
            )
            return max(int(cur.rowcount), 0)

    def states(self, rowids: Sequence[int], before: dt.date) -> dict[int, SeenState]:
        """What the reader saw of these papers on days before `before` (or marked read).

        Showings of `before` itself do not count: a digest built twice that day, or the feed
        reloaded, is the same showing, not a repeat.
        """
        wanted = sorted({int(r) for r in rowids})
        sightings = self.db.execute(
            "SELECT paper_rowid, place, day, at, version, abstract_hash FROM seen "
            "WHERE user_id = %s AND paper_rowid = ANY(%s) AND (day < %s OR place = 'read') "
            "ORDER BY at, day, place",
            (self.user_id, wanted, before.isoformat()),
        ).fetchall()
        snoozed = self.db.execute(
            "SELECT paper_rowid, until FROM snoozed WHERE user_id = %s AND paper_rowid = ANY(%s)",
            (self.user_id, wanted),
        ).fetchall()
        return seen_states(sightings, snoozed)

    def snooze(self, rowid: int, until: dt.date) -> None:
        """Hide the paper until `until` (it comes back that day); a later snooze replaces it."""
        self.db.execute(
            "INSERT INTO snoozed(user_id, paper_rowid, until) VALUES (%s, %s, %s) "
            "ON CONFLICT (user_id, paper_rowid) DO UPDATE SET until = excluded.until",
            (self.user_id, rowid, until.isoformat()),
        )

    def history(self, since: dt.date | None = None, limit: int = 1000) -> list[Showing]:
        """Papers shown on or after `since` (None: ever), newest first."""
        rows = self.db.execute(
            "SELECT paper_rowid, at, day, place, version, abstract_hash FROM seen "
            "WHERE user_id = %s AND day >= %s ORDER BY at DESC, paper_rowid, place LIMIT %s",
            (self.user_id, since.isoformat() if since else "", limit),
        )
        return [showing_from_row(r) for r in rows]

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes when the reader marks a paper read or snoozes one (showings are left out,
        as in `SqliteSeen.fingerprint`: the feed records its papers on every render)."""
        row = self.db.execute(
            "SELECT r.n, r.last, s.n, s.last FROM "
            "(SELECT count(*) AS n, coalesce(max(at), '') AS last FROM seen "
            " WHERE user_id = %(user)s AND place = 'read') r, "
            "(SELECT count(*) AS n, coalesce(max(until), '') AS last FROM snoozed "
            " WHERE user_id = %(user)s) s",
            {"user": self.user_id},
        ).fetchone()
        return tuple(row)
