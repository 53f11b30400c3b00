"""Mark read, snooze and the seen toggle in the web app; the feed records what it showed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from papersift.digest.render import feedback_link
from papersift.store import open_store
from tests.web.conftest import csrf_of


def token(client: TestClient) -> str:
    return csrf_of(client.get("/library").text)


def feed_ids(html: str) -> list[str]:
    return re.findall(r'<div class="seen-actions" data-paper="([^"]+)">', html)


def start_reading(client: TestClient) -> list[str]:
    """Give the reader an interest so the feed ranks, and return the feed's paper ids."""
    headers = {"X-CSRF-Token": token(client)}
    added = client.post(
        "/library/interests", data={"text": "speech recognition", "next": "/"}, headers=headers
    )
    assert added.status_code in (200, 303)
    ids = feed_ids(client.get("/?since=all").text)
    assert len(ids) >= 3
    return ids


def test_the_feed_records_what_it_showed_and_a_reload_today_shows_it_again(
    client: TestClient, db_path: Path
) -> None:
    ids = start_reading(client)
    store = open_store(db_path)
    try:
        shown = {s.paper_rowid for s in store.seen().history() if s.place == "feed"}
        # The redirect after adding the interest showed the day's feed too: a superset.
        assert shown >= {store.rowid_of(i) for i in ids}
        assert all(s.day == dt.date.today() for s in store.seen().history())
    finally:
        store.close()
    assert feed_ids(client.get("/?since=all").text) == ids


def test_mark_read_hides_a_paper_until_the_reader_asks(client: TestClient) -> None:
    first, *rest = start_reading(client)
    headers = {"HX-Request": "true", "X-CSRF-Token": token(client)}
    done = client.post(f"/papers/{first}/read", headers=headers)
    assert done.status_code == 200 and "Marked read" in done.text and "<html" not in done.text
    assert first not in feed_ids(client.get("/?since=all").text)
    with_seen = client.get("/?since=all&seen=true").text
    assert first in feed_ids(with_seen) and "Only papers not shown before" in with_seen


def test_snooze_hides_a_paper_for_a_week(client: TestClient, db_path: Path) -> None:
    first, *rest = start_reading(client)
    done = client.post(
        f"/papers/{first}/snooze",
        data={"csrf_token": token(client), "days": "7"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Snoozed" in client.get(done.headers["location"]).text
    assert first not in feed_ids(client.get("/?since=all").text)
    store = open_store(db_path)
    try:
        rowid = store.rowid_of(first)
        assert rowid is not None
        state = store.seen().states([rowid], before=dt.date.today())[rowid]
        assert state.snoozed_until == dt.date.today() + dt.timedelta(days=7)
    finally:
        store.close()
    bad = client.post(f"/papers/{first}/snooze", data={"csrf_token": token(client), "days": "0"})
    assert bad.status_code == 422


def test_the_digest_mark_read_link_asks_before_it_changes_anything(client: TestClient) -> None:
    first, *rest = start_reading(client)
    link = urlsplit(feedback_link("http://127.0.0.1:8765", first, "read")).path
    page = client.get(link)
    assert page.status_code == 200 and "Mark as read" in page.text
    assert first in feed_ids(client.get("/?since=all").text), "a GET must change nothing"
    done = client.post(link, data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    assert first not in feed_ids(client.get("/?since=all").text)


def test_mark_read_without_the_csrf_token_is_refused(client: TestClient) -> None:
    first, *rest = start_reading(client)
    for path in (f"/papers/{first}/read", f"/papers/{first}/snooze"):
        assert client.post(path, data={"csrf_token": "forged"}).status_code == 403
    assert first in feed_ids(client.get("/?since=all").text)


def test_a_paper_seen_yesterday_that_comes_back_changed_says_so_in_the_feed(
    client: TestClient, db_path: Path
) -> None:
    import dataclasses

    from papersift.rank.unseen import record_shown

    ids = start_reading(client)
    store = open_store(db_path)
    try:
        yesterday = dt.date.today() - dt.timedelta(days=1)
        papers = [p for p in (store.get(i) for i in ids) if p is not None]
        with store.transaction():  # yesterday's showings stand instead of today's
            store.db.execute("DELETE FROM seen")
        record_shown(
            store, 1, papers, "feed", dt.datetime.now(dt.UTC) - dt.timedelta(days=1), yesterday
        )
        changed = next(p for p in papers if p.version is not None)  # an arXiv paper
        store.upsert(
            [
                dataclasses.replace(
                    changed, version=(changed.version or 1) + 1, sources=("arxiv-api",)
                )
            ]
        )
    finally:
        store.close()
    # In real life the day changed since those showings, and the feed's cache is keyed by day.
    client.app.state.services.forget_user(1)  # type: ignore[attr-defined]
    html = client.get("/?since=all&k=100").text
    shown = feed_ids(html)
    assert changed.id in shown, shown
    assert not (set(shown) - {changed.id}) & set(ids), "the rest seen yesterday stays out"
    assert f"updated: v{(changed.version or 1) + 1}" in html
