"""The accounts table in SQLite: names, password hashes (made by `papersift.accounts`), dates."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from papersift.store.base import Account

_COLUMNS = "id, name, created_at, password_hash"


def _account(row: Any) -> Account:
    user_id, name, created_at, password_hash = row
    return Account(int(user_id), str(name), dt.datetime.fromisoformat(created_at), password_hash)


class SqliteUsers:
    """The store's accounts, sharing its connection (and so its transactions)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def add(self, name: str, password_hash: str) -> int | None:
        """The new account's id, or None if the name is taken."""
        try:
            cursor = self.db.execute(
                "INSERT INTO users(name, password_hash, created_at) VALUES (?, ?, ?)",
                (name, password_hash, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
        except sqlite3.IntegrityError:
            return None
        return int(cursor.lastrowid or 0)

    def named(self, name: str) -> Account | None:
        """The user called `name` (the local reader too: it has no password)."""
        row = self.db.execute(f"SELECT {_COLUMNS} FROM users WHERE name = ?", (name,)).fetchone()
        return None if row is None else _account(row)

    def account(self, user_id: int) -> Account | None:
        """The account with this id; None for the local reader, which is no account."""
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM users WHERE id = ? AND password_hash IS NOT NULL", (user_id,)
        ).fetchone()
        return None if row is None else _account(row)

    def accounts(self) -> list[Account]:
        """Every account (not the local reader), oldest first."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM users WHERE password_hash IS NOT NULL ORDER BY id"
        )
        return [_account(row) for row in rows]
