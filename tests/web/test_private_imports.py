"""Issue 21 finding 1 on a real `papersift serve --multi-user` over HTTP: what one account
imports changes nothing another reader sees, until an admin promotes it or a public source
brings the same paper; an upload past the cap is refused whole, in one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from papersift.store import open_store
from tests.web.conftest import NEWEST_DAY, demo_subset
from tests.web.test_hardening import Server, cli, csrf, start_server

__all__ = ["start_server"]  # the fixture, shared with the other multi-user tests

EVIL = "http://evil.example/phish"
FOREIGN_DOI = "10.6666/foreign.1"
PLANTED = "2611.77001"  # a later public ingest brings this one
PROMOTED = "2611.77002"  # an admin promotes this one
MARK = "Zyxwvut"  # a word no other paper has
DAY_AFTER = "2026-11-22"  # newer than every public paper: it would own the "1d" window


def public_quantization_paper() -> dict[str, str]:
    return next(
        row
        for row in demo_subset()
        if row["topic"] == "llm-quantization" and row["update_date"] == NEWEST_DAY
    )


def library_upload(public_id: str) -> bytes:
    return f"""
@article{{changed,
  title = {{{public_quantization_paper()["title"]}}},
  author = {{Kuznetsov, Ananya}},
  year = {{2026}},
  eprint = {{{public_id}}}, archivePrefix = {{arXiv}},
  doi = {{{FOREIGN_DOI}}},
  url = {{{EVIL}}},
}}
@article{{planted,
  title = {{{MARK} quantization: post-training quantization for open-weight chat models}},
  author = {{Mallory, Eve}},
  date = {{{DAY_AFTER}}},
  eprint = {{{PLANTED}}}, archivePrefix = {{arXiv}},
  url = {{{EVIL}}},
  abstract = {{Weight-only quantization of large language models to four bits.}},
}}
@article{{promoted,
  title = {{{MARK} pruning of speech recognition models}},
  author = {{Mallory, Eve}},
  date = {{{DAY_AFTER}}},
  eprint = {{{PROMOTED}}}, archivePrefix = {{arXiv}},
}}
""".encode()


def upload(client: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return client.post(
        "/library/import",
        data={"csrf_token": csrf(client), "fmt": "auto"},
        files={"file": (name, data)},
    )


def ids_found(client: httpx.Client, query: str, mode: str) -> list[str]:
    response = client.get("/api/search", params={"q": query, "mode": mode, "k": 20})
    assert response.status_code == 200, response.text[:300]
    return [hit["id"] for hit in response.json()]


def test_an_import_stays_private_until_promoted_or_public(
    start_server: object, tmp_path: Path
) -> None:
    server: Server = start_server()  # type: ignore[operator]
    server.add_user("admin", admin=True)
    server.add_user("alice")
    server.add_user("bob")
    alice, bob = server.log_in("alice"), server.log_in("bob")
    public = public_quantization_paper()["id"]
    bob.post(
        "/api/library/interests",
        json={"text": "post-training quantization of chat models"},
        headers={"X-CSRF-Token": csrf(bob)},
    )

    response = upload(alice, "mine.bib", library_upload(public))
    assert response.status_code == 200, response.text[:300]

    # Alice has her papers...
    assert PLANTED in ids_found(alice, MARK, "keyword")
    assert alice.get(f"/papers/{PLANTED}").status_code == 200
    # ...Bob sees neither them nor the link and DOI her import gave a public paper.
    title = f"{MARK} quantization: post-training quantization for open-weight chat models"
    for mode in ("keyword", "semantic", "hybrid"):
        found = ids_found(bob, title, mode)
        assert PLANTED not in found and PROMOTED not in found, mode
    assert bob.get(f"/papers/{PLANTED}").status_code == 404
    for reader in (bob, alice):
        page = reader.get(f"/papers/{public}")
        assert page.status_code == 200
        assert "evil.example" not in page.text and FOREIGN_DOI not in page.text
    assert bob.get(f"/paper?id=doi:{FOREIGN_DOI}").status_code == 404
    pages = ("/?since=1d", "/?since=7d", "/map/frame?since=7d", "/search?q=quantization+chat")
    for path in pages:
        page = bob.get(path)
        assert page.status_code == 200, path
        assert MARK not in page.text and PLANTED not in page.text, path
    assert MARK in alice.get("/search?q=quantization+chat").text  # where a planted paper ranks

    # An admin promotes one: everyone sees it.
    promoted = cli(server.db_path, "papers", "promote", PROMOTED)
    assert promoted.code == 0, promoted.err
    assert bob.get(f"/papers/{PROMOTED}").status_code == 200
    assert PROMOTED in ids_found(bob, MARK, "keyword")

    # A public source brings the planted id: its record, not Alice's, becomes everyone's.
    row = {
        **public_quantization_paper(),
        "id": PLANTED,
        "title": "The public record of a paper someone imported first",
        "versions": [{"version": "v1", "created": "Sun, 22 Nov 2026 10:00:00 GMT"}],
        "update_date": DAY_AFTER,
    }
    snapshot = tmp_path / "public.jsonl"
    snapshot.write_text(json.dumps(row) + "\n")
    ingested = cli(server.db_path, "ingest", str(snapshot))
    assert ingested.code == 0, ingested.err
    page = bob.get(f"/papers/{PLANTED}")
    assert page.status_code == 200
    assert "The public record of a paper someone imported first" in page.text
    assert "evil.example" not in page.text and MARK not in page.text
    liked = alice.get("/api/library/export", params={"fmt": "csl-json"})
    assert "The public record of a paper someone imported first" in liked.text


def test_an_upload_past_the_cap_is_refused_whole(start_server: object) -> None:
    server: Server = start_server()  # type: ignore[operator]
    server.add_user("alice")
    alice = server.log_in("alice")
    store = open_store(server.db_path)
    try:
        before = store.count()
    finally:
        store.close()
    entries = "".join(
        f"@article{{p{i}, title = {{Planted paper number {i} of many}}, "
        f"author = {{Mallory, Eve}}, year = {{2026}}}}\n"
        for i in range(5_001)
    )

    response = upload(alice, "many.bib", entries.encode())

    assert response.status_code == 400, response.text[:300]
    assert "many.bib: 5,001 records; an upload may hold at most 5,000" in response.text
    store = open_store(server.db_path)
    try:
        assert store.count() == before
    finally:
        store.close()
    assert alice.get("/api/library/export", params={"fmt": "csl-json"}).json() == []
