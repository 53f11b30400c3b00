"""Invented digests for the rendering tests: a normal one, a hostile one and an empty one."""

from __future__ import annotations

import datetime as dt

import pytest

from papersift.records import Digest, DigestEntry, DigestTopic, Link, Paper

GENERATED = dt.datetime(2026, 11, 21, 7, 30, tzinfo=dt.UTC)
FEEDBACK = "http://127.0.0.1:8765"

# Payloads a title, an author name or a TL;DR from the internet could carry.
HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert('x')</script>",
    '"><a href="javascript:alert(2)">click</a>',
    "]]></content><entry><title>injected</title>",
    "[phish](http://evil.example/) *bold* `code` <b>tag</b> & | # !",
)


def paper(
    n: int,
    title: str,
    *,
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing"),
    arxiv: bool = True,
    links: tuple[Link, ...] = (),
    categories: tuple[str, ...] = ("cs.LG", "stat.ML"),
    published: dt.date | None = dt.date(2026, 11, 20),
    updated: dt.date | None = None,
) -> Paper:
    arxiv_id = f"2611.{n:05d}" if arxiv else None
    return Paper(
        id=arxiv_id or f"doi:10.5555/invented.{n}",
        title=title,
        title_raw=title,
        abstract="We study an invented problem and report invented results.",
        authors=authors,
        categories=categories,
        published=published,
        updated=updated,
        doi=None if arxiv else f"10.5555/invented.{n}",
        arxiv_id=arxiv_id,
        links=links,
    )


def sample_digest(feedback_url: str | None = FEEDBACK) -> Digest:
    many_authors = (
        "Grace Hopper",
        "Edsger Dijkstra",
        "Barbara Liskov",
        "Donald Knuth",
        "Frances Allen",
    )
    picks = (
        DigestEntry(
            paper(
                1,
                "Sparse mixtures of tiny experts for long-context retrieval",
                authors=many_authors,
            ),
            tldr="Routing each token to two of sixty-four tiny experts halves a 1B model's memory.",
            score=0.91,
            reasons=("Similar to 3 papers you liked", "Matches your category cs.LG"),
        ),
        DigestEntry(
            paper(
                2, "Calibrated uncertainty for graph neural networks", updated=dt.date(2026, 11, 21)
            ),
            tldr="A post-hoc temperature per node degree fixes over-confidence on sparse graphs.",
            score=0.77,
            reasons=("Mentions 'calibration', a term from your liked papers",),
        ),
    )
    topics = (
        DigestTopic(
            "retrieval · long context",
            (
                DigestEntry(
                    paper(3, "A benchmark of needle-in-a-haystack retrieval at one million tokens"),
                    tldr="Most open models fail beyond 128k tokens.",
                ),
                DigestEntry(
                    paper(
                        4,
                        "Compressing key-value caches with learned codebooks",
                        arxiv=False,
                        links=(Link("abs", "https://example.org/papers/4"),),
                    )
                ),
            ),
        ),
        DigestTopic(
            "graph learning",
            (DigestEntry(paper(5, "Message passing without messages", authors=())),),
        ),
    )
    return Digest(
        title="papersift daily digest",
        generated_at=GENERATED,
        window_start=dt.date(2026, 11, 20),
        window_end=dt.date(2026, 11, 21),
        top_picks=picks,
        topics=topics,
        total_papers=5,
        feedback_url=feedback_url,
    )


def hostile_digest() -> Digest:
    entries = tuple(
        DigestEntry(
            paper(
                10 + i,
                payload,
                authors=(payload, "Normal Name"),
                categories=(payload,),
                links=(
                    Link("abs", "javascript:alert(3)"),
                    Link("pdf", 'http://x.example/a"b<c>.pdf'),
                ),
            ),
            tldr=payload,
            reasons=(payload,),
        )
        for i, payload in enumerate(HOSTILE)
    )
    return Digest(
        title=HOSTILE[0],
        generated_at=GENERATED,
        window_start=dt.date(2026, 11, 20),
        window_end=dt.date(2026, 11, 21),
        top_picks=entries[:2],
        topics=(DigestTopic(HOSTILE[1], entries[2:]),),
        total_papers=len(entries),
        feedback_url=FEEDBACK,
    )


def empty_digest() -> Digest:
    return Digest(
        title="papersift daily digest",
        generated_at=GENERATED,
        window_start=dt.date(2026, 11, 21),
        window_end=dt.date(2026, 11, 21),
        top_picks=(),
        topics=(),
        total_papers=0,
        feedback_url=FEEDBACK,
    )


@pytest.fixture
def digest() -> Digest:
    return sample_digest()


@pytest.fixture
def hostile() -> Digest:
    return hostile_digest()


@pytest.fixture
def empty() -> Digest:
    return empty_digest()
