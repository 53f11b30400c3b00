# ruff: noqa: F811  (the browser fixtures are imported from test_browser and used by name)
"""A researcher's first day in real Chromium (issue 19, items 1, 10 and 11): the empty start,
rich lists, Cite, the `?` overlay, `l` that says it un-likes, and an upload that is no library."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from papersift.digest.summarize import split_sentences
from papersift.store import open_store
from tests.web.conftest import HOSTILE_IDS, NEWEST_DAY, LiveServer, free_port
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    browser,
    give_community_signals,
    page,
    pytestmark,
    shot,
)
from tests.zotero_db import build_zotero


def list_dates(page: Any, where: str) -> list[str]:
    """The dates the list rows show (YYYY-MM-DD in each row's metadata)."""
    return page.locator(f"{where} article.paper p.meta").evaluate_all(
        "ps => ps.map(p => (p.textContent.match(/\\d{4}-\\d{2}-\\d{2}/) || [''])[0])"
    )


def test_the_empty_start_lists_the_newest_papers_under_a_banner(
    live_server: LiveServer, page: Any
) -> None:
    page.goto(live_server.url + "/?since=all&k=100")
    banner = page.locator("#cold-start")
    assert banner.is_visible()
    links = {
        text.strip(): href
        for text, href in banner.locator("a").evaluate_all(
            "as => as.map(a => [a.textContent, a.getAttribute('href')])"
        )
    }
    assert links == {
        "Like three papers": "#browse",
        "Add an interest": "/library#interests",
        "Import your library": "/library#import",
    }
    assert "Newest first" in page.locator("#browse").inner_text()
    dates = list_dates(page, "#feed")
    assert len(dates) > 20 and all(dates), dates
    assert dates == sorted(dates, reverse=True), dates
    assert dates[0] == NEWEST_DAY and dates[-1] < NEWEST_DAY  # older days follow the newest
    # Every row is a paper to like: the first like ends the cold start.
    assert page.locator("#feed article.paper button.like").count() == len(dates)
    shot(page, "first-day-empty-start")

    banner.locator("a", has_text="Add an interest").click()
    page.wait_for_url("**/library#interests")
    assert page.locator("#interests input[name=text]").is_visible()


def test_with_upvotes_the_empty_start_lists_the_most_upvoted(
    live_server: LiveServer, page: Any
) -> None:
    upvotes = give_community_signals(live_server.db_path)
    page.goto(live_server.url + "/?k=50")
    assert "Most upvoted" in page.locator("#browse").inner_text()
    shown = page.locator("#feed article.paper .badge-upvotes").all_inner_texts()
    expected = sorted(upvotes.values(), reverse=True)
    assert shown == [f"▲{n}" for n in expected[: len(shown)]] and len(shown) == len(upvotes)
    assert page.locator("#feed article.paper .tldr").count() >= len(upvotes)
    shot(page, "first-day-upvoted")


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """`app` under uvicorn on a free loopback port (as conftest's live_server)."""
    import uvicorn

    from papersift.web import bind_socket

    sock = bind_socket("127.0.0.1", free_port())
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_an_empty_store_says_how_to_get_papers_in(page: Any, tmp_path: Path, embedder: Any) -> None:
    from papersift.web import create_app

    with serve(create_app(tmp_path / "empty.db", embedder=embedder)) as url:
        page.goto(url + "/")
        notice = page.locator("#empty-store")
        text = notice.inner_text()
        assert "The store is empty" in text
        assert "papersift fetch" in text and "papersift ingest" in text
        assert notice.locator("a", has_text="Import your library").get_attribute("href") == (
            "/library#import"
        )
        assert page.locator("article.paper").count() == 0
        shot(page, "first-day-empty-store")
        page.goto(url + "/search?q=attention")
        assert "The store is empty" in page.locator("#results").inner_text()
        assert "Try other words" not in page.locator("#results").inner_text()


def test_search_results_show_a_tldr_and_badges(live_server: LiveServer, page: Any) -> None:
    upvotes = give_community_signals(live_server.db_path)
    page.goto(live_server.url + "/search?q=speech+recognition&mode=keyword&k=10")
    rows = page.locator("#results article.paper")
    assert rows.count() >= 3
    store = open_store(live_server.db_path)
    try:
        for n in range(rows.count()):
            row = rows.nth(n)
            paper_id = row.locator("a.open").get_attribute("href").removeprefix("/papers/")
            paper = store.get(paper_id)
            assert paper is not None and paper.abstract
            tldr = row.locator(".tldr").inner_text()
            # The TL;DR is the abstract's own sentences, not a stand-in (less an opener such as
            # "In this paper, we" that the summary drops).
            words = split_sentences(tldr)[0].rstrip("…. ").split()
            assert len(words) > 4, (paper_id, tldr)
            assert " ".join(words[2:]) in " ".join(paper.abstract.split()), (paper_id, tldr)
            assert row.locator(".authors").inner_text().strip()
            if paper_id in upvotes:
                assert row.locator(".badge-upvotes").inner_text() == f"▲{upvotes[paper_id]}"
    finally:
        store.close()
    assert rows.locator(".badge-upvotes").count() >= 1
    shot(page, "first-day-search-tldr")


def test_cite_reveals_the_bibtex_and_copies_it(live_server: LiveServer, page: Any) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    paper_id = HOSTILE_IDS[3]  # an old-style arXiv id: hep-th/9901001
    page.goto(f"{live_server.url}/papers/{paper_id}")
    bibtex = page.locator("#cite-bibtex pre")
    assert not bibtex.is_visible()
    page.locator("button.cite-toggle").click()
    assert bibtex.is_visible()
    text = bibtex.inner_text()
    assert text.startswith("@") and "string theory meets graph neural networks" in text
    assert paper_id in text
    page.locator("button.copy").click()
    page.locator(".copy-status", has_text="Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == bibtex.text_content()
    shot(page, "first-day-cite")
    page.keyboard.press("c")  # the key hides it again
    assert not bibtex.is_visible()
    assert page.locator("button.cite-toggle").get_attribute("aria-expanded") == "false"


def test_question_mark_lists_the_keys(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/search?q=graph&mode=keyword")
    overlay = page.locator("#keys")
    assert not overlay.is_visible()
    page.keyboard.press("?")
    assert overlay.is_visible()
    keys = overlay.locator("dt").all_inner_texts()
    for key in ("j", "k", "o", "l", "d", "c", "/", "?"):
        assert any(key in shown.split() for shown in keys), (key, keys)
    assert "un-like" in overlay.inner_text()
    shot(page, "first-day-keys")
    page.keyboard.press("Escape")
    assert not overlay.is_visible()
    page.locator("footer button.keys-open").click()  # and from the footer, by mouse
    assert overlay.is_visible()
    page.locator("#keys button.keys-close").click()
    assert not overlay.is_visible()


def test_l_on_a_liked_paper_says_that_it_unlikes(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/search?q=speech+recognition&mode=keyword")
    page.keyboard.press("j")
    first = page.locator("article.paper").first
    title = first.locator("h3").inner_text()
    page.keyboard.press("l")
    liked = first.locator('button.like[aria-pressed="true"]')
    liked.wait_for()
    toast = page.locator("#toast")
    assert toast.inner_text().startswith("Liked: ") and title[:30] in toast.inner_text()
    assert "un-like" in (liked.get_attribute("title") or "")
    assert "l un-likes" in liked.inner_text()  # visible on the button itself
    shot(page, "first-day-liked-hint")
    page.keyboard.press("l")
    first.locator('button.like[aria-pressed="false"]').wait_for()
    page.locator("#toast", has_text="Un-liked: ").wait_for()
    assert title[:30] in toast.inner_text()
    shot(page, "first-day-unliked-toast")


def damaged_zotero(tmp_path: Path) -> bytes:
    """A Zotero database whose schema record is corrupt with a byte that is no UTF-8: SQLite's
    error message then holds it, which Python's sqlite3 once raised as UnicodeDecodeError."""
    data = build_zotero(tmp_path / "zotero.sqlite").read_bytes()
    record = b"tableitemDataitemData"
    assert data.count(record) == 1
    return data.replace(record, b"tableitem\xa5ataitemData")


def test_an_upload_that_is_no_library_says_so_in_one_line(
    live_server: LiveServer, page: Any, tmp_path: Path
) -> None:
    uploads = {
        "slides.pdf": (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "slides.pdf is a PDF document"),
        "notes.txt": (b"some notes about papers\n", "notes.txt is not a library export"),
        "zotero.sqlite": (damaged_zotero(tmp_path), "zotero.sqlite: damaged SQLite database"),
    }
    for name, (data, expected) in uploads.items():
        page.goto(live_server.url + "/library")
        page.locator("#import input[type=file]").set_input_files(
            {"name": name, "mimeType": "application/octet-stream", "buffer": data}
        )
        with page.expect_navigation() as navigation:
            page.locator("#import button[type=submit]").click()
        assert navigation.value.status == 400, name
        line = page.locator("#import-error")
        text = line.inner_text()
        assert text.startswith(expected) and "\n" not in text, text
        html = page.content()
        assert "/tmp" not in html and "papersift-import-" not in html, name
        assert page.locator("#import input[type=file]").is_visible()  # try another file
        shot(page, f"first-day-import-error-{name.split('.')[-1]}")
    # Nothing was stored or liked by the failed uploads.
    store = open_store(live_server.db_path)
    try:
        assert store.library().feedback() == []
    finally:
        store.close()
