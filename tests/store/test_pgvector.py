"""pgvector's HNSW search inside a PostgreSQL store, on a real server that has the extension
(the PyPI build of PostgreSQL 16 with pgvector: Debian 12 packages none for its own server)."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from papersift.index.sync import open_searchable
from papersift.store.postgres import nearest as nearest_module
from papersift.store.postgres.store import PgStore
from tests.backends import add_papers, run_cli
from tests.helpers import make_paper

DIM = 24
MODEL = "test-model"


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


CENTRES = np.random.default_rng(0).standard_normal((8, DIM))


def _clustered(n: int, seed: int = 0) -> np.ndarray:
    """Vectors around a few centres, like a field's papers: harder for a graph than noise.
    Another seed draws other vectors (queries) around the same centres."""
    rng = np.random.default_rng(seed)
    return _unit(CENTRES[rng.integers(0, 8, n)] + 0.35 * rng.standard_normal((n, DIM)))


def _exact(vectors: np.ndarray, rowids: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    stored = vectors.astype(np.float16).astype(np.float32)  # as the store keeps them
    scores = stored @ (query / np.linalg.norm(query))
    return [int(rowids[i]) for i in np.argsort(-scores, kind="stable")[:k]]


@pytest.fixture
def store(pgvector_url):
    s = PgStore(pgvector_url)
    yield s
    s.close()


def _filled(store: PgStore, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rowids = np.asarray(
        add_papers(store, [make_paper(f"2601.{i:05d}", f"Paper {i}") for i in range(n)]),
        np.int64,
    )
    vectors = _clustered(n, seed)
    store.save_embeddings(MODEL, rowids.tolist(), [f"h{i}" for i in range(n)], vectors)
    return rowids, vectors


def _index_scans(store: PgStore, name: str) -> int:
    """HNSW index scans made so far in the current transaction."""
    row = store.db.execute("SELECT pg_stat_get_xact_numscans(%s::regclass)", (name,)).fetchone()
    return int(row[0]) if row else 0


def test_semantic_search_uses_pgvector_hnsw_and_finds_the_nearest(store):
    rowids, vectors = _filled(store, 5000)
    searcher = open_searchable(store, MODEL, DIM, warn=pytest.fail)
    assert searcher.kind == "pgvector hnsw" and len(searcher) == 5000
    queries = _clustered(40, seed=1)
    name = nearest_module.index_name(MODEL, DIM)
    recalls = []
    with store.transaction():
        for query in queries:
            found = searcher.search(query, 10)
            expected = _exact(vectors, rowids, query, 10)
            recalls.append(len({r for r, _ in found} & set(expected)) / 10)
            # Scores are cosine similarities of the stored (float16) vectors, best first.
            by_rowid = dict(zip(rowids.tolist(), vectors.astype(np.float16).astype(np.float32)))
            for rowid, score in found:
                assert score == pytest.approx(float(by_rowid[rowid] @ query), abs=2e-3)
            assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
        assert _index_scans(store, name) == len(queries)  # the graph answered, not a scan
    assert np.mean(recalls) >= 0.95


def test_a_filter_keeps_to_its_papers_whether_few_or_many(store, monkeypatch):
    rowids, vectors = _filled(store, 5000)
    searcher = open_searchable(store, MODEL, DIM, warn=pytest.fail)
    query = _clustered(1, seed=2)[0]
    few = rowids[::40]  # 30 papers: searched exactly
    found = searcher.search(query, 5, few)
    assert [r for r, _ in found] == _exact(vectors[::40], few, query, 5)
    # Many papers: through the graph, walking on until enough pass the filter.
    monkeypatch.setattr(nearest_module, "EXACT_LIMIT", 100)
    many = rowids[::3]
    with store.transaction():
        found = searcher.search(query, 10, many)
        assert _index_scans(store, nearest_module.index_name(MODEL, DIM)) == 1
    assert {r for r, _ in found} <= set(many.tolist()) and len(found) == 10
    assert len({r for r, _ in found} & set(_exact(vectors[::3], many, query, 10))) >= 8


def test_a_re_embedded_paper_is_searched_with_its_new_vector(store):
    rowids, vectors = _filled(store, 300)
    searcher = open_searchable(store, MODEL, DIM, warn=pytest.fail)
    target = int(rowids[7])
    new = _unit(np.random.default_rng(9).standard_normal((1, DIM)))
    store.save_embeddings(MODEL, [target], ["changed"], new)
    stale = searcher.search(new[0], 1)
    assert stale[0][0] != target or stale[0][1] < 0.99  # not searchable anew until prepared
    searcher = open_searchable(store, MODEL, DIM, warn=pytest.fail)
    rowid, score = searcher.search(new[0], 1)[0]
    assert rowid == target and score == pytest.approx(1.0, abs=2e-3)


def test_papers_embedded_after_the_index_are_added_to_it(store):
    _filled(store, 200)
    open_searchable(store, MODEL, DIM, warn=pytest.fail)
    more = add_papers(store, [make_paper(f"2602.{i:05d}", f"Later {i}") for i in range(50)])
    later = _clustered(50, seed=5)
    store.save_embeddings(MODEL, more, [f"l{i}" for i in range(50)], later)
    searcher = open_searchable(store, MODEL, DIM, warn=pytest.fail)
    assert len(searcher) == 250
    assert searcher.search(later[3], 1)[0][0] == more[3]


def test_a_rebuild_gives_the_same_answers(store):
    rowids, vectors = _filled(store, 400)
    query = _clustered(1, seed=3)[0]
    before = open_searchable(store, MODEL, DIM, warn=pytest.fail).search(query, 10)
    after = open_searchable(store, MODEL, DIM, warn=pytest.fail, rebuild=True).search(query, 10)
    assert [r for r, _ in after] == [r for r, _ in before]
    assert len({r for r, _ in after} & set(_exact(vectors, rowids, query, 10))) >= 9


def test_without_the_right_to_create_pgvector_the_usearch_index_searches(pgvector_cluster):
    pgvector_cluster.execute("CREATE ROLE reader LOGIN PASSWORD 'secret'")
    try:
        pgvector_cluster.execute("CREATE DATABASE readers OWNER reader")
        url = pgvector_cluster.url("readers").replace("papersift@", "reader:secret@")
        store = PgStore(url)
        _filled(store, 50)
        warnings: list[str] = []
        searcher = open_searchable(store, MODEL, DIM, warn=warnings.append)
        assert searcher.kind in {"exact", "hnsw"}  # usearch's
        assert len(warnings) == 1 and "CREATE EXTENSION vector" in warnings[0]
        store.close()
        # Once a superuser has created it, the store's owner sets up the rest itself.
        pgvector_cluster.execute("CREATE EXTENSION vector", database="readers")
        store = PgStore(url)
        searcher = open_searchable(store, MODEL, DIM, warn=pytest.fail)
        assert searcher.kind == "pgvector hnsw" and len(searcher) == 50
        store.close()
    finally:
        pgvector_cluster.execute("DROP DATABASE IF EXISTS readers WITH (FORCE)")
        pgvector_cluster.execute("DROP ROLE reader")


def test_debian_postgresql_without_pgvector_keeps_usearch_and_says_nothing(pg_url):
    store = PgStore(pg_url)
    try:
        # Debian 12 packages no pgvector; a server that has it (PGDG's package) must use it.
        has_pgvector = store.db.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"
        ).fetchone()
        _filled(store, 30)
        searcher = open_searchable(store, MODEL, DIM, warn=pytest.fail)
        usearch = {"exact", "hnsw"}
        assert searcher.kind == "pgvector hnsw" if has_pgvector else searcher.kind in usearch
    finally:
        store.close()


# -- end to end: the commands and the web app ---------------------------------------------------


@pytest.mark.slow  # loads the embedding model
def test_semantic_search_on_pgvector_ranks_as_sqlite_does(pgvector_url, shared_formats, tmp_path):
    atom = sorted(str(p) for p in (shared_formats / "arxiv-api-atom").glob("*.xml"))
    sqlite = str(tmp_path / "store.db")
    query = ("search", "spin glass on a random graph", "--mode", "semantic", "-k", "8", "--json")
    ranked = {}
    for db in (sqlite, pgvector_url):
        assert run_cli(db, "ingest", *atom).returncode == 0
        embedded = run_cli(db, "embed")
        assert embedded.returncode == 0 and not embedded.stderr.strip(), embedded.stderr
        found = run_cli(db, *query)
        assert found.returncode == 0, found.stderr
        ranked[db] = [hit["id"] for hit in json.loads(found.stdout)]
    assert len(ranked[sqlite]) == 8 and ranked[pgvector_url] == ranked[sqlite]
    rebuilt = run_cli(pgvector_url, "index", "rebuild")
    assert rebuilt.returncode == 0 and "pgvector hnsw" in rebuilt.stdout, rebuilt.stdout

    # The web app's semantic search shows those papers in the same order on both stores.
    assert _web_order(pgvector_url, ranked[sqlite]) == _web_order(sqlite, ranked[sqlite])


def _web_order(db: str, ids: list[str]) -> list[str]:
    """The given papers in the order a semantic search page first shows each."""
    from fastapi.testclient import TestClient

    from papersift.web import create_app

    with TestClient(create_app(db), base_url="http://127.0.0.1") as client:
        params = {"q": "spin glass on a random graph", "mode": "semantic", "k": "8"}
        for _ in range(240):  # the model loads in the background first: keyword results meanwhile
            page = client.get("/search", params=params)
            assert page.status_code == 200
            if "being prepared" not in page.text:
                break
            time.sleep(0.5)
    positions = {pid: page.text.find(pid) for pid in ids}
    assert -1 not in positions.values()
    return sorted(ids, key=positions.__getitem__)


def test_a_store_with_pgvector_copies_to_sqlite_and_back(store, pgvector_cluster, tmp_path):
    from papersift.store.copy import copy_store, store_contents

    rowids, vectors = _filled(store, 300)
    open_searchable(store, MODEL, DIM, warn=pytest.fail)
    sqlite = str(tmp_path / "copy.db")
    copy_store(store.url, sqlite)
    back = pgvector_cluster.create_database()
    copy_store(sqlite, back)
    assert store_contents(back) == store_contents(store.url) == store_contents(sqlite)
    again = PgStore(back)
    try:
        searcher = open_searchable(again, MODEL, DIM, warn=pytest.fail)
        assert searcher.kind == "pgvector hnsw" and len(searcher) == 300
        assert searcher.search(vectors[5], 1)[0][0] == rowids[5]
    finally:
        again.close()


def test_a_damaged_vector_is_one_line_and_the_store_keeps_its_rows(store):
    from papersift.errors import StoreError

    rowids, _ = _filled(store, 40)
    store.db.execute(
        "UPDATE embeddings SET vector = %s WHERE paper_rowid = %s",
        (b"\x00\x3c" * 3, int(rowids[4])),
    )
    with pytest.raises(StoreError, match=f"paper {rowids[4]}'s stored test-model vector has 3"):
        open_searchable(store, MODEL, DIM, warn=pytest.fail)
    assert store.embedding_count(MODEL) == 40  # nothing lost
    filled = store.db.execute("SELECT count(nn) FROM embeddings").fetchone()[0]
    assert filled == 0  # the fill-in rolled back whole
