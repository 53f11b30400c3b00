"""Opening a store on either backend, and putting papers in it, for tests that run on both.

`open_backend` takes what the `store_location` fixture gives (a SQLite file's path or a
PostgreSQL URL). `add_papers` stores papers through `upsert` where the store has one; until the
PostgreSQL store's paper half lands, there it inserts their rows directly (the same columns an
upsert writes), so the per-reader tests need nothing but the protocols.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from papersift.records import Paper
from papersift.store import open_store
from papersift.store.postgres.connection import is_url
from papersift.store.rows import PAPER_COLUMNS, paper_to_row


def open_backend(location: str) -> Any:
    if is_url(location):
        from papersift.store.postgres.store import PgStore

        return PgStore(location)
    return open_store(Path(location))


def is_postgres(store: Any) -> bool:
    return type(store).__name__.startswith("Pg")


def add_papers(store: Any, papers: Sequence[Paper]) -> list[int]:
    """Store these papers; their rowids, in order."""
    if hasattr(store, "upsert"):
        store.upsert(list(papers))
        rowids = [store.rowid_of(p.id) for p in papers]
        assert None not in rowids
        return [int(r) for r in rowids]
    columns = ", ".join(PAPER_COLUMNS)
    values = ", ".join(["%s"] * len(PAPER_COLUMNS))
    found = []
    for paper in papers:
        row = store.db.execute(
            f"INSERT INTO papers(rowid, {columns}) "
            f"VALUES ((SELECT coalesce(max(rowid), 0) + 1 FROM papers), {values}) "
            "RETURNING rowid",
            paper_to_row(paper),
        ).fetchone()
        found.append(int(row[0]))
    return found


def make_private(store: Any, rowids: Sequence[int], user_id: int) -> None:
    """Mark papers private to a reader, as a private upsert does."""
    with store.transaction():
        store.private_papers().mark(rowids, user_id)


def run_cli(db: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`papersift --db DB ARGS...` in a new process, as a user runs it (no PAPERSIFT_DB)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("PAPERSIFT_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "papersift.cli", "--db", db, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
