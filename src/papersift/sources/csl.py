"""CSL-JSON exports of reader libraries (Zotero's "CSL JSON", Better BibTeX's "Better CSL JSON").

A file is an array of items (a single item object is accepted too). Zotero marks arXiv preprints
three ways over the years: `"number": "arXiv:2309.14595"` (Zotero 6+), `"container-title":
"arXiv:1701.08140 [stat]"` (older Better CSL JSON) and a `10.48550/arXiv.*` DataCite DOI.
CSL titles may carry rich-text tags (`<i>`, `<sup>`), so tags are stripped for display.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from papersift.errors import ParseError
from papersift.ids import canonical_id, find_arxiv_id, normalize_doi, parse_arxiv_id
from papersift.records import Paper
from papersift.sources.bibtex import (
    citation_details,
    date_from_parts,
    is_arxiv_venue,
    library_links,
)
from papersift.sources.common import (
    build_paper,
    json_text,
    json_type,
    keep_going,
    load_json,
    parse_date,
    record_label,
)
from papersift.text import normalize_display

FORMAT = "csl-json"
SOURCE = "csl-json"

# Keys only CSL (and Crossref, its close cousin) use; `"type": "article"` alone is OpenAlex too.
_CSL_MARKER = re.compile(
    r'"(?:issued|date-parts|container-title|citation-key|title-short)"\s*:'
    r'|"type"\s*:\s*"(?:article-journal|paper-conference|article-magazine|article-newspaper)"'
)
_NAME_PARTS = ("given", "dropping-particle", "non-dropping-particle", "family", "suffix")
_VENUE_KEYS = ("container-title", "event-title", "event")
# Text fields where the older exports name the preprint (`container-title`) or a user noted it.
_ARXIV_TEXT_KEYS = ("container-title", "number", "note", "archive_location")


def sniff(head: str) -> bool:
    return head.startswith(("[", "{")) and bool(_CSL_MARKER.search(head))


def parse(data: bytes, origin: str) -> Iterator[Paper | ParseError]:
    document = load_json(data, origin)
    if isinstance(document, dict):
        items: list[Any] = [document]
    elif isinstance(document, list):
        items = document
    else:
        raise ParseError(origin, f"expected a CSL-JSON array of items, found {json_type(document)}")
    labelled = ((item_label(item, i), item) for i, item in enumerate(items))
    yield from keep_going(
        origin, labelled, lambda label, item: paper_from_item(item, origin, label)
    )


def item_label(item: Any, index: int) -> str:
    key = item.get("id") if isinstance(item, dict) else None
    if isinstance(key, bool) or not isinstance(key, str | int):
        key = None
    return record_label(index, str(key)[:80] if key is not None else None)


def paper_from_item(item: Any, origin: str, label: str) -> Paper:
    """One CSL item as a `Paper`; wrong JSON types in a field become this item's ParseError."""
    if not isinstance(item, dict):
        raise wrong_type(origin, label, None, "an object", item)
    item_id = _plain(item.get("id"))
    doi = normalize_doi(json_text(item.get("DOI"), origin, label, "DOI"))
    arxiv = item_arxiv_id(item)
    arxiv_id, version = arxiv if arxiv else (None, None)
    url = json_text(item.get("URL"), origin, label, "URL")
    citekey = _plain(item.get("citation-key"))
    external_ids = {"csl": item_id} if item_id else {}
    if citekey:
        external_ids["citekey"] = citekey
    return build_paper(
        origin,
        label,
        id=canonical_id(arxiv_id, doi, csl=item_id),
        title=json_text(item.get("title"), origin, label, "title"),
        source=SOURCE,
        abstract=json_text(item.get("abstract"), origin, label, "abstract"),
        authors=csl_names(item.get("author"), origin, label),
        version=version,
        published=csl_date(item.get("issued"), origin, label),
        doi=doi,
        arxiv_id=arxiv_id,
        links=library_links([url] if url else [], doi, arxiv_id),
        external_ids=external_ids,
        extra={
            "venue": item_venue(item),
            "type": _plain(item.get("type")),
            **citation_details(
                _plain(item.get("volume")),
                _plain(item.get("issue")),
                _plain(item.get("page")),
                url,
                _date_precision(item.get("issued")),
            ),
        },
        html_text=True,
    )


