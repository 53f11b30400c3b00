"""The reader's control over their profile, in SQLite: switches and the reset.

A switch is stored only once it is turned off or on again; a signal or tag without a row is
on, so a new tag is used from the start. Writes join the store's transaction.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from papersift.store.base import LOCAL_USER, ProfileSwitches, ResetCounts
from papersift.store.reader_rows import (
    SIGNAL_PREFIX,
    TAG_PREFIX,
    now_stamp,
    switches_from_names,
)


class SqliteProfileControls:
    """One reader's switches and profile reset, sharing the store's connection."""

    def __init__(self, db: sqlite3.Connection, user_id: int = LOCAL_USER) -> None:
        self.db = db
        self.user_id = user_id

    def switches(self) -> ProfileSwitches:
        return switches_from_names(
            name
            for (name,) in self.db.execute(
                "SELECT name FROM profile_switches WHERE user_id = ? AND enabled = 0",
                (self.user_id,),
            )
        )

    def _set(self, name: str, enabled: bool) -> bool:
        row = self.db.execute(
            "SELECT enabled FROM profile_switches WHERE user_id = ? AND name = ?",
            (self.user_id, name),
        ).fetchone()
        if bool(row[0] if row else 1) == enabled:  # no row: on
            return False
        self.db.execute(
            "INSERT INTO profile_switches(user_id, name, enabled, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(user_id, name) DO UPDATE SET enabled = excluded.enabled, "
            "at = excluded.at",
            (self.user_id, name, int(enabled), now_stamp()),
        )
        return True

    def set_signal(self, signal: str, enabled: bool) -> bool:
        """Switch a signal on or off; False when it already was."""
        return self._set(SIGNAL_PREFIX + signal, enabled)

    def set_tag(self, tag: str, enabled: bool) -> bool:
        """Switch a tag on or off as a profile; False when it already was."""
        return self._set(TAG_PREFIX + tag, enabled)

    def reset(
        self,
        *,
        likes: bool = False,
        dislikes: bool = False,
        tags: bool = False,
        interests: bool = False,
    ) -> ResetCounts:
        """Forget the chosen parts of this reader's library; how many of each were removed."""

        def delete(sql: str, *params: Any) -> int:
            return int(self.db.execute(sql, (self.user_id, *params)).rowcount)

        return ResetCounts(
            likes=delete("DELETE FROM feedback WHERE user_id = ? AND rating = ?", 1)
            if likes
            else 0,
            dislikes=delete("DELETE FROM feedback WHERE user_id = ? AND rating = ?", -1)
            if dislikes
            else 0,
            tags=delete("DELETE FROM tags WHERE user_id = ?") if tags else 0,
            interests=delete("DELETE FROM interests WHERE user_id = ?") if interests else 0,
        )

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever a switch of this reader changes."""
        row = self.db.execute(
            "SELECT count(*), total(enabled), coalesce(max(at), '') FROM profile_switches "
            "WHERE user_id = ?",
            (self.user_id,),
        ).fetchone()
        return tuple(row)
