"""Accounts for `serve --multi-user`: argon2 hashes, session users, CSRF tokens, login limits.

Single-user mode has no accounts (everything belongs to the local reader, user 1) but still
uses the session cookie for its CSRF token: a page on another site must not be able to like
papers in the reader's browser by posting to 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import sqlite3
import threading
import time
from collections import deque
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from papersift.errors import UsageError
from papersift.store.library import LOCAL_USER
from papersift.store.sqlite import SqliteStore

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MIN_PASSWORD = 8
# argon2 hashes anything, but a megabyte-long "password" is a cheap way to burn server CPU.
MAX_PASSWORD = 1024
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$")
# The local reader's row exists in every store; nobody may log in as it.
RESERVED_NAMES = frozenset({"local"})


@dataclass(frozen=True)
class User:
    id: int
    name: str


LOCAL_READER = User(LOCAL_USER, "local")


def _hasher() -> Any:
    from argon2 import PasswordHasher

    # argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4): ~50 ms a check.
    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def password_matches(stored_hash: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    if stored_hash is None:
        return False
    try:
        return bool(_hasher().verify(stored_hash, password))
    except (VerificationError, InvalidHashError):
        return False


# Verified when the name is unknown, so a wrong name costs as long as a wrong password and the
# response time does not tell which names exist.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(16))
    return _DUMMY_HASH


def check_new_account(name: str, password: str) -> str | None:
    """Why this name and password cannot make an account, or None if they can."""
    if not USER_NAME.match(name):
        return (
            "a user name is 2-40 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    if name.lower() in RESERVED_NAMES:
        return f"the name {name!r} is reserved"
    if len(password) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"a password has at most {MAX_PASSWORD} characters"
    return None


def create_user(store: SqliteStore, name: str, password: str) -> User:
    """A new account with its own empty library; UsageError if the name is taken or invalid."""
    problem = check_new_account(name, password)
    if problem:
        raise UsageError(problem)
    password_hash = hash_password(password)
    try:
        with store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO users(name, password_hash, created_at) VALUES (?, ?, ?)",
                (name, password_hash, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
    except sqlite3.IntegrityError:
        raise UsageError(f"the name {name!r} is taken") from None
    return User(int(cursor.lastrowid or 0), name)


def authenticate(store: SqliteStore, name: str, password: str) -> User | None:
    row = store.db.execute(
        "SELECT id, name, password_hash FROM users WHERE name = ?", (name,)
    ).fetchone()
    if row is None or row[2] is None:
        password_matches(_dummy_hash(), password)
        return None
    if not password_matches(row[2], password):
        return None
    return User(int(row[0]), str(row[1]))


def user_by_id(store: SqliteStore, user_id: int) -> User | None:
    row = store.db.execute(
        "SELECT id, name FROM users WHERE id = ? AND password_hash IS NOT NULL", (user_id,)
    ).fetchone()
    return None if row is None else User(int(row[0]), str(row[1]))


# --- the session ---------------------------------------------------------------------------


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """This session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_valid(session: MutableMapping[str, Any], sent: str | None) -> bool:
    expected = session.get("csrf")
    if not isinstance(expected, str) or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


def log_in(session: MutableMapping[str, Any], user: User) -> None:
    # A fresh CSRF token with the new identity: a token planted before login is worthless.
    session.clear()
    session["uid"] = user.id
    csrf_token(session)


def log_out(session: MutableMapping[str, Any]) -> None:
    session.clear()


def session_user_id(session: MutableMapping[str, Any]) -> int | None:
    uid = session.get("uid")
    return uid if isinstance(uid, int) and uid > 0 else None


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site only, never `//evil.example` or a URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ch.isspace() or not ch.isprintable() for ch in target):
        return "/"
    return target


# --- login rate limit ----------------------------------------------------------------------


class LoginLimiter:
    """At most `attempts` failed logins per key (client address, user name) in `window` s.

    In memory: a restart forgets, which is fine for slowing down password guessing; the
    argon2 cost bounds what gets through. Keys are checked before the password is hashed, so a
    flood of guesses costs the server nothing once limited.
    """

    def __init__(self, attempts: int = 5, window: float = 60.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, *keys: str) -> int:
        """Seconds until these keys may try again (0: now)."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.attempts:
                    wait = max(wait, failures[0] + self.window - now)
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures
