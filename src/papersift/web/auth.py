"""The web's side of accounts: the session user, CSRF tokens, login limits, safe redirects.

Users and passwords are `papersift.accounts` (no HTTP). Single-user mode has no accounts
(everything belongs to the local reader) but still uses the session cookie for its CSRF token:
a page on another site must not be able to like papers in the reader's browser by posting to
127.0.0.1.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import MutableMapping
from typing import Any

from papersift.accounts import User

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


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
