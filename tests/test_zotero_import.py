"""`library import zotero.sqlite`: Zotero's own database, read from a copy, collections as tags."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest

from papersift.errors import ParseError, UsageError
from papersift.export import export
from papersift.reader_library import collection_tag, import_library, library_papers
from papersift.store import open_store
from papersift.store.sqlite import SqliteStore
from tests.zotero_db import LIBRARY, Item, add_items, build_zotero

WANTED_IDS = {"doi:10.5555/zotero.one", "2401.01234", "zotero:CCCC3333"}


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return open_store(tmp_path / "store.db")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _by_id(store: SqliteStore) -> dict[str, tuple[object, ...]]:
    return {paper.id: (paper, rating, tags) for paper, rating, tags in library_papers(store)}


def test_import_reads_papers_dates_and_collections(tmp_path: Path, store: SqliteStore) -> None:
    db = build_zotero(tmp_path / "zotero.sqlite")
    before = _digest(db)
    report = import_library(store, db)
    assert _digest(db) == before  # Zotero's file is never written
    assert (report.entries, report.added, report.matched, report.liked) == (3, 3, 0, 3)
    assert report.rejected == []
    rows = _by_id(store)
    assert set(rows) == WANTED_IDS  # no trashed item, attachment or note

    journal, rating, tags = rows["doi:10.5555/zotero.one"]
    assert rating == 1 and sorted(tags) == ["ML/Transformers", "Reading group"]
    assert journal.authors == ("Ada Lovelace", "Alan Turing")  # in order, no editor
    assert journal.published == dt.date(2021, 1, 1) and journal.extra["date_parts"] == 1
    assert journal.extra["venue"] == "Journal of Invented Results"
    assert (journal.extra["volume"], journal.extra["issue"], journal.extra["pages"]) == (
        "12",
        "3",
        "101-117",
    )
    assert journal.abstract == "We attend sparsely to documents that never existed."
    bibtex = export([journal], "bibtex")
    assert "year = {2021}" in bibtex and "month" not in bibtex  # year-only stays a year

    preprint, _, tags = rows["2401.01234"]
    assert tags == ["ML"]  # "Old stuff" is in Zotero's trash
    assert (preprint.arxiv_id, preprint.version) == ("2401.01234", 2)
    assert preprint.published == dt.date(2024, 1, 5) and preprint.extra["date_parts"] == 3
    assert preprint.extra.get("venue") is None  # the repository "arXiv" is no venue
    assert preprint.link("abs") == "https://arxiv.org/abs/2401.01234"

    talk, _, tags = rows["zotero:CCCC3333"]
    assert tags == []
    assert talk.authors == ("The Invented Consortium", "Barbara Liskov")
    assert talk.published == dt.date(2023, 7, 1) and talk.extra["date_parts"] == 2
    assert talk.extra["venue"] == "Proceedings of the Invented Conference"
    assert talk.external_ids["citekey"] == "consortium2023compilers"
    assert "@inproceedings{consortium2023compilers," in export([talk], "bibtex")

    assert sorted(store.library().tags()) == ["ML", "ML/Transformers", "Reading group"]


def test_importing_again_matches_and_changes_nothing(tmp_path: Path, store: SqliteStore) -> None:
    db = build_zotero(tmp_path / "zotero.sqlite")
    import_library(store, db)
    again = import_library(store, db)
    assert (again.added, again.matched, again.liked, again.tagged) == (0, 3, 0, 0)
    assert store.count() == 3


def test_an_item_that_is_no_paper_is_named_and_the_rest_kept(
    tmp_path: Path, store: SqliteStore
) -> None:
    untitled = Item("GGGG7777", "journalArticle", {"date": "2019-00-00 2019"})
    db = build_zotero(tmp_path / "zotero.sqlite", [*LIBRARY, untitled])
    report = import_library(store, db)
    assert [err.one_line() for err in report.rejected] == [
        f"{db}: record GGGG7777: field title: missing"
    ]
    assert store.count() == 3


@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
def test_import_works_while_zotero_holds_an_exclusive_lock(
    tmp_path: Path, store: SqliteStore, wal: bool
) -> None:
    db = build_zotero(tmp_path / "zotero.sqlite", wal=wal)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("PRAGMA wal_autocheckpoint=0")
        holder.execute("BEGIN")
        add_items(
            holder, [Item("HHHH8888", "preprint", {"title": "Committed after the start"})], {}
        )
        holder.execute("COMMIT")  # in WAL mode this lives in the -wal file only
        # A small cache makes SQLite write the open transaction into the database file itself,
        # so the copy holds half a transaction that only its hot journal can undo.
        holder.execute("PRAGMA cache_size=1")
        size = db.stat().st_size
        holder.execute("BEGIN EXCLUSIVE")
        add_items(holder, [Item("IIII9999", "preprint", {"title": "Never committed"})], {})
        holder.executemany(
            "INSERT INTO itemDataValues (value) VALUES (?)", [(f"{i}" * 3000,) for i in range(200)]
        )
        if not wal:
            assert db.stat().st_size > size and Path(f"{db}-journal").stat().st_size > 0
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                sqlite3.connect(db, timeout=0).execute("SELECT count(*) FROM items").fetchone()

        report = import_library(store, db)

        titles = {paper.title for paper, _, _ in library_papers(store)}
        assert "Committed after the start" in titles and "Never committed" not in titles
        assert report.added == 4 and report.rejected == []
        holder.execute("COMMIT")  # the lock holder carries on undisturbed
    finally:
        holder.close()


def test_a_damaged_file_is_one_line_and_nothing_is_stored(
    tmp_path: Path, store: SqliteStore
) -> None:
    good = build_zotero(tmp_path / "zotero.sqlite").read_bytes()
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(good[:16] + bytes(range(256)) * 40)
    truncated = tmp_path / "truncated.sqlite"
    truncated.write_bytes(good[: len(good) // 3])
    for path in (garbage, truncated):
        with pytest.raises(ParseError) as caught:
            import_library(store, path)
        line = caught.value.one_line()
        assert line.startswith(f"{path}: damaged SQLite database") and "\n" not in line
    assert store.count() == 0 and store.library().tags() == {}


def test_another_applications_sqlite_file_is_a_usage_error(
    tmp_path: Path, store: SqliteStore
) -> None:
    other = tmp_path / "places.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    con.commit()
    con.close()
    with pytest.raises(UsageError) as caught:
        import_library(store, other)
    message = str(caught.value)
    assert (
        message.startswith(f"{other}: a SQLite database, but not Zotero's") and "\n" not in message
    )
    assert store.count() == 0


def test_text_exports_still_import_when_zotero_is_detected_by_content(
    tmp_path: Path, store: SqliteStore
) -> None:
    # A file named zotero.sqlite that is really a BibTeX export: content decides, not the name.
    bib = tmp_path / "zotero.sqlite"
    bib.write_text("@article{k, title={A BibTeX entry}, author={Lovelace, Ada}, year={2020}}\n")
    report = import_library(store, bib)
    assert (report.entries, report.added, report.tags) == (1, 1, [])


def test_collection_paths_as_tags() -> None:
    assert collection_tag("ML/Transformers") == "ML/Transformers"
    deep = "/".join(["Level " + "x" * 30] * 5)
    tag = collection_tag(deep)
    assert len(tag) <= 100 and tag.startswith("\u2026/") and tag.endswith("Level " + "x" * 30)
