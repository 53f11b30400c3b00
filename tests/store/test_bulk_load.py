"""`SqliteStore.bulk_load`: a keyword index built on the side ends up the index a plain load makes.

Real store files, the real side index process and, for killed and live loads, a real second
process running the load. Each store is compared with a reference store that received the
same upserts without bulk_load: same index terms, same search results.
"""

from __future__ import annotations

import datetime as dt
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papersift.records import Paper
from papersift.store import SqliteStore
from papersift.store.bulk import BULK_LOAD_MARKER
from tests.conftest import REPO
from tests.helpers import make_paper

TOPICS = ["quantum", "sparse", "graph", "diffusion", "kernel", "bandit", "causal"]
# Searches whose results must equal the reference store's: topics, authors, one paper's own
# word (study3, in the title it had before its revision), the revised title's word, a phrase.
QUERIES = [*TOPICS, "lovelace", "smith0", "study3", "study149", "zeppelin", '"graph methods"']
BATCH = 50
REVISED = 3  # the paper that a later batch re-upserts as version 2 with a new title


def paper(i: int) -> Paper:
    """Paper i; every third has a DOI, which papers i and i + 120 share (as proceedings do)."""
    topic, other = TOPICS[i % len(TOPICS)], TOPICS[i * 3 % len(TOPICS)]
    return make_paper(
        f"2405.{i:05d}",
        f"{topic.capitalize()} methods for {other} problems, study{i}",
        abstract=f"We study {topic} learning for {other} data and report {TOPICS[i % 4]} results.",
        authors=(f"Grace Smith{i % 5}", "Ada Lovelace"),
        doi=f"10.1000/p.{i % 40}" if i % 3 == 0 else None,
    )


def revised(i: int) -> Paper:
    return make_paper(
        f"2405.{i:05d}",
        "A zeppelin view of learning, revised",
        abstract="Rewritten from scratch.",
        authors=("Grace Smith3", "Ada Lovelace"),
        version=2,
        updated=dt.date(2023, 6, 1),
    )


def batch(number: int) -> list[Paper]:
    """Batch 0, 1, 2, ...: 50 new papers each; batch 2 also revises a paper of batch 0."""
    papers = [paper(i) for i in range(number * BATCH, (number + 1) * BATCH)]
    return [*papers, revised(REVISED)] if number == 2 else papers


def lock_file(db: Path) -> Path:
    return db.with_name(db.name + ".bulk-lock")


def side_file(db: Path) -> Path:
    return db.with_name(db.name + ".keyword-index")


@pytest.fixture
def opened():
    """`opened(path, batches=0)`: a store that got batches 0..batches-1 by plain upserts;
    every store a test opens is closed at its end, whatever happens."""
    stores: list[SqliteStore] = []

    def open_store(path: Path, batches: int = 0) -> SqliteStore:
        stores.append(reference(path, batches))
        return stores[-1]

    yield open_store
    for store in stores:
        store.close()


def bulk_and_plain(tmp_path: Path, opened, batches: int) -> tuple[Path, SqliteStore, SqliteStore]:
    """(bulk.db, an empty store there, a reference store plain.db with batches 0..batches-1)."""
    db = tmp_path / "bulk.db"
    return db, opened(db), opened(tmp_path / "plain.db", batches)


def reference(path: Path, batches: int) -> SqliteStore:
    """A store that got batches 0..batches-1 by plain upserts."""
    store = SqliteStore(path)
    for number in range(batches):
        store.upsert(batch(number))
    return store


def assert_index_complete(store: SqliteStore) -> None:
    store.db.execute("INSERT INTO papers_fts(papers_fts) VALUES('integrity-check')")
    # The plain check passes on an empty index over a full papers table (SQLite 3.40); with
    # rank 1 FTS5 also checks the index against its content table.
    store.db.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES('integrity-check', 1)")
    indexed = store.db.execute("SELECT count(*) FROM papers_fts_docsize").fetchone()[0]
    assert indexed == store.count()


def index_terms(store: SqliteStore) -> list[tuple[object, ...]]:
    """Every (term, rowid, column, offset) of the keyword index, in order."""
    store.db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, papers_fts, instance)"
    )
    rows = store.db.execute("SELECT * FROM temp.terms ORDER BY term, doc, col, offset")
    return [tuple(row) for row in rows]


