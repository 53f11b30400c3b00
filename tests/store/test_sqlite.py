import re
import sqlite3

import pytest

from papersift.errors import StoreError
from papersift.store import SqliteStore, open_store
from papersift.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests.helpers import make_paper


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path / "p.db")
    yield s
    s.close()


@pytest.fixture
def any_store(store_location):
    """A new store on each backend (SQLite, PostgreSQL): the tests of what both must do."""
    s = open_store(store_location)
    yield s
    s.close()


def test_new_file_is_migrated_and_in_wal_mode(store):
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_round_trip_keeps_every_field(any_store):
    paper = make_paper(doi="10.5555/q", external_ids={"s2": "abc"})
    any_store.upsert([paper])
    back = any_store.get("2301.00001")
    assert back is not None
    assert back.with_changes(first_seen=None) == paper
    assert back.first_seen is not None


def test_missing_values_are_stored_as_null(store):
    """None binds through the adapter registered for speed, and is still SQL NULL."""
    store.upsert([make_paper(doi=None)])
    nulls = store.db.execute(
        "SELECT title_raw IS NULL, abstract_raw IS NULL, doi IS NULL, typeof(doi) FROM papers"
    ).fetchone()
    assert tuple(nulls) == (1, 1, 1, "null")
    assert store.get("2301.00001").doi is None
    assert sqlite3.adapt(None) is None


def test_reingest_changes_nothing(any_store):
    papers = [make_paper(f"2301.0000{i}") for i in range(5)]
    first = any_store.upsert(papers)
    again = any_store.upsert(papers)
    assert (first.added, again.added, again.merged, again.unchanged) == (5, 0, 0, 5)
    assert any_store.count() == 5


def test_lookup_by_any_alias(any_store):
    any_store.upsert([make_paper(doi="10.5555/Q".lower(), external_ids={"openreview": "AbCd12"})])
    for ident in (
        "2301.00001",
        "2301.00001v7",
        "arXiv:2301.00001",
        "doi:10.5555/q",
        "https://doi.org/10.5555/q",
        "openreview:AbCd12",
    ):
        assert any_store.get(ident) is not None, ident
    assert any_store.get("2301.99999") is None


def test_doi_record_merges_into_stored_arxiv_paper_by_title_and_author(any_store):
    any_store.upsert([make_paper()])
    bib = make_paper(
        "bibtex:lovelace2023",
        arxiv=False,
        source="bibtex",
        authors=("Lovelace, Ada",),
        title="Sparse Attention for Very Long Documents",
    )
    counts = any_store.upsert([bib])
    assert counts.merged == 1 and any_store.count() == 1
    merged = any_store.get("bibtex:lovelace2023")
    assert merged is not None and merged.id == "2301.00001"
    assert set(merged.sources) == {"arxiv-api", "bibtex"}


def test_arxiv_record_adopts_a_stored_doi_record(any_store):
    any_store.upsert([make_paper("doi:10.7777/z", arxiv=False, doi="10.7777/z", source="ris")])
    any_store.upsert([make_paper(doi="10.7777/z")])
    assert any_store.count() == 1
    assert any_store.get("doi:10.7777/z").id == "2301.00001"


def test_two_arxiv_papers_sharing_a_doi_stay_two_papers(any_store):
    # Real snapshot records do this (a proceedings volume's DOI on each of its papers).
    first = make_paper("2301.00001", doi="10.1/shared", title="Sparse attention for documents")
    second = make_paper("2301.00002", doi="10.1/shared", title="Graph kernels for molecules")
    any_store.upsert([first])
    counts = any_store.upsert([second])
    assert (counts.added, counts.merged, counts.unchanged) == (1, 0, 0)
    assert sorted(p.id for _, p in any_store.iter_papers()) == ["2301.00001", "2301.00002"]
    assert any_store.get("2301.00002").title == "Graph kernels for molecules"


def test_fts_index_follows_updates(store):
    store.upsert([make_paper(title="Quantized transformers at scale", version=1)])
    store.upsert([make_paper(title="Pruned transformers at scale", version=2)])

    def hits(word):
        return store.db.execute(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", (word,)
        ).fetchone()[0]

    assert hits("pruned") == 1
    assert hits("quantized") == 0
    assert hits("lovelace") == 1


def test_failed_batch_leaves_store_unchanged(any_store):
    any_store.upsert([make_paper("2301.00001")])
    with pytest.raises(RuntimeError), any_store.transaction():
        any_store.upsert([make_paper("2301.00002")])
        raise RuntimeError("boom")
    assert any_store.count() == 1


