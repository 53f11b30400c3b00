"""The seen store and the rule over it: shown papers stay out unless they came back changed."""

from __future__ import annotations

import datetime as dt

import pytest

from papersift.rank.unseen import judge
from papersift.store import SqliteStore
from papersift.store.seen import abstract_hash
from tests.helpers import make_paper

MON, TUE, WED = dt.date(2025, 6, 2), dt.date(2025, 6, 3), dt.date(2025, 6, 4)
AT = dt.datetime(2025, 6, 3, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path / "seen.db")
    s.upsert([make_paper("2506.00001"), make_paper("2506.00002", "Another paper")])
    yield s
    s.close()


def rowid(store: SqliteStore, ident: str) -> int:
    found = store.rowid_of(ident)
    assert found is not None
    return found


def test_showings_of_earlier_days_count_and_of_today_do_not(store):
    one = rowid(store, "2506.00001")
    paper = store.get("2506.00001")
    with store.transaction():
        store.seen().record([(one, paper)], "digest", AT, TUE)
    assert store.seen().states([one], before=TUE) == {}  # the same day: not yet a repeat
    [state] = store.seen().states([one], before=WED).values()
    assert state.last_day == TUE and state.version == 1 and not state.read
    assert state.abstract_hash == abstract_hash(paper.abstract)
    assert judge(paper, state, WED).verdict == "hidden"


def test_readers_are_apart(store):

    one = rowid(store, "2506.00001")
    store.db.execute("INSERT INTO users(id, name, created_at) VALUES (2, 'bob', 'now')")
    with store.transaction():
        store.seen(2).record([(one, store.get("2506.00001"))], "feed", AT, MON)
    assert store.seen(1).states([one], before=WED) == {}
    assert one in store.seen(2).states([one], before=WED)


def test_a_new_version_or_abstract_comes_back_as_an_update(store):
    one = rowid(store, "2506.00001")
    old = store.get("2506.00001")
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
        store.seen().record([(one, store.get("2506.00001"))], "read", AT, TUE)
        store.seen().snooze(two, WED + dt.timedelta(days=7))
    states = store.seen().states([one, two], before=TUE)
    assert states[one].read and judge(store.get("2506.00001"), states[one], TUE).verdict == "hidden"
    assert judge(store.get("2506.00002"), states[two], WED).verdict == "hidden"
    back = WED + dt.timedelta(days=7)
    assert judge(store.get("2506.00002"), states[two], back).verdict == "new"


def test_a_snoozed_paper_that_was_shown_comes_back_once(store):
    two = rowid(store, "2506.00002")
    paper = store.get("2506.00002")
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
        store.seen().record([(one, store.get("2506.00001"))], "digest", AT, MON)
        store.seen().record(
            [(two, store.get("2506.00002"))], "email", AT + dt.timedelta(days=1), TUE
        )
    shown = store.seen().history()
    assert [(s.paper_rowid, s.place) for s in shown] == [(two, "email"), (one, "digest")]
    assert [s.paper_rowid for s in store.seen().history(since=TUE)] == [two]


def test_unknown_place_is_refused(store):
    with pytest.raises(ValueError, match="unknown place"):
        store.seen().record([], "tweet", AT, MON)  # type: ignore[arg-type]
