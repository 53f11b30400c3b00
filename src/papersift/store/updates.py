"""What the reader's liked and tagged papers looked like in their last digest, in SQLite.

The digest compares these snapshots with the papers as stored now to list updates ("v3
posted"); publishing a digest records the papers' new state, so an update is told once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

import orjson

from papersift.store.base import LOCAL_USER, PaperSnapshot
from papersift.store.reader_rows import seconds_stamp


class SqliteSnapshots:
    """One reader's paper snapshots, sharing the store's connection (and its transactions)."""

    def __init__(self, db: sqlite3.Connection, user_id: int = LOCAL_USER) -> None:
        self.db = db
        self.user_id = user_id

    def followed(self) -> list[int]:
        """Rowids of the papers this reader cares about: liked or tagged, oldest mark first."""
        rows = self.db.execute(
            "SELECT paper_rowid FROM ("
            "  SELECT paper_rowid, at FROM feedback WHERE user_id = ? AND rating = 1"
            "  UNION ALL SELECT paper_rowid, at FROM tags WHERE user_id = ?"
            ") GROUP BY paper_rowid ORDER BY min(at), paper_rowid",
            (self.user_id, self.user_id),
        )
        return [int(r[0]) for r in rows]

    def get(self, rowids: Sequence[int]) -> dict[int, PaperSnapshot]:
        if not rowids:
            return {}
        rows = self.db.execute(
            "SELECT paper_rowid, version, code_url, venue FROM paper_snapshots "
            "WHERE user_id = ? AND paper_rowid IN (SELECT value FROM json_each(?))",
            (self.user_id, orjson.dumps(list(rowids)).decode()),
        )
        return {int(r[0]): PaperSnapshot(r[1], r[2], r[3]) for r in rows}

    def record(self, snapshots: Mapping[int, PaperSnapshot]) -> None:
        """Remember these states (the latest call wins); call inside a transaction."""
        at = seconds_stamp()
        self.db.executemany(
            "INSERT INTO paper_snapshots(user_id, paper_rowid, version, code_url, venue, at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_id, paper_rowid) DO UPDATE SET "
            "version = excluded.version, code_url = excluded.code_url, "
            "venue = excluded.venue, at = excluded.at",
            [
                (self.user_id, rowid, s.version, s.code_url, s.venue, at)
                for rowid, s in snapshots.items()
            ],
        )
