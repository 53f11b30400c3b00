"""What a reader follows, in PostgreSQL (twin of `store.follows`): authors, alerts (saved
searches) and keyword rules, each with its text as written and a normalised key."""

from __future__ import annotations

import builtins
from typing import Any

from papersift.store.base import LOCAL_USER, Follow, FollowKind
from papersift.store.reader_rows import follow_from_row, now_stamp

_COLUMNS = "id, kind, text, mode, at"


class PgFollows:
    """One reader's follows, sharing the store's connection (and so its transactions)."""

    def __init__(self, db: Any, user_id: int = LOCAL_USER) -> None:
        self.db = db
        self.user_id = user_id

    def add(self, kind: FollowKind, text: str, key: str, mode: str | None = None) -> bool:
        """Follow; False when this reader already follows the same key (in the same mode)."""
        cur = self.db.execute(
            "INSERT INTO follows(user_id, kind, mode, text, key, at) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (user_id, kind, mode, key) DO NOTHING",
            (self.user_id, kind, mode or "", text, key, now_stamp()),
        )
        return bool(cur.rowcount > 0)

    def remove(
        self, kind: FollowKind, *, follow_id: int | None = None, key: str | None = None
    ) -> builtins.list[Follow]:
        """Remove by number (as `list` shows it) or by key (every mode of it); what was removed."""
        if follow_id is not None:
            rows = self.db.execute(
                f"DELETE FROM follows WHERE user_id = %s AND kind = %s AND id = %s "
                f"RETURNING {_COLUMNS}",
                (self.user_id, kind, follow_id),
            ).fetchall()
        elif key is not None:
            rows = self.db.execute(
                f"DELETE FROM follows WHERE user_id = %s AND kind = %s AND key = %s "
                f"RETURNING {_COLUMNS}",
                (self.user_id, kind, key),
            ).fetchall()
        else:
            return []
        return sorted(map(follow_from_row, rows), key=lambda f: f.id)

    def list(self, kind: FollowKind | None = None) -> builtins.list[Follow]:
        if kind is None:
            rows = self.db.execute(
                f"SELECT {_COLUMNS} FROM follows WHERE user_id = %s ORDER BY id", (self.user_id,)
            )
        else:
            rows = self.db.execute(
                f"SELECT {_COLUMNS} FROM follows WHERE user_id = %s AND kind = %s ORDER BY id",
                (self.user_id, kind),
            )
        return [follow_from_row(r) for r in rows]

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever this reader adds or removes a follow, alert or rule."""
        row = self.db.execute(
            "SELECT count(*), coalesce(max(id), 0), coalesce(sum(id), 0)::bigint, "
            "coalesce(max(at), '') FROM follows WHERE user_id = %s",
            (self.user_id,),
        ).fetchone()
        return tuple(row)
