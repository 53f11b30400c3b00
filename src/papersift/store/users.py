"""The accounts table in SQLite: names, password hashes (made by `papersift.accounts`), dates,
roles and session generations."""

from __future__ import annotations

import sqlite3

from papersift.store.base import Account
from papersift.store.reader_rows import ACCOUNT_COLUMNS as _COLUMNS
from papersift.store.reader_rows import account_from_row as _account
from papersift.store.reader_rows import seconds_stamp


class SqliteUsers:
    """The store's accounts, sharing its connection (and so its transactions)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def add(self, name: str, password_hash: str, admin: bool = False) -> int | None:
        """The new account's id, or None if the name is taken (in any letter case).

        The first account is an admin whatever `admin` says: someone must be able to see the
        server's configuration. Call it inside a transaction, so the name check and the insert
        hold the write lock together.
        """
        taken = self.db.execute(
            "SELECT 1 FROM users WHERE name = ? COLLATE NOCASE", (name,)
        ).fetchone()
        if taken is not None:
            return None
        first = (
            self.db.execute(
                "SELECT 1 FROM users WHERE password_hash IS NOT NULL LIMIT 1"
            ).fetchone()
            is None
        )
        try:
            cursor = self.db.execute(
                "INSERT INTO users(name, password_hash, created_at, is_admin) VALUES (?, ?, ?, ?)",
                (
                    name,
                    password_hash,
                    seconds_stamp(),
                    int(admin or first),
                ),
            )
        except sqlite3.IntegrityError:
            return None
        return int(cursor.lastrowid or 0)

    def named(self, name: str) -> Account | None:
        """The user called `name` in any letter case (the local reader too: it has no password).

        Stores from before names were unique regardless of case may hold `alice` and `ALICE`:
        the exact spelling wins, then the oldest.
        """
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM users WHERE name = ? COLLATE NOCASE "
            "ORDER BY name = ? DESC, id LIMIT 1",
            (name, name),
        ).fetchone()
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

    def set_password(self, user_id: int, password_hash: str) -> bool:
        """A new password hash; every session of the account ends. False: no such account."""
        cursor = self.db.execute(
            "UPDATE users SET password_hash = ?, session_generation = session_generation + 1 "
            "WHERE id = ? AND password_hash IS NOT NULL",
            (password_hash, user_id),
        )
        return cursor.rowcount > 0

    def end_sessions(self, user_id: int) -> None:
        """Every session cookie issued to this account stops working."""
        self.db.execute(
            "UPDATE users SET session_generation = session_generation + 1 WHERE id = ?",
            (user_id,),
        )

    def remove(self, user_id: int) -> bool:
        """Delete an account with its library and digests (the foreign keys cascade).

        Its id is never given again (AUTOINCREMENT), so its old session cookies name nobody,
        and papers only its imports brought stay private to that id: seen by no one until an
        admin promotes them.
        """
        cursor = self.db.execute(
            "DELETE FROM users WHERE id = ? AND password_hash IS NOT NULL", (user_id,)
        )
        return cursor.rowcount > 0
