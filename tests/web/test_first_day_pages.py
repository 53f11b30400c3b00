"""The first web search on a new store (issue 19, item 2): keyword results at once while the
papers are embedded in the background, hybrid once ready; and the cold-start list's order."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from papersift.store import open_store
from papersift.web.services import browse_items
from tests.helpers import make_paper
from tests.web.conftest import demo_subset


class GatedEmbedder:
    """The real model, except that embedding papers (more than one text) waits for `gate`:
    the test decides when the background embedding may finish."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.model_id = real.model_id
        self.dim = real.dim
        self.gate = threading.Event()
        self.papers_embedded = 0

    def encode(self, texts: Any, **options: Any) -> Any:
        if len(texts) > 1:
            assert self.gate.wait(60), "the test never opened the gate"
            self.papers_embedded += len(texts)
        return self.real.encode(texts, **options)


def fresh_store(path: Path) -> int:
    """The demo subset ingested and never embedded, as after a first `papersift ingest`."""
    from papersift.ingest.files import ingest_paths

    subset = path.parent / "subset.jsonl"
    subset.write_text("".join(json.dumps(row) + "\n" for row in demo_subset()), encoding="utf-8")
    store = open_store(path)
    try:
        ingest_paths(store, [str(subset)])
        return store.count()
    finally:
        store.close()


def test_the_first_search_answers_with_keywords_while_papers_are_embedded(
    tmp_path: Path, embedder: Any
) -> None:
    from papersift.web import create_app

    db = tmp_path / "new.db"
    papers = fresh_store(db)
    gated = GatedEmbedder(embedder)
    app = create_app(db, embedder=gated)
    app.state.services.embed_while_waiting = 5  # the demo store is small; the real default is 64
    with TestClient(app, base_url="http://127.0.0.1") as client:
        started = time.monotonic()
        first = client.get("/search", params={"q": "speech recognition transcription"})
        assert time.monotonic() - started < 10  # did not wait for the gate (60 s)
        assert first.status_code == 200
        assert "Semantic results are being prepared" in first.text
        assert f"{papers:,} papers are being embedded" in first.text
        assert "results (keyword, semantic results coming)" in first.text
        assert 'hx-trigger="load delay:3s"' in first.text  # the results ask again by themselves
        assert "<article" in first.text  # keyword matches, now
        # A second search meanwhile still answers at once, and starts no second embedding.
        again = client.get("/search", params={"q": "graph neural networks"})
        assert "Semantic results are being prepared" in again.text
        paper_page = client.get("/papers/" + demo_subset()[0]["id"])
        assert "Similar papers are being prepared" in paper_page.text

        gated.gate.set()
        deadline = time.monotonic() + 60
        while client.app.state.services._index_lock.locked():
            assert time.monotonic() < deadline, "the background embedding never finished"
            time.sleep(0.1)
        assert gated.papers_embedded == papers  # every paper, once
        ready = client.get("/search", params={"q": "speech recognition transcription"})
        assert "Semantic results are being prepared" not in ready.text
        assert "results (hybrid)" in ready.text and "hx-trigger" not in ready.text


def test_a_keyword_search_never_waits_for_the_vectors(tmp_path: Path, embedder: Any) -> None:
    from papersift.web import create_app

    db = tmp_path / "new.db"
    fresh_store(db)
    app = create_app(db, embedder=GatedEmbedder(embedder))
    app.state.services.embed_while_waiting = 5
    with TestClient(app, base_url="http://127.0.0.1") as client:
        page = client.get("/search", params={"q": "speech", "mode": "keyword"})
        assert page.status_code == 200 and "being prepared" not in page.text
        assert not app.state.services._index_lock.locked()  # nothing started in the background


def test_the_cold_start_list_is_newest_first_or_by_upvotes() -> None:
    day = dt.date(2026, 11, 20)
    papers = [
        make_paper("2611.00001", "Old", published=day - dt.timedelta(days=3)),
        make_paper("2611.00002", "Newest", published=day),
        make_paper("2611.00003", "Middle", published=day - dt.timedelta(days=1)),
    ]
    items, order = browse_items([1, 2, 3], papers, k=2)
    assert order == "newest" and [i.paper.title for i in items] == ["Newest", "Middle"]
    assert all(item.reasons == () for item in items)

    voted = [
        replace(papers[0], extra={"upvotes": 9}),
        papers[1],
        replace(papers[2], extra={"upvotes": 40}),
    ]
    items, order = browse_items([1, 2, 3], voted, k=3)
    assert order == "upvotes"
    assert [i.paper.title for i in items] == ["Middle", "Old", "Newest"]
    assert [i.score for i in items] == [40.0, 9.0, 0.0]


def test_switching_trending_off_lists_the_cold_start_newest_first() -> None:
    day = dt.date(2026, 11, 20)
    papers = [
        make_paper("2611.00001", "Old, upvoted", published=day - dt.timedelta(days=3)),
        make_paper("2611.00002", "Newest", published=day),
    ]
    voted = [replace(papers[0], extra={"upvotes": 50}), papers[1]]
    assert [i.paper.title for i in browse_items([1, 2], voted, k=2)[0]] == [
        "Old, upvoted",
        "Newest",
    ]
    items, order = browse_items([1, 2], voted, k=2, use_upvotes=False)
    assert order == "newest" and [i.paper.title for i in items] == ["Newest", "Old, upvoted"]
