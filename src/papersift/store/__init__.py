"""Where papers are kept: ALL of papersift's SQL lives in this package.

SQLite by default; `open_store` picks the file. The rest of papersift codes against the
protocols of `store.base` (`Store`, `Library`, `Archive`, `Users`), which name only records
and plain types, so that a server database can implement them too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from papersift.store.base import LOCAL_USER, CommitWatch, Store, UpsertCounts
from papersift.store.sqlite import LOCK_WAIT_SECONDS, SqliteCommitWatch, SqliteStore

__all__ = [
    "LOCAL_USER",
    "CommitWatch",
    "SqliteStore",
    "Store",
    "UpsertCounts",
    "default_db_path",
    "open_store",
    "watch_commits",
]


def default_db_path() -> Path:
    """`PAPERSIFT_DB` if set, else papersift.db in the platform's user data dir."""
    env = os.environ.get("PAPERSIFT_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("papersift", appauthor=False)) / "papersift.db"


def open_store(
    path: Path | None = None,
    notice: Callable[[str], None] | None = None,
    *,
    lock_wait: float = LOCK_WAIT_SECONDS,
) -> SqliteStore:
    """The store at `path` (default: `default_db_path()`); `notice` hears of slow repairs; a
    write waits `lock_wait` seconds for another process's lock before `StoreBusy`."""
    return SqliteStore(path or default_db_path(), notice, lock_wait=lock_wait)


def watch_commits(path: Path) -> CommitWatch:
    """A cheap way to tell whether anyone committed to the store at `path` since last time."""
    return SqliteCommitWatch(path)
