"""Follows, alerts and rules in a real digest: their sections survive a low rank and a cold start."""

from __future__ import annotations

import pytest

from papersift.demo import DEMO_SINCE, build_demo_store
from papersift.digest.build import build_digest
from papersift.digest.render import render
from papersift.rank.recommend import recommend
from papersift.reader_follows import add_follow, set_switch
from papersift.store import open_store
from tests.digest.test_window_once import WordHashEmbedder


@pytest.fixture
def demo_store(tmp_path):
    store = open_store(tmp_path / "demo.db")
    build_demo_store(store)
    yield store
    store.close()


def _digest(store, embedder):
    return build_digest(store, embedder, since=DEMO_SINCE, k=10, feedback_url=None).digest


def _sections(digest):
    return {section.label: [e.paper.id for e in section.entries] for section in digest.pinned}


def _everywhere(digest):
    ids = [e.paper.id for e in digest.top_picks]
    ids += [e.paper.id for topic in digest.topics for e in topic.entries]
    return ids + [i for ids_ in _sections(digest).values() for i in ids_]


def test_a_followed_authors_paper_ranked_low_still_has_its_section(demo_store):
    embedder = WordHashEmbedder()
    ranked = recommend(demo_store, embedder, k=1000, since=DEMO_SINCE)
    low = ranked.items[-1]  # the paper the model wants least
    assert not low.strong
    paper = demo_store.get(low.id)
    assert paper is not None and paper.authors
    first, *_, last = paper.authors[0].split()
    # Followed as "Surname, I.": accents, order and initials must not matter.
    add_follow(demo_store, "author", f"{last}, {first[0]}.")
    before = _digest(demo_store, embedder)
    assert low.id not in [e.paper.id for e in before.top_picks]

    digest = _digest(demo_store, WordHashEmbedder())
    sections = _sections(digest)
    assert low.id in sections["From people you follow"]
    entry = next(e for e in digest.pinned[0].entries if e.paper.id == low.id)
    assert entry.reasons == (f"You follow {last}, {first[0]}.",)
    assert _everywhere(digest).count(low.id) == 1  # shown once, in its section
    for fmt in ("html", "md", "txt", "atom"):
        text = render(digest, fmt)
        assert "people you follow" in text.lower() and low.id in text


def test_sections_appear_with_no_profile_and_exclude_rules_hide_papers(demo_store):
    embedder = WordHashEmbedder()
    full = _digest(demo_store, embedder)
    ids = _everywhere(full)
    target = demo_store.get(ids[len(ids) // 2])
    hidden = demo_store.get(ids[0])
    assert target is not None and hidden is not None
    # A cold reader: both signals off, so nothing ranks; the sections must not depend on it.
    set_switch(demo_store, "likes", False)
    set_switch(demo_store, "interests", False)
    words = [w for w in target.title.split() if len(w) > 4 and w.isalpha()][:2]
    add_follow(demo_store, "alert", " ".join(words), "keyword")
    add_follow(
        demo_store, "rule", target.title.split()[0] + " " + target.title.split()[1], "include"
    )
    unique = next(w for w in hidden.title.split() if len(w) > 5 and w.isalpha())
    add_follow(demo_store, "rule", unique, "exclude")

    built = build_digest(demo_store, embedder, since=DEMO_SINCE, k=10, feedback_url=None)
    assert built.cold_start is not None and "switched off" in built.cold_start
    digest = built.digest
    assert digest.top_picks == ()
    sections = _sections(digest)
    assert target.id in sections["Your alerts"]
    assert hidden.id not in _everywhere(digest)
    assert digest.hidden_by_rules >= 1
    assert digest.total_papers == full.total_papers - digest.hidden_by_rules
    # Switching "follows" off keeps the rules but drops the alert's section.
    set_switch(demo_store, "follows", False)
    quiet = _digest(demo_store, embedder)
    assert "Your alerts" not in _sections(quiet) and hidden.id not in _everywhere(quiet)
