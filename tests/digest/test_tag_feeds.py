"""One Atom feed per tag: written beside the digest as valid Atom, the newest tagged first."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest

from papersift.digest.feeds import feed_filename, tag_feed, write_tag_feeds
from papersift.errors import UsageError
from papersift.store import open_store
from tests.digest.conftest import HOSTILE, paper

NOW = dt.datetime(2026, 11, 21, 7, 30, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "store.db")
    papers = [paper(n, f"Paper number {n}") for n in range(1, 6)]
    with store.transaction():
        store.upsert(papers)
    library = store.library()
    with store.transaction():
        # Tagged one at a time: the feed lists the most recently tagged first.
        for n in (3, 1, 4):
            library.tag("quant", [store.rowid_of(f"2611.{n:05d}")])
        library.tag("graphs / GNN", [store.rowid_of("2611.00005")])
    yield store
    store.close()


def test_feed_filenames_are_safe_and_distinct():
    assert feed_filename("quantization") == "quantization.xml"
    names = {feed_filename(tag) for tag in ("a b", "a_b", "a/b", "../../etc/passwd", "..", "")}
    assert len(names) == 6
    for name in names:
        assert "/" not in name and not name.startswith(".") and name.endswith(".xml")


def test_each_tag_gets_a_valid_feed_newest_first(store, tmp_path):
    written = write_tag_feeds(store, tmp_path / "out", now=NOW)
    assert set(written) == {"quant", "graphs / GNN"}
    assert written["quant"] == tmp_path / "out" / "tags" / "quant.xml"
    feed = feedparser.parse(written["quant"].read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title == "papersift: papers tagged quant · 2026-11-20"
    assert [e.link for e in feed.entries] == [
        f"https://arxiv.org/abs/2611.{n:05d}" for n in (4, 1, 3)
    ]
    other = feedparser.parse(written["graphs / GNN"].read_bytes())
    assert other.bozo == 0 and len(other.entries) == 1
    assert other.feed.id != feed.feed.id, "each tag is its own subscription"
    assert written["graphs / GNN"].parent == tmp_path / "out" / "tags"


def test_unknown_tag_is_a_usage_error(store, tmp_path):
    with pytest.raises(UsageError, match="no tag 'nope' \\(tags: graphs / GNN, quant\\)"):
        write_tag_feeds(store, tmp_path, ["nope"])
    assert not (tmp_path / "tags").exists()


def test_hostile_titles_stay_valid_atom():
    papers = [paper(10 + i, payload, authors=(payload,)) for i, payload in enumerate(HOSTILE)]
    feed = feedparser.parse(tag_feed("<b>x</b>", papers, now=NOW).encode())
    assert feed.bozo == 0 and len(feed.entries) == len(HOSTILE)
    assert [e.title for e in feed.entries] == list(HOSTILE)
