"""Small builders for test records (plain functions, no mocks)."""

from __future__ import annotations

import datetime as dt

from papersift.records import Paper
from papersift.sources.common import build_paper


def make_paper(
    id: str = "2301.00001",
    title: str = "Sparse attention for very long documents",
    *,
    source: str = "arxiv-api",
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing"),
    abstract: str | None = "We study sparse attention.",
    version: int | None = 1,
    arxiv: bool = True,
    doi: str | None = None,
    published: dt.date | None = dt.date(2023, 1, 2),
    updated: dt.date | None = None,
    categories: tuple[str, ...] = ("cs.LG",),
    external_ids: dict[str, str] | None = None,
) -> Paper:
    return build_paper(
        "test",
        id,
        id=id,
        title=title,
        source=source,
        abstract=abstract,
        authors=authors,
        version=version if arxiv else None,
        arxiv_id=id if arxiv else None,
        doi=doi,
        published=published,
        updated=updated or published,
        categories=categories,
        external_ids=external_ids,
    )
