"""The accounts table in PostgreSQL (twin of `store.users`): names, password hashes (made by
`papersift.accounts`), dates, roles and session generations."""

from __future__ import annotations

from typing import Any

from papersift.store.base import Account
from papersift.store.postgres.connection import import_psycopg
from papersift.store.reader_rows import ACCOUNT_COLUMNS, account_from_row, seconds_stamp

# A key `add` holds to its transaction's end, so two accounts made at once on a new server
# cannot both be "the first" (and so both admins); other writes to `users` do not wait on it.
_ADD_LOCK = 0x70617075  # "papu"


class PgUsers:
    """The store's accounts, sharing its connection (and so its transactions)."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def add(self, name: str, password_hash: str, admin: bool = False) -> int | None:
        """The new account's id, or None if the name is taken (in any letter case).

        The first account is an admin whatever `admin` says: someone must be able to see the
        server's configuration. Safe when called at once from many connections: the unique
        index on lower(name) refuses a second `alice`, however it is spelled.
        """
        psycopg = import_psycopg()
        try:
            with self.db.transaction():  # inside the store's transaction: a savepoint
                self.db.execute("SELECT pg_advisory_xact_lock(%s)", (_ADD_LOCK,))
                first = (
                    self.db.execute(
                        "SELECT 1 FROM users WHERE password_hash IS NOT NULL LIMIT 1"
                    ).fetchone()
                    is None
                )
                row = self.db.execute(
                    "INSERT INTO users(name, password_hash, created_at, is_admin) "
                    "VALUES (%s, %s, %s, %s) RETURNING id",
                    (name, password_hash, seconds_stamp(), int(admin or first)),
                ).fetchone()
        except psycopg.errors.UniqueViolation:
            return None
        return int(row[0])

    def named(self, name: str) -> Account | None:
        """The user called `name` in any letter case (the local reader too: it has no password).

        The exact spelling wins, then the oldest (as in SQLite, whose older stores may hold
        `alice` and `ALICE`; this schema never does).
        """
        row = self.db.execute(
            f"SELECT {ACCOUNT_COLUMNS} FROM users WHERE lower(name) = lower(%s) "
            "ORDER BY name = %s DESC, id LIMIT 1",
            (name, name),
        ).fetchone()
        return None if row is None else account_from_row(row)

    def account(self, user_id: int) -> Account | None:
        """The account with this id; None for the local reader, which is no account."""
        row = self.db.execute(
            f"SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = %s AND password_hash IS NOT NULL",
            (user_id,),
        ).fetchone()
        return None if row is None else account_from_row(row)

    def accounts(self) -> list[Account]:
        """Every account (not the local reader), oldest first."""
        rows = self.db.execute(
            f"SELECT {ACCOUNT_COLUMNS} FROM users WHERE password_hash IS NOT NULL ORDER BY id"
        )
        return [account_from_row(row) for row in rows]

    def set_password(self, user_id: int, password_hash: str) -> bool:
        """A new password hash; every session of the account ends. False: no such account."""
        cur = self.db.execute(
            "UPDATE users SET password_hash = %s, session_generation = session_generation + 1 "
            "WHERE id = %s AND password_hash IS NOT NULL",
            (password_hash, user_id),
        )
        return bool(cur.rowcount > 0)

    def end_sessions(self, user_id: int) -> None:
        """Every session cookie issued to this account stops working."""
        self.db.execute(
            "UPDATE users SET session_generation = session_generation + 1 WHERE id = %s",
            (user_id,),
        )

    def remove(self, user_id: int) -> bool:
        """Delete an account with its library and digests (the foreign keys cascade).

        Its id is never given again (an identity column), so its old session cookies name
        nobody, and papers only its imports brought stay private to that id.
        """
        cur = self.db.execute(
            "DELETE FROM users WHERE id = %s AND password_hash IS NOT NULL", (user_id,)
        )
        return bool(cur.rowcount > 0)
