"""Pure de-duplication: which records are the same paper, and how two of them merge.

One paper is one record. Records match on any shared identifier (arXiv id, DOI, OpenReview /
Semantic Scholar / OpenAlex id), or, when one side has no arXiv id, on normalized title plus
first-author surname. Two different arXiv ids are never merged: arXiv says they are two papers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache

from papersift.records import Paper
from papersift.text import match_key, surname


def aliases(paper: Paper) -> tuple[str, ...]:
    """Every identifier under which this paper can be found, canonical id first."""
    found = [paper.id]
    if paper.arxiv_id:
        found.append(paper.arxiv_id)
    if paper.doi:
        found.append(f"doi:{paper.doi}")
    found.extend(f"{scheme}:{value}" for scheme, value in sorted(paper.external_ids.items()))
    return tuple(dict.fromkeys(found))


def title_author_key(paper: Paper) -> str | None:
    """Normalized title + first-author surname; None when either is too thin to trust."""
    if not paper.authors:
        return None
    return _title_author_key(paper.title, paper.authors[0])


def _key_of(title: str, first_author: str) -> str | None:
    key = match_key(title)
    if len(key) < 12:
        return None
    return f"{key}|{match_key(surname(first_author))}"


# Storing a batch asks for each paper's key twice (collapse, then the row): remember recent ones.
_title_author_key = lru_cache(maxsize=16_384)(_key_of)


def title_author_hash(paper: Paper) -> int | None:
    """`title_author_key` as a signed 64-bit integer: a small, fast index in the store."""
    if not paper.authors:
        return None
    return _hash(_title_author_key(paper.title, paper.authors[0]))


def title_author_hash_of(title: str, first_author: str) -> int | None:
    """`title_author_hash` of a paper with this (normalized) title and first author, for a
    paper whose key is needed once (the bulk path): no cache to fill."""
    return _hash(_key_of(title, first_author))


def _hash(key: str | None) -> int | None:
    if key is None:
        return None
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def _is_newer(incoming: Paper, existing: Paper) -> bool:
    """Whether `incoming` describes a later version than `existing` (latest version wins)."""
    if incoming.version is not None and existing.version is not None:
        return incoming.version > existing.version
    if incoming.updated is not None and existing.updated is not None:
        return incoming.updated > existing.updated
    return False


def merge(existing: Paper, incoming: Paper) -> Paper:
    """The one record for two descriptions of the same paper.

    The later arXiv version supplies title, abstract, authors and dates; fields either side
    leaves unknown are filled from the other; sources, links, ids and extras accumulate.
    The canonical id becomes the arXiv id as soon as either side knows it.
    """
    newer, older = (incoming, existing) if _is_newer(incoming, existing) else (existing, incoming)
    arxiv_id = existing.arxiv_id or incoming.arxiv_id

    def pick(name: str) -> object:
        value = getattr(newer, name)
        return value if value not in (None, (), "") else getattr(older, name)

    return Paper(
        id=arxiv_id or existing.id,
        title=newer.title,
        title_raw=newer.title_raw,
        abstract=pick("abstract"),  # type: ignore[arg-type]
        abstract_raw=newer.abstract_raw if newer.abstract is not None else older.abstract_raw,
        authors=pick("authors"),  # type: ignore[arg-type]
        categories=pick("categories"),  # type: ignore[arg-type]
        version=_max_or_none(existing.version, incoming.version),
        published=_min_or_none(existing.published, incoming.published),
        updated=_max_or_none(existing.updated, incoming.updated),
        doi=existing.doi or incoming.doi,
        arxiv_id=arxiv_id,
        links=tuple(dict.fromkeys(existing.links + incoming.links)),
        sources=tuple(dict.fromkeys(existing.sources + incoming.sources)),
        external_ids={**incoming.external_ids, **existing.external_ids},
        extra={**older.extra, **newer.extra},
        first_seen=existing.first_seen or incoming.first_seen,
    )


def _max_or_none(a, b):  # type: ignore[no-untyped-def]
    return b if a is None else a if b is None else max(a, b)


def _min_or_none(a, b):  # type: ignore[no-untyped-def]
    return b if a is None else a if b is None else min(a, b)


def can_merge(a: Paper, b: Paper) -> bool:
    """Two records may merge unless they carry different arXiv ids or different DOIs."""
    if a.arxiv_id and b.arxiv_id and a.arxiv_id != b.arxiv_id:
        return False
    return not (
        a.doi and b.doi and a.doi != b.doi and not (a.arxiv_id and a.arxiv_id == b.arxiv_id)
    )


def collapse(papers: Iterable[Paper]) -> list[Paper]:
    """Merge the records of one batch that describe the same paper (order kept, idempotent)."""
    merged: list[Paper] = []
    by_key: dict[str, int] = {}
    for paper in papers:
        ta = title_author_key(paper)
        keys = [*aliases(paper), "ta:" + ta] if ta else list(aliases(paper))
        slot = next((by_key[k] for k in keys if k in by_key), None)
        if slot is not None and can_merge(merged[slot], paper):
            merged[slot] = merge(merged[slot], paper)
            keys.extend(aliases(merged[slot]))
        else:
            slot = len(merged)
            merged.append(paper)
        for key in keys:
            by_key.setdefault(key, slot)
    return merged
