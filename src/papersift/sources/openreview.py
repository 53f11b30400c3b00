"""OpenReview API notes JSON: `{"notes": [...]}` responses or a single note.

API v2 wraps every content field as `{"value": ...}`; v1 notes hold the values directly, so
both are read. Dates are epoch milliseconds. Notes are submissions, accepted papers and
records imported from DBLP or ORCID, whose authors may be objects rather than strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from papersift.errors import ParseError
from papersift.ids import bare_arxiv_id, normalize_doi
from papersift.records import Link, Paper
from papersift.sources.common import (
    build_paper,
    json_list,
    json_strings,
    json_text,
    json_type,
    parse_json_records,
    raise_api_error,
    record_key,
)

FORMAT = "openreview"
SITE = "https://openreview.net"


def sniff(head: str) -> bool:
    """Notes have a `forum` id and a `content` object (v2 wraps each field in `value`)."""
    return head.startswith(("{", "[")) and '"forum"' in head and '"content"' in head


def parse(data: bytes, origin: str) -> Iterator[Paper | ParseError]:
    """Yield a Paper per note."""
    return parse_json_records(data, origin, _notes, _note_id, _paper)


def _notes(document: Any, origin: str) -> list[Any]:
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise ParseError(origin, f"expected OpenReview notes, found {json_type(document)}")
    if isinstance(document.get("notes"), list):
        return document["notes"]  # type: ignore[no-any-return]
    if "content" in document:
        return [document]
    # Errors look like {"name": "NotFoundError", "message": "...", "status": 404}.
    raise_api_error(origin, "OpenReview", document.get("message"), document.get("error"))
    raise ParseError(origin, "no notes found (expected notes, or a note with content)")


def _note_id(note: Any) -> str | None:
    if not isinstance(note, dict):
        return None
    return record_key(note.get("forum") or note.get("id"))


def _paper(note: Any, origin: str, label: str) -> Paper:
    if not isinstance(note, dict):
        raise ParseError(origin, f"expected a note object, found {json_type(note)}", record=label)
    content = note.get("content")
    if not isinstance(content, dict):
        raise ParseError(
            origin, f"expected an object, found {json_type(content)}", record=label, field="content"
        )

    def text(field: str) -> str | None:
        return json_text(_value(content.get(field)), origin, label, field)

    forum = json_text(note.get("forum"), origin, label, "forum") or json_text(
        note.get("id"), origin, label, "id"
    )
    pdf = _absolute(text("pdf"))
    html = _absolute(text("html"))
    doi = _doi(note.get("externalIds"), html)
    arxiv_id = _arxiv_id(note.get("externalIds"), pdf, html)
    # OpenReview's own forum id names the paper unless it is on arXiv; a DOI (DBLP and ORCID
    # imports) is kept in `doi`, where de-duplication finds it.
    paper_id = arxiv_id or (f"openreview:{forum}" if forum else None)
    return build_paper(
        origin,
        label,
        id=paper_id,
        title=text("title"),
        source=FORMAT,
        abstract=text("abstract"),
        authors=_author_names(_value(content.get("authors")), origin, label),
        published=_first_date(note, origin, label),
        doi=doi,
        arxiv_id=arxiv_id,
        links=_links(forum, arxiv_id, pdf, html),
        external_ids={"openreview": forum} if forum else {},
        extra={
            "venue": text("venue"),
            "venueid": text("venueid"),
            "keywords": json_strings(_value(content.get("keywords"))),
            "primary_area": text("primary_area"),
            "tldr": text("TLDR") or text("TL;DR"),
            "license": note.get("license") if isinstance(note.get("license"), str) else None,
        },
    )


def _value(field: Any) -> Any:
    """A v2 content field is {"value": x}; a v1 field is x itself."""
    if isinstance(field, dict) and "value" in field:
        return field["value"]
    return field


def _absolute(url: str | None) -> str | None:
    """OpenReview gives its own files as site paths (`/pdf/<sha>.pdf`)."""
    if not url:
        return None
    if url.startswith("/"):
        return SITE + url
    return url if url.startswith(("https://", "http://")) else None


def _external_ids(value: Any) -> list[str]:
    """Top-level externalIds: ["doi:10.18653/v1/p19-1423", "arxiv:2301.00001", ...]."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _doi(external_ids: Any, html: str | None) -> str | None:
    for item in _external_ids(external_ids):
        if item.lower().startswith("doi:"):
            return normalize_doi(item[4:])
    # DBLP imports point `html` at the DOI resolver.
    if html and "doi.org/" in html:
        return normalize_doi(html)
    return None


def _arxiv_id(external_ids: Any, pdf: str | None, html: str | None) -> str | None:
    for item in _external_ids(external_ids):
        if item.lower().startswith("arxiv:"):
            return bare_arxiv_id(item)
    for url in (html, pdf):
        if url and "arxiv.org/" in url:
            return bare_arxiv_id(url)
    return None


def _author_names(authors: Any, origin: str, label: str) -> list[Any]:
    # ORCID imports list {"fullname", "username"?} objects instead of names.
    names = json_list(authors, origin, label, "authors")
    return [(a.get("fullname") or a.get("name")) if isinstance(a, dict) else a for a in names]


def _first_date(note: dict[str, Any], origin: str, label: str) -> dt.date | None:
    """Publication date if known, else when the paper went public, else when it was created."""
    for field in ("pdate", "odate", "cdate", "tcdate"):
        day = _epoch_day(note.get(field), origin, label, field)
        if day is not None:
            return day
    return None


def _epoch_day(value: Any, origin: str, label: str, field: str) -> dt.date | None:
    if value is None:
        return None
    if type(value) not in (int, float):
        raise ParseError(
            origin,
            f"expected epoch milliseconds, found {json_type(value)}",
            record=label,
            field=field,
        )
    try:
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).date()
    except (OverflowError, OSError, ValueError):
        raise ParseError(
            origin, f"implausible timestamp {value!r}", record=label, field=field
        ) from None


def _links(
    forum: str | None, arxiv_id: str | None, pdf: str | None, html: str | None
) -> list[Link]:
    links = []
    if forum:
        links.append(Link("openreview", f"{SITE}/forum?id={forum}"))
    if arxiv_id:
        links.append(Link("abs", f"https://arxiv.org/abs/{arxiv_id}"))
    if pdf:
        links.append(Link("pdf", pdf))
    if html and "doi.org/" not in html and "arxiv.org/" not in html:
        links.append(Link("other", html))
    return links
