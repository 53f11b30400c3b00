"""What a reader follows, in SQLite: authors, alerts (saved searches) and keyword rules.

Each row keeps the text as written and a normalised key (made by `rank.follows`), so the same
name or query written twice is one follow. Writes join the store's transaction.
"""

from __future__ import annotations

import builtins
import sqlite3
from typing import Any

from papersift.store.base import LOCAL_USER, Follow, FollowKind
from papersift.store.reader_rows import follow_from_row as _follow
from papersift.store.reader_rows import now_stamp


class SqliteFollows:
    """One reader's follows, sharing the store's connection (and so its transactions)."""

    def __init__(self, db: sqlite3.Connection, user_id: int = LOCAL_USER) -> None:
        self.db = db
        self.user_id = user_id

    def add(self, kind: FollowKind, text: str, key: str, mode: str | None = None) -> bool:
        """Follow; False when this reader already follows the same key (in the same mode)."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO follows(user_id, kind, mode, text, key, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (self.user_id, kind, mode or "", text, key, now_stamp()),
        )
        return cur.rowcount > 0

    def remove(
        self, kind: FollowKind, *, follow_id: int | None = None, key: str | None = None
    ) -> builtins.list[Follow]:
        """Remove by number (as `list` shows it) or by key (every mode of it); what was removed."""
        value: int | str
        if follow_id is not None:
            where, value = "id = ?", follow_id
        elif key is not None:
            where, value = "key = ?", key
        else:
            return []
        rows = self.db.execute(
            f"DELETE FROM follows WHERE user_id = ? AND kind = ? AND {where} "
            "RETURNING id, kind, text, mode, at",
            (self.user_id, kind, value),
        ).fetchall()
        return sorted(map(_follow, rows), key=lambda f: f.id)

    def list(self, kind: FollowKind | None = None) -> builtins.list[Follow]:
        rows = self.db.execute(
            "SELECT id, kind, text, mode, at FROM follows WHERE user_id = ?1 "
            "AND (?2 IS NULL OR kind = ?2) ORDER BY id",
            (self.user_id, kind),
        )
        return [_follow(r) for r in rows]

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever this reader adds or removes a follow, alert or rule."""
        row = self.db.execute(
            "SELECT count(*), coalesce(max(id), 0), total(id), coalesce(max(at), '') "
            "FROM follows WHERE user_id = ?",
            (self.user_id,),
        ).fetchone()
        return tuple(row)
