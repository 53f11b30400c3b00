"""Users and passwords (`papersift.accounts`): hashes, new-account rules, login, listing."""

from __future__ import annotations

import pytest

from papersift import accounts
from papersift.errors import UsageError
from papersift.store import LOCAL_USER
from tests.backends import open_backend

PASSWORD = "correct horse battery"


def test_passwords_hash_and_verify() -> None:
    stored = accounts.hash_password("a long passphrase")
    assert stored.startswith("$argon2id$")
    assert accounts.password_matches(stored, "a long passphrase")
    assert not accounts.password_matches(stored, "a long passphrase!")
    assert not accounts.password_matches("not a hash", "x")
    assert not accounts.password_matches(None, "x")


def test_accounts_are_made_found_and_listed(store_location: str) -> None:
    store = open_backend(store_location)
    try:
        assert accounts.list_accounts(store) == []
        alice = accounts.create_user(store, "alice", PASSWORD)
        assert alice.id != LOCAL_USER
        assert accounts.authenticate(store, "alice", PASSWORD) == alice
        assert accounts.authenticate(store, "alice", PASSWORD + "!") is None
        assert accounts.authenticate(store, "nobody", PASSWORD) is None
        assert accounts.authenticate(store, "local", PASSWORD) is None, "no password, no login"
        assert accounts.user_by_id(store, alice.id) == alice
        assert accounts.user_by_id(store, LOCAL_USER) is None, "the local reader is no account"
        with pytest.raises(UsageError, match="the name 'alice' is taken"):
            accounts.create_user(store, "alice", "another long password")
        with pytest.raises(UsageError, match="is reserved"):
            accounts.create_user(store, "Local", PASSWORD)
        listed = accounts.list_accounts(store)
        assert [(a.id, a.name) for a in listed] == [(alice.id, "alice")]
        assert "argon2" not in repr(listed[0]), "a hash is not printed by accident"
    finally:
        store.close()


def test_a_new_password_ends_sessions_and_a_removed_name_can_be_made_again(
    store_location: str,
) -> None:
    store = open_backend(store_location)
    try:
        alice = accounts.create_user(store, "alice", PASSWORD)
        changed = accounts.change_password(store, "ALICE", "another long passphrase")
        assert changed.session_generation == alice.session_generation + 1
        assert accounts.authenticate(store, "alice", PASSWORD) is None
        assert accounts.authenticate(store, "Alice", "another long passphrase") == changed
        accounts.end_sessions(store, changed)
        after = accounts.user_by_id(store, alice.id)
        assert after is not None and after.session_generation == changed.session_generation + 1
        assert accounts.remove_user(store, "alice").id == alice.id
        with pytest.raises(UsageError, match="no account 'alice'"):
            accounts.remove_user(store, "alice")
        again = accounts.create_user(store, "Alice", PASSWORD)
        assert again.id > alice.id and accounts.user_by_id(store, alice.id) is None
    finally:
        store.close()
