"""Listing pages -> the store, one page and its checkpoint per transaction.

The listings (`papersift.net.listings`) fetch and parse each page once; this module only keeps,
filters and stores their records, so a harvest killed at any moment resumes after the last page
it stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from papersift.errors import ParseError
from papersift.net.listings import Page
from papersift.records import Paper
from papersift.store.base import Store, UpsertCounts


@dataclass
class HarvestReport:
    pages: int = 0
    records: int = 0
    skipped: int = 0  # read but outside the asked-for window
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    rejected: list[ParseError] = field(default_factory=list)


def store_pages(
    store: Store,
    pages: Iterable[Page],
    *,
    checkpoint: str | None = None,
    keep: Callable[[Paper], bool] | None = None,
    on_page: Callable[[HarvestReport], None] | None = None,
) -> HarvestReport:
    """Store each page's papers together with `page.next_cursor` under `checkpoint`.

    Papers `keep` refuses are counted as skipped; a page's bad records are reported, its good
    ones stored. When the listing ends the checkpoint is cleared, so the next run starts afresh.
    """
    report = HarvestReport()
    for page in pages:
        papers: list[Paper] = []
        for item in page.records:
            if isinstance(item, ParseError):
                report.rejected.append(item)
            elif keep is None or keep(item):
                papers.append(item)
            else:
                report.skipped += 1
        with store.transaction():
            report.counts += store.upsert(papers)
            if checkpoint:
                store.set_checkpoint(checkpoint, page.next_cursor)
        report.pages += 1
        report.records += len(papers)
        if on_page:
            on_page(report)
    if checkpoint:
        store.set_checkpoint(checkpoint, None)
    return report


def published_since(day: dt.date | None) -> Callable[[Paper], bool] | None:
    """Keep papers first published or updated on or after `day`."""
    if day is None:
        return None

    def keep(paper: Paper) -> bool:
        latest = paper.updated or paper.published
        return latest is None or latest >= day

    return keep


def oai_checkpoint_name(set_spec: str | None, prefix: str, from_date: dt.date | None) -> str:
    return f"oai:{set_spec or '*'}:{prefix}:{from_date.isoformat() if from_date else '-'}"
