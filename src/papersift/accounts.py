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


# The worst passwords (the top of the public breach-frequency lists, plus papersift's own
# name): a guesser tries these first, so the five attempts a minute the login limit allows
# would find them.
COMMON_PASSWORDS = frozenset(
    """
    password password1 password12 password123 passw0rd p@ssw0rd p@ssword 12345678 123456789
    1234567890 0123456789 87654321 11111111 00000000 12341234 11223344 qwertyui qwertyuiop
    qwerty123 qwerty12 1q2w3e4r 1q2w3e4r5t 1qaz2wsx zaq12wsx asdfghjk asdfghjkl zxcvbnm1
    iloveyou iloveyou1 sunshine princess football baseball superman starwars whatever trustno1
    welcome1 welcome123 letmein1 letmein123 changeme changeme1 admin123 administrator abc12345
    abcd1234 aa123456 monkey123 dragon123 computer internet michael1 jennifer master123
    shadow123 secret123 mustang1 charlie1 liverpool chelsea1 password! qwertyqwerty papersift
    papersift1 papersift123
    """.split()
)


@dataclass(frozen=True)
class User:
    id: int
    name: str
    # Admins see the server's configuration; the local reader of single-user mode is the
    # operator and so counts as one.
    admin: bool = False
    session_generation: int = 0


LOCAL_READER = User(LOCAL_USER, "local", admin=True)


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


def check_password(name: str, password: str) -> str | None:
    """Why `password` is too weak for the account `name`, or None if it will do.

    Length alone let `password`, eight spaces and the user's own name through; these are
    what a guesser tries first.
    """
    if len(password) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"a password has at most {MAX_PASSWORD} characters"
    folded = password.casefold()
    if len(set(folded.strip())) < 4:
        return "a password needs at least 4 different characters (not spaces)"
    if folded.strip() in COMMON_PASSWORDS:
        return "that password is on the list of the most common ones; choose another"
    if name.casefold() in folded:
        return "a password must not contain the user name"
    return None


def check_new_account(name: str, password: str) -> str | None:
    """Why this name and password cannot make an account, or None if they can."""
    if not USER_NAME.match(name):
        return (
            "a user name is 2-40 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    if name.lower() in RESERVED_NAMES:
        return f"the name {name!r} is reserved"
    return check_password(name, password)


def _user(account: Account) -> User:
    return User(account.id, account.name, account.is_admin, account.session_generation)


def create_user(store: Store, name: str, password: str, *, admin: bool = False) -> User:
    """A new account with its own empty library; UsageError if the name is taken (in any
    letter case) or invalid. The first account is an admin, as is one made with `admin`."""
    problem = check_new_account(name, password)
    if problem:
        raise UsageError(problem)
    password_hash = hash_password(password)
    with store.transaction():
        user_id = store.users().add(name, password_hash, admin)
        account = store.users().account(user_id) if user_id is not None else None
    if account is None:
        raise UsageError(f"the name {name!r} is taken")
    return _user(account)


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The account if `password` is its password, else None (in about the same time)."""
    account = store.users().named(name)
    if account is None or account.password_hash is None:
        password_matches(_dummy_hash(), password)
        return None
    if not password_matches(account.password_hash, password):
        return None
    return _user(account)


def user_by_id(store: Store, user_id: int) -> User | None:
    """The account with this id (a session's); None for the local reader or no account."""
    account = store.users().account(user_id)
    return None if account is None else _user(account)


def _existing(store: Store, name: str) -> Account:
    account = store.users().named(name)
    if account is None or account.password_hash is None:
        raise UsageError(f"no account {name!r} (`papersift user list` shows them)")
    return account


def change_password(store: Store, name: str, password: str) -> User:
    """Set the account's password; every session it has ends (log in again with the new one)."""
    account = _existing(store, name)
    problem = check_password(account.name, password)
    if problem:
        raise UsageError(problem)
    password_hash = hash_password(password)
    with store.transaction():
        store.users().set_password(account.id, password_hash)
        changed = store.users().account(account.id)
    if changed is None:
        raise UsageError(f"no account {name!r} (removed meanwhile)")
    return _user(changed)


def end_sessions(store: Store, user: User) -> None:
    """Log the account out everywhere: every session cookie issued so far stops working."""
    with store.transaction():
        store.users().end_sessions(user.id)


def remove_user(store: Store, name: str) -> User:
    """Delete the account with its library and digests; its sessions end, its id is not reused."""
    account = _existing(store, name)
    with store.transaction():
        store.users().remove(account.id)
    return _user(account)


def list_accounts(store: Store) -> list[Account]:
    """Every account (the local reader is none), oldest first."""
    return store.users().accounts()
