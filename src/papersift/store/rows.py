"""Pure conversion between `Paper` records and SQLite rows, and batches of them.

Pure, so that ingest's worker processes can build a batch's rows (`prepare_batch`) while the
writer stores the previous one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from papersift.dedupe import aliases, collapse, title_author_hash
from papersift.records import Link, Paper
from papersift.text import collapse_whitespace

PAPER_COLUMNS = (
    "id", "title", "title_raw", "abstract", "abstract_raw", "authors", "authors_text",
    "categories", "primary_category", "version", "published", "updated", "doi", "arxiv_id",
    "links", "sources", "external_ids", "extra", "title_author", "first_seen",
)  # fmt: skip


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def paper_to_row(paper: Paper, now: dt.datetime | None = None) -> tuple[Any, ...]:
    """Values for PAPER_COLUMNS, in order; `now` is first_seen for a paper not seen before."""
    return (
        paper.id,
        paper.title,
        raw_if_needed(paper.title_raw, paper.title),
        paper.abstract,
        raw_if_needed(paper.abstract_raw, paper.abstract),
        _json(paper.authors),
        ", ".join(paper.authors),
        _json(paper.categories),
        paper.categories[0] if paper.categories else None,
        paper.version,
        _iso(paper.published),
        _iso(paper.updated),
        paper.doi,
        paper.arxiv_id,
        _json([[link.kind, link.url] for link in paper.links]),
        _json(paper.sources),
        _json(paper.external_ids),
        _json(paper.extra),
        title_author_hash(paper),
        (paper.first_seen or now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
    )


def raw_if_needed(raw: str | None, clean: str | None) -> str | None:
    """The raw text, unless cleanup only folded its whitespace (then the clean text stands in).

    The snapshot hard-wraps every abstract at 80 columns; keeping those line breaks would
    double the store for nothing, while accents, entities and markup are kept as written.
    """
    if raw is None or raw == clean:
        return None
    # Without these characters cleanup can only have folded whitespace (checked in C, fast).
    if "\\" not in raw and "{" not in raw and "&" not in raw and "<" not in raw:
        return None
    # collapse_whitespace(raw) is " ".join(raw.split()), mostly without splitting into words.
    if clean is not None and collapse_whitespace(raw) == clean:
        return None
    return raw


def row_to_paper(row: Any) -> Paper:
    """A `Paper` from a row holding PAPER_COLUMNS (sqlite3.Row or a tuple in that order)."""
    values = dict(zip(PAPER_COLUMNS, tuple(row)[: len(PAPER_COLUMNS)], strict=True))
    return Paper(
        id=values["id"],
        title=values["title"],
        title_raw=values["title_raw"] if values["title_raw"] is not None else values["title"],
        abstract=values["abstract"],
        abstract_raw=(
            values["abstract_raw"] if values["abstract_raw"] is not None else values["abstract"]
        ),
        authors=tuple(orjson.loads(values["authors"])),
        categories=tuple(orjson.loads(values["categories"])),
        version=values["version"],
        published=_date(values["published"]),
        updated=_date(values["updated"]),
        doi=values["doi"],
        arxiv_id=values["arxiv_id"],
        links=tuple(Link(kind, url) for kind, url in orjson.loads(values["links"])),
        sources=tuple(orjson.loads(values["sources"])),
        external_ids=orjson.loads(values["external_ids"]),
        extra=orjson.loads(values["extra"]),
        first_seen=dt.datetime.fromisoformat(values["first_seen"]),
    )


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class PreparedBatch:
    """A batch after the pure work of storing it: merged within itself, rows built.

    `rows[i]` is paper_to_row(paper) plus, last, the paper's other aliases. Rows are plain
    tuples so a batch prepared in a worker process crosses to the writer cheaply; the `Paper`
    is rebuilt from its row only when it must be merged with a stored one.
    """

    rows: list[tuple[Any, ...]]
    papers: list[Paper] | None = None

    def paper(self, index: int) -> Paper:
        if self.papers is not None:
            return self.papers[index]
        return row_to_paper(self.rows[index][:-1])


def prepare_batch(
    papers: Iterable[Paper], keep_papers: bool = True, now: dt.datetime | None = None
) -> PreparedBatch:
    """Collapse duplicates and build rows; pure, so ingest can run it in a worker process.

    `now` is the first-seen time of papers new to the store (default: this second, UTC).
    """
    batch = collapse(papers)
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    rows = [(*paper_to_row(p, now), aliases(p)[1:]) for p in batch]
    return PreparedBatch(rows, batch if keep_papers else None)
