"""The seen store and the rule over it: shown papers stay out unless they came back changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from papersift.rank.unseen import judge
from papersift.store.seen import abstract_hash
from tests.backends import add_papers, open_backend
from tests.helpers import make_paper

MON, TUE, WED = dt.date(2025, 6, 2), dt.date(2025, 6, 3), dt.date(2025, 6, 4)
AT = dt.datetime(2025, 6, 3, 7, 0, tzinfo=dt.UTC)
PAPERS = {p.id: p for p in (make_paper("2506.00001"), make_paper("2506.00002", "Another paper"))}


class Stored:
    """A store on one backend holding PAPERS, with their rowids (a store's protocols only:
    the papers themselves come from PAPERS)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.rowids = dict(zip(PAPERS, add_papers(store, list(PAPERS.values())), strict=True))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.fixture
def store(store_location: str) -> Iterator[Stored]:
    s = open_backend(store_location)
    yield Stored(s)
    s.close()


def rowid(store: Stored, ident: str) -> int:
    return store.rowids[ident]


def test_showings_of_earlier_days_count_and_of_today_do_not(store):
    one = rowid(store, "2506.00001")
    paper = PAPERS["2506.00001"]
    with store.transaction():
        store.seen().record([(one, paper)], "digest", AT, TUE)
    assert store.seen().states([one], before=TUE) == {}  # the same day: not yet a repeat
    [state] = store.seen().states([one], before=WED).values()
    assert state.last_day == TUE and state.version == 1 and not state.read
    assert state.abstract_hash == abstract_hash(paper.abstract)
    assert judge(paper, state, WED).verdict == "hidden"


def test_readers_are_apart(store):

    one = rowid(store, "2506.00001")
    with store.transaction():
        bob = store.users().add("bob", "not-a-real-hash")
        store.seen(bob).record([(one, PAPERS["2506.00001"])], "feed", AT, MON)
    assert store.seen(1).states([one], before=WED) == {}
    assert one in store.seen(bob).states([one], before=WED)


def test_a_new_version_or_abstract_comes_back_as_an_update(store):
    one = rowid(store, "2506.00001")
    old = PAPERS["2506.00001"]
    with store.transaction():
        store.seen().record([(one, old)], "digest", AT, MON)
    state = store.seen().states([one], before=TUE)[one]
    replaced = old.with_changes(version=3, abstract="We study sparse attention, now better.")
    assert judge(replaced, state, TUE).update == "updated: v3, new abstract"
    assert judge(old.with_changes(version=2), state, TUE).update == "updated: v2"
    # Whitespace is no change: sources wrap abstracts differently (a cross-list, another feed).
    rewrapped = old.with_changes(abstract="We  study\nsparse attention.")
    assert judge(rewrapped, state, TUE).verdict == "hidden"


def test_marked_read_hides_at_once_and_snooze_until_its_day(store):
    one, two = rowid(store, "2506.00001"), rowid(store, "2506.00002")
    with store.transaction():
        store.seen().record([(one, PAPERS["2506.00001"])], "read", AT, TUE)
        store.seen().snooze(two, WED + dt.timedelta(days=7))
    states = store.seen().states([one, two], before=TUE)
    assert states[one].read and judge(PAPERS["2506.00001"], states[one], TUE).verdict == "hidden"
    assert judge(PAPERS["2506.00002"], states[two], WED).verdict == "hidden"
    back = WED + dt.timedelta(days=7)
    assert judge(PAPERS["2506.00002"], states[two], back).verdict == "new"


def test_a_snoozed_paper_that_was_shown_comes_back_once(store):
    two = rowid(store, "2506.00002")
    paper = PAPERS["2506.00002"]
    with store.transaction():
        store.seen().record([(two, paper)], "feed", AT, MON)
        store.seen().snooze(two, WED)
    assert judge(paper, store.seen().states([two], before=TUE)[two], TUE).verdict == "hidden"
    assert judge(paper, store.seen().states([two], before=WED)[two], WED).verdict == "new"
    with store.transaction():
        store.seen().record([(two, paper)], "feed", AT, WED)
    later = WED + dt.timedelta(days=1)
    assert judge(paper, store.seen().states([two], before=later)[two], later).verdict == "hidden"


def test_history_is_newest_first_and_windowed(store):
    one, two = rowid(store, "2506.00001"), rowid(store, "2506.00002")
    with store.transaction():
        store.seen().record([(one, PAPERS["2506.00001"])], "digest", AT, MON)
        store.seen().record([(two, PAPERS["2506.00002"])], "email", AT + dt.timedelta(days=1), TUE)
    shown = store.seen().history()
    assert [(s.paper_rowid, s.place) for s in shown] == [(two, "email"), (one, "digest")]
    assert [s.paper_rowid for s in store.seen().history(since=TUE)] == [two]


def test_unknown_place_is_refused(store):
    with pytest.raises(ValueError, match="unknown place"):
        store.seen().record([], "tweet", AT, MON)  # type: ignore[arg-type]