def searches(store: SqliteStore) -> dict[str, list[tuple[int, float]]]:
    return {query: store.keyword_search(query, 500) for query in QUERIES}


def schema(store: SqliteStore) -> list[tuple[str, str]]:
    return [tuple(r) for r in store.db.execute("SELECT name, sql FROM sqlite_master ORDER BY 1")]


def aliases(store: SqliteStore) -> list[tuple[str, int]]:
    return [tuple(r) for r in store.db.execute("SELECT * FROM paper_aliases ORDER BY alias")]


def fts_settings(store: SqliteStore) -> list[tuple[str, object]]:
    return [tuple(r) for r in store.db.execute("SELECT * FROM papers_fts_config ORDER BY k")]


def assert_same_index(store: SqliteStore, expected: SqliteStore) -> None:
    """Same keyword index, same searches, same aliases, and every other index back (the same
    schema, each index agreeing with its table); the side file's index settings (no merging,
    a big term hash) stay out of the store, whose later ingests merge segments as usual."""
    assert_index_complete(store)
    assert store.get_checkpoint(BULK_LOAD_MARKER) is None
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema(store) == schema(expected)
    assert fts_settings(store) == fts_settings(expected)
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert aliases(store) == aliases(expected)
    assert index_terms(store) == index_terms(expected)
    assert searches(store) == searches(expected)


# -- in one process -------------------------------------------------------------------------


@pytest.mark.slow  # starts the side index process
def test_bulk_load_into_an_empty_store_builds_the_plain_index(tmp_path, opened):
    db, store, expected = bulk_and_plain(tmp_path, opened, 3)
    with store.bulk_load() as side:
        assert side is True
        assert store.get_checkpoint(BULK_LOAD_MARKER) is not None
        assert lock_file(db).exists()
        counts = [store.upsert(batch(number)) for number in range(3)]
    assert [(c.added, c.merged) for c in counts] == [(50, 0), (50, 0), (50, 1)]
    assert store.count() == expected.count() == 150
    assert_same_index(store, expected)
    found = searches(store)
    assert len(found["quantum"]) > 10 and found["study149"]
    # The revision replaced the paper's indexed title: its old word is gone, its new one found.
    assert found["study3"] == [] and len(found["zeppelin"]) == 1
    assert store.get(f"2405.{REVISED:05d}").title == "A zeppelin view of learning, revised"
    assert not side_file(db).exists() and not lock_file(db).exists()

    # After the load, upserts go into the store's own index as usual.
    for s in (store, expected):
        s.upsert([paper(150), revised(151)])
    assert_same_index(store, expected)


def test_bulk_load_into_a_non_empty_store_changes_nothing(tmp_path, opened):
    db = tmp_path / "bulk.db"
    store = opened(db, 1)
    expected = opened(tmp_path / "plain.db", 3)
    with store.bulk_load() as side:
        assert side is False
        assert store.get_checkpoint(BULK_LOAD_MARKER) is None
        assert not lock_file(db).exists()
        store.upsert(batch(1))
        assert len(store.keyword_search("study99", 5)) == 1  # indexed at once, as always
        store.upsert(batch(2))
    assert store.count() == 150
    assert_same_index(store, expected)
    assert not side_file(db).exists() and not lock_file(db).exists()


@pytest.mark.slow  # starts the side index process
def test_error_in_a_bulk_load_propagates_with_the_index_complete(tmp_path, opened):
    db, store, expected = bulk_and_plain(tmp_path, opened, 2)
    with pytest.raises(RuntimeError, match="stop the load"), store.bulk_load() as side:
        assert side is True
        store.upsert(batch(0))
        store.upsert(batch(1))
        raise RuntimeError("stop the load")
    assert store.count() == 100
    assert_same_index(store, expected)
    assert len(store.keyword_search("study99", 5)) == 1
    assert not side_file(db).exists() and not lock_file(db).exists()

    for s in (store, expected):
        s.upsert(batch(2))
    assert_same_index(store, expected)


