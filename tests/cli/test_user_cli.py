"""`papersift user add|list` and `serve --multi-user --no-signup`: accounts made by the admin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx

from papersift.accounts import authenticate
from papersift.store import open_store
from tests.web.conftest import free_port

PASSWORD = "correct horse battery"


def test_user_add_creates_an_account_that_can_log_in(run) -> None:
    added = run("user", "add", "alice", "--password-stdin", stdin=f"{PASSWORD}\n".encode())
    assert added.code == 0, added.err
    assert "Created account 'alice'" in added.out
    listed = run("user", "list", "--json")
    assert [account["name"] for account in json.loads(listed.out)] == ["alice"]
    store = open_store(run.db)
    try:
        assert authenticate(store, "alice", PASSWORD) is not None
        assert authenticate(store, "alice", PASSWORD + "!") is None
    finally:
        store.close()


def test_user_add_refuses_a_taken_name_and_a_short_password(run) -> None:
    run("user", "add", "alice", "--password-stdin", stdin=f"{PASSWORD}\n".encode())
    taken = run("user", "add", "alice", "--password-stdin", stdin=b"another long password\n")
    assert taken.code == 2 and taken.err.strip() == "error: the name 'alice' is taken"
    short = run("user", "add", "bob", "--password-stdin", stdin=b"abc\n")
    assert short.code == 2 and "password needs at least" in short.err
    assert "Traceback" not in taken.err + short.err
    assert [a["name"] for a in json.loads(run("user", "list", "--json").out)] == ["alice"]


def test_user_list_without_accounts_says_how_to_make_one(run) -> None:
    listed = run("user", "list")
    assert listed.code == 0 and "papersift user add NAME" in listed.out


def test_no_signup_needs_multi_user(run) -> None:
    result = run("serve", "--no-signup")
    assert result.code == 2
    assert "--no-signup only applies with --multi-user" in result.err


def test_serve_without_signup_lets_only_existing_accounts_in(run) -> None:
    run("user", "add", "alice", "--password-stdin", stdin=f"{PASSWORD}\n".encode())
    port = free_port()
    env = {**os.environ, "PAPERSIFT_DB": str(run.db), "NO_COLOR": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "papersift.cli", "serve", "--multi-user", "--no-signup"]
        + ["--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        login = _wait_for(server, f"{base}/login")
        assert login.status_code == 200
        assert 'href="/register"' not in login.text
        assert httpx.get(f"{base}/register", timeout=10).status_code == 404
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_for(server: subprocess.Popen[bytes], url: str) -> httpx.Response:
    deadline = time.monotonic() + 120
    while True:
        try:
            return httpx.get(url, timeout=10)
        except httpx.TransportError:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
