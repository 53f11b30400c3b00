"""Telling cheaply whether anyone committed to a PostgreSQL store: the server's snapshot.

`pg_current_snapshot()` (xmin:xmax:in-progress ids) changes whenever a transaction that wrote
gets its id or ends, so a commit anywhere always changes it; read-only statements (this one
included) leave it alone. It is read from shared memory, no table and no I/O, unlike a
counter table (a write per commit) or pg_stat_database (sent with a delay, so a commit could
be missed for a while). It also changes for other databases of the server and for rolled-back
writes: the web app then re-reads a little more often than needed, never less.
"""

from __future__ import annotations

import threading

from papersift.store.postgres.connection import connect


class PgCommitWatch:
    """A `CommitWatch` on one long-lived connection of its own."""

    def __init__(self, url: str) -> None:
        self._db = connect(url)
        self._lock = threading.Lock()
        self._snapshot: str | None = None
        self._generation = 0

    def generation(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT pg_current_snapshot()::text").fetchone()
            snapshot = str(row[0]) if row else ""
            if snapshot != self._snapshot:
                self._snapshot = snapshot
                self._generation += 1
            return self._generation

    def close(self) -> None:
        self._db.close()
