"""`papersift store copy`: every table with its ids, between backends, resumable after a kill."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from papersift import accounts
from papersift.errors import UsageError
from papersift.store.copy import TABLES, copy_store, store_contents
from papersift.store.postgres.connection import is_url
from tests.helpers import make_paper

PAPERS = 230


def open_location(location: str):  # type: ignore[no-untyped-def]
    from papersift.store import open_store

    if is_url(location):
        from papersift.store.postgres.store import PgStore

        return PgStore(location)
    return open_store(Path(location))


def fill(path: Path) -> None:
    """A SQLite store with something in every table, and ids with gaps."""
    import numpy as np

    store = open_location(str(path))
    papers = [
        make_paper(f"2301.{i:05d}", f"Quantized attention number {i}", doi=f"10.1/x{i}")
        for i in range(1, PAPERS + 1)
    ]
    store.upsert(papers)
    alice = accounts.create_user(store, "alice", "correct horse battery")
    bob = accounts.create_user(store, "bob", "correct horse battery")
    gone = accounts.create_user(store, "carol", "correct horse battery")
    accounts.remove_user(store, gone.name)  # an id the copy must never hand out again
    for user in (alice, bob):
        library = store.library(user.id)
        library.rate([1, 2, 3, user.id * 10], 1)
        library.rate([4], -1)
        library.tag("to-read", [5, 6])
        library.add_interest("sparse attention")
        store.follows(user.id).add("author", "Ada Lovelace", "ada lovelace")
        store.profile(user.id).set_signal("trending", False)
        digest = store.archive(user.id).add(
            "Today", dt.date(2023, 1, 1), dt.date(2023, 1, 2), 3, {"html": "<p>", "md": "#"}
        )
        store.archive(user.id).record_delivery(dt.date(2023, 1, 2), digest, "a@b.example", None)
        seen = [(rowid, paper) for rowid, paper in list(store.iter_papers())[:4]]
        store.seen(user.id).record(
            seen, "feed", dt.datetime(2023, 1, 2, 8, tzinfo=dt.UTC), dt.date(2023, 1, 2)
        )
        store.seen(user.id).snooze(7, dt.date(2023, 2, 1))
    rng = np.random.default_rng(0)
    rowids = list(range(1, 101))
    store.save_embeddings(
        "test-model",
        rowids,
        [f"h{r}" for r in rowids],
        rng.standard_normal((100, 8)).astype(np.float32),
    )
    store.set_checkpoint("fetch:arxiv", "2023-01-02")
    store.close()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "laptop.db"
    fill(path)
    return path


def test_a_sqlite_copy_has_every_table_and_id(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    seen: list[str] = []
    report = copy_store(
        str(source),
        str(target),
        batch_rows=50,
        progress=lambda table, done, total: seen.append(table),
    )
    assert not report.resumed and report.tables["papers"] == PAPERS
    before, after = store_contents(str(source)), store_contents(str(target))
    assert set(after) == set(TABLES)
    for table in TABLES:
        assert after[table] == before[table], table
    assert all(
        before[t] for t in TABLES if t not in ("paper_aliases", "private_papers", "paper_snapshots")
    ), [t for t in TABLES if not before[t]]
    copied = open_location(str(target))
    try:
        assert copied.keyword_search("quantized", 5), "the keyword index was rebuilt"
        newest = accounts.create_user(copied, "dave", "correct horse battery")
        assert newest.id == 5, "carol's id 4 is never handed out again"
    finally:
        copied.close()


def test_a_copy_refuses_another_store_and_says_so_once_done(source: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    fill(other)
    with pytest.raises(UsageError, match="is not empty"):
        copy_store(str(source), str(other))
    with pytest.raises(UsageError, match="same store"):
        copy_store(str(source), str(source))
    with pytest.raises(UsageError, match="no store at"):
        copy_store(str(tmp_path / "missing.db"), str(tmp_path / "new.db"))
    with pytest.raises(UsageError, match="only postgresql:// URLs"):
        copy_store(str(source), "mysql://me@db.example/lab")
    assert not Path("mysql:").exists()
    target = tmp_path / "copy.db"
    copy_store(str(source), str(target))
    assert copy_store(str(source), str(target)).already_done
    with pytest.raises(UsageError, match="holds a copy of"):
        copy_store(str(other), str(target))


class Killed(Exception):
    pass


def test_a_copy_stopped_midway_resumes_to_the_same_result(source: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole.db"
    copy_store(str(source), str(whole), batch_rows=40)
    resumed = tmp_path / "resumed.db"
    batches = 0

    def stop_after_three(table: str, done: int, total: int) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise Killed()

    with pytest.raises(Killed):
        copy_store(str(source), str(resumed), batch_rows=40, progress=stop_after_three)
    partial = store_contents(str(resumed))
    assert 0 < len(partial["papers"]) < PAPERS
    assert copy_store(str(source), str(resumed), batch_rows=40).resumed
    assert store_contents(str(resumed)) == store_contents(str(whole))


def test_a_killed_copy_command_resumes(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    command = [
        sys.executable,
        "-m",
        "papersift.cli",
        "store",
        "copy",
        str(source),
        str(target),
        "--batch-rows",
        "1",
    ]
    copying = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert copying.stderr is not None
    for line in copying.stderr:
        if "copying papers: 2" in line:  # a few batches committed
            break
    os.kill(copying.pid, signal.SIGKILL)
    copying.wait(timeout=30)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "(resumed)" in done.stdout
    assert store_contents(str(target)) == store_contents(str(source))


def test_sqlite_to_postgresql_and_back_is_identical(
    source: Path, tmp_path: Path, pg_url: str
) -> None:
    copy_store(str(source), pg_url, batch_rows=64)
    back = tmp_path / "back.db"
    copy_store(pg_url, str(back), batch_rows=64)
    original, on_server, returned = (
        store_contents(str(source)),
        store_contents(pg_url),
        store_contents(str(back)),
    )
    for table in TABLES:
        assert on_server[table] == original[table], table
        assert returned[table] == original[table], table


def test_a_copy_to_postgresql_keeps_the_sequences(source: Path, pg_url: str) -> None:
    copy_store(str(source), pg_url)
    store = open_location(pg_url)
    try:
        row = store.db.execute("SELECT nextval(pg_get_serial_sequence('users', 'id'))").fetchone()
        assert row[0] == 5, "carol's id 4 is never handed out again"
    finally:
        store.close()


def test_a_stopped_copy_to_postgresql_resumes(source: Path, tmp_path: Path, pg_url: str) -> None:
    calls = 0

    def stop(table: str, done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise Killed()

    with pytest.raises(Killed):
        copy_store(str(source), pg_url, batch_rows=30, progress=stop)
    assert copy_store(str(source), pg_url, batch_rows=30).resumed
    assert store_contents(pg_url) == store_contents(str(source))


def test_bad_locations_are_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "papersift.cli",
            "store",
            "copy",
            str(tmp_path / "none.db"),
            "postgresql://nobody@127.0.0.1:1/none",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no store at" in result.stderr
