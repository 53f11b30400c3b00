"""Typed records that flow through papersift: sources make them, the store keeps them.

No I/O here. `None` means unknown, never "" or 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Literal

LinkKind = Literal["abs", "pdf", "html", "code", "doi", "openreview", "other"]


@dataclass(frozen=True)
class Link:
    kind: LinkKind
    url: str


@dataclass(frozen=True)
class Paper:
    """One paper as one source describes it.

    `id` is canonical: the bare arXiv id without version (`2301.00001`, `hep-th/9901001`) for
    arXiv papers, otherwise a prefixed id (`doi:10.1145/...`, `openreview:AbCd12`, `s2:...`).
    `title`/`abstract` are normalized for display and search; `title_raw`/`abstract_raw` keep
    the text exactly as the source gave it.
    """

    id: str
    title: str
    title_raw: str
    abstract: str | None = None
    abstract_raw: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # primary first
    version: int | None = None  # latest arXiv version known, e.g. 2 for v2
    published: dt.date | None = None  # first version / publication date
    updated: dt.date | None = None  # latest version date
    doi: str | None = None  # lower-cased, no https://doi.org/ prefix
    arxiv_id: str | None = None  # bare, no version
    links: tuple[Link, ...] = ()
    sources: tuple[str, ...] = ()  # e.g. ("arxiv-api",), accumulates on merge
    # Other identifiers of the same paper: {"openreview": "...", "s2": "...", "openalex": "W..."}
    external_ids: dict[str, str] = field(default_factory=dict)
    # Source-specific facts worth keeping (upvotes, ai_summary, journal_ref, license, comments,
    # venue, withdrawn). Values are JSON-serialisable scalars or lists of them.
    extra: dict[str, object] = field(default_factory=dict)
    first_seen: dt.datetime | None = None  # set by the store

    def with_changes(self, **changes: object) -> Paper:
        return replace(self, **changes)  # type: ignore[arg-type]

    def link(self, kind: LinkKind) -> str | None:
        return next((link.url for link in self.links if link.kind == kind), None)

    @property
    def first_author(self) -> str | None:
        return self.authors[0] if self.authors else None


@dataclass(frozen=True)
class PaperFilter:
    """Which papers a search or listing may return; None means no constraint."""

    since: dt.date | None = None  # published or updated on/after
    until: dt.date | None = None  # published on/before
    category: str | None = None  # any listed category, e.g. "cs.LG"
    author: str | None = None  # substring of any author name, case-insensitive
    has_code: bool = False  # only papers with a code link (badges.code_url)

    @property
    def is_empty(self) -> bool:
        return self == PaperFilter()


@dataclass(frozen=True)
class DigestEntry:
    """One paper in a digest, with why it is there (reasons are sentences a reader can check)."""

    paper: Paper
    tldr: str | None = None
    score: float | None = None
    reasons: tuple[str, ...] = ()
    update: str | None = None  # shown before, back changed: "updated: v3, new abstract"


@dataclass(frozen=True)
class DigestTopic:
    label: str
    entries: tuple[DigestEntry, ...]


@dataclass(frozen=True)
class DigestUpdate:
    """What changed on a paper the reader liked or tagged since their last digest, in words
    ("v3 posted", "code released: https://github.com/...", "accepted at ICLR 2026")."""

    paper: Paper
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Digest:
    """A digest of one window of papers: top picks for the reader, then the rest by topic.

    `feedback_url` is the base URL of `papersift serve` (e.g. http://127.0.0.1:8765); like and
    dislike links point at `{feedback_url}/papers/{id}/like` (a page whose button POSTs: no
    state changes on GET).
    """

    title: str
    generated_at: dt.datetime
    window_start: dt.date
    window_end: dt.date
    top_picks: tuple[DigestEntry, ...]
    topics: tuple[DigestTopic, ...]
    total_papers: int
    feedback_url: str | None = None
    updates: tuple[DigestUpdate, ...] = ()  # on liked and tagged papers, since the last digest
    # Sections the reader asked for (followed authors, alerts, include rules), shown first and
    # never cut by the ranking; and how many papers the reader's exclude rules hid.
    pinned: tuple[DigestTopic, ...] = ()
    hidden_by_rules: int = 0
    # Why there is nothing to read, in words (a weekend, a holiday, all already seen).
    empty_reason: str | None = None


# The formats a digest is written in. They are named here, below both the config file and the
# digest package, so that the config file can check `[digest] formats` without importing the
# digest package (config sits below digest in the pipeline).
DigestFormat = Literal["html", "md", "txt", "atom"]
DIGEST_FORMATS: tuple[DigestFormat, ...] = ("html", "md", "txt", "atom")
