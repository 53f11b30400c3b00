"""`--multi-user`: accounts, sessions, CSRF, the login rate limit, and private libraries."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of

PASSWORD = "correct horse battery"


@pytest.fixture
def app(make_app):
    return make_app(multi_user=True, login_attempts=3, login_window=60)


def new_client(app) -> TestClient:
    return TestClient(app, base_url="http://papers.lab.example")


def sign_up(app, name: str) -> TestClient:
    client = new_client(app)
    form = client.get("/register")
    response = client.post(
        "/register",
        data={"name": name, "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    return client


def api_token(client: TestClient) -> str:
    return client.get("/api/session").json()["csrf_token"]  # type: ignore[no-any-return]


def test_pages_and_api_need_a_login(app) -> None:
    client = new_client(app)
    page = client.get("/library", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Flibrary"
    assert client.get("/api/library").status_code == 401
    assert client.get("/api/search?q=speech").status_code == 401
    assert client.get("/login").status_code == 200
    anonymous = client.get("/api/session").json()
    assert anonymous["user"] is None and anonymous["csrf_token"], "scripts get a token to log in"


def test_passwords_are_stored_as_argon2_hashes(app, db_path) -> None:
    sign_up(app, "alice")
    with sqlite3.connect(db_path) as db:
        (stored,) = db.execute("SELECT password_hash FROM users WHERE name = 'alice'").fetchone()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_the_session_cookie_is_httponly_and_samesite(app) -> None:
    client = new_client(app)
    form = client.get("/register")
    response = client.post(
        "/register",
        data={"name": "carol", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_login_logout_and_a_wrong_password(app) -> None:
    sign_up(app, "dave")
    client = new_client(app)
    form = client.get("/login?next=/library")
    wrong = client.post(
        "/login",
        data={"name": "dave", "password": "not it at all", "csrf_token": csrf_of(form.text)},
    )
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.text
    right = client.post(
        "/login",
        data={
            "name": "dave",
            "password": PASSWORD,
            "csrf_token": csrf_of(wrong.text),
            "next": "/library",
        },
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/library"
    assert client.get("/api/session").json()["user"] == "dave"
    page = client.get("/library")
    client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert client.get("/api/library").status_code == 401


def test_login_redirects_only_within_the_site(app) -> None:
    sign_up(app, "erin")
    client = new_client(app)
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "name": "erin",
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": "//evil.example/steal",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_repeated_failed_logins_are_rate_limited(app) -> None:
    sign_up(app, "frank")
    client = new_client(app)
    csrf = csrf_of(client.get("/login").text)
    codes = [
        client.post(
            "/login", data={"name": "frank", "password": f"guess {i}!!", "csrf_token": csrf}
        ).status_code
        for i in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]
    limited = client.post(
        "/login", data={"name": "frank", "password": PASSWORD, "csrf_token": csrf}
    )
    assert limited.status_code == 429, "even the right password waits out the limit"
    assert int(limited.headers["retry-after"]) > 0


def test_state_changes_need_the_csrf_token(app) -> None:
    alice = sign_up(app, "alice")
    assert alice.post("/papers/2611.99001/like").status_code == 403
    assert (
        alice.post("/api/library/rate", json={"ids": ["2611.99001"], "action": "like"}).status_code
        == 403
    )
    assert alice.post("/logout").status_code == 403
    assert alice.get("/api/library").json() == []


def test_readers_cannot_see_or_change_each_others_library(app, db_path) -> None:
    alice = sign_up(app, "alice")
    bob = sign_up(app, "bob")
    headers = {"X-CSRF-Token": api_token(alice)}
    alice.post("/api/library/rate", json={"ids": ["2611.99001"], "action": "like"}, headers=headers)
    alice.post("/api/library/tag", json={"tag": "secret", "ids": ["2611.99002"]}, headers=headers)
    alice.post("/api/library/interests", json={"text": "speech recognition"}, headers=headers)

    assert bob.get("/api/library").json() == []
    assert bob.get("/api/library/interests").json() == []
    assert bob.get("/api/papers/2611.99001").json()["rating"] is None
    assert "secret" not in bob.get("/library").text
    assert bob.get("/api/library?tag=secret").status_code == 404
    assert bob.get("/api/recommend").json()["cold_start"], "bob's feed is not alice's"
    assert alice.get("/api/recommend").json()["cold_start"] is None

    # Bob's token is his own: it does not work with Alice's session, and his actions touch
    # only his library.
    bob_token = api_token(bob)
    assert (
        alice.post(
            "/api/library/rate",
            json={"ids": ["2611.99001"], "action": "unlike"},
            headers={"X-CSRF-Token": bob_token},
        ).status_code
        == 403
    )
    bob.post(
        "/api/library/rate",
        json={"ids": ["2611.99001"], "action": "dislike"},
        headers={"X-CSRF-Token": bob_token},
    )
    interest_id = alice.get("/api/library/interests").json()[0]["id"]
    removed = bob.delete(
        f"/api/library/interests/{interest_id}", headers={"X-CSRF-Token": bob_token}
    )
    assert removed.json() == {"removed": False}
    assert alice.get("/api/papers/2611.99001").json()["rating"] == 1
    assert bob.get("/api/papers/2611.99001").json()["rating"] == -1
    assert len(alice.get("/api/library/interests").json()) == 1


def test_a_digest_of_one_reader_is_not_anothers(app, db_path) -> None:
    from papersift.store import open_store

    alice = sign_up(app, "alice")
    bob = sign_up(app, "bob")
    store = open_store(db_path)
    (alice_id,) = store.db.execute("SELECT id FROM users WHERE name = 'alice'").fetchone()
    with store.transaction():
        digest_id = store.archive(alice_id).add(
            "Alice's digest", None, None, 0, {"html": "<p>alice only</p>"}
        )
    store.close()
    assert "alice only" in alice.get(f"/digests/{digest_id}/frame").text
    for path in (f"/digests/{digest_id}", f"/digests/{digest_id}/frame"):
        assert bob.get(path).status_code == 404
    assert "Alice's digest" not in bob.get("/digests").text


def test_sign_up_refuses_bad_or_taken_names(app) -> None:
    sign_up(app, "grace")
    client = new_client(app)
    csrf = csrf_of(client.get("/register").text)
    for name, password, message in (
        ("grace", PASSWORD, "is taken"),
        ("local", PASSWORD, "reserved"),
        ("<script>", PASSWORD, "a user name is"),
        ("heidi", "short", "at least 8 characters"),
    ):
        response = client.post(
            "/register", data={"name": name, "password": password, "csrf_token": csrf}
        )
        assert response.status_code == 400 and message in response.text


def test_sign_up_can_be_closed(make_app) -> None:
    client = new_client(make_app(multi_user=True, allow_signup=False))
    assert client.get("/register").status_code == 404
    assert "Create one" not in client.get("/login").text
