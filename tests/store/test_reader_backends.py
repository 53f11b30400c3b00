"""Every method of the per-reader protocols (Library, Archive, SeenPapers, Users, Snapshots,
Follows, ProfileControls, PrivatePapers) behaves the same on SQLite and on PostgreSQL: the same
return values, row counts, order, kept first-like times and fingerprints that move together.

Each test runs once per backend (`store_location`); the PostgreSQL ones skip, saying why, where
no server is installed. Only protocol methods and `tests.backends` touch the stores.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from papersift.store import LOCAL_USER
from papersift.store.base import PaperSnapshot
from papersift.store.postgres import private as pg_private
from papersift.store.private import hidden_sql
from papersift.store.reader_rows import abstract_hash
from tests.backends import add_papers, is_postgres, make_private, open_backend
from tests.helpers import make_paper

MON, TUE, WED = dt.date(2025, 6, 2), dt.date(2025, 6, 3), dt.date(2025, 6, 4)
AT = dt.datetime(2025, 6, 3, 7, 0, tzinfo=dt.UTC)
PAPERS = [make_paper(f"2506.0000{i}", f"Paper number {i}") for i in range(1, 6)]


@pytest.fixture
def store(store_location: str) -> Iterator[Any]:
    opened = open_backend(store_location)
    yield opened
    opened.close()


@pytest.fixture
def rowids(store: Any) -> list[int]:
    return add_papers(store, PAPERS)


def _user(store: Any, name: str) -> int:
    with store.transaction():
        user_id = store.users().add(name, "not-a-real-hash")
    assert user_id is not None
    return int(user_id)


# -- Library -----------------------------------------------------------------------------------


def test_rate_counts_changes_and_keeps_the_first_like_time(store: Any, rowids: list[int]) -> None:
    one, two, three = rowids[:3]
    library = store.library()
    with store.transaction():
        assert library.rate([one, two], 1) == 2
    first = {f.paper_rowid: f.at for f in library.feedback()}
    time.sleep(0.002)
    with store.transaction():
        assert library.rate([one, two], 1) == 0, "liking again changes nothing"
        assert library.rate([three, three], -1) == 1, "a paper given twice is one change"
    assert {f.paper_rowid: f.at for f in library.feedback()}.items() >= first.items()
    with store.transaction():
        assert library.rate([two], -1) == 1
        assert library.rate([one, rowids[4]], None) == 1
    feedback = library.feedback()
    assert [(f.paper_rowid, f.rating) for f in feedback] == [(three, -1), (two, -1)]
    assert feedback[1].at > first[two], "a changed rating is a new time"
    assert library.rate([], 1) == 0 and library.rate([], None) == 0


def test_tags_count_order_and_marks(store: Any, rowids: list[int]) -> None:
    one, two, three = rowids[:3]
    library = store.library()
    with store.transaction():
        assert library.tag("b-side", [two, one, one]) == 2
        assert library.tag("b-side", [one]) == 0
    time.sleep(0.002)
    with store.transaction():
        assert library.tag("Zeta", [three]) == 1
        assert library.tag("b-side", [three]) == 1
        assert library.tag("alpha", []) == 0
    # Code-point order of tags (upper case first), then oldest first within one.
    tags = library.tags()
    assert list(tags) == ["Zeta", "b-side"]
    assert sorted(tags["b-side"][:2]) == sorted([one, two]) and tags["b-side"][2] == three
    with store.transaction():
        library.rate([one], 1)
        assert library.untag("b-side", [two, two, rowids[4]]) == 1
    marks = library.marks([one, two, three, rowids[4]])
    assert marks[one].rating == 1 and marks[one].tags == ("b-side",)
    assert marks[two].rating is None and marks[two].tags == ()
    assert marks[three].tags == ("Zeta", "b-side")
    assert marks[rowids[4]].rating is None and marks[rowids[4]].tags == ()
    assert library.marks([]) == {}


def test_interests_by_number_or_text(store: Any) -> None:
    library = store.library()
    with store.transaction():
        assert library.add_interest("sparse attention")
        assert not library.add_interest("sparse attention")
        assert library.add_interest("graph networks")
        assert library.add_interest("²")
    listed = library.interests()
    assert [i.text for i in listed] == ["sparse attention", "graph networks", "²"]
    assert listed[0].id < listed[1].id < listed[2].id
    with store.transaction():
        assert library.remove_interest(str(listed[0].id))
        assert not library.remove_interest(str(listed[0].id))
        assert library.remove_interest("²"), "a digit that is no number is a text"
        assert not library.remove_interest("9" * 30)
        assert library.remove_interest("graph networks")
    assert library.interests() == []


def test_libraries_are_per_reader(store: Any, rowids: list[int]) -> None:
    bob = _user(store, "bob")
    with store.transaction():
        store.library(bob).rate([rowids[0]], 1)
        store.library(bob).tag("mine", [rowids[0]])
        store.library(bob).add_interest("bob's")
    assert store.library().feedback() == [] and store.library().tags() == {}
    assert store.library().interests() == []
    assert store.library(bob).marks([rowids[0]])[rowids[0]].tags == ("mine",)
    assert store.library().user_id == LOCAL_USER and store.library(bob).user_id == bob


def test_library_fingerprint_moves_with_every_change_and_only_then(
    store: Any, rowids: list[int]
) -> None:
    library = store.library()
    last = [library.fingerprint()]

    def changed() -> bool:
        now = library.fingerprint()
        moved = now != last[-1]
        last.append(now)
        return moved

    with store.transaction():
        library.rate([rowids[0]], 1)
    assert changed()
    with store.transaction():
        library.rate([rowids[0]], 1)
    assert not changed()
    with store.transaction():
        library.rate([rowids[0]], -1)
    assert changed()
    with store.transaction():
        library.tag("t", [rowids[1]])
    assert changed()
    with store.transaction():
        library.add_interest("words")
    assert changed()
    with store.transaction():
        library.add_interest("other words")
        library.remove_interest("words")
    assert changed(), "as many interests as before, but not the same"
    with store.transaction():
        library.untag("t", [rowids[1]])
    assert changed()
    assert library.fingerprint() == library.fingerprint()


# -- Archive ---------------------------------------------------------------------------------


def test_archive_round_trip(store: Any) -> None:
    archive = store.archive()
    rendered = {"html": "<p>h</p>", "md": "# m", "txt": "t", "atom": "<feed/>"}
    with store.transaction():
        first = archive.add("Monday", MON, TUE, 3, rendered)
        second = archive.add("Open window", None, None, 0, {"txt": "only text"})
    assert second > first
    listed = archive.list()
    assert [(d.id, d.title, d.window_start, d.window_end, d.papers) for d in listed] == [
        (second, "Open window", None, None, 0),
        (first, "Monday", MON, TUE, 3),
    ]
    assert listed[0].created_at.tzinfo is not None
    assert [d.id for d in archive.list(limit=1)] == [second]
    assert archive.content(first, "md") == "# m" and archive.content(first, "atom") == "<feed/>"
    assert archive.content(second, "html") == ""
    assert archive.content(second + 100, "txt") is None
    with pytest.raises(KeyError):
        archive.content(first, "pdf")
    bob = _user(store, "bob")
    assert store.archive(bob).list() == [] and store.archive(bob).content(first, "txt") is None


def test_deliveries_are_logged_retried_and_listed(store: Any) -> None:
    archive = store.archive()
    with store.transaction():
        digest = archive.add("d", MON, TUE, 1, {})
        later = archive.add("e", TUE, WED, 1, {})
    assert archive.delivery(TUE, "a@example.org") is None
    with store.transaction():
        archive.record_delivery(WED, later, "b@example.org", "server down")
        archive.record_delivery(TUE, digest, "b@example.org", "refused")
        archive.record_delivery(TUE, digest, "B@example.org", "refused")
        archive.record_delivery(TUE, digest, "a@example.org", None)
    sent = archive.delivery(TUE, "a@example.org")
    assert sent is not None and sent.sent_at is not None and sent.error is None
    assert (sent.day, sent.digest_id, sent.recipient) == (TUE, digest, "a@example.org")
    unsent = archive.unsent()
    assert [(d.day, d.recipient, d.error) for d in unsent] == [
        (TUE, "B@example.org", "refused"),
        (TUE, "b@example.org", "refused"),
        (WED, "b@example.org", "server down"),
    ]
    assert all(d.sent_at is None for d in unsent)
    with store.transaction():
        archive.record_delivery(TUE, later, "b@example.org", None)
    retried = archive.delivery(TUE, "b@example.org")
    assert retried is not None and retried.digest_id == later and retried.error is None
    assert [d.recipient for d in archive.unsent()] == ["B@example.org", "b@example.org"]


# -- Seen ------------------------------------------------------------------------------------


def test_seen_record_states_snooze_history(store: Any, rowids: list[int]) -> None:
    one, two, three = rowids[:3]
    p1, p2, p3 = PAPERS[:3]
    seen = store.seen()
    with store.transaction():
        assert seen.record([(one, p1), (two, p2)], "digest", AT, MON) == 2
        assert seen.record([(one, p1.with_changes(version=2))], "digest", AT, MON) == 1
        assert seen.record([(three, p3)], "read", AT + dt.timedelta(hours=1), TUE) == 1
        assert seen.record([], "feed", AT, TUE) == 0
        seen.snooze(two, WED)
        seen.snooze(two, WED + dt.timedelta(days=1))
        seen.snooze(rowids[3], WED)
    states = seen.states([one, two, three, rowids[3], rowids[4], one], before=TUE)
    assert set(states) == {one, two, three, rowids[3]}
    assert states[one].version == 2 and states[one].last_day == MON and not states[one].read
    assert states[one].abstract_hash == abstract_hash(p1.abstract)
    assert states[two].snoozed_until == WED + dt.timedelta(days=1)
    assert states[three].read and states[three].last_day == TUE, "read counts the same day"
    assert states[rowids[3]].last_day is None and states[rowids[3]].snoozed_until == WED
    assert seen.states([one], before=MON) == {}
    assert seen.states([], before=WED) == {}
    history = seen.history()
    assert [(s.paper_rowid, s.place, s.day) for s in history] == [
        (three, "read", TUE),
        (one, "digest", MON),
        (two, "digest", MON),
    ]
    assert history[0].at == AT + dt.timedelta(hours=1) and history[1].version == 2
    assert [s.paper_rowid for s in seen.history(since=TUE)] == [three]
    assert len(seen.history(limit=2)) == 2
    with pytest.raises(ValueError, match="unknown place"):
        seen.record([(one, p1)], "tweet", AT, MON)


def test_seen_fingerprint_follows_reads_and_snoozes_not_showings(
    store: Any, rowids: list[int]
) -> None:
    seen = store.seen()
    before = seen.fingerprint()
    with store.transaction():
        seen.record([(rowids[0], PAPERS[0])], "feed", AT, MON)
    assert seen.fingerprint() == before
    with store.transaction():
        seen.record([(rowids[0], PAPERS[0])], "read", AT, MON)
    marked = seen.fingerprint()
    assert marked != before
    with store.transaction():
        seen.snooze(rowids[1], WED)
    assert seen.fingerprint() != marked
    assert store.seen(_user(store, "bob")).fingerprint() == before


# -- Users -----------------------------------------------------------------------------------


def test_accounts_are_unique_in_any_case_and_ids_are_never_reused(store: Any) -> None:
    users = store.users()
    assert users.accounts() == [] and users.account(LOCAL_USER) is None
    local = users.named("LOCAL")
    assert local is not None and local.id == LOCAL_USER and local.password_hash is None
    with store.transaction():
        alice = users.add("Alice", "h1")
        assert alice is not None and alice != LOCAL_USER
        assert users.add("aLICE", "h2") is None
        assert users.add("local", "h3") is None
        bob = users.add("bob", "h4", admin=False)
        carol = users.add("carol", "h5", admin=True)
    assert bob is not None and carol is not None
    listed = users.accounts()
    assert [(a.id, a.name, a.is_admin) for a in listed] == [
        (alice, "Alice", True),  # the first account is an admin
        (bob, "bob", False),
        (carol, "carol", True),
    ]
    found = users.named("ALICE")
    assert found is not None and found == users.account(alice) == listed[0]
    assert found.password_hash == "h1" and found.session_generation == 0
    assert users.named("nobody") is None
    with store.transaction():
        assert users.set_password(alice, "h1b")
        assert not users.set_password(LOCAL_USER, "x"), "the local reader has no password"
        assert not users.set_password(10_000, "x")
        users.end_sessions(alice)
    again = users.account(alice)
    assert again is not None and again.password_hash == "h1b" and again.session_generation == 2
    with store.transaction():
        assert users.remove(carol)
        assert not users.remove(carol)
        assert not users.remove(LOCAL_USER)
        dave = users.add("carol", "h6")
    assert dave is not None and dave > carol, "a removed account's id names nobody new"
    assert users.account(carol) is None


def test_a_taken_name_leaves_the_callers_transaction_usable(store: Any) -> None:
    users = store.users()
    with store.transaction():
        first = users.add("alice", "h")
        assert users.add("ALICE", "h") is None
        second = users.add("bob", "h")
    assert first is not None and second is not None
    assert [a.name for a in users.accounts()] == ["alice", "bob"]


def test_removing_an_account_removes_its_library(store: Any, rowids: list[int]) -> None:
    bob = _user(store, "bob")
    with store.transaction():
        store.library(bob).rate([rowids[0]], 1)
        store.archive(bob).add("d", MON, TUE, 1, {})
        store.follows(bob).add("author", "Ada", "ada")
        store.users().remove(bob)
    assert store.library(bob).feedback() == [] and store.archive(bob).list() == []
    assert store.follows(bob).list() == []


# -- Snapshots -------------------------------------------------------------------------------


def test_snapshots_follow_liked_and_tagged_papers(store: Any, rowids: list[int]) -> None:
    one, two, three, four = rowids[:4]
    snapshots = store.snapshots()
    assert snapshots.followed() == [] and snapshots.get([]) == {}
    with store.transaction():
        store.library().tag("later", [three])
    time.sleep(0.002)
    with store.transaction():
        store.library().rate([one], 1)
        store.library().rate([four], -1)
    time.sleep(0.002)
    with store.transaction():
        store.library().tag("again", [one])
        store.library().rate([two], 1)
    assert snapshots.followed() == [three, one, two], "oldest mark first; dislikes are none"
    with store.transaction():
        snapshots.record({one: PaperSnapshot(1), two: PaperSnapshot(2, "https://c", "ICLR")})
        snapshots.record({one: PaperSnapshot(3, None, "NeurIPS")})
        snapshots.record({})
    assert snapshots.get([one, two, three]) == {
        one: PaperSnapshot(3, None, "NeurIPS"),
        two: PaperSnapshot(2, "https://c", "ICLR"),
    }
    assert store.snapshots(_user(store, "bob")).get([one, two]) == {}


# -- Follows and the profile's switches ------------------------------------------------------


def test_follows_fingerprint_and_kinds(store: Any) -> None:
    follows = store.follows()
    before = follows.fingerprint()
    with store.transaction():
        assert follows.add("author", "Ada Lovelace", "lovelace|ada")
        assert follows.add("rule", "survey", "survey", "exclude")
        assert not follows.add("rule", "Survey", "survey", "exclude")
        assert follows.add("rule", "survey", "survey", "include")
    added = follows.fingerprint()
    assert added != before
    assert [f.kind for f in follows.list()] == ["author", "rule", "rule"]
    assert [f.mode for f in follows.list("rule")] == ["exclude", "include"]
    assert follows.list("alert") == []
    assert follows.remove("rule") == []
    with store.transaction():
        assert [f.mode for f in follows.remove("rule", key="survey")] == ["exclude", "include"]
    assert follows.fingerprint() not in (before, added)


def test_switches_fingerprint(store: Any) -> None:
    controls = store.profile()
    before = controls.fingerprint()
    with store.transaction():
        assert not controls.set_tag("quant", True)
    assert controls.fingerprint() == before
    with store.transaction():
        assert controls.set_tag("quant", False)
    off = controls.fingerprint()
    assert off != before
    with store.transaction():
        assert controls.set_tag("quant", True)
        assert not controls.set_tag("quant", True)
    assert controls.fingerprint() not in (before, off)
    assert controls.switches().tags_off == frozenset()
    assert controls.reset().total == 0


# -- Private papers --------------------------------------------------------------------------


def test_private_papers_owners_hidden_counts_and_promote(store: Any, rowids: list[int]) -> None:
    alice, bob = _user(store, "alice"), _user(store, "bob")
    one, two, three = rowids[:3]
    make_private(store, [one, two], alice)
    make_private(store, [three], bob)
    private = store.private_papers()
    assert private.owners([one, two, three, rowids[3]]) == {one: alice, two: alice, three: bob}
    assert private.owners([]) == {}
    assert private.hidden([one, three, rowids[3]], alice) == {three}
    assert private.hidden([one, three], bob) == {one}
    assert private.hidden([one, three], None) == set()
    assert private.hidden_count(alice) == 1 and private.hidden_count(bob) == 2
    assert private.hidden_count(None) == 0 and private.hidden_count(LOCAL_USER) == 3
    assert private.count(alice) == 2 and private.count(LOCAL_USER) == 0
    make_private(store, [two], bob)  # a paper is private to one reader: the last mark wins
    assert private.count(alice) == 1 and private.count(bob) == 2
    with store.transaction():
        assert private.promote([one, one, rowids[3]]) == 1
        assert private.promote([one]) == 0
        assert private.promote([]) == 0
    assert private.owners(rowids) == {two: bob, three: bob}


def test_hidden_sql_keeps_what_the_viewer_may_see(store: Any, rowids: list[int]) -> None:
    alice = _user(store, "alice")
    make_private(store, [rowids[0]], alice)
    make_private(store, [rowids[1]], alice + 1)
    sql_of = pg_private.hidden_sql if is_postgres(store) else hidden_sql
    placeholder = "%s" if is_postgres(store) else "?"

    def visible(viewer: int | None) -> set[int]:
        condition, params = sql_of(viewer)
        assert condition == "" or condition.startswith("AND ")
        query = f"SELECT rowid FROM papers WHERE rowid >= {placeholder} {condition}"
        return {int(r[0]) for r in store.db.execute(query, (0, *params)).fetchall()}

    assert visible(None) == set(rowids)
    assert visible(alice) == set(rowids) - {rowids[1]}
    assert visible(LOCAL_USER) == set(rowids[2:])


# -- PostgreSQL under concurrent use ---------------------------------------------------------


def _at_once(count: int, work: Any) -> list[Any]:
    """Run work(i) in `count` threads released together; their results (errors re-raised)."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as err:  # noqa: BLE001 - handed to the test thread
            results[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def test_twenty_connections_liking_and_tagging_at_once_store_each_once(pg_url: str) -> None:
    from papersift.store.postgres.store import PgStore

    setup = PgStore(pg_url)
    rowids = add_papers(setup, PAPERS)
    stores = [PgStore(pg_url) for _ in range(20)]
    try:

        def like_and_tag(i: int) -> tuple[int, int]:
            store = stores[i]
            with store.transaction():
                liked = store.library().rate(rowids, 1)
                tagged = store.library().tag("shared", rowids)
            return liked, tagged

        counts = _at_once(20, like_and_tag)
        assert sum(liked for liked, _ in counts) == len(rowids), "each like is stored once"
        assert sum(tagged for _, tagged in counts) == len(rowids)
        feedback = setup.library().feedback()
        assert sorted(f.paper_rowid for f in feedback) == sorted(rowids)
        assert setup.library().tags() == {"shared": setup.library().tags()["shared"]}
        assert sorted(setup.library().tags()["shared"]) == sorted(rowids)
        first = {f.paper_rowid: f.at for f in feedback}
        _at_once(20, like_and_tag)
        assert {f.paper_rowid: f.at for f in setup.library().feedback()} == first
    finally:
        for store in [setup, *stores]:
            store.close()


def test_two_connections_adding_one_name_in_two_cases_make_one_account(pg_url: str) -> None:
    from papersift.store.postgres.store import PgStore

    for attempt in range(5):
        stores = [PgStore(pg_url), PgStore(pg_url)]
        try:
            names = [f"reader{attempt}", f"READER{attempt}"]

            def add(i: int, names: list[str] = names, stores: list[Any] = stores) -> Any:
                with stores[i].transaction():
                    return stores[i].users().add(names[i], "hash")

            made = _at_once(2, add)
            assert sum(user_id is not None for user_id in made) == 1, made
            account = stores[0].users().named(names[0])
            assert account is not None and account.id in made
        finally:
            for store in stores:
                store.close()
    store = PgStore(pg_url)
    try:
        assert [a.name.lower() for a in store.users().accounts()] == [
            f"reader{i}" for i in range(5)
        ]
    finally:
        store.close()