@pytest.mark.slow  # starts the side index process
def test_ctrl_c_in_a_bulk_load_leaves_the_repair_to_the_next_open(tmp_path, opened):
    db, store, expected = bulk_and_plain(tmp_path, opened, 2)
    with pytest.raises(KeyboardInterrupt), store.bulk_load():
        store.upsert(batch(0))
        store.upsert(batch(1))
        raise KeyboardInterrupt
    assert store.get_checkpoint(BULK_LOAD_MARKER) is not None
    assert not lock_file(db).exists()  # released: the next open may repair
    store.close()
    store = opened(db)
    assert_same_index(store, expected)


def title_index_exists(store: SqliteStore) -> bool:
    found = store.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'papers_title_author'")
    return found.fetchone() is not None


def doi_record(i: int) -> Paper:
    """A journal's record of paper(i): no arXiv id, found only by title and first author."""
    original = paper(i)
    return make_paper(
        f"doi:10.1000/j.{i}", original.title, authors=original.authors, arxiv=False,
        doi=f"10.1000/j.{i}", source="crossref",
    )  # fmt: skip


@pytest.mark.slow  # starts the side index process
def test_bulk_load_builds_the_title_index_at_its_end(tmp_path, opened):
    _, store, expected = bulk_and_plain(tmp_path, opened, 2)
    with store.bulk_load():
        store.upsert(batch(0))
        assert not title_index_exists(store)  # arXiv papers only: no title look-up needed
        store.upsert(batch(1))
    assert title_index_exists(store)
    assert_same_index(store, expected)


@pytest.mark.slow  # starts the side index process
def test_a_record_without_arxiv_id_in_a_bulk_load_is_matched_by_title(tmp_path, opened):
    _, store, expected = bulk_and_plain(tmp_path, opened, 2)
    expected.upsert([doi_record(7)])
    with store.bulk_load():
        store.upsert(batch(0))
        counts = store.upsert([*batch(1), doi_record(7)])
        assert title_index_exists(store)  # built as soon as a title look-up was needed
    assert (counts.added, counts.merged) == (50, 1)
    assert store.count() == expected.count() == 100
    assert store.get("doi:10.1000/j.7").id == "2405.00007"
    assert store.get("doi:10.1000/p.3").id == "2405.00003"  # the aliases staged before
    assert_same_index(store, expected)


@pytest.mark.slow  # starts the side index process
def test_a_record_without_arxiv_id_in_a_bulk_load_is_matched_by_doi(tmp_path, opened):
    journal = make_paper(
        "doi:10.1000/p.3", "Another title", arxiv=False, doi="10.1000/p.3", source="crossref"
    )
    _, store, expected = bulk_and_plain(tmp_path, opened, 1)
    expected.upsert([journal])
    with store.bulk_load():
        store.upsert(batch(0))
        counts = store.upsert([journal])  # the DOI of paper(3), staged so far
    assert (counts.added, counts.merged) == (0, 1)
    assert store.get("doi:10.1000/p.3").id == "2405.00003"
    assert_same_index(store, expected)


@pytest.mark.slow  # starts the side index process
def test_a_reader_during_a_bulk_load_keeps_the_store_in_wal_mode(tmp_path, opened):
    import sqlite3

    db, store, expected = bulk_and_plain(tmp_path, opened, 2)
    reader = sqlite3.connect(db)
    try:
        with store.bulk_load():
            store.upsert(batch(0))
            assert reader.execute("SELECT count(*) FROM papers").fetchone()[0] == 50
            store.upsert(batch(1))
        # The copy could not leave WAL mode with the reader there: it went through the WAL.
        assert reader.execute("SELECT count(*) FROM papers_fts_docsize").fetchone()[0] == 100
    finally:
        reader.close()
    assert_same_index(store, expected)


@pytest.mark.slow  # starts the side index process
def test_papers_another_connection_writes_during_a_bulk_load_are_matched_and_indexed(
    tmp_path, opened
):
    db, store, expected = bulk_and_plain(tmp_path, opened, 0)
    for papers in (batch(0), [doi_record(61)], batch(1)):  # the order the bulk store gets
        expected.upsert(papers)
    with store.bulk_load() as side:
        assert side is True
        store.upsert(batch(0))
        other = opened(db)
        other.upsert([doi_record(61)])  # stored without an arXiv id by someone else
        counts = store.upsert(batch(1))  # holds paper(61): the same paper, by title
    assert (counts.added, counts.merged) == (49, 1)
    assert store.get("doi:10.1000/j.61").id == "2405.00061"
    assert store.count() == expected.count() == 100
    assert len(store.keyword_search("study61", 5)) == 1
    assert_same_index(store, expected)


