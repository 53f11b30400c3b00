"""Where papers are kept: ALL of papersift's SQL lives in this package.

SQLite by default; `open_store` picks the file, or, for a `postgresql://` URL, a PostgreSQL
database (`store.postgres`, needing psycopg). The rest of papersift codes against the
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
    "default_location",
    "is_url",
    "open_store",
    "watch_commits",
]


def is_url(location: str | os.PathLike[str]) -> bool:
    """Whether a store location names a PostgreSQL server rather than a SQLite file."""
    from papersift.store.postgres.connection import is_url as _is_url

    return isinstance(location, str) and _is_url(location)


def default_location() -> str | Path:
    """`PAPERSIFT_DB` (a SQLite path or a postgresql:// URL) if set, else `default_db_path()`."""
    env = os.environ.get("PAPERSIFT_DB")
    if env and is_url(env):
        return env
    return default_db_path()


def default_db_path() -> Path:
    """`PAPERSIFT_DB` if set, else papersift.db in the platform's user data dir."""
    env = os.environ.get("PAPERSIFT_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("papersift", appauthor=False)) / "papersift.db"


def open_store(
    location: str | os.PathLike[str] | None = None,
    notice: Callable[[str], None] | None = None,
    *,
    lock_wait: float = LOCK_WAIT_SECONDS,
) -> Store:
    """The store at `location` (default: `default_location()`): a postgresql:// URL opens
    a PostgreSQL store, anything else a SQLite file. `notice` hears of slow repairs; a write
    waits `lock_wait` seconds for another process's lock before `StoreBusy`."""
    where = location if location is not None else default_location()
    if is_url(where):
        from papersift.store.postgres.store import PgStore

        return PgStore(str(where), lock_wait=lock_wait)
    return SqliteStore(Path(where), notice, lock_wait=lock_wait)


def watch_commits(location: str | os.PathLike[str]) -> CommitWatch:
    """A cheap way to tell whether anyone committed to the store at `location` since last time."""
    if is_url(location):
        from papersift.store.postgres.commit_watch import PgCommitWatch

        return PgCommitWatch(str(location))
    return SqliteCommitWatch(Path(location))
