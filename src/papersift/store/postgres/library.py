"""The reader's library in PostgreSQL: likes/dislikes, tags, interests (twin of
`store.library`). Statements run on the store's connection, so they join its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from papersift.store.base import LOCAL_USER, Feedback, Interest, Mark
from papersift.store.reader_rows import (
    feedback_from_row,
    interest_from_row,
    interest_number,
    marks_of,
    now_stamp,
    tags_of,
)


class PgLibrary:
    """One reader's library, sharing the store's connection (and so its transactions)."""

    def __init__(self, db: Any, user_id: int = LOCAL_USER) -> None:
        self.db = db
        self.user_id = user_id

    def rate(self, rowids: Sequence[int], rating: int | None) -> int:
        """Like (+1), dislike (-1) or forget (None); the latest call wins. Returns rows changed."""
        if rating is None:
            cur = self.db.execute(
                "DELETE FROM feedback WHERE user_id = %s AND paper_rowid = ANY(%s)",
                (self.user_id, [int(r) for r in rowids]),
            )
            return int(cur.rowcount)
        # Re-liking keeps the first time: the time split in `eval` needs when a paper was first
        # liked, and liking twice must change nothing. One statement per paper: a rowid given
        # twice is then one change, as in SQLite (a single upsert would refuse it).
        now = now_stamp()
        # All or none of them, inside the store's transaction or not (a savepoint in one).
        with self.db.transaction(), self.db.cursor() as cur:
            cur.executemany(
                "INSERT INTO feedback(user_id, paper_rowid, rating, at) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (user_id, paper_rowid) DO UPDATE SET rating = excluded.rating, "
                "at = excluded.at WHERE feedback.rating <> excluded.rating",
                [(self.user_id, int(r), rating, now) for r in rowids],
            )
            return max(int(cur.rowcount), 0)

    def feedback(self) -> list[Feedback]:
        rows = self.db.execute(
            "SELECT paper_rowid, rating, at FROM feedback WHERE user_id = %s "
            "ORDER BY at, paper_rowid",
            (self.user_id,),
        )
        return [feedback_from_row(r) for r in rows]

    def tag(self, tag: str, rowids: Sequence[int]) -> int:
        cur = self.db.execute(
            "INSERT INTO tags(user_id, tag, paper_rowid, at) "
            "SELECT %s, %s, rowid, %s FROM unnest(%s::bigint[]) AS rowid "
            "ON CONFLICT DO NOTHING",
            (self.user_id, tag, now_stamp(), [int(r) for r in rowids]),
        )
        return int(cur.rowcount)

    def untag(self, tag: str, rowids: Sequence[int]) -> int:
        cur = self.db.execute(
            "DELETE FROM tags WHERE user_id = %s AND tag = %s AND paper_rowid = ANY(%s)",
            (self.user_id, tag, [int(r) for r in rowids]),
        )
        return int(cur.rowcount)

    def tags(self) -> dict[str, list[int]]:
        """Tag -> tagged paper rowids (oldest first)."""
        # COLLATE "C": tags in code-point order, as SQLite sorts them, whatever the locale.
        return tags_of(
            self.db.execute(
                "SELECT tag, paper_rowid FROM tags WHERE user_id = %s "
                'ORDER BY tag COLLATE "C", at, paper_rowid',
                (self.user_id,),
            )
        )

    def add_interest(self, text: str) -> bool:
        cur = self.db.execute(
            "INSERT INTO interests(user_id, text, at) VALUES (%s, %s, %s) "
            "ON CONFLICT (user_id, text) DO NOTHING",
            (self.user_id, text, now_stamp()),
        )
        return bool(cur.rowcount > 0)

    def remove_interest(self, key: str) -> bool:
        """Remove an interest by its number (as `interest list` shows) or its exact text."""
        number = interest_number(key)
        if number is not None:
            cur = self.db.execute(
                "DELETE FROM interests WHERE user_id = %s AND id = %s", (self.user_id, number)
            )
        else:
            cur = self.db.execute(
                "DELETE FROM interests WHERE user_id = %s AND text = %s", (self.user_id, key)
            )
        return bool(cur.rowcount > 0)

    def interests(self) -> list[Interest]:
        rows = self.db.execute(
            "SELECT id, text, at FROM interests WHERE user_id = %s ORDER BY id", (self.user_id,)
        )
        return [interest_from_row(r) for r in rows]

    def marks(self, rowids: Sequence[int]) -> dict[int, Mark]:
        """Rating and tags of each of these papers (every rowid gets a Mark); reads only them."""
        wanted = [int(r) for r in rowids]
        ratings = dict(
            self.db.execute(
                "SELECT paper_rowid, rating FROM feedback "
                "WHERE user_id = %s AND paper_rowid = ANY(%s)",
                (self.user_id, wanted),
            ).fetchall()
        )
        tag_rows = self.db.execute(
            "SELECT paper_rowid, tag FROM tags WHERE user_id = %s AND paper_rowid = ANY(%s) "
            'ORDER BY tag COLLATE "C"',
            (self.user_id, wanted),
        )
        return marks_of(rowids, ratings, tag_rows)

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes when this reader likes, dislikes, tags or writes interests (anywhere)."""
        row = self.db.execute(
            "SELECT f.n, f.last, f.ratings, t.n, t.last, i.n, i.top, i.letters FROM "
            "(SELECT count(*) AS n, coalesce(max(at), '') AS last, "
            " coalesce(sum(rating), 0) AS ratings FROM feedback WHERE user_id = %(user)s) f, "
            "(SELECT count(*) AS n, coalesce(max(at), '') AS last "
            " FROM tags WHERE user_id = %(user)s) t, "
            "(SELECT count(*) AS n, coalesce(max(id), 0) AS top, "
            " coalesce(sum(length(text)), 0) AS letters "
            " FROM interests WHERE user_id = %(user)s) i",
            {"user": self.user_id},
        ).fetchone()
        return tuple(row)
