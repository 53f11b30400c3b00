"""The JSON API under /api, single-user, through FastAPI's TestClient."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def headers(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/session").json()["csrf_token"]}


def test_session_names_the_local_reader(client: TestClient) -> None:
    session = client.get("/api/session").json()
    assert session["user"] == "local" and session["multi_user"] is False
    assert len(session["csrf_token"]) >= 32


def test_search_modes_and_filters(client: TestClient, demo_topics: dict[str, str]) -> None:
    hybrid = client.get("/api/search", params={"q": "speech recognition", "k": 5}).json()
    assert len(hybrid) == 5
    assert demo_topics.get(hybrid[0]["id"], "speech-recognition") == "speech-recognition"
    assert {"id", "title", "score", "keyword_rank", "semantic_rank", "url"} <= set(hybrid[0])
    keyword = client.get("/api/search", params={"q": "speech", "mode": "keyword"}).json()
    assert keyword and all(hit["semantic_rank"] is None for hit in keyword)
    semantic = client.get("/api/search", params={"q": "transcribing audio", "mode": "semantic"})
    assert semantic.json()[0]["similarity"] > 0.2
    only_hep = client.get("/api/search", params={"q": "graph", "category": "hep-th"}).json()
    assert [hit["id"] for hit in only_hep] == ["hep-th/9901001"]
    nothing = client.get("/api/search", params={"q": "graph", "since": "2030-01-01"}).json()
    assert nothing == []


def test_search_rejects_bad_input_with_messages(client: TestClient) -> None:
    for params in ({"q": ""}, {"q": "x" * 2001}, {"q": "x", "k": 0}, {"q": "x", "since": "soon"}):
        response = client.get("/api/search", params=params)
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"]


def test_recommend_explains_a_cold_start_then_ranks(
    client: TestClient, headers: dict[str, str]
) -> None:
    cold = client.get("/api/recommend").json()
    assert cold["items"] == [] and "Nothing to rank by yet" in cold["cold_start"]
    client.post("/api/library/interests", json={"text": "image diffusion models"}, headers=headers)
    ranked = client.get("/api/recommend", params={"k": 5, "since": "7d"}).json()
    assert ranked["cold_start"] is None and len(ranked["items"]) == 5
    assert ranked["start"] == "2026-11-15" and ranked["end"] == "2026-11-21"
    assert any(r["kind"] == "matches_interest" for r in ranked["items"][0]["reasons"])
    assert ranked["items"][0]["tldr"]


def test_feed_gives_the_same_picks_and_reasons_as_the_command_line(
    client: TestClient, headers: dict[str, str], db_path, embedder
) -> None:
    from papersift.rank.recommend import recommend
    from papersift.store import open_store

    liked = [hit["id"] for hit in client.get("/api/search", params={"q": "speech", "k": 2}).json()]
    client.post("/api/library/rate", json={"ids": liked, "action": "like"}, headers=headers)
    client.post("/api/library/tag", json={"tag": "audio", "ids": liked[:1]}, headers=headers)
    web = client.get("/api/recommend", params={"k": 6, "since": "7d"}).json()["items"]
    store = open_store(db_path)
    try:  # what `papersift recommend --since 7d -k 6` calls
        cli = recommend(store, embedder, k=6, since="7d").items
    finally:
        store.close()
    assert [item["id"] for item in web] == [r.id for r in cli]
    assert [[reason["text"] for reason in item["reasons"]] for item in web] == [
        [reason.text for reason in r.reasons] for r in cli
    ]


def test_paper_has_a_tldr_and_the_readers_marks(
    client: TestClient, headers: dict[str, str]
) -> None:
    paper = client.get("/api/papers/doi:10.5555/xss.2026").json()
    assert paper["doi"] == "10.5555/xss.2026" and paper["tldr"] and paper["rating"] is None
    client.post(
        "/api/library/rate",
        json={"ids": ["doi:10.5555/xss.2026"], "action": "dislike"},
        headers=headers,
    )
    client.post(
        "/api/library/tag", json={"tag": "later", "ids": ["10.5555/xss.2026"]}, headers=headers
    )
    marked = client.get("/api/papers/doi%3A10.5555%2Fxss.2026").json()
    assert marked["rating"] == -1 and marked["tags"] == ["later"]


def test_similar_papers_exclude_the_paper_itself(client: TestClient) -> None:
    hits = client.get("/api/papers/hep-th/9901001/similar", params={"k": 3}).json()
    assert len(hits) == 3 and "hep-th/9901001" not in {hit["id"] for hit in hits}
    assert client.get("/api/papers/0000.00000/similar").status_code == 404


def test_rating_an_unknown_paper_changes_nothing(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post(
        "/api/library/rate",
        json={"ids": ["2611.99001", "2611.77777"], "action": "like"},
        headers=headers,
    )
    assert response.status_code == 404 and "2611.77777" in response.json()["detail"]
    assert client.get("/api/library").json() == []


def test_library_tags_interests_and_export(client: TestClient, headers: dict[str, str]) -> None:
    rate = client.post(
        "/api/library/rate",
        json={"ids": ["2611.99001", "hep-th/9901001"], "action": "like"},
        headers=headers,
    )
    assert rate.json() == {"changed": 2}
    again = client.post(
        "/api/library/rate", json={"ids": ["2611.99001"], "action": "like"}, headers=headers
    )
    assert again.json() == {"changed": 0}, "liking twice changes nothing"
    client.post(
        "/api/library/tag", json={"tag": "strings", "ids": ["hep-th/9901001"]}, headers=headers
    )
    tagged = client.get("/api/library", params={"tag": "strings"}).json()
    assert [e["id"] for e in tagged] == ["hep-th/9901001"] and tagged[0]["rating"] == 1
    assert client.get("/api/library", params={"tag": "nope"}).status_code == 404

    first = client.post(
        "/api/library/interests", json={"text": "graph  learning"}, headers=headers
    ).json()
    same = client.post(
        "/api/library/interests", json={"text": "graph learning"}, headers=headers
    ).json()
    assert first["id"] == same["id"] and first["text"] == "graph learning"
    removed = client.delete(f"/api/library/interests/{first['id']}", headers=headers)
    assert removed.json() == {"removed": True}
    assert client.get("/api/library/interests").json() == []
    for odd in ("²", "9" * 30, "no such interest"):
        gone = client.delete(f"/api/library/interests/{odd}", headers=headers)
        assert gone.status_code == 200 and gone.json() == {"removed": False}

    csl = client.get("/api/library/export", params={"fmt": "csl-json", "tag": "strings"})
    assert csl.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    assert [item["title"] for item in json.loads(csl.text)] == [
        "An old-style arXiv id: string theory meets graph neural networks"
    ]
    bibtex = client.get("/api/library/export").text
    assert bibtex.count("@") == 2 and "eprint = {hep-th/9901001}" in bibtex


def test_stats_count_the_store(client: TestClient) -> None:
    stats = client.get("/api/stats").json()
    assert stats["papers"] > 30 and stats["categories"]["hep-th"] == 1
