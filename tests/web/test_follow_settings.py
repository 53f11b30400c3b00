"""The settings page's follows, alerts, rules and switches, and the feed's section for them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from papersift.store import open_store
from tests.web.conftest import HOSTILE_IDS, csrf_of


def _post(client: TestClient, path: str, **data: str):
    csrf = csrf_of(client.get("/settings").text)
    return client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)


def test_follows_alerts_and_rules_are_added_listed_and_removed(client: TestClient, db_path) -> None:
    added = _post(client, "/settings/follows", kind="author", text="  A. Lovelace ")
    assert added.status_code == 303 and added.headers["location"] == "/settings#follows-author"
    _post(client, "/settings/follows", kind="alert", text="speech recognition", mode="semantic")
    _post(client, "/settings/follows", kind="rule", text="survey", mode="exclude")
    page = client.get("/settings").text
    assert "A. Lovelace" in page and "speech recognition" in page and "exclude: survey" in page
    store = open_store(db_path)
    try:
        follows = store.follows().list()
    finally:
        store.close()
    assert [(f.kind, f.text, f.mode) for f in follows] == [
        ("author", "A. Lovelace", None),
        ("alert", "speech recognition", "semantic"),
        ("rule", "survey", "exclude"),
    ]
    removed = _post(client, "/settings/follows/remove", kind="alert", key=str(follows[1].id))
    assert removed.status_code == 303
    assert "speech recognition" not in client.get("/settings").text


def test_bad_text_is_a_400_naming_the_mistake_and_nothing_is_stored(client: TestClient) -> None:
    for data, message in [
        ({"kind": "rule", "text": "the of", "mode": "exclude"}, "only stop-words or punctuation"),
        ({"kind": "author", "text": "   "}, "the author&#39;s name is empty"),
        ({"kind": "alert", "text": "x" * 301}, "at most 300"),
        ({"kind": "alert", "text": "diffusion", "mode": "fuzzy"}, "--mode must be one of"),
    ]:
        response = _post(client, "/settings/follows", **data)
        assert response.status_code == 400 and message in response.text, data
    assert "remove</button>" not in client.get("/settings").text.split('id="follows"')[1]
    refused = client.post("/settings/follows", data={"kind": "author", "text": "Ada Lovelace"})
    assert refused.status_code == 403  # no CSRF token


def test_the_feed_shows_a_followed_author_even_with_nothing_to_rank_by(client: TestClient) -> None:
    assert "Nothing to rank by yet" in client.get("/").text
    _post(client, "/settings/follows", kind="author", text="Lovelace, Ada")
    page = client.get("/").text
    assert "Nothing to rank by yet" in page  # still a cold start...
    assert "From people you follow" in page  # ...but the followed paper is there
    section = page.split('id="pinned-author"')[1].split("</section>")[0]
    assert HOSTILE_IDS[0] in section and "You follow Lovelace, Ada" in section


def test_switches_turn_signals_and_tags_off_and_on(client: TestClient, db_path) -> None:
    csrf = csrf_of(client.get("/settings").text)
    client.post("/papers/2611.99001/tag", data={"tag": "speech", "csrf_token": csrf})
    assert _post(client, "/settings/switches", name="likes", value="off").status_code == 303
    assert _post(client, "/settings/switches", name="tag:speech", value="off").status_code == 303
    page = client.get("/settings").text
    assert 'aria-label="Switch likes on"' in page and 'aria-label="Switch tag speech on"' in page
    store = open_store(db_path)
    try:
        switches = store.profile().switches()
    finally:
        store.close()
    assert switches.signals_off == {"likes"} and switches.tags_off == {"speech"}
    _post(client, "/settings/switches", name="likes", value="on")
    assert 'aria-label="Switch likes off"' in client.get("/settings").text
    unknown = _post(client, "/settings/switches", name="bogus", value="off")
    assert unknown.status_code == 400 and "no signal" in unknown.text
