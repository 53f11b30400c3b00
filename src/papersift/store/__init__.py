"""Where papers are kept. SQLite by default; `open_store` picks the file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from papersift.store.base import Store, UpsertCounts
from papersift.store.sqlite import SqliteStore

__all__ = ["Store", "SqliteStore", "UpsertCounts", "default_db_path", "open_store"]


def default_db_path() -> Path:
    """`PAPERSIFT_DB` if set, else papersift.db in the platform's user data dir."""
    env = os.environ.get("PAPERSIFT_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("papersift", appauthor=False)) / "papersift.db"


def open_store(
    path: Path | None = None, notice: Callable[[str], None] | None = None
) -> SqliteStore:
    """The store at `path` (default: `default_db_path()`); `notice` hears of slow repairs."""
    return SqliteStore(path or default_db_path(), notice)
