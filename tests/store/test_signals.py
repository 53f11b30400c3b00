"""The store's side of community signals: trending order, the code filter, paper snapshots."""

from __future__ import annotations

import datetime as dt

import pytest

from papersift.badges import has_code
from papersift.records import Link, PaperFilter
from papersift.store import open_store
from papersift.store.base import PaperSnapshot
from tests.helpers import make_paper

DAY = dt.date(2026, 6, 10)


def _paper(n: int, *, upvotes: object = None, code: str | None = None, days_ago: int = 0):
    paper = make_paper(f"2606.{n:05d}", f"Paper number {n}", published=DAY - dt.timedelta(days_ago))
    extra = {} if upvotes is None else {"upvotes": upvotes}
    links = (*paper.links, Link("code", code)) if code else paper.links
    return paper.with_changes(extra=extra, links=links)


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "signals.db")
    store.upsert(
        [
            _paper(1, upvotes=5, days_ago=2),
            _paper(2, upvotes=40, code="https://github.com/a/two"),
            _paper(3, upvotes=5, days_ago=0),  # ties with 1: newer first
            _paper(4, upvotes=0),  # featured, no votes: not trending
            _paper(5),  # never on Hugging Face
            _paper(6, upvotes=90, days_ago=30),  # outside a one-week window
            _paper(7, upvotes=True),  # not a count
            _paper(8, code="https://github.com/a/eight"),
        ]
    )
    yield store
    store.close()


def _ids(store, rowids):
    papers = store.papers_by_rowid(rowids)
    return [papers[r].id for r in rowids]


def test_trending_orders_by_upvotes_then_newest(store):
    week = PaperFilter(since=DAY - dt.timedelta(days=6))
    assert _ids(store, store.trending_rowids(week, 10)) == [
        "2606.00002",
        "2606.00003",
        "2606.00001",
    ]
    assert _ids(store, store.trending_rowids(PaperFilter(), 10)) == [
        "2606.00006",
        "2606.00002",
        "2606.00003",
        "2606.00001",
    ]
    assert _ids(store, store.trending_rowids(PaperFilter(), 2)) == ["2606.00006", "2606.00002"]
    with_code = PaperFilter(has_code=True)
    assert _ids(store, store.trending_rowids(with_code, 10)) == ["2606.00002"]


def test_has_code_filter_agrees_with_the_badge(store):
    every = store.papers_by_rowid(store.filtered_rowids(PaperFilter()))
    coded = store.filtered_rowids(PaperFilter(has_code=True))
    assert sorted(every[r].id for r in coded) == ["2606.00002", "2606.00008"]
    assert {r for r, p in every.items() if has_code(p)} == set(coded)
    # Keyword search applies it too.
    hits = store.keyword_search("paper", 10, PaperFilter(has_code=True))
    assert sorted(r for r, _ in hits) == sorted(coded)


def test_snapshots_of_liked_and_tagged_papers(store):
    rowids = {p.id: r for r, p in store.iter_papers()}
    library = store.library()
    with store.transaction():
        library.rate([rowids["2606.00001"]], 1)
        library.rate([rowids["2606.00005"]], -1)  # disliked: not followed
        library.tag("reading", [rowids["2606.00008"], rowids["2606.00001"]])
    snapshots = store.snapshots()
    assert snapshots.followed() == [rowids["2606.00001"], rowids["2606.00008"]]
    assert snapshots.get(snapshots.followed()) == {}
    first = {rowids["2606.00001"]: PaperSnapshot(1, None, None)}
    with store.transaction():
        snapshots.record(first)
        snapshots.record({rowids["2606.00008"]: PaperSnapshot(1, "https://github.com/a/eight")})
    later = {rowids["2606.00001"]: PaperSnapshot(2, "https://github.com/x", "ICLR 2026")}
    with store.transaction():
        snapshots.record(later)
    assert snapshots.get([rowids["2606.00001"], rowids["2606.00008"]]) == {
        **later,
        rowids["2606.00008"]: PaperSnapshot(1, "https://github.com/a/eight", None),
    }
    # Another reader's snapshots are their own.
    assert store.snapshots(user_id=2).get(list(later)) == {}
