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
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
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
    # The cookie is only signed, so a copy of it would outlive a logout; the account's session
    # generation, checked on every request, is what logout and a new password bump.
    session["gen"] = user.session_generation
    csrf_token(session)


def log_out(session: MutableMapping[str, Any]) -> None:
    session.clear()


def session_user_id(session: MutableMapping[str, Any]) -> int | None:
    uid = session.get("uid")
    return uid if isinstance(uid, int) and uid > 0 else None


def session_is_current(session: MutableMapping[str, Any], user: User) -> bool:
    """Whether the session was issued under the account's current generation."""
    generation = session.get("gen")
    return isinstance(generation, int) and generation == user.session_generation


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site only, never `//evil.example` or a URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ch.isspace() or not ch.isprintable() for ch in target):
        return "/"
    return target


# --- login rate limit ----------------------------------------------------------------------


class LoginLimiter:
    """At most `attempts` logins per key (client address, user name) in `window` s, then 429.

    An attempt is recorded before its password is checked, in one step with the check of the
    limit: checking first and counting the failure after the (slow) hash let 60 simultaneous
    guesses through where 5 were allowed. A successful login forgets its account's attempts.
    In memory: a restart forgets, which is fine for slowing down password guessing.
    """

    def __init__(self, attempts: int = 5, window: float = 60.0) -> None:
        self.attempts = attempts
        self.window = window
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def attempt(self, *keys: str, limits: Sequence[int] | None = None) -> int:
        """Record an attempt for every key and return 0, or, if one key has had its limit (the
        matching one in `limits`, else `attempts`), record nothing and return the seconds to
        wait."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for index, key in enumerate(keys):
                limit = limits[index] if limits is not None else self.attempts
                recent = self._recent(key, now)
                if len(recent) >= limit:
                    wait = max(wait, recent[0] + self.window - now)
            if wait > 0:
                return int(wait) + 1
            for key in keys:
                self._attempts.setdefault(key, deque()).append(now)
        return 0

    def retry_after(self, *keys: str) -> int:
        """Seconds until these keys may try again (0: now), recording nothing."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                recent = self._recent(key, now)
                if len(recent) >= self.attempts:
                    wait = max(wait, recent[0] + self.window - now)
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, *keys: str) -> None:
        """Record an attempt without checking the limit."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._attempts.setdefault(key, deque()).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._attempts.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        recent = self._attempts.get(key, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if not recent:
            self._attempts.pop(key, None)
        return recent


class PasswordSlots:
    """At most `slots` password hashes computed at once, server-wide.

    Each argon2 hash takes 64 MiB for its duration: 35 of them at once took a server from
    ~150 MB to 1.67 GB. A request that cannot get a slot within `wait` seconds is told to
    retry (503) instead of holding a worker thread.
    """

    def __init__(self, slots: int = 2, wait: float = 10.0) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self.wait = wait

    @contextmanager
    def slot(self) -> Iterator[bool]:
        """Yields whether a slot was had; the caller answers 503 if not."""
        acquired = self._slots.acquire(timeout=self.wait)
        try:
            yield acquired
        finally:
            if acquired:
                self._slots.release()
