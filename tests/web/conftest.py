"""A small real store for the web tests: part of the invented demo corpus plus hostile papers.

The store is built and embedded once per session (the model is the slow part) and copied for
every test that changes it, so tests never see each other's likes.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import papersift
from papersift.index.storage import index_dir_for
from papersift.store import open_store
from tests.conftest import REPO
from tests.helpers import make_paper

DEMO = Path(papersift.__file__).resolve().parent / "data" / "demo_papers.jsonl"
ARTIFACTS = REPO / "test-artifacts"
# Four topics keep embedding quick; the newest day's papers of them fill "today's" feed.
TOPICS = ("speech-recognition", "llm-quantization", "image-diffusion", "graph-neural-networks")
NEWEST_DAY = "2026-11-21"
EARLIER_PER_TOPIC = 3
# Text from the internet that must stay text: each payload would set window.__pwned if a
# browser ever ran it.
XSS_TITLE = '<img src=x onerror="window.__pwned=1">Quantized speech recognition'
XSS_SCRIPT_TITLE = "</script><script>window.__pwned=2</script> Diffusion on graphs"
XSS_ABSTRACT = (
    'We quantize speech recognition models. <svg onload="window.__pwned=3"></svg> '
    '</textarea><script>window.__pwned=4</script> "><img src=x onerror=window.__pwned=5>'
)
XSS_AUTHOR = '<b onmouseover="window.__pwned=6">Mallory</b>'
HOSTILE_IDS = ("2611.99001", "2611.99002", "doi:10.5555/xss.2026", "hep-th/9901001")


def demo_subset() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()]
    chosen = [r for r in rows if r["topic"] in TOPICS and r["update_date"] == NEWEST_DAY]
    for topic in TOPICS:
        earlier = [r for r in rows if r["topic"] == topic and r["update_date"] < NEWEST_DAY]
        chosen += earlier[:EARLIER_PER_TOPIC]
    return chosen


def hostile_papers() -> list[Any]:
    day = dt.date.fromisoformat(NEWEST_DAY)
    return [
        make_paper(
            HOSTILE_IDS[0],
            XSS_TITLE,
            abstract=XSS_ABSTRACT,
            authors=(XSS_AUTHOR, "Ada Lovelace"),
            published=day,
        ),
        make_paper(
            HOSTILE_IDS[1],
            XSS_SCRIPT_TITLE,
            abstract="Diffusion models on graphs. </script><script>window.__pwned=7</script>",
            published=day,
            categories=("cs.LG", "<script>window.__pwned=8</script>"),
        ),
        make_paper(
            HOSTILE_IDS[2],
            "A journal paper about quantized speech models known by its DOI",
            abstract="Speech recognition with quantized weights; javascript:alert(1) is text.",
            arxiv=False,
            doi="10.5555/xss.2026",
            published=day,
        ),
        make_paper(
            HOSTILE_IDS[3],
            "An old-style arXiv id: string theory meets graph neural networks",
            abstract="Graph neural networks learn on graphs with message passing.",
            published=day,
            categories=("hep-th",),
        ),
    ]


@pytest.fixture(scope="session")
def demo_topics() -> dict[str, str]:
    """Paper id -> topic of the demo papers in the test store."""
    return {row["id"]: row["topic"] for row in demo_subset()}


@pytest.fixture(scope="session")
def embedder() -> Any:
    from papersift.embed import load_embedder

    return load_embedder(None)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    """The embedded test store; never opened for writing by a test (copy it first)."""
    from papersift.index.sync import embed_missing, open_index
    from papersift.ingest.files import ingest_paths

    folder = tmp_path_factory.mktemp("web-store")
    subset = folder / "demo_subset.jsonl"
    subset.write_text("".join(json.dumps(row) + "\n" for row in demo_subset()), encoding="utf-8")
    path = folder / "template.db"
    store = open_store(path)
    report = ingest_paths(store, [str(subset)])
    assert not report.rejected
    store.upsert(hostile_papers())
    embed_missing(store, embedder)
    open_index(store, embedder.model_id, embedder.dim, warn=lambda message: None)
    store.close()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    """A private copy of the test store (and its vector index)."""
    path = tmp_path / "store.db"
    shutil.copyfile(template_db, path)
    shutil.copytree(index_dir_for(template_db), index_dir_for(path))
    return path


@pytest.fixture
def make_app(db_path: Path, embedder: Any) -> Any:
    from papersift.web import create_app

    def build(**options: Any) -> Any:
        return create_app(db_path, embedder=embedder, **options)

    return build


@pytest.fixture
def client(make_app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(make_app(), base_url="http://127.0.0.1") as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    """The CSRF token a page carries (in its <meta name="csrf-token">)."""
    import re

    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert found, "page without a CSRF token"
    return found.group(1)


# --- a real server on 127.0.0.1 for the browser and load tests --------------------------------


@dataclass
class LiveServer:
    url: str
    app: Any
    db_path: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(make_app: Any, db_path: Path) -> Iterator[LiveServer]:
    """The app under uvicorn in a thread, on a free loopback port."""
    import uvicorn

    from papersift.web import bind_socket

    app = make_app()
    sock = bind_socket("127.0.0.1", free_port())
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", app, db_path)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
