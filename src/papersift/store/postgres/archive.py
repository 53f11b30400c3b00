"""The digest archive and the e-mail delivery log in PostgreSQL (twin of `store.archive`)."""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any

from papersift.store.base import LOCAL_USER, ArchivedDigest, Delivery
from papersift.store.reader_rows import (
    FORMAT_COLUMNS,
    archived_digest_from_row,
    delivery_from_row,
    seconds_stamp,
)

_DELIVERY_COLUMNS = "day, digest_id, recipient, sent_at, error"


class PgArchive:
    """One reader's digests and deliveries, sharing the store's connection."""

    def __init__(self, db: Any, user_id: int = LOCAL_USER) -> None:
        self.db = db
        self.user_id = user_id

    def add(
        self,
        title: str,
        window_start: dt.date | None,
        window_end: dt.date | None,
        papers: int,
        rendered: dict[str, str],
    ) -> int:
        """Archive a digest in every format; `rendered` maps html/md/txt/atom to text."""
        row = self.db.execute(
            "INSERT INTO digests(user_id, created_at, window_start, window_end, title, papers, "
            "html, markdown, text, atom) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "RETURNING id",
            (
                self.user_id,
                seconds_stamp(),
                window_start.isoformat() if window_start else None,
                window_end.isoformat() if window_end else None,
                title,
                papers,
                *(rendered.get(fmt, "") for fmt in FORMAT_COLUMNS),
            ),
        ).fetchone()
        return int(row[0])

    def list(self, limit: int = 100) -> builtins.list[ArchivedDigest]:
        rows = self.db.execute(
            "SELECT id, created_at, window_start, window_end, title, papers FROM digests "
            "WHERE user_id = %s ORDER BY id DESC LIMIT %s",
            (self.user_id, limit),
        )
        return [archived_digest_from_row(r) for r in rows]

    def content(self, digest_id: int, fmt: str) -> str | None:
        column = FORMAT_COLUMNS[fmt]  # one of four fixed names, never the caller's text
        row = self.db.execute(
            f"SELECT {column} FROM digests WHERE id = %s AND user_id = %s",
            (digest_id, self.user_id),
        ).fetchone()
        return None if row is None else str(row[0])

    def delivery(self, day: dt.date, recipient: str) -> Delivery | None:
        row = self.db.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries "
            "WHERE user_id = %s AND day = %s AND recipient = %s",
            (self.user_id, day.isoformat(), recipient),
        ).fetchone()
        return None if row is None else delivery_from_row(row)

    def record_delivery(
        self, day: dt.date, digest_id: int, recipient: str, error: str | None
    ) -> None:
        """Log a send (error None) or a failed attempt that the next run retries."""
        sent_at = None if error else seconds_stamp()
        self.db.execute(
            "INSERT INTO deliveries(user_id, day, digest_id, recipient, sent_at, error) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (user_id, day, recipient) DO UPDATE "
            "SET digest_id = excluded.digest_id, sent_at = excluded.sent_at, "
            "error = excluded.error",
            (self.user_id, day.isoformat(), digest_id, recipient, sent_at, error),
        )

    def unsent(self) -> builtins.list[Delivery]:
        # Recipients of one day in code-point order, as SQLite's primary key gives them.
        rows = self.db.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE user_id = %s "
            'AND sent_at IS NULL ORDER BY day, recipient COLLATE "C"',
            (self.user_id,),
        )
        return [delivery_from_row(r) for r in rows]
