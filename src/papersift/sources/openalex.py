"""OpenAlex works JSON: one work (`/works/<id>`) or a list response (`{"meta", "results"}`).

OpenAlex ships abstracts as an inverted index (word -> positions) and never names the arXiv id
as such: it shows up only as an arxiv.org location (landing page or PDF URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from papersift.errors import ParseError
from papersift.ids import bare_arxiv_id, canonical_id, normalize_doi
from papersift.records import Link, Paper
from papersift.sources.common import (
    MAX_ABSTRACT_CHARS,
    build_paper,
    json_count,
    json_date,
    json_list,
    json_text,
    json_type,
    parse_json_records,
    raise_api_error,
    record_key,
)

FORMAT = "openalex"

# An abstract of MAX_ABSTRACT_CHARS characters has far fewer words than this; a larger index
# is hostile or broken, and rebuilding it would only waste memory.
_MAX_ABSTRACT_WORDS = MAX_ABSTRACT_CHARS // 2


def sniff(head: str) -> bool:
    """Works name themselves `https://openalex.org/W...` and list `authorships`."""
    return (
        head.startswith(("{", "["))
        and '"https://openalex.org/W' in head
        and ('"authorships"' in head or '"abstract_inverted_index"' in head)
    )


def parse(data: bytes, origin: str) -> Iterator[Paper | ParseError]:
    """Yield a Paper per work in the response."""
    return parse_json_records(data, origin, _works, _work_id, _paper)


def _works(document: Any, origin: str) -> list[Any]:
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise ParseError(origin, f"expected OpenAlex works, found {json_type(document)}")
    if isinstance(document.get("results"), list):
        return document["results"]  # type: ignore[no-any-return]
    if "id" in document or "title" in document:
        return [document]
    raise_api_error(origin, "OpenAlex", document.get("error"), document.get("message"))
    raise ParseError(origin, "no works found (expected a work, or meta and results)")


def _work_id(work: Any) -> str | None:
    raw = work.get("id") if isinstance(work, dict) else None
    return record_key(_short_id(raw)) if isinstance(raw, str) else None


def _short_id(url: str) -> str:
    """`https://openalex.org/W4389761608` -> `W4389761608`."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def _paper(work: Any, origin: str, label: str) -> Paper:
    if not isinstance(work, dict):
        raise ParseError(origin, f"expected a work object, found {json_type(work)}", record=label)
    get = work.get
    raw_id = json_text(get("id"), origin, label, "id")
    openalex_id = _short_id(raw_id) if raw_id else None
    doi = normalize_doi(json_text(get("doi"), origin, label, "doi"))
    locations = _locations(work)
    # An arXiv DOI (10.48550/arxiv.2304.05376) names the arXiv paper as surely as a location.
    arxiv_id = _arxiv_id_from(locations) or bare_arxiv_id(doi)
    title = json_text(get("title"), origin, label, "title")
    if title is None:
        title = json_text(get("display_name"), origin, label, "display_name")
    year = get("publication_year")
    return build_paper(
        origin,
        label,
        id=canonical_id(arxiv_id, doi, openalex=openalex_id),
        title=title,
        source=FORMAT,
        abstract=_abstract(get("abstract_inverted_index"), origin, label),
        authors=_author_names(get("authorships"), origin, label),
        published=json_date(get("publication_date"), origin, label, "publication_date"),
        doi=doi,
        arxiv_id=arxiv_id,
        links=_links(locations, arxiv_id),
        external_ids={"openalex": openalex_id} if openalex_id else {},
        extra={
            "venue": _venue(get("primary_location")),
            "type": get("type") if isinstance(get("type"), str) else None,
            "year": json_count(year),
            "citations": json_count(get("cited_by_count")),
            "retracted": True if get("is_retracted") is True else None,
            "topics": _topic_names(get("topics")),
        },
    )


def _abstract(index: Any, origin: str, label: str) -> str | None:
    """Rebuild the abstract from OpenAlex's inverted index {word: [positions]}."""
    if index is None:
        return None
    if not isinstance(index, dict):
        raise ParseError(
            origin,
            f"expected an object, found {json_type(index)}",
            record=label,
            field="abstract_inverted_index",
        )
    placed: list[tuple[int, str]] = []
    for word, positions in index.items():
        if not isinstance(positions, list):
            raise ParseError(
                origin,
                f"positions of {word[:30]!r} are {json_type(positions)}, not an array",
                record=label,
                field="abstract_inverted_index",
            )
        placed.extend((position, word) for position in positions if type(position) is int)
        if len(placed) > _MAX_ABSTRACT_WORDS:
            raise ParseError(
                origin,
                f"more than {_MAX_ABSTRACT_WORDS:,} words",
                record=label,
                field="abstract_inverted_index",
            )
    # Sorting (position, word) pairs rather than filling a list by position means a hostile
    # position such as 10**12 costs nothing; gaps simply close up.
    placed.sort()
    return " ".join(word for _, word in placed) or None


def _locations(work: dict[str, Any]) -> list[dict[str, Any]]:
    """Every location object of the work, primary first; anything not an object is skipped."""
    found = [work.get("primary_location"), work.get("best_oa_location")]
    listed = work.get("locations")
    if isinstance(listed, list):
        found.extend(listed)
    return [location for location in found if isinstance(location, dict)]


def _arxiv_id_from(locations: list[dict[str, Any]]) -> str | None:
    for location in locations:
        for key in ("landing_page_url", "pdf_url"):
            url = location.get(key)
            if isinstance(url, str) and "arxiv.org/" in url:
                arxiv_id = bare_arxiv_id(url)
                if arxiv_id:
                    return arxiv_id
    return None


def _links(locations: list[dict[str, Any]], arxiv_id: str | None) -> list[Link]:
    links = []
    if arxiv_id:
        links.append(Link("abs", f"https://arxiv.org/abs/{arxiv_id}"))
    pdf = next(
        (
            location["pdf_url"]
            for location in locations
            if isinstance(location.get("pdf_url"), str)
            and location["pdf_url"].startswith(("https://", "http://"))
        ),
        None,
    )
    if pdf:
        links.append(Link("pdf", pdf))
    return links


def _author_names(authorships: Any, origin: str, label: str) -> list[Any]:
    return [_author_name(a) for a in json_list(authorships, origin, label, "authorships")]


def _author_name(authorship: Any) -> Any:
    if not isinstance(authorship, dict):
        return authorship  # build_paper reports a non-text author
    author = authorship.get("author")
    name = author.get("display_name") if isinstance(author, dict) else None
    return name if name is not None else authorship.get("raw_author_name")


def _venue(location: Any) -> str | None:
    source = location.get("source") if isinstance(location, dict) else None
    name = source.get("display_name") if isinstance(source, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def _topic_names(topics: Any) -> list[str] | None:
    if not isinstance(topics, list):
        return None
    names = [t.get("display_name") for t in topics if isinstance(t, dict)]
    return [name for name in names if isinstance(name, str)] or None
