"""Papers private to the reader whose import created them, in PostgreSQL (twin of
`store.private`): which papers are private and to whom, and `hidden_sql`, the condition the
store's read paths add so other readers' private papers never reach a viewer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from papersift.store.reader_rows import hidden_from


def hidden_sql(viewer: int | None) -> tuple[str, list[int]]:
    """A condition (starting with AND) on `papers` keeping what `viewer` may see; None: all."""
    if viewer is None:
        return "", []
    return (
        "AND NOT EXISTS (SELECT 1 FROM private_papers pp "
        "WHERE pp.paper_rowid = papers.rowid AND pp.user_id <> %s)",
        [viewer],
    )


class PgPrivatePapers:
    """Which papers are private, and to whom; sharing the store's connection."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def owners(self, rowids: Sequence[int]) -> dict[int, int]:
        """{rowid: the reader it is private to} for those of `rowids` that are private."""
        if not rowids:
            return {}
        rows = self.db.execute(
            "SELECT paper_rowid, user_id FROM private_papers WHERE paper_rowid = ANY(%s)",
            ([int(r) for r in rowids],),
        )
        return {int(rowid): int(user) for rowid, user in rows}

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
            "SELECT count(*) FROM private_papers WHERE user_id <> %s", (viewer,)
        ).fetchone()
        return int(row[0])

    def count(self, user_id: int) -> int:
        """How many papers are private to this reader."""
        row = self.db.execute(
            "SELECT count(*) FROM private_papers WHERE user_id = %s", (user_id,)
        ).fetchone()
        return int(row[0])

    def mark(self, rowids: Sequence[int], user_id: int) -> None:
        """Make these papers private to `user_id` (whoever they were private to before)."""
        if not rowids:
            return
        self.db.execute(
            "INSERT INTO private_papers(paper_rowid, user_id) "
            "SELECT DISTINCT rowid, %s::bigint FROM unnest(%s::bigint[]) AS rowid "
            "ON CONFLICT (paper_rowid) DO UPDATE SET user_id = excluded.user_id",
            (user_id, [int(r) for r in rowids]),
        )

    def promote(self, rowids: Sequence[int]) -> int:
        """Make these papers public; returns how many were private."""
        if not rowids:
            return 0
        cur = self.db.execute(
            "DELETE FROM private_papers WHERE paper_rowid = ANY(%s)",
            ([int(r) for r in rowids],),
        )
        return int(cur.rowcount)