# -- a load in another process --------------------------------------------------------------

# Loads `batches` batches in a bulk load, waits until the side index process has its file,
# says "ready", then kills itself ("die") or sleeps until killed ("sleep").
_LOADER = """
import os, signal, sys, time
from pathlib import Path
from papersift.store import SqliteStore
from tests.store.test_bulk_load import batch, side_file

db, batches, then = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
store = SqliteStore(db)
with store.bulk_load() as side:
    assert side, "the store is not empty"
    for number in range(batches):
        store.upsert(batch(number))
    deadline = time.monotonic() + 60
    while not side_file(db).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    print("ready", flush=True)
    if then == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(120)
"""


@pytest.fixture
def start_loader():
    """Start loader processes; any still running at the end of the test is killed."""
    started: list[subprocess.Popen[bytes]] = []

    def start(db: Path, batches: int, then: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-c", _LOADER, str(db), str(batches), then],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def wait_until_ready(proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    said = b""
    while not said.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not selector.select(left):
            pytest.fail("the loader did not get ready in time")
        chunk = os.read(proc.stdout.fileno(), 100)
        if not chunk:
            proc.wait(timeout=30)
            pytest.fail(f"the loader stopped ({proc.returncode}): {proc.stderr.read().decode()}")
        said += chunk
    selector.close()
    assert said == b"ready\n"


def committed_state(db: Path) -> tuple[int, int, bool, bool, int]:
    """(papers, papers in the store's keyword index, marker set, title/author index there,
    aliases in paper_aliases) as a plain connection sees them."""
    import sqlite3

    con = sqlite3.connect(db)
    try:
        papers = con.execute("SELECT count(*) FROM papers").fetchone()[0]
        indexed = con.execute("SELECT count(*) FROM papers_fts_docsize").fetchone()[0]
        marker = con.execute(
            "SELECT value FROM checkpoints WHERE name = ?", (BULK_LOAD_MARKER,)
        ).fetchone()
        title_index = con.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'papers_title_author'"
        ).fetchone()
        known_as = con.execute("SELECT count(*) FROM paper_aliases").fetchone()[0]
        return papers, indexed, marker is not None, title_index is not None, known_as
    finally:
        con.close()


@pytest.mark.slow  # runs a loader process
def test_killed_bulk_load_is_repaired_when_the_store_is_next_opened(tmp_path, start_loader, opened):
    db = tmp_path / "bulk.db"
    proc = start_loader(db, 2, "die")
    wait_until_ready(proc)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    # Killed mid-load: papers committed, the store's keyword index empty, the marker set.
    assert committed_state(db) == (100, 0, True, False, 0)
    assert lock_file(db).exists() and side_file(db).exists()

    store = opened(db)
    expected = opened(tmp_path / "plain.db", 2)
    assert_same_index(store, expected)
    assert len(store.keyword_search("study99", 5)) == 1
    assert not lock_file(db).exists() and not side_file(db).exists()


@pytest.mark.slow  # runs a loader process
def test_a_live_bulk_load_is_left_alone_then_repaired_once_killed(tmp_path, start_loader, opened):
    db = tmp_path / "bulk.db"
    proc = start_loader(db, 2, "sleep")
    wait_until_ready(proc)

    # While the loader lives, opening the store must not rebuild its index or clear the marker.
    store = opened(db)
    assert store.get_checkpoint(BULK_LOAD_MARKER) is not None
    assert store.count() == 100
    assert store.keyword_search("study99", 5) == []  # the index is still on the side
    store.close()
    assert committed_state(db) == (100, 0, True, False, 0)
    assert proc.poll() is None and lock_file(db).exists()

    proc.kill()
    proc.wait(timeout=30)
    store = opened(db)
    expected = opened(tmp_path / "plain.db", 2)
    assert_same_index(store, expected)
    assert not lock_file(db).exists() and not side_file(db).exists()