def item_arxiv_id(item: dict[str, Any]) -> tuple[str, int | None] | None:
    """(bare id, version) when the item is an arXiv paper, from its number, DOI, URL or venue."""
    for key in ("number", "DOI", "URL"):
        found = parse_arxiv_id(_plain(item.get(key)))
        if found:
            return found
    for key in _ARXIV_TEXT_KEYS:
        bare = find_arxiv_id(_plain(item.get(key)))
        if bare:
            return bare, None
    return None


def csl_names(value: Any, origin: str, label: str) -> list[str]:
    """`[{"family": "Lovelace", "given": "Ada"}, {"literal": "CMS Collaboration"}]` -> names."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise wrong_type(origin, label, "author", "a list of names", value)
    names = []
    for person in value:
        if isinstance(person, str):
            names.append(person)
            continue
        if not isinstance(person, dict):
            raise wrong_type(origin, label, "author", "a name object", person)
        literal = _plain(person.get("literal"))
        parts = [_plain(person.get(part)) for part in _NAME_PARTS]
        name = literal or " ".join(part.strip() for part in parts if part and part.strip())
        if name:
            names.append(name)
    return names


def csl_date(value: Any, origin: str, label: str) -> dt.date | None:
    """`{"date-parts": [[2024, 3, 7]]}` (parts may be strings), else `raw`; `literal` is prose."""
    if value is None:
        return None
    if isinstance(value, str):
        return parse_date(value, origin, label, "issued")
    if not isinstance(value, dict):
        raise wrong_type(origin, label, "issued", "a date object", value)
    parts = date_parts(value.get("date-parts"), origin, label)
    if parts:
        return date_from_parts(parts, origin, label, "issued")
    raw = _plain(value.get("raw"))
    return parse_date(raw, origin, label, "issued") if raw else None


def _date_precision(value: Any) -> int | None:
    """How many of year, month, day `issued` gives; None when it is not date-parts."""
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    first = parts[0] if isinstance(parts, list) and parts else None
    if not isinstance(first, list):
        return None
    count = 0
    for part in first[:3]:
        if part is None or part == "":
            break
        count += 1
    return count or None


def date_parts(value: Any, origin: str, label: str) -> list[int]:
    """[year, month?, day?] of the first date in `date-parts` (a range's start); [] when empty."""
    if value is None:
        return []
    first = value[0] if isinstance(value, list) and value else None
    if not isinstance(first, list):
        raise ParseError(
            origin, "date-parts is not a list of [year, month, day]", record=label, field="issued"
        )
    numbers: list[int] = []
    for part in first[:3]:
        if part is None or part == "":
            break
        if isinstance(part, str) and part.strip().lstrip("-").isdigit():
            part = int(part)
        if isinstance(part, bool) or not isinstance(part, int):
            raise ParseError(
                origin, f"unreadable date part {str(part)[:40]!r}", record=label, field="issued"
            )
        numbers.append(part)
    if numbers and not -9999 <= numbers[0] <= 9999:
        raise ParseError(origin, f"implausible year {numbers[0]}", record=label, field="issued")
    return numbers


def item_venue(item: dict[str, Any]) -> str | None:
    for key in _VENUE_KEYS:
        text = normalize_display(_plain(item.get(key)), strip_tags=True)
        if text and not is_arxiv_venue(text):
            return text
    return None


def wrong_type(origin: str, label: str, field: str | None, expected: str, value: Any) -> ParseError:
    return ParseError(
        origin, f"expected {expected}, found {json_type(value)}", record=label, field=field
    )


def _plain(value: Any) -> str | None:
    """A JSON value as text when it is text or a number (CSL ids and numbers may be either)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value)
    return None
