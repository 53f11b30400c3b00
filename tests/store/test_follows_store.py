"""Follows, alerts, rules and the profile's switches survive a round trip through a real store
(a SQLite file, a PostgreSQL database)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from papersift.store import open_store
from papersift.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests.backends import add_papers, open_backend
from tests.helpers import make_paper


def test_follows_round_trip_per_reader(store_location: str) -> None:
    store = open_backend(store_location)
    bob = store.users().add("bob", "hash")
    assert bob is not None
    follows = store.follows()
    with store.transaction():
        assert follows.add("author", "Yann LeCun", "lecun|yann")
        assert not follows.add("author", "yann lecun", "lecun|yann")  # the same key
        assert follows.add("alert", "speculative decoding", "speculative decoding", "keyword")
        assert follows.add("alert", "speculative decoding", "speculative decoding", "semantic")
        assert follows.add("rule", "survey", "survey", "exclude")
        assert store.follows(bob).add("author", "Ada Lovelace", "lovelace|ada")
    store.close()

    store = open_backend(store_location)
    listed = store.follows().list()
    assert [(f.kind, f.text, f.mode) for f in listed] == [
        ("author", "Yann LeCun", None),
        ("alert", "speculative decoding", "keyword"),
        ("alert", "speculative decoding", "semantic"),
        ("rule", "survey", "exclude"),
    ]
    assert [f.text for f in store.follows(bob).list("author")] == ["Ada Lovelace"]
    before = store.follows().fingerprint()
    with store.transaction():
        removed = store.follows().remove("alert", key="speculative decoding")
        assert [f.mode for f in removed] == ["keyword", "semantic"]
        assert store.follows().remove("author", follow_id=listed[0].id)[0].text == "Yann LeCun"
        assert store.follows().remove("author", follow_id=listed[0].id) == []
        # Another reader's follow is not this reader's to remove.
        assert store.follows().remove("author", key="lovelace|ada") == []
    assert store.follows().fingerprint() != before
    assert [f.kind for f in store.follows().list()] == ["rule"]
    store.close()


def test_switches_and_reset_round_trip(store_location: str) -> None:
    store = open_backend(store_location)
    one, two, three, four = add_papers(store, [make_paper(f"2301.0000{i}") for i in range(1, 5)])
    library = store.library()
    controls = store.profile()
    with store.transaction():
        library.rate([one, two], 1)
        library.rate([three], -1)
        library.tag("quant", [one, four])
        library.add_interest("sparse attention")
        assert not controls.set_signal("likes", True)  # on already: nothing to store
        assert controls.set_signal("likes", False)
        assert not controls.set_signal("likes", False)
        assert controls.set_tag("quant", False)
    store.close()

    store = open_backend(store_location)
    switches = store.profile().switches()
    assert switches.signals_off == {"likes"} and switches.tags_off == {"quant"}
    assert not switches.uses("likes") and switches.uses("interests")
    with store.transaction():
        assert store.profile().set_signal("likes", True)
        counts = store.profile().reset(likes=True)
    assert store.profile().switches().signals_off == frozenset()
    assert (counts.likes, counts.dislikes, counts.tags, counts.interests) == (2, 0, 0, 0)
    assert [f.rating for f in store.library().feedback()] == [-1]
    with store.transaction():
        counts = store.profile().reset(dislikes=True, tags=True, interests=True)
    assert (counts.likes, counts.dislikes, counts.tags, counts.interests) == (0, 1, 2, 1)
    assert store.library().tags() == {} and store.library().interests() == []
    store.close()


def test_the_migration_brings_an_older_store_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    mine = next(
        i for i, script in enumerate(MIGRATIONS) if "CREATE TABLE IF NOT EXISTS follows" in script
    )
    con = sqlite3.connect(path)
    try:
        for script in MIGRATIONS[:mine]:
            con.executescript(script)
        con.execute("INSERT INTO interests(user_id, text, at) VALUES (1, 'kept', '2026-01-01')")
        con.execute(f"PRAGMA user_version = {mine}")
        con.commit()
    finally:
        con.close()
    store = open_store(path)
    try:
        assert [i.text for i in store.library().interests()] == ["kept"]
        assert store.follows().list() == [] and store.profile().switches().tags_off == set()
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        store.close()
