"""Papers private to their importer (issue 21 finding 1), in a real SQLite store: a reader's
upsert changes nothing another reader sees, other readers' private papers are left out of
every read, a public record or an admin's promote makes them public, and imports are capped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from papersift import reader_library
from papersift.errors import UsageError
from papersift.records import Link, Paper, PaperFilter
from papersift.store import open_store
from papersift.store.sqlite import SqliteStore
from tests.helpers import make_paper

ALICE, BOB = 2, 3
EVIL = "http://evil.example/phish"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = open_store(tmp_path / "store.db")
    opened.upsert([make_paper("2301.00001", "Sparse attention for very long documents")])
    yield opened
    opened.close()


def planted(ident: str = "2301.00099", title: str = "Zyxwvut planted attention results") -> Paper:
    paper = make_paper(ident, title, abstract="Sparse attention, planted.")
    return dataclasses.replace(paper, links=(*paper.links, Link("other", EVIL)))


def test_a_private_upsert_names_a_public_paper_without_changing_it(store: SqliteStore) -> None:
    before = store.get("2301.00001")
    changed = dataclasses.replace(
        make_paper("2301.00001", "Sparse attention for very long documents"),
        doi="10.6666/foreign.1",
        links=(Link("other", EVIL),),
    )
    counts = store.upsert([changed], private_to=ALICE)
    assert (counts.added, counts.merged, counts.unchanged) == (0, 0, 1)
    assert counts.rowids["2301.00001"] == store.rowid_of("2301.00001")
    assert store.get("2301.00001") == before
    assert store.rowid_of("doi:10.6666/foreign.1") is None


def test_other_readers_private_papers_are_left_out_of_every_read(store: SqliteStore) -> None:
    counts = store.upsert([planted()], private_to=ALICE)
    rowid = counts.rowids["2301.00099"]
    assert counts.added == 1
    every = PaperFilter()
    for viewer, sees in ((ALICE, True), (BOB, False), (None, True)):
        store.set_viewer(viewer)
        assert (store.rowid_of("2301.00099") == rowid) is sees, viewer
        assert (rowid in store.papers_by_rowid([rowid])) is sees, viewer
        assert (rowid in store.filtered_rowids(every)) is sees, viewer
        assert (rowid in dict(store.keyword_search("zyxwvut", 10))) is sees, viewer
        assert (rowid in [r for r, _ in store.iter_papers()]) is sees, viewer
        assert (store.visible_rowids([rowid]) == [rowid]) is sees, viewer


def test_a_private_paper_dated_later_does_not_move_another_readers_window(
    store: SqliteStore,
) -> None:
    day = dt.date(2099, 1, 1)
    store.upsert([dataclasses.replace(planted(), published=day, updated=day)], private_to=ALICE)
    store.set_viewer(BOB)
    assert store.latest_date() == dt.date(2023, 1, 2)
    store.set_viewer(ALICE)
    assert store.latest_date() == day


def test_two_readers_importing_one_paper_get_copies_of_their_own(store: SqliteStore) -> None:
    alice = store.upsert([planted(title="Alice's version of the planted paper")], private_to=ALICE)
    bob = store.upsert([planted(title="Bob's version of the planted paper")], private_to=BOB)
    again = store.upsert([planted(title="Bob's version of the planted paper")], private_to=BOB)
    assert alice.rowids["2301.00099"] != bob.rowids["2301.00099"]
    assert again.rowids["2301.00099"] == bob.rowids["2301.00099"] and again.added == 0
    for viewer, title in ((ALICE, "Alice's"), (BOB, "Bob's")):
        store.set_viewer(viewer)
        paper = store.get("2301.00099")
        assert paper is not None and paper.title.startswith(title)


def test_a_public_record_makes_a_private_paper_public_with_its_own_data(
    store: SqliteStore,
) -> None:
    rowid = store.upsert([planted()], private_to=ALICE).rowids["2301.00099"]
    public = make_paper("2301.00099", "The real paper behind the id", abstract="Real words.")
    counts = store.upsert([public])
    assert counts.merged == 1
    store.set_viewer(BOB)
    assert store.rowid_of("2301.00099") == rowid
    paper = store.get("2301.00099")
    assert paper is not None and paper.title == "The real paper behind the id"
    assert EVIL not in [link.url for link in paper.links]
    assert not dict(store.keyword_search("zyxwvut", 10))


def test_promote_makes_a_private_paper_public(store: SqliteStore) -> None:
    store.upsert([planted()], private_to=ALICE)
    assert reader_library.promote(store, ["2301.00099"]) == 1
    assert reader_library.promote(store, ["2301.00099"]) == 0  # already public
    store.set_viewer(BOB)
    assert store.get("2301.00099") is not None


def test_a_public_import_is_public_as_before(store: SqliteStore, tmp_path: Path) -> None:
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "@article{planted, title = {Zyxwvut planted attention results}, "
        "author = {Lovelace, Ada}, year = {2023}, eprint = {2301.00099}}\n"
    )
    report = reader_library.import_library(store, bib)
    assert report.added == 1 and report.liked == 1
    store.set_viewer(BOB)
    assert store.rowid_of("2301.00099") is not None


def test_private_imports_are_capped_per_reader_and_nothing_is_kept(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_library, "PRIVATE_PAPERS_MAX", 2)
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "".join(
            f"@article{{p{i}, title = {{Planted paper number {i} about attention}}, "
            f"author = {{Lovelace, Ada}}, year = {{2023}}, eprint = {{2301.0010{i}}}}}\n"
            for i in range(3)
        )
    )
    with pytest.raises(UsageError, match="at most 2"):
        reader_library.import_library(store, bib, user_id=ALICE, private=True)
    assert store.count() == 1
    assert store.private_papers().count(ALICE) == 0
    assert store.library(ALICE).feedback() == []


def test_a_zotero_upload_on_a_shared_server_is_private_too(
    store: SqliteStore, tmp_path: Path
) -> None:
    from tests.zotero_db import build_zotero

    database = build_zotero(tmp_path / "zotero.sqlite")
    with store.transaction():
        alice = store.users().add("alice", "not-a-real-hash")
    assert alice is not None
    store.set_viewer(None)
    before = {paper.id for _, paper in store.iter_papers()}
    report = reader_library.import_library(store, database, "auto", alice, private=True)
    assert report.added > 0
    store.set_viewer(alice + 1)
    assert {paper.id for _, paper in store.iter_papers()} == before
    store.set_viewer(alice)
    assert len({paper.id for _, paper in store.iter_papers()} - before) == report.added
