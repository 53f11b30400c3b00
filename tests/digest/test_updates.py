"""Updates on papers the reader cares about: a new version, code released, a venue accepted.

A real store, the digest use cases both front ends call (pipelines.make_digest and
publish_and_send), and updated records that arrive through the real parsers and the store's
merge, as `papersift ingest` or `fetch` would bring them.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from papersift.config import load_config
from papersift.digest.updates import changes_since
from papersift.pipelines import DigestRequest, make_digest, publish_and_send
from papersift.records import Link, Paper
from papersift.sources import hf_daily, openreview
from papersift.store import open_store
from papersift.store.base import PaperSnapshot
from tests.digest.test_window_once import WordHashEmbedder
from tests.helpers import make_paper

DAY = dt.date(2026, 6, 10)
LIKED = "2606.00001"
TAGGED = "2606.00002"
REPO = "https://github.com/lovelace/sparse-attention"
TOPICS = ("sparse attention", "graph networks", "speech recognition", "image diffusion")


def _day_papers() -> list[Paper]:
    return [
        make_paper(
            f"2606.{n:05d}",
            f"Notes on {TOPICS[n % len(TOPICS)]} number {n}",
            abstract=f"We study {TOPICS[n % len(TOPICS)]} in a setting numbered {n}.",
            published=DAY,
        )
        for n in range(1, 11)
    ]


def _hf_item(arxiv_id: str) -> bytes:
    """A Daily Papers item as the API sends it, now with the paper's GitHub repository."""
    return json.dumps(
        [
            {
                "paper": {
                    "id": arxiv_id,
                    "title": "Notes on graph networks number 1",
                    "summary": "We study graph networks in a setting numbered 1.",
                    "authors": [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}],
                    "publishedAt": f"{DAY.isoformat()}T00:00:00.000Z",
                    "upvotes": 17,
                    "githubRepo": REPO,
                },
                "publishedAt": f"{DAY.isoformat()}T20:00:00.000Z",
                "numComments": 2,
            }
        ]
    ).encode()


def _openreview_note(arxiv_id: str, venue: str) -> bytes:
    return json.dumps(
        {
            "notes": [
                {
                    "id": "AbCd123456",
                    "forum": "AbCd123456",
                    "content": {
                        "title": {"value": "Notes on speech recognition number 2"},
                        "authors": {"value": ["Ada Lovelace", "Alan Turing"]},
                        "venue": {"value": venue},
                    },
                    "externalIds": [f"arxiv:{arxiv_id}"],
                    "pdate": 1767225600000,
                }
            ]
        }
    ).encode()


def _parsed(parse, data: bytes) -> list[Paper]:
    papers = list(parse(data, "test"))
    assert all(isinstance(p, Paper) for p in papers), papers
    return papers  # type: ignore[return-value]


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "updates.db")
    store.upsert(_day_papers())
    with store.transaction():
        store.library().rate([store.rowid_of(LIKED)], 1)
        store.library().tag("to read", [store.rowid_of(TAGGED)])
    yield store
    store.close()


def _digest(store, tmp_path, name: str):
    config = load_config(env={})
    request = DigestRequest(since="all", k=5, out_dir=tmp_path / name, formats=("txt", "md"))
    built = make_digest(store, WordHashEmbedder(), config, request)
    run = publish_and_send(store, config, built, request, day=DAY)
    return built.digest, run.published.rendered


def test_a_new_version_and_code_are_told_once(store, tmp_path):
    first, _ = _digest(store, tmp_path, "one")
    assert first.updates == ()  # nothing to compare with yet: this digest sets the baseline

    # Later: v2 of the liked paper, Hugging Face links its code, OpenReview accepts the tagged
    # paper (and a submission under review elsewhere is no acceptance).
    v2 = make_paper(LIKED, "Notes on graph networks number 1", version=2, published=DAY,
                    updated=DAY + dt.timedelta(days=3))  # fmt: skip
    store.upsert([v2, *_parsed(hf_daily.parse, _hf_item(LIKED))])
    store.upsert(_parsed(openreview.parse, _openreview_note(TAGGED, "ICLR 2026 Poster")))
    assert store.get(LIKED).version == 2 and store.get(LIKED).link("code") == REPO

    second, rendered = _digest(store, tmp_path, "two")
    changes = {u.paper.id: u.changes for u in second.updates}
    assert changes == {
        LIKED: ("v2 posted", "code released: github.com/lovelace/sparse-attention"),
        TAGGED: ("accepted at ICLR 2026 Poster",),
    }
    text = rendered["txt"]
    assert "UPDATES" in text
    for line in ("v2 posted", "code released: github.com/lovelace/sparse-attention"):
        assert text.count(line) == 1, line
    assert "accepted at ICLR 2026 Poster" in rendered["md"]
    # The liked paper, listed in its topic, now carries its badges.
    assert "▲17 · code" in text and f"Code:     {REPO}" in text

    third, rendered = _digest(store, tmp_path, "three")
    assert third.updates == ()
    assert "UPDATES" not in rendered["txt"] and "v2 posted" not in rendered["txt"]


def test_a_digest_built_but_not_published_tells_nothing_away(store, tmp_path):
    config = load_config(env={})
    request = DigestRequest(since="all", k=5, out_dir=None)
    make_digest(store, WordHashEmbedder(), config, request)  # sets no baseline: not published
    assert store.snapshots().get(store.snapshots().followed()) == {}


def test_changes_since_counts_arrivals_only() -> None:
    paper = make_paper(LIKED, version=3).with_changes(
        links=(Link("code", REPO),), extra={"venue": "NeurIPS 2026"}
    )
    assert changes_since(PaperSnapshot(3, REPO, "NeurIPS 2026"), paper) == ()
    assert changes_since(PaperSnapshot(2, None, None), paper) == (
        "v3 posted",
        "code released: github.com/lovelace/sparse-attention",
        "accepted at NeurIPS 2026",
    )
    # A venue reworded by another source, or a new repo URL, is no news once one was told.
    assert changes_since(PaperSnapshot(3, "https://github.com/old/x", "NeurIPS"), paper) == ()
    # A record without versions (a journal DOI) never claims "v1 posted".
    assert changes_since(PaperSnapshot(None), make_paper(LIKED, version=1)) == ()
