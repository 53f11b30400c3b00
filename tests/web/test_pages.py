"""The HTML pages through FastAPI's TestClient, over a real store file."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from papersift.digest.render import feedback_link, render
from papersift.records import Digest, DigestEntry
from papersift.store import open_store
from tests.web.conftest import HOSTILE_IDS, XSS_TITLE, csrf_of

PAGES = (
    "/",
    "/?since=7d",
    "/search",
    "/search?q=speech+recognition",
    "/search?q=quantization&mode=keyword&category=cs.LG&since=2026-11-01&until=2026-12-01",
    "/search?q=speech&mode=keyword&code=1",
    "/trending",
    "/trending?since=all&code=1",
    "/?sort=trending",
    "/papers/2611.99001",
    "/papers/hep-th/9901001",
    "/papers/doi:10.5555/xss.2026",
    "/library",
    "/map",
    "/map/frame?since=7d",
    "/digests",
    "/settings",
    "/api/docs",
)


def token(client: TestClient) -> str:
    return csrf_of(client.get("/library").text)


def rating(client: TestClient, paper_id: str) -> int | None:
    response = client.get(f"/api/papers/{paper_id}")
    assert response.status_code == 200
    return response.json()["rating"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")


def test_pages_load_nothing_from_elsewhere(client: TestClient) -> None:
    for path in ("/", "/search?q=speech", "/api/docs"):
        page = client.get(path).text
        assert "https://" not in page.split("<main")[0], f"{path} loads something from the web"
        assert '<script src="/static/htmx.min.js"' in page


def test_the_feed_of_a_new_reader_says_how_to_start(client: TestClient) -> None:
    page = client.get("/").text
    assert "Nothing to rank by yet" in page
    assert 'action="/library/interests"' in page


def test_unknown_paper_is_a_404_page(client: TestClient) -> None:
    response = client.get("/papers/2611.77777")
    assert response.status_code == 404
    assert "No paper “2611.77777” in the store." in response.text
    assert response.headers["content-type"].startswith("text/html")
    assert client.get("/papers/nope/like").status_code == 404
    api = client.get("/api/papers/2611.77777")
    assert api.status_code == 404 and "2611.77777" in api.json()["detail"]
    assert client.get("/no/such/page").status_code == 404


@pytest.mark.parametrize("paper_id", ["hep-th/9901001", "doi:10.5555/xss.2026", "2611.99001"])
def test_digest_like_link_asks_before_it_changes_anything(
    client: TestClient, paper_id: str
) -> None:
    link = urlsplit(feedback_link("http://127.0.0.1:8765", paper_id, "like")).path
    page = client.get(link)
    assert page.status_code == 200
    assert "Like this paper?" in page.text
    assert rating(client, paper_id) is None, "a GET must not change the library"
    done = client.post(link, data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    assert rating(client, paper_id) == 1
    assert "Liked." in client.get(done.headers["location"]).text


def test_a_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/")  # a session exists, but the attacker's form cannot read its token
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post("/papers/2611.99001/like", data=data)
        assert response.status_code == 403
        assert "CSRF" in response.text
    assert (
        client.post("/api/library/rate", json={"ids": ["2611.99001"], "action": "like"}).status_code
        == 403
    )
    assert rating(client, "2611.99001") is None


def test_like_via_htmx_swaps_just_the_buttons(client: TestClient) -> None:
    response = client.post(
        "/papers/2611.99001/like",
        headers={"HX-Request": "true", "X-CSRF-Token": token(client)},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'aria-pressed="true"' in response.text and "Liked" in response.text
    # The Like button now undoes the like.
    assert 'action="/papers/2611.99001/unlike"' in response.text
    assert rating(client, "2611.99001") == 1


def test_tags_are_added_and_removed_in_place(client: TestClient) -> None:
    headers = {"HX-Request": "true", "X-CSRF-Token": token(client)}
    added = client.post("/papers/hep-th/9901001/tag", data={"tag": "to read"}, headers=headers)
    assert added.status_code == 200 and "to read" in added.text
    assert "to read" in client.get("/library?tag=to+read").text
    removed = client.post("/papers/hep-th/9901001/untag", data={"tag": "to read"}, headers=headers)
    assert removed.status_code == 200 and "to read" not in removed.text


def test_the_feed_reranks_after_a_like(client: TestClient, demo_topics: dict[str, str]) -> None:
    speech = [pid for pid, topic in demo_topics.items() if topic == "speech-recognition"]
    quantization = [pid for pid, topic in demo_topics.items() if topic == "llm-quantization"]
    headers = {"X-CSRF-Token": token(client)}

    def feed_topics() -> list[str]:
        items = client.get("/api/recommend?k=8").json()["items"]
        return [demo_topics.get(item["id"], "other") for item in items]

    client.post("/api/library/rate", json={"ids": speech[-2:], "action": "like"}, headers=headers)
    first = feed_topics()
    assert first[0] == "speech-recognition", first
    client.post("/api/library/rate", json={"ids": speech[-2:], "action": "unlike"}, headers=headers)
    client.post(
        "/api/library/rate", json={"ids": quantization[-3:], "action": "like"}, headers=headers
    )
    second = feed_topics()
    assert second[0] == "llm-quantization", second
    page = client.get("/").text
    assert "Top " in page and "you liked" in page


def test_the_feed_is_cached_until_the_library_changes(client: TestClient) -> None:
    headers = {"X-CSRF-Token": token(client)}
    client.post(
        "/api/library/rate", json={"ids": ["2611.99001"], "action": "like"}, headers=headers
    )
    client.get("/")
    started = time.perf_counter()
    again = client.get("/")
    cached = time.perf_counter() - started
    assert again.status_code == 200
    assert cached < 0.5, f"a cached feed took {cached:.2f} s"
    client.post(
        "/api/library/rate", json={"ids": ["2611.99001"], "action": "unlike"}, headers=headers
    )
    assert "Nothing to rank by yet" in client.get("/").text


def test_interests_start_the_feed_without_likes(client: TestClient) -> None:
    csrf = token(client)
    added = client.post(
        "/library/interests",
        data={"text": "  diffusion   models for images ", "csrf_token": csrf, "next": "/"},
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"] == "/"
    page = client.get("/").text
    assert "Nothing to rank by yet" not in page and "diffusion models for images" in page
    interests = client.get("/api/library/interests").json()
    assert [i["text"] for i in interests] == ["diffusion models for images"]
    client.post(
        "/library/interests/remove", data={"key": str(interests[0]["id"]), "csrf_token": csrf}
    )
    assert "Nothing to rank by yet" in client.get("/").text


@pytest.mark.parametrize(
    ("method", "path", "data", "message"),
    [
        ("get", "/search?q=" + "a" * 2001, None, "at most 2000 characters"),
        ("get", "/?k=abc", None, "k: Input should be a valid integer"),
        ("get", "/?since=yesterday", None, "since: String should match pattern"),
        ("get", "/search?q=x&since=21/11/2026", None, "since must be a date like 2026-11-20"),
        ("get", "/search?q=x&mode=magic", None, "mode: Input should be"),
        ("post", "/papers/2611.99001/tag", {"tag": "t" * 101}, "at most 100 characters"),
        ("post", "/papers/2611.99001/tag", {"tag": "   "}, "tag: String should match pattern"),
        ("post", "/library/interests", {"text": ""}, "text: "),
        ("get", "/digests/abc", None, "digest_id: Input should be a valid integer"),
    ],
)
def test_malformed_or_oversized_input_is_a_422_with_a_message(
    client: TestClient, method: str, path: str, data: dict[str, str] | None, message: str
) -> None:
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, data={**(data or {}), "csrf_token": token(client)})
    assert response.status_code == 422, response.text[:300]
    assert message in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_a_body_over_the_limit_is_refused(client: TestClient) -> None:
    response = client.post(
        "/library/interests", data={"text": "x" * (2 << 20), "csrf_token": token(client)}
    )
    assert response.status_code == 413
    assert "larger than" in response.text


def test_pages_answer_while_another_process_holds_the_write_lock(make_app, db_path) -> None:
    with TestClient(make_app(busy_timeout_ms=300), base_url="http://127.0.0.1") as client:
        csrf = token(client)
        client.post(
            "/api/library/rate",
            json={"ids": ["2611.99001"], "action": "like"},
            headers={"X-CSRF-Token": csrf},
        )
        daily = sqlite3.connect(db_path, isolation_level=None)
        try:
            # What `papersift daily` does while it stores a batch.
            daily.execute("BEGIN IMMEDIATE")
            daily.execute("UPDATE papers SET title = title WHERE rowid = 1")
            for path in (
                "/",
                "/search?q=speech",
                "/papers/2611.99001",
                "/library",
                "/api/recommend",
            ):
                response = client.get(path)
                assert response.status_code == 200, (path, response.text[:300])
            blocked = client.post("/papers/2611.99002/like", data={"csrf_token": csrf})
            assert blocked.status_code == 503
            assert "busy" in blocked.text and blocked.headers["retry-after"] == "5"
        finally:
            daily.execute("ROLLBACK")
            daily.close()
        assert client.post("/papers/2611.99002/like", data={"csrf_token": csrf}).status_code == 200


def test_single_user_mode_answers_only_loopback_host_names(make_app) -> None:
    # A DNS-rebinding page reaches 127.0.0.1 under its own name: it must get nothing.
    app = make_app()
    assert TestClient(app, base_url="http://evil.example").get("/library").status_code == 400
    assert TestClient(app, base_url="http://localhost:8765").get("/library").status_code == 200


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    frame = client.get("/map/frame?since=7d")
    assert "sandbox allow-scripts" in frame.headers["content-security-policy"]
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"


def test_library_export_and_import(client: TestClient) -> None:
    csrf = token(client)
    client.post("/papers/2611.99001/like", data={"csrf_token": csrf})
    bibtex = client.get("/library/export?fmt=bibtex")
    assert bibtex.status_code == 200
    assert "attachment" in bibtex.headers["content-disposition"]
    assert "Quantized speech recognition" in bibtex.text
    upload = (
        b"@article{known, title={An old-style arXiv id: string theory meets graph neural networks},"
        b" author={Lovelace, Ada}, eprint={hep-th/9901001}, archiveprefix={arXiv}, year={2023}}\n"
        b"@article{new, title={A Paper Only My Reference Manager Knew}, author={Turing, Alan},"
        b" year={2024}, doi={10.5555/only.mine}}\n"
        b"@article{broken, title={Unclosed\n"
    )
    response = client.post(
        "/library/import",
        data={"csrf_token": csrf, "fmt": "auto"},
        files={"file": ("../../my refs.bib", upload, "application/x-bibtex")},
    )
    assert response.status_code == 200, response.text[:500]
    assert "1 stored as new papers" in response.text
    assert "1 already in the store" in response.text
    assert "could not be read" in response.text
    assert "papersift-import-" not in response.text, "the server's temp path leaked"
    library = client.get("/api/library").json()
    assert {"hep-th/9901001", "doi:10.5555/only.mine", "2611.99001"} <= {e["id"] for e in library}


def test_the_digest_archive_serves_each_digest_as_its_own_sandboxed_page(
    client: TestClient, db_path
) -> None:
    store = open_store(db_path)
    paper = store.get(HOSTILE_IDS[0])
    assert paper is not None
    day = dt.date(2026, 11, 21)
    digest = Digest(
        title="papersift digest 2026-11-21",
        generated_at=dt.datetime(2026, 11, 21, 7, tzinfo=dt.UTC),
        window_start=day,
        window_end=day,
        top_picks=(DigestEntry(paper, tldr="We quantize.", reasons=("close to a like",)),),
        topics=(),
        total_papers=1,
        feedback_url="http://127.0.0.1:8765",
    )
    with store.transaction():
        digest_id = store.archive().add(
            digest.title,
            day,
            day,
            1,
            {fmt: render(digest, fmt) for fmt in ("html", "md", "txt", "atom")},
        )
    store.close()
    listing = client.get("/digests")
    assert f'href="/digests/{digest_id}"' in listing.text
    # In the app's layout: the navigation, and the e-mail framed and sandboxed.
    page = client.get(f"/digests/{digest_id}")
    assert page.status_code == 200
    assert '<nav aria-label="Main">' in page.text and "papersift digest 2026-11-21" in page.text
    assert f'<iframe class="digest" src="/digests/{digest_id}/frame"' in page.text
    frame = client.get(f"/digests/{digest_id}/frame")
    assert "sandbox" in frame.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in frame.headers["content-security-policy"]
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"
    assert '<base target="_blank">' in frame.text and "We quantize." in frame.text
    assert XSS_TITLE not in frame.text, "the digest must escape titles"
    # As e-mailed: the document itself, which no other page may frame.
    sent = client.get(f"/digests/{digest_id}?fmt=html")
    assert "frame-ancestors 'none'" in sent.headers["content-security-policy"]
    assert "<base" not in sent.text and "We quantize." in sent.text
    assert (
        client.get(f"/digests/{digest_id}?fmt=md")
        .headers["content-type"]
        .startswith("text/markdown")
    )
    for missing in (f"/digests/{digest_id + 1}", f"/digests/{digest_id + 1}/frame"):
        assert client.get(missing).status_code == 404


def test_an_unknown_map_window_or_tiny_window_explains_itself(client: TestClient) -> None:
    frame = client.get("/map/frame?since=2030-01-01")
    assert frame.status_code == 200
    assert "at least 3 papers" in frame.text


def test_trending_and_the_code_filter_without_community_signals(client: TestClient) -> None:
    # The test store holds no Hugging Face upvotes and no code links (test_browser adds some).
    trending = client.get("/trending?since=all").text
    assert "No papers with Hugging Face upvotes in the store." in trending
    assert "papersift fetch hf-daily" in trending
    assert "<h1>Trending</h1>" in client.get("/?sort=trending").text
    everything = client.get("/search?q=speech&mode=keyword").text
    with_code = client.get("/search?q=speech&mode=keyword&code=1").text
    assert everything.count('<article class="paper"') > 0
    assert with_code.count('<article class="paper"') == 0
    assert 'name="code" value="1" checked' in with_code
