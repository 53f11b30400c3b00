"""End to end in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

The server is the real app under uvicorn on 127.0.0.1. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from papersift.digest.render import render
from papersift.records import Digest, DigestEntry
from papersift.store import open_store
from tests.web.conftest import (
    ARTIFACTS,
    HOSTILE_IDS,
    XSS_ABSTRACT,
    XSS_AUTHOR,
    XSS_SCRIPT_TITLE,
    XSS_TITLE,
    LiveServer,
)

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); apt-get install chromium",
)
# No network here: without these, Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Runs in every page and frame before its own scripts: records anything the CSP had to block,
# which would mean some text reached the page as markup.
WATCH_CSP = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.add_init_script(WATCH_CSP)
    tab = context.new_page()
    tab.dialogs = []  # type: ignore[attr-defined]
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


def shot(page: Any, name: str, *, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=full_page)


def api(server: LiveServer) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    token = client.get("/api/session").json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return client


def archive_hostile_digest(db_path: Path) -> int:
    store = open_store(db_path)
    papers = [store.get(pid) for pid in HOSTILE_IDS[:2]]
    day = dt.date(2026, 11, 21)
    digest = Digest(
        title="papersift digest 2026-11-21",
        generated_at=dt.datetime(2026, 11, 21, 7, tzinfo=dt.UTC),
        window_start=day,
        window_end=day,
        top_picks=tuple(DigestEntry(p, tldr=p.abstract, reasons=(p.title,)) for p in papers if p),
        topics=(),
        total_papers=2,
        feedback_url="http://127.0.0.1:8765",
    )
    with store.transaction():
        digest_id = store.archive().add(
            digest.title, day, day, 2, {f: render(digest, f) for f in ("html", "md", "txt", "atom")}
        )
    store.close()
    return digest_id


def assert_inert(page: Any, where: str) -> None:
    """No payload ran, none became an element, and the CSP never had to step in."""
    assert page.dialogs == [], f"{where}: a dialog opened: {page.dialogs}"
    for frame in page.frames:
        state = frame.evaluate(
            "() => ({pwned: window.__pwned === undefined ? null : window.__pwned,"
            " violations: window.__violations || [],"
            " injected: document.querySelectorAll("
            "'img[src=x], svg[onload], b[onmouseover]').length})"
        )
        assert state["pwned"] is None, f"{where}: a payload ran ({state['pwned']})"
        assert state["injected"] == 0, f"{where}: a payload became an element"
        assert state["violations"] == [], f"{where}: CSP blocked {state['violations']}"


def test_titles_abstracts_and_authors_from_the_internet_stay_text(
    live_server: LiveServer, page: Any
) -> None:
    client = api(live_server)
    client.post("/api/library/rate", json={"ids": list(HOSTILE_IDS[:2]), "action": "like"})
    client.post("/api/library/tag", json={"tag": "<i>x</i>", "ids": [HOSTILE_IDS[0]]})
    digest_id = archive_hostile_digest(live_server.db_path)
    base = live_server.url
    visits = {
        "search": "/search?q=quantized+speech+recognition+diffusion+graphs&k=50",
        "paper": f"/papers/{HOSTILE_IDS[0]}",
        "paper-script-title": f"/papers/{HOSTILE_IDS[1]}",
        "confirm": f"/papers/{HOSTILE_IDS[0]}/like",
        "library": "/library",
        "feed": "/?since=1d&k=100",
        "digest": f"/digests/{digest_id}",
        "map": "/map?since=1d",
    }
    for name, path in visits.items():
        page.goto(base + path)
        if name == "map":
            page.frame_locator("iframe.map").locator("circle.pt").first.wait_for()
        assert_inert(page, name)
        if name == "map":
            frame = page.frame_locator("iframe.map")
            titles = frame.locator("circle.pt").evaluate_all("els => els.map(e => e.dataset.t)")
            assert XSS_TITLE in titles, "the map keeps the title as data, unrun"
            continue
        # The digest is framed inside the app's layout.
        body = page.frame_locator("iframe.digest") if name == "digest" else page
        text = body.locator("body").inner_text()
        expected = XSS_SCRIPT_TITLE if name == "paper-script-title" else XSS_TITLE
        assert expected in text, f"{name}: the title is not shown as text"
        if name == "paper":
            assert XSS_ABSTRACT in text and XSS_AUTHOR in text
            shot(page, "xss-paper")
    page.goto(base + f"/papers/{HOSTILE_IDS[0]}")
    # Hovering the author's name would fire an injected onmouseover handler.
    page.locator("p.authors").hover()
    assert_inert(page, "paper after hover")


def feed_ids(page: Any) -> list[str]:
    hrefs = page.locator("#feed article.paper a.open").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [href.removeprefix("/papers/") for href in hrefs]


def test_search_like_rerank_and_map(
    live_server: LiveServer, page: Any, demo_topics: dict[str, str]
) -> None:
    base = live_server.url
    page.goto(base + "/")
    assert "Nothing to rank by yet" in page.locator("#feed").inner_text()
    shot(page, "1-feed-cold-start")

    # `/` jumps to the search box from anywhere.
    page.keyboard.press("/")
    page.keyboard.type("word error rate transcription")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=word+error+rate+transcription")
    first = page.locator("article.paper").first
    first_id = first.locator("a.open").get_attribute("href").removeprefix("/papers/")
    assert demo_topics.get(first_id) == "speech-recognition"
    page.keyboard.press("j")
    assert "selected" in (first.get_attribute("class") or "")
    page.keyboard.press("l")  # like, in place (htmx), no page load
    page.locator("article.paper").first.locator(
        'button[data-key="l"][aria-pressed="true"]'
    ).wait_for()
    shot(page, "2-search-liked")

    # `d` dislikes the selected paper: here, a diffusion paper (a topic the feed should skip).
    page.goto(base + "/search?q=diffusion+sampling&mode=keyword")
    page.keyboard.press("j")
    page.keyboard.press("d")
    page.locator('article.paper.selected button[data-key="d"][aria-pressed="true"]').wait_for()

    page.goto(base + "/")
    ranked = feed_ids(page)
    assert len(ranked) >= 5 and demo_topics.get(ranked[0]) == "speech-recognition"
    shot(page, "3-feed-ranked")

    page.goto(base + "/search?q=quantization+outliers&mode=keyword")
    for _ in range(3):
        page.keyboard.press("j")
        page.keyboard.press("l")
        page.locator('article.paper.selected button[data-key="l"][aria-pressed="true"]').wait_for()
    page.goto(base + f"/papers/{first_id}")
    page.keyboard.press("l")  # on a paper's page `l` is about that paper: the like is undone
    page.locator('article.paper-page button[data-key="l"][aria-pressed="false"]').wait_for()

    page.goto(base + "/")
    page.locator("#rerank").click()  # re-rank in place with the new likes
    page.wait_for_function(
        "before => document.querySelector('#feed article.paper a.open').getAttribute('href')"
        " !== before",
        arg=f"/papers/{ranked[0]}",
    )
    reranked = feed_ids(page)
    assert reranked != ranked
    assert demo_topics.get(reranked[0]) == "llm-quantization", reranked[:5]
    shot(page, "4-feed-reranked")

    page.goto(base + "/map?since=30d")  # the whole test store: every like is on it
    frame = page.frame_locator("iframe.map")
    frame.locator("circle.pt").first.wait_for(timeout=60_000)
    assert frame.locator("circle.pt").count() > 20
    assert frame.locator("circle.liked").count() == 3
    shot(page, "5-map")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/")
    wide = page.evaluate(
        "() => Array.from(document.querySelectorAll('body *'))"
        ".filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)"
        ".map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 60))"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide[:5]
    shot(page, "6-phone-feed")


def give_community_signals(db_path: Path) -> dict[str, int]:
    """Hugging Face Daily Papers items for the newest day's arXiv papers, parsed and merged
    as `fetch hf-daily` would: upvotes for each, a GitHub repo for every other one."""
    import json

    from papersift.sources import hf_daily
    from tests.web.conftest import NEWEST_DAY

    store = open_store(db_path)
    day = [
        p
        for _, p in store.iter_papers()
        if p.arxiv_id and p.published and p.published.isoformat() == NEWEST_DAY
    ]
    items = [
        {
            "paper": {
                "id": p.arxiv_id,
                "title": p.title,
                "summary": p.abstract,
                "authors": [{"name": name} for name in p.authors],
                "publishedAt": f"{NEWEST_DAY}T00:00:00.000Z",
                "upvotes": 3 + i,
                **({"githubRepo": f"https://github.com/lab/repo-{i}"} if i % 2 == 0 else {}),
            },
            "numComments": 0,
        }
        for i, p in enumerate(day)
    ]
    parsed = list(hf_daily.parse(json.dumps(items).encode(), "daily_papers.json"))
    store.upsert(parsed)  # type: ignore[arg-type]
    store.close()
    return {item["paper"]["id"]: item["paper"]["upvotes"] for item in items}


def test_badges_render_in_the_feed_and_trending(live_server: LiveServer, page: Any) -> None:
    base = live_server.url
    upvotes = give_community_signals(live_server.db_path)
    assert len(upvotes) > 5
    client = api(live_server)
    liked = [h["id"] for h in client.get("/api/search", params={"q": "speech", "k": 2}).json()]
    client.post("/api/library/rate", json={"ids": liked, "action": "like"}).raise_for_status()
    client.close()

    page.goto(base + "/")
    ranked = feed_ids(page)
    assert ranked, "the feed is empty"
    for paper_id in ranked[:5]:
        item = page.locator("#feed article.paper").filter(
            has=page.locator(f'a.open[href="/papers/{paper_id}"]')
        )
        if paper_id not in upvotes:
            assert item.locator(".badge").count() == 0
            continue
        votes = item.locator(".badge-upvotes")
        assert votes.is_visible() and votes.inner_text() == f"▲{upvotes[paper_id]}"
    codes = page.locator("#feed a.badge-code")
    assert codes.count() >= 1 and codes.first.is_visible()
    assert codes.first.get_attribute("href").startswith("https://github.com/lab/repo-")
    # The badge sits on the row, beside the metadata, not across the page.
    box = codes.first.bounding_box()
    assert box is not None and box["height"] < 40 and box["width"] < 200
    shot(page, "badges-feed")
    assert_inert(page, "feed with badges")

    page.goto(base + "/trending?since=all")
    shown = page.locator("article.paper .badge-upvotes").all_inner_texts()
    expected = sorted(upvotes.values(), reverse=True)
    assert shown == [f"▲{n}" for n in expected[: len(shown)]] and len(shown) == len(upvotes)
    page.locator('nav[aria-label="Main"] a[href="/trending"][aria-current="page"]').wait_for()
    page.locator("label", has_text="With code").locator("input").check()
    page.locator("button", has_text="Filter").click()
    page.wait_for_url("**/trending?since=all&code=1")
    items = page.locator("article.paper")
    assert items.count() == sum(1 for i in range(len(upvotes)) if i % 2 == 0)
    assert items.locator("a.badge-code").count() == items.count()
    shot(page, "badges-trending-code")
    assert_inert(page, "trending")
