"""`serve --multi-user` on a lab network (issue 21): each finding of the security test, tried
against a real `papersift serve` subprocess on 127.0.0.1 over real HTTP.

Every server gets its own copy of the test store and its own login limiter, so the tests do
not share attempts; accounts are made through the library (one argon2 hash each), not the
sign-up page, whose limit (10 an hour per address) the tests would exhaust.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from papersift.accounts import create_user, user_by_id
from papersift.store import open_store
from tests.web.conftest import free_port

PASSWORD = "correct horse battery"
LLM_URL = "https://llmuser:hunter2-llm-secret@llm.lab.example/v1"
SMTP_HOST = "smtp.operator.example"


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    db_path: Path

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **options)  # type: ignore[arg-type]

    def add_user(self, name: str, password: str = PASSWORD, admin: bool = False) -> int:
        store = open_store(self.db_path)
        try:
            return create_user(store, name, password, admin=admin).id
        finally:
            store.close()

    def log_in(self, name: str, password: str = PASSWORD) -> httpx.Client:
        client = self.client()
        response = client.post(
            "/login",
            data={"name": name, "password": password, "csrf_token": csrf(client)},
        )
        assert response.status_code == 303, response.text[:300]
        return client

    def status(self, field: str) -> int:
        """A /proc/<pid>/status memory figure of the server process, in bytes."""
        text = Path(f"/proc/{self.process.pid}/status").read_text()
        found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
        assert found, f"no {field} in /proc/{self.process.pid}/status"
        return int(found.group(1)) * 1024


@dataclass
class Ran:
    code: int
    out: str
    err: str


def cli(db: Path, *args: str, stdin: bytes | None = None) -> Ran:
    """`papersift ARGS` as a user runs it, over the store `db`."""
    env = {**os.environ, "PAPERSIFT_DB": str(db), "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "papersift.cli", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
    )
    return Ran(done.returncode, done.stdout.decode(), done.stderr.decode())


def csrf(client: httpx.Client) -> str:
    return str(client.get("/api/session").json()["csrf_token"])


@pytest.fixture
def start_server(db_path: Path, tmp_path: Path) -> Iterator[object]:
    """Starts `papersift serve --multi-user ...` on a free loopback port; stops it afterwards."""
    started: list[subprocess.Popen[bytes]] = []
    config = tmp_path / "config.toml"
    config.write_text(f'[email]\nhost = "{SMTP_HOST}"\nto = ["operator@lab.example"]\n')

    def start(*options: str, store: Path = db_path) -> Server:
        port = free_port()
        env = {
            **os.environ,
            "PAPERSIFT_DB": str(store),
            "PAPERSIFT_CONFIG": str(config),
            "PAPERSIFT_LLM_BASE_URL": LLM_URL,
            "NO_COLOR": "1",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "papersift.cli", "serve", "--multi-user", "--port", str(port)]
            + list(options),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/login", timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    message = process.stderr.read().decode() if process.stderr else ""
                    raise AssertionError(message) from None
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        return Server(url, process, store)

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- 3: sessions end, ids are not reused, names are unique in any case ----------------------


def test_a_copied_session_cookie_dies_at_logout(start_server) -> None:
    server = start_server()
    server.add_user("alice")
    alice = server.log_in("alice")
    stolen = server.client(cookies=dict(alice.cookies))
    assert stolen.get("/api/library").status_code == 200, "the copy works while alice is in"
    alice.post("/logout", data={"csrf_token": csrf(alice)})
    assert stolen.get("/api/library").status_code == 401
    assert stolen.get("/api/session").json()["user"] is None


def test_a_new_password_ends_every_session_and_the_old_one_stops_working(start_server) -> None:
    server = start_server()
    server.add_user("bob")
    laptop = server.log_in("bob")
    phone = server.log_in("bob")
    page = laptop.get("/account/password")
    assert page.status_code == 200 and "Change your password" in page.text
    new = "violet staircase humming"
    changed = laptop.post(
        "/account/password",
        data={"current": PASSWORD, "new": new, "repeat": new, "csrf_token": csrf(laptop)},
    )
    assert changed.status_code == 200 and "Your password is changed" in changed.text
    assert laptop.get("/api/session").json()["user"] == "bob", "the changing session stays in"
    assert phone.get("/api/library").status_code == 401, "every other session is out"
    fresh = server.client()
    old = fresh.post(
        "/login", data={"name": "bob", "password": PASSWORD, "csrf_token": csrf(fresh)}
    )
    assert old.status_code == 401
    server.log_in("bob", new)


def test_cli_passwd_and_remove_end_sessions_and_ids_are_not_reused(start_server) -> None:
    server = start_server()
    carol_id = server.add_user("carol")
    carol = server.log_in("carol")
    new = b"new pass phrase 7\n"
    passwd = cli(server.db_path, "user", "passwd", "carol", "--password-stdin", stdin=new)
    assert passwd.code == 0, passwd.err
    assert carol.get("/api/library").status_code == 401
    carol = server.log_in("carol", "new pass phrase 7")
    removed = cli(server.db_path, "user", "remove", "carol", "--yes")
    assert removed.code == 0, removed.err
    assert carol.get("/api/library").status_code == 401
    # The next account must not inherit carol's id, or her old cookie would log in as it.
    dave_id = server.add_user("dave")
    assert dave_id != carol_id
    assert carol.get("/api/session").json()["user"] is None


def test_names_are_unique_whatever_their_case(start_server) -> None:
    server = start_server()
    server.add_user("alice")
    client = server.client()
    taken = client.post(
        "/register", data={"name": "ALICE", "password": PASSWORD, "csrf_token": csrf(client)}
    )
    assert taken.status_code == 400 and "is taken" in taken.text
    assert server.log_in("Alice").get("/api/session").json()["user"] == "alice"


# --- 4: the login limit holds under a burst, and the burst cannot exhaust memory ------------


def test_parallel_wrong_logins_are_limited_and_memory_stays_bounded(start_server) -> None:
    server = start_server()
    server.add_user("erin")
    # The model loads in the background at start-up: wait for it, so its memory is not
    # mistaken for the burst's.
    warm = server.log_in("erin")
    assert warm.get("/api/search", params={"q": "speech", "mode": "semantic"}).status_code == 200
    rss_before = server.status("VmRSS")
    hwm_before = server.status("VmHWM")

    attacker = server.client()
    token = csrf(attacker)
    peak_rss = rss_before
    done = threading.Event()

    def watch() -> None:
        nonlocal peak_rss
        while not done.is_set():
            peak_rss = max(peak_rss, server.status("VmRSS"))
            time.sleep(0.01)

    def guess(i: int) -> int:
        with server.client(cookies=dict(attacker.cookies)) as client:
            response = client.post(
                "/login",
                data={"name": "erin", "password": f"guess number {i}", "csrf_token": token},
            )
            return response.status_code

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=60) as pool:
            codes = list(pool.map(guess, range(60)))
    finally:
        done.set()
        watcher.join()
    growth = max(peak_rss - rss_before, server.status("VmHWM") - hwm_before)
    # Two argon2 checks at a time (64 MiB each) plus slack; unbounded, 35 took 1.5 GB.
    assert growth < 300 << 20, f"the burst grew the server by {growth >> 20} MiB"
    checked = codes.count(401)
    assert checked == 5, f"{checked} password checks against a limit of 5: {sorted(codes)}"
    assert codes.count(429) == 55
    # Within the window the account is limited whoever asks, even with its password.
    late = server.client()
    response = late.post(
        "/login", data={"name": "erin", "password": PASSWORD, "csrf_token": csrf(late)}
    )
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0


def test_x_forwarded_for_is_not_believed_by_default(start_server) -> None:
    server = start_server()
    client = server.client()
    token = csrf(client)
    codes = [
        client.post(
            "/register",
            data={"name": "<bad name>", "password": PASSWORD, "csrf_token": token},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
        ).status_code
        for i in range(12)
    ]
    # Rotating the header must not make each request a new client to the sign-up limit.
    assert codes[:10] == [400] * 10 and codes[10:] == [429, 429], codes


def test_forwarded_for_is_believed_from_the_named_proxy(start_server) -> None:
    server = start_server("--forwarded-allow-ips", "127.0.0.1")
    client = server.client()
    token = csrf(client)
    codes = {
        client.post(
            "/register",
            data={"name": "<bad name>", "password": PASSWORD, "csrf_token": token},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
        ).status_code
        for i in range(12)
    }
    assert codes == {400}, "behind the named proxy each forwarded address is its own client"


# --- 2: the operator's configuration is for admins, and credentials are masked ---------------


def test_settings_show_the_configuration_to_admins_only_and_masked(start_server) -> None:
    server = start_server()
    server.add_user("admin1")  # the first account is the admin
    server.add_user("reader")
    admin_page = server.log_in("admin1").get("/settings").text
    assert SMTP_HOST in admin_page and str(server.db_path) in admin_page
    assert "https://llmuser:***@llm.lab.example/v1" in admin_page
    assert "hunter2-llm-secret" not in admin_page
    reader_page = server.log_in("reader").get("/settings")
    assert reader_page.status_code == 200
    for private in (SMTP_HOST, str(server.db_path), "llm.lab.example", "operator@lab.example"):
        assert private not in reader_page.text, private


def test_user_add_admin_and_list_show_roles(tmp_path: Path) -> None:
    import json

    db = tmp_path / "store.db"
    typed = f"{PASSWORD}\n".encode()
    first = cli(db, "user", "add", "first", "--password-stdin", stdin=typed)
    second = cli(db, "user", "add", "second", "--password-stdin", stdin=typed)
    third = cli(db, "user", "add", "third", "--admin", "--password-stdin", stdin=typed)
    assert "(admin)" in first.out and "(admin)" not in second.out and "(admin)" in third.out
    listed = json.loads(cli(db, "user", "list", "--json").out)
    assert [(a["name"], a["admin"]) for a in listed] == [
        ("first", True),
        ("second", False),
        ("third", True),
    ]


# --- 6: the lesser findings -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("password", "most common"),
        ("        ", "4 different characters"),
        ("frank-the-great", "must not contain the user name"),
        ("aaaaaaaaaaaa", "4 different characters"),
    ],
)
def test_weak_passwords_are_refused(make_app, password: str, why: str) -> None:
    from fastapi.testclient import TestClient

    from tests.web.conftest import csrf_of

    client = TestClient(make_app(multi_user=True), base_url="http://127.0.0.1")
    token = csrf_of(client.get("/register").text)
    response = client.post(
        "/register", data={"name": "frank", "password": password, "csrf_token": token}
    )
    assert response.status_code == 400 and why in response.text


def test_lesser_findings_over_http(start_server, tmp_path: Path) -> None:
    store_file = tmp_path / "fresh" / "store.db"
    server = start_server(store=store_file)
    # The store holds the password hashes: its owner alone may read it (and its WAL).
    held = open_store(store_file)  # while a connection is open, its -wal and -shm exist
    try:
        held.set_checkpoint("probe", "1")
        for path in (store_file, Path(f"{store_file}-wal"), Path(f"{store_file}-shm")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        held.close()
    server.add_user("grace")
    grace = server.log_in("grace")

    huge = grace.get(f"/digests/{10**30}")
    assert huge.status_code == 404
    assert huge.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in huge.headers

    for page in ("/api/session", "/library/export", "/api/library/export", "/digests"):
        response = grace.get(page)
        assert response.status_code == 200, page
        assert response.headers["cache-control"] == "no-store", page

    upload = grace.post(
        "/library/import",
        data={"csrf_token": csrf(grace), "fmt": "auto"},
        files={"file": ("notes.txt", b"just some words, not a library export\n")},
    )
    assert upload.status_code == 400, upload.text[:300]
    assert "notes.txt" in upload.text and "papersift-import-" not in upload.text

    # Bound to loopback, the server answers loopback names only: a DNS-rebinding page
    # (evil.example resolving to 127.0.0.1) gets nothing.
    rebound = httpx.get(f"{server.url}/login", headers={"Host": "evil.example"}, timeout=10)
    assert rebound.status_code == 400


def test_allowed_host_names_the_hosts_answered(start_server) -> None:
    server = start_server("--allowed-host", "papers.lab.example")
    named = httpx.get(f"{server.url}/login", headers={"Host": "papers.lab.example"}, timeout=10)
    assert named.status_code == 200
    other = httpx.get(f"{server.url}/login", headers={"Host": "127.0.0.1"}, timeout=10)
    assert other.status_code == 400


def test_a_crash_still_carries_the_security_headers() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from papersift.web.middleware import Guard

    app = FastAPI()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_middleware(Guard)
    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in response.headers
    assert "a bug" not in response.text


# --- 5: transport --------------------------------------------------------------------------


def test_https_only_makes_the_cookie_secure_and_sends_hsts(start_server) -> None:
    server = start_server("--https-only")
    response = httpx.get(f"{server.url}/api/session", timeout=10)
    assert "secure" in response.headers["set-cookie"].lower()
    assert response.headers["strict-transport-security"].startswith("max-age=")
    plain = start_server()
    response = httpx.get(f"{plain.url}/api/session", timeout=10)
    assert "secure" not in response.headers["set-cookie"].lower()
    assert "strict-transport-security" not in response.headers


def test_transport_options_need_multi_user(tmp_path: Path) -> None:
    for option in (["--https-only"], ["--allowed-host", "x.example"]):
        result = cli(tmp_path / "store.db", "serve", *option)
        assert result.code == 2 and "only applies with --multi-user" in result.err


def test_a_session_of_a_removed_account_names_nobody(db_path: Path) -> None:
    store = open_store(db_path)
    try:
        first = create_user(store, "henry", PASSWORD)
        from papersift.accounts import remove_user

        remove_user(store, "henry")
        again = create_user(store, "henry", PASSWORD)
        assert again.id != first.id and user_by_id(store, first.id) is None
    finally:
        store.close()


def test_password_slots_bound_concurrent_hashes() -> None:
    from papersift.web.auth import PasswordSlots

    slots = PasswordSlots(2, wait=0.2)
    with slots.slot() as first, slots.slot() as second:
        started = time.monotonic()
        with slots.slot() as third:
            assert (first, second, third) == (True, True, False)
        assert time.monotonic() - started >= 0.2, "it waited before giving up"
    with slots.slot() as again:
        assert again, "slots are given back"
