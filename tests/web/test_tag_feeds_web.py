"""The web app serves each tag's Atom feed at /feeds/tags/<tag>.xml, to its own reader only."""

from __future__ import annotations

import feedparser

from papersift.digest.feeds import feed_filename
from tests.web.test_multi_user import api_token, new_client, sign_up


def test_the_web_app_serves_the_tag_feed(client):
    headers = {"X-CSRF-Token": api_token(client)}
    tagged = client.post(
        "/api/library/tag", json={"tag": "to read", "ids": ["2611.99001"]}, headers=headers
    )
    assert tagged.status_code == 200, tagged.text
    response = client.get(f"/feeds/tags/{feed_filename('to read')}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0 and [e.link for e in feed.entries] == ["https://arxiv.org/abs/2611.99001"]
    assert client.get("/feeds/tags/nope.xml").status_code == 404


def test_multi_user_feeds_need_the_readers_session(make_app):
    app = make_app(multi_user=True, login_attempts=3, login_window=60)
    alice = sign_up(app, "alice")
    bob = sign_up(app, "bob")
    alice.post(
        "/api/library/tag",
        json={"tag": "secret", "ids": ["2611.99002"]},
        headers={"X-CSRF-Token": api_token(alice)},
    )
    url = f"/feeds/tags/{feed_filename('secret')}"
    assert alice.get(url).status_code == 200
    assert bob.get(url).status_code == 404, "another reader's tag is not found"
    anonymous = new_client(app).get(url, follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401), anonymous.status_code
