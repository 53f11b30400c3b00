"""Papers private to the reader whose import created them (`serve --multi-user`), in SQLite.

On a shared server one account's upload must not change what the others see: the papers it
creates are marked private to the importer until an admin promotes them or the same paper
arrives from a public source (then `SqliteStore.upsert` takes the public record and drops the
mark). `hidden_sql` is the condition the store's read paths add for a viewer, so other
readers' private papers never reach a search, a feed, a map or a paper page.
Writes join the store's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import orjson

from papersift.store.reader_rows import hidden_from

# The id a private copy gets when another reader's private paper already holds its own id
# (ids are unique): readers never share, or see, each other's copies.
PRIVATE_ID_PREFIX = "private"


def hidden_sql(viewer: int | None) -> tuple[str, list[int]]:
    """A condition (starting with AND) on `papers` keeping what `viewer` may see; None: all."""
    if viewer is None:
        return "", []
    return (
        "AND NOT EXISTS (SELECT 1 FROM private_papers pp "
        "WHERE pp.paper_rowid = papers.rowid AND pp.user_id != ?)",
        [viewer],
    )


def private_id(user_id: int, paper_id: str) -> str:
    return f"{PRIVATE_ID_PREFIX}:{user_id}:{paper_id}"


def _json(rowids: Sequence[int]) -> str:
    return orjson.dumps(sorted({int(r) for r in rowids})).decode()


class SqlitePrivatePapers:
    """Which papers are private, and to whom; sharing the store's connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def owners(self, rowids: Sequence[int]) -> dict[int, int]:
        """{rowid: the reader it is private to} for those of `rowids` that are private."""
        if not rowids:
            return {}
        return {
            int(rowid): int(user)
            for rowid, user in self.db.execute(
                "SELECT paper_rowid, user_id FROM private_papers "
                "WHERE paper_rowid IN (SELECT value FROM json_each(?))",
                (_json(rowids),),
            )
        }

    def hidden(self, rowids: Sequence[int], viewer: int | None) -> set[int]:
        """Those of `rowids` that `viewer` may not see (private to someone else)."""
        if viewer is None:
            return set()
        return hidden_from(self.owners(rowids), viewer)

    def hidden_count(self, viewer: int | None) -> int:
        """How many papers `viewer` may not see."""
        if viewer is None:
            return 0
        row = self.db.execute(
            "SELECT count(*) FROM private_papers WHERE user_id != ?", (viewer,)
        ).fetchone()
        return int(row[0])

    def count(self, user_id: int) -> int:
        """How many papers are private to this reader."""
        row = self.db.execute(
            "SELECT count(*) FROM private_papers WHERE user_id = ?", (user_id,)
        ).fetchone()
        return int(row[0])

    def mark(self, rowids: Sequence[int], user_id: int) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO private_papers(paper_rowid, user_id) VALUES (?, ?)",
            [(int(r), user_id) for r in rowids],
        )

    def promote(self, rowids: Sequence[int]) -> int:
        """Make these papers public; returns how many were private."""
        if not rowids:
            return 0
        cur = self.db.execute(
            "DELETE FROM private_papers WHERE paper_rowid IN (SELECT value FROM json_each(?))",
            (_json(rowids),),
        )
        return cur.rowcount
