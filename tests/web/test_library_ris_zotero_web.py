"""The web app's library in RIS, and Zotero's own database through the import form."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from papersift.sources.ris import parse as parse_ris
from tests.web.conftest import HOSTILE_IDS, XSS_TITLE, csrf_of
from tests.zotero_db import build_zotero


def test_library_export_offers_ris(client: TestClient) -> None:
    csrf = csrf_of(client.get("/library").text)
    client.post(f"/papers/{HOSTILE_IDS[0]}/like", data={"csrf_token": csrf})
    client.post(f"/papers/{HOSTILE_IDS[2]}/like", data={"csrf_token": csrf})
    assert "/library/export?fmt=ris" in client.get("/library").text

    page = client.get("/library/export?fmt=ris")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("application/x-research-info-systems")
    assert 'filename="papersift-library.ris"' in page.headers["content-disposition"]
    papers = list(parse_ris(page.content, "export.ris"))
    assert {p.title for p in papers} == {
        XSS_TITLE,
        "A journal paper about quantized speech models known by its DOI",
    }
    assert {p.arxiv_id for p in papers} == {HOSTILE_IDS[0], None}

    api = client.get("/api/library/export", params={"fmt": "ris"})
    assert api.status_code == 200 and api.text == page.text
    assert client.get("/library/export?fmt=endnote").status_code == 422


def test_zotero_database_through_the_import_form(client: TestClient, tmp_path: Path) -> None:
    csrf = csrf_of(client.get("/library").text)
    db = build_zotero(tmp_path / "zotero.sqlite")
    response = client.post(
        "/library/import",
        data={"csrf_token": csrf, "fmt": "auto"},
        files={"file": ("zotero.sqlite", db.read_bytes(), "application/vnd.sqlite3")},
    )
    assert response.status_code == 200, response.text[:500]
    assert "3 stored as new papers" in response.text
    assert "ML, ML/Transformers, Reading group" in response.text
    tagged = client.get("/api/library", params={"tag": "ML/Transformers"}).json()
    assert [entry["id"] for entry in tagged] == ["doi:10.5555/zotero.one"]