def test_checkpoints(any_store):
    assert any_store.get_checkpoint("oai:cs") is None
    any_store.set_checkpoint("oai:cs", "token-1")
    any_store.set_checkpoint("oai:cs", "token-2")
    assert any_store.get_checkpoint("oai:cs") == "token-2"
    any_store.set_checkpoint("oai:cs", None)
    assert any_store.get_checkpoint("oai:cs") is None


def test_stats_counts_sources_categories_months(any_store):
    any_store.upsert(
        [make_paper("2301.00001"), make_paper("2301.00002", categories=("cs.CL", "cs.LG"))]
    )
    stats = any_store.stats()
    assert stats["sources"] == {"arxiv-api": 2}
    assert stats["categories"] == {"cs.LG": 2, "cs.CL": 1}
    assert stats["months"] == {"2023-01": 2}


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        SqliteStore(bad)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    SqliteStore(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    con.close()
    with pytest.raises(StoreError, match="newer papersift"):
        SqliteStore(path)


def test_keyword_index_stems_english_words(store):
    store.upsert([make_paper(title="Quantization of transformers at scale")])
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    fts_sql = store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'papers_fts'")
    assert "porter" in fts_sql.fetchone()[0]
    assert [p for p, _ in store.keyword_search('"quantized"', 5)] == [store.rowid_of("2301.00001")]


def test_keyword_search_stems_and_follows_updates_on_both_backends(any_store):
    any_store.upsert([make_paper(title="Quantization of transformers at scale", version=1)])
    rowid = any_store.rowid_of("2301.00001")
    assert [p for p, _ in any_store.keyword_search('"quantized"', 5)] == [rowid]
    any_store.upsert([make_paper(title="Pruned transformers at scale", version=2)])
    assert [p for p, _ in any_store.keyword_search('"pruning"', 5)] == [rowid]
    assert any_store.keyword_search('"quantized"', 5) == []
    assert [p for p, _ in any_store.keyword_search('"lovelace"', 5)] == [rowid]  # authors
    assert any_store.keyword_search('"unbalanced', 5) == []  # FTS5 cannot parse it: nothing


def test_a_store_of_schema_4_gets_a_stemmed_keyword_index(tmp_path):
    path = tmp_path / "v4.db"
    store = SqliteStore(path)
    store.upsert([make_paper(title="Quantization of transformers at scale")])
    store.close()
    # Back to what schema 4 had: the unstemmed index of migration 1, holding the same papers.
    old_fts = re.search(r"CREATE VIRTUAL TABLE papers_fts .*?\);", MIGRATIONS[0], re.S)
    assert old_fts and "porter" not in old_fts.group(0)
    con = sqlite3.connect(path)
    con.executescript(
        "DROP TABLE papers_fts;"
        + old_fts.group(0)
        + "INSERT INTO papers_fts(papers_fts) VALUES ('rebuild'); PRAGMA user_version = 4;"
    )

    def matches(db, word):
        sql = "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?"
        return db.execute(sql, (word,)).fetchone()[0]

    assert (matches(con, "quantization"), matches(con, "quantized")) == (1, 0)
    con.close()

    notices: list[str] = []
    store = SqliteStore(path, notice=notices.append)
    try:
        # A rebuild on opening takes a while on a big store: the reader is told once, why.
        assert len(notices) == 1 and "keyword index" in notices[0] and "for 1 paper " in notices[0]
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 5
        fts_sql = store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'papers_fts'")
        assert "porter" in fts_sql.fetchone()[0]
        assert (matches(store.db, "quantization"), matches(store.db, "quantized")) == (1, 1)
        assert matches(store.db, "lovelace") == 1  # the authors column was rebuilt too
        assert store.count() == 1
    finally:
        store.close()


def test_a_write_that_cannot_get_the_lock_is_store_busy(tmp_path) -> None:
    from papersift.errors import StoreBusy
    from papersift.store import open_store, watch_commits

    path = tmp_path / "s.db"
    store = open_store(path, lock_wait=0.1)
    watch = watch_commits(path)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        seen = watch.generation()
        other.execute("BEGIN IMMEDIATE")  # what `papersift daily` holds while storing a batch
        with pytest.raises(StoreBusy, match="busy"), store.transaction():
            store.library().add_interest("never stored")
        assert store.count() == 0, "reads do not wait"
        other.execute("ROLLBACK")
        assert watch.generation() == seen, "nothing was committed"
        with store.transaction():
            store.library().add_interest("stored")
        assert watch.generation() == seen + 1
        assert [i.text for i in store.library().interests()] == ["stored"]
    finally:
        other.close()
        watch.close()
        store.close()
