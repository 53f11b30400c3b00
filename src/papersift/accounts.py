"""Users and passwords for `serve --multi-user` and `papersift user`: argon2 hashes, no HTTP.

Single-user mode has no accounts: everything belongs to the local reader (`LOCAL_READER`),
whose row every store has and as whom nobody can log in. The rows live in the store
(`store.users()`); this module decides what a valid account is and checks passwords.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from papersift.errors import UsageError
from papersift.store.base import LOCAL_USER, Account, Store

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

    # argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4): slow on purpose,
    # so guessing is costly, and paid once a sign-in, not a request
    # (docs/benchmarks.md#costs-the-server-works-around).
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


def create_user(store: Store, name: str, password: str) -> User:
    """A new account with its own empty library; UsageError if the name is taken or invalid."""
    problem = check_new_account(name, password)
    if problem:
        raise UsageError(problem)
    password_hash = hash_password(password)
    with store.transaction():
        user_id = store.users().add(name, password_hash)
    if user_id is None:
        raise UsageError(f"the name {name!r} is taken")
    return User(user_id, name)


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The account if `password` is its password, else None (in about the same time)."""
    account = store.users().named(name)
    if account is None or account.password_hash is None:
        password_matches(_dummy_hash(), password)
        return None
    if not password_matches(account.password_hash, password):
        return None
    return User(account.id, account.name)


def user_by_id(store: Store, user_id: int) -> User | None:
    """The account with this id (a session's); None for the local reader or no account."""
    account = store.users().account(user_id)
    return None if account is None else User(account.id, account.name)


def list_accounts(store: Store) -> list[Account]:
    """Every account (the local reader is none), oldest first."""
    return store.users().accounts()
