"""The reader's library in SQLite: likes/dislikes, tags, interests. One class, one connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson

from papersift.store.base import LOCAL_USER, Feedback, Interest, Mark
from papersift.store.reader_rows import (
    feedback_from_row,
    interest_from_row,
    interest_number,
    marks_of,
    now_stamp,
    tags_of,
)


class SqliteLibrary:
    """One reader's library, sharing the store's connection (and so its transactions)."""

    def __init__(self, db: sqlite3.Connection, user_id: int = LOCAL_USER) -> None:
        self.db = db
        self.user_id = user_id

    def rate(self, rowids: Sequence[int], rating: int | None) -> int:
        """Like (+1), dislike (-1) or forget (None); the latest call wins. Returns rows changed."""
        changed = 0
        for rowid in rowids:
            if rating is None:
                cur = self.db.execute(
                    "DELETE FROM feedback WHERE user_id = ? AND paper_rowid = ?",
                    (self.user_id, rowid),
                )
            else:
                # Re-liking keeps the first time: the time split in `eval` needs when a paper
                # was first liked, and liking twice must change nothing.
                cur = self.db.execute(
                    "INSERT INTO feedback(user_id, paper_rowid, rating, at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(user_id, paper_rowid) DO UPDATE SET rating = excluded.rating, "
                    "at = excluded.at WHERE feedback.rating != excluded.rating",
                    (self.user_id, rowid, rating, now_stamp()),
                )
            changed += cur.rowcount
        return changed

    def feedback(self) -> list[Feedback]:
        rows = self.db.execute(
            "SELECT paper_rowid, rating, at FROM feedback WHERE user_id = ? ORDER BY at",
            (self.user_id,),
        )
        return [feedback_from_row(r) for r in rows]

    def tag(self, tag: str, rowids: Sequence[int]) -> int:
        now = now_stamp()
        cur = self.db.executemany(
            "INSERT OR IGNORE INTO tags(user_id, tag, paper_rowid, at) VALUES (?, ?, ?, ?)",
            [(self.user_id, tag, r, now) for r in rowids],
        )
        return cur.rowcount

    def untag(self, tag: str, rowids: Sequence[int]) -> int:
        cur = self.db.executemany(
            "DELETE FROM tags WHERE user_id = ? AND tag = ? AND paper_rowid = ?",
            [(self.user_id, tag, r) for r in rowids],
        )
        return cur.rowcount

    def tags(self) -> dict[str, list[int]]:
        """Tag -> tagged paper rowids (oldest first)."""
        return tags_of(
            self.db.execute(
                "SELECT tag, paper_rowid FROM tags WHERE user_id = ? ORDER BY tag, at",
                (self.user_id,),
            )
        )

    def add_interest(self, text: str) -> bool:
        cur = self.db.execute(
            "INSERT OR IGNORE INTO interests(user_id, text, at) VALUES (?, ?, ?)",
            (self.user_id, text, now_stamp()),
        )
        return cur.rowcount > 0

    def remove_interest(self, key: str) -> bool:
        """Remove an interest by its number (as `interest list` shows) or its exact text."""
        number = interest_number(key)
        if number is not None:
            cur = self.db.execute(
                "DELETE FROM interests WHERE user_id = ? AND id = ?", (self.user_id, number)
            )
        else:
            cur = self.db.execute(
                "DELETE FROM interests WHERE user_id = ? AND text = ?", (self.user_id, key)
            )
        return cur.rowcount > 0

    def interests(self) -> list[Interest]:
        rows = self.db.execute(
            "SELECT id, text, at FROM interests WHERE user_id = ? ORDER BY id", (self.user_id,)
        )
        return [interest_from_row(r) for r in rows]

    def marks(self, rowids: Sequence[int]) -> dict[int, Mark]:
        """Rating and tags of each of these papers (every rowid gets a Mark).

        One query for the shown papers only: `feedback()` would read a whole library of
        thousands of likes to colour twenty buttons.
        """
        wanted = orjson.dumps([int(r) for r in rowids]).decode()
        ratings = dict(
            self.db.execute(
                "SELECT paper_rowid, rating FROM feedback WHERE user_id = ? "
                "AND paper_rowid IN (SELECT value FROM json_each(?))",
                (self.user_id, wanted),
            ).fetchall()
        )
        tag_rows = self.db.execute(
            "SELECT paper_rowid, tag FROM tags WHERE user_id = ? "
            "AND paper_rowid IN (SELECT value FROM json_each(?)) ORDER BY tag",
            (self.user_id, wanted),
        )
        return marks_of(rowids, ratings, tag_rows)

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes when this reader likes, dislikes, tags or writes interests (anywhere)."""
        row = self.db.execute(
            "SELECT (SELECT count(*) || ':' || coalesce(max(at), '') || ':' || total(rating) "
            "FROM feedback WHERE user_id = ?1), "
            "(SELECT count(*) || ':' || coalesce(max(at), '') FROM tags WHERE user_id = ?1), "
            "(SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || total(length(text)) "
            "FROM interests WHERE user_id = ?1)",
            (self.user_id,),
        ).fetchone()
        return tuple(row)
