"""The reader's control over their profile, in PostgreSQL (twin of `store.profile_controls`):
switches, stored only once turned off (or on again), and the reset."""

from __future__ import annotations

from typing import Any

from papersift.store.base import LOCAL_USER, ProfileSwitches, ResetCounts
from papersift.store.reader_rows import SIGNAL_PREFIX, TAG_PREFIX, now_stamp, switches_from_names


class PgProfileControls:
    """One reader's switches and profile reset, sharing the store's connection."""

    def __init__(self, db: Any, user_id: int = LOCAL_USER) -> None:
        self.db = db
        self.user_id = user_id

    def switches(self) -> ProfileSwitches:
        return switches_from_names(
            name
            for (name,) in self.db.execute(
                "SELECT name FROM profile_switches WHERE user_id = %s AND enabled = 0",
                (self.user_id,),
            )
        )

    def _set(self, name: str, enabled: bool) -> bool:
        # One statement, so two requests flipping the same switch at once change it once: no
        # row means on, so switching on stores a row only over an existing one, and an upsert
        # over a row that already says `enabled` changes nothing (rowcount 0).
        cur = self.db.execute(
            "INSERT INTO profile_switches(user_id, name, enabled, at) "
            "SELECT %(user)s, %(name)s, %(enabled)s, %(at)s WHERE %(enabled)s = 0 OR EXISTS "
            "(SELECT 1 FROM profile_switches WHERE user_id = %(user)s AND name = %(name)s) "
            "ON CONFLICT (user_id, name) DO UPDATE SET enabled = excluded.enabled, "
            "at = excluded.at WHERE profile_switches.enabled <> excluded.enabled",
            {"user": self.user_id, "name": name, "enabled": int(enabled), "at": now_stamp()},
        )
        return bool(cur.rowcount > 0)

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

        def delete(query: str, *params: Any) -> int:
            return int(self.db.execute(query, (self.user_id, *params)).rowcount)

        with self.db.transaction():  # all chosen parts or none; a savepoint inside the store's
            return ResetCounts(
                likes=delete("DELETE FROM feedback WHERE user_id = %s AND rating = %s", 1)
                if likes
                else 0,
                dislikes=delete("DELETE FROM feedback WHERE user_id = %s AND rating = %s", -1)
                if dislikes
                else 0,
                tags=delete("DELETE FROM tags WHERE user_id = %s") if tags else 0,
                interests=delete("DELETE FROM interests WHERE user_id = %s") if interests else 0,
            )

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever a switch of this reader changes."""
        row = self.db.execute(
            "SELECT count(*), coalesce(sum(enabled), 0), coalesce(max(at), '') "
            "FROM profile_switches WHERE user_id = %s",
            (self.user_id,),
        ).fetchone()
        return tuple(row)
