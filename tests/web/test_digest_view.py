# ruff: noqa: F811  (the browser fixtures are imported from test_browser and used by name)
"""The in-app digest view in real Chromium: the e-mail framed inside the app's navigation, its
table of contents scrolling the frame, its links opening a new tab (issue 19, item 14)."""

from __future__ import annotations

import dataclasses
from typing import Any

from papersift.digest.render import TOPIC_LINES_MAX, render
from papersift.store import open_store
from tests.digest.test_email_size import big_digest
from tests.web.conftest import LiveServer
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    assert_inert,
    browser,
    page,
    pytestmark,
    shot,
)


def _archive_big_digest(server: LiveServer) -> int:
    digest = dataclasses.replace(big_digest(), feedback_url=server.url)
    store = open_store(server.db_path)
    with store.transaction():
        digest_id = store.archive().add(
            digest.title,
            digest.window_start,
            digest.window_end,
            digest.total_papers,
            {fmt: render(digest, fmt) for fmt in ("html", "md", "txt", "atom")},
        )
    store.close()
    return digest_id


def test_the_digest_is_read_inside_the_apps_navigation(page: Any, live_server: LiveServer):
    digest_id = _archive_big_digest(live_server)
    page.goto(f"{live_server.url}/digests")
    page.locator(f'a[href="/digests/{digest_id}"]').first.click()
    page.wait_for_url(f"**/digests/{digest_id}")
    # The app's header stays, with Digests as the current page.
    current = page.locator('nav[aria-label="Main"] a[aria-current="page"]')
    assert current.inner_text() == "Digests"
    frame = page.frame_locator("iframe.digest")
    frame.locator("h2", has_text="Top picks for you").wait_for()
    box = page.locator("iframe.digest").bounding_box()
    assert box is not None and box["width"] >= 680 and box["height"] >= 500, box
    text = frame.locator("body").inner_text()
    assert "Contents" in text and f"and {30 - TOPIC_LINES_MAX} more" in text
    # Plain words, nothing a mail font lacks (emoji live beyond the Basic Multilingual Plane).
    assert "Like" in text and not [c for c in text if ord(c) > 0xFFFF]
    assert_inert(page, "digest view")
    shot(page, "digest-view")

    # The table of contents scrolls the frame, not the page around it.
    inner = page.frame(url=f"{live_server.url}/digests/{digest_id}/frame")
    assert inner is not None and inner.evaluate("window.scrollY") == 0
    frame.locator('a[href="#topic-5"]').click()
    inner.wait_for_function("window.scrollY > 0")
    heading = frame.locator("#topic-5").bounding_box()
    assert heading is not None and abs(heading["y"] - box["y"]) < 40, (heading, box)
    assert page.url == f"{live_server.url}/digests/{digest_id}"
    shot(page, "digest-view-topic")

    # A link in the digest opens a new tab; the reader keeps the digest.
    with page.context.expect_page() as opened:
        frame.locator("a", has_text="Like").first.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert "/papers/" in tab.url and tab.url.endswith("/like")
    assert page.url == f"{live_server.url}/digests/{digest_id}"
