"""`serve --multi-user --workers N`: a real server of N processes over one store, on 127.0.0.1.

A session made by one worker is good in every other (the signing secret is the store's), a
logout through any worker ends it everywhere, and under load from many readers every like is
stored exactly once (benchmarks/bench_serve_load.py, small and bounded here).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from papersift.web.workers import SECRET_CHECKPOINT, share
from tests.conftest import REPO
from tests.helpers import make_paper

sys.path.insert(0, str(REPO / "benchmarks"))
import bench_serve_load  # noqa: E402

PASSWORD = "correct horse battery"
PAPERS = ("2301.00001", "2301.00002", "2301.00003")


@pytest.fixture
def location(store_location: str) -> str:
    """A SQLite file or a PostgreSQL database (tests/conftest.py), for the server to serve."""
    return store_location


@pytest.fixture
def server(location: str) -> Iterator[str]:
    store = bench_serve_load.open_location(location)
    try:
        store.upsert([make_paper(pid, f"Paper {pid}") for pid in PAPERS])
    finally:
        store.close()
    with bench_serve_load.serving(location, workers=2) as url:
        yield url


def sign_up(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    token = client.get("/api/session").json()["csrf_token"]
    response = client.post(
        "/register", data={"name": name, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text[:300]
    return client


def fresh_connection_get(url: str, cookies: httpx.Cookies, path: str) -> httpx.Response:
    """A request on a new connection, so the kernel may hand it to either worker."""
    with httpx.Client(base_url=url, cookies=cookies, timeout=60) as client:
        return client.get(path)


def test_a_session_works_in_every_worker_and_a_logout_ends_it_everywhere(server: str) -> None:
    alice = sign_up(server, "alice")
    token = alice.get("/api/session").json()["csrf_token"]
    liked = alice.post(
        "/api/library/rate",
        json={"ids": [PAPERS[0]], "action": "like"},
        headers={"X-CSRF-Token": token},
    )
    assert liked.status_code == 200, liked.text
    cookies = alice.cookies
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda _: fresh_connection_get(server, cookies, "/api/library"), range(80))
        )
    assert all(a.status_code == 200 for a in answers), {a.status_code for a in answers}
    assert all([e["id"] for e in a.json()] == [PAPERS[0]] for a in answers)
    workers = {a.headers["x-papersift-worker"] for a in answers}
    assert len(workers) == 2, f"80 requests were all answered by {workers}"

    stolen = httpx.Cookies(cookies)  # a copy of the cookie, as a thief would keep it
    logout = alice.post("/logout", data={"csrf_token": token})
    assert logout.status_code in (303, 200)
    with ThreadPoolExecutor(8) as pool:
        after = list(
            pool.map(lambda _: fresh_connection_get(server, stolen, "/api/library"), range(40))
        )
    assert {a.status_code for a in after} == {401}
    assert len({a.headers["x-papersift-worker"] for a in after}) == 2


def test_the_session_secret_is_the_stores(server: str, location: str) -> None:
    store = bench_serve_load.open_location(location)
    try:
        secret = store.get_checkpoint(SECRET_CHECKPOINT)
    finally:
        store.close()
    assert secret and len(secret) >= 32


def test_each_worker_gets_its_share_of_the_login_limits() -> None:
    assert share(5, 1) == 5 and share(5, 2) == 3 and share(2, 4) == 1 and share(10, 3) == 4


def test_workers_need_multi_user(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "papersift.cli", "--db", str(tmp_path / "s.db"), "serve"]
        + ["--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--workers only applies with --multi-user" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_many_readers_through_two_workers_store_every_like_once(location: str) -> None:
    if not bench_serve_load.ARXIV_DAILY.exists():
        pytest.skip(f"the real sample is not at {bench_serve_load.ARXIV_DAILY}")
    report = bench_serve_load.run(location, workers=2, readers=10, seconds=10, papers=60)
    print("\n".join(report.lines()))
    assert not report.results.errors, report.results.examples
    assert not report.problems, report.problems
    assert sum(len(v) for v in report.results.likes.values()) > 0
    # Which worker answers is the kernel's choice per connection, and readers keep theirs
    # open: ten may well all land on one (the session test above checks both answer).


def test_workers_embed_new_papers_once_between_them(server: str, location: str) -> None:
    """Both workers meet the same unembedded papers on their first searches: one embeds and
    saves the index while the other waits, and the saved index is whole."""
    alice = sign_up(server, "erin")
    cookies = alice.cookies
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(
                lambda _: fresh_connection_get(
                    server, cookies, "/api/search?q=paper&mode=semantic"
                ),
                range(24),
            )
        )
    assert {a.status_code for a in answers} == {200}, [a.text[:200] for a in answers]
    assert all(len(a.json()) == len(PAPERS) for a in answers)
    assert len({a.headers["x-papersift-worker"] for a in answers}) == 2

    from papersift.defaults import DEFAULT_EMBEDDER
    from papersift.embed import load_embedder
    from papersift.index.sync import index_path
    from papersift.index.vectors import load_or_rebuild

    embedder = load_embedder(DEFAULT_EMBEDDER)  # what `serve` loads
    store = bench_serve_load.open_location(location)
    try:
        path = index_path(store, embedder.model_id)
        complaints: list[str] = []
        index = load_or_rebuild(
            path, embedder.model_id, embedder.dim, lambda: iter(()), warn=complaints.append
        )
        assert not complaints and len(index.keys()) == len(PAPERS)
    finally:
        store.close()
