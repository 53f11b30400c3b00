"""arXiv API `/api/query` responses (Atom 1.0), in the classic and the 2025+ output format.

Both formats carry the same elements; the 2025+ one declares namespaces on the root only, uses
https links and orders elements differently, so everything here is looked up by name, never by
position. A failed query comes back as a feed whose one entry is titled "Error" with an id under
`arxiv.org/api/errors`; that is the server talking, not a paper.

This module also holds the small arXiv helpers the RSS and OAI parsers share (`root_name`,
`arxiv_links`, `arxiv_key`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from papersift.errors import ParseError, ServerReportedError
from papersift.ids import normalize_doi, parse_arxiv_id
from papersift.records import Link, Paper
from papersift.sources.common import build_paper, keep_going, note, parse_date, record_label
from papersift.sources.xml import parse_xml, text_of
from papersift.text import collapse_whitespace

FORMAT = "arxiv-atom"
SOURCE = "arxiv-api"

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

# Skips the XML declaration, processing instructions, comments and a DOCTYPE (with an internal
# subset) to reach the root element's name; sniffing must not need a full parse.
_ROOT = re.compile(
    r"\A\ufeff?\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>\s*)*<([\w:.-]+)",
    re.S,
)
_ERROR_ID = "arxiv.org/api/errors"
# arXiv category codes (`cs.LG`, `hep-th`, `astro-ph.CO`); the API also lists ACM and MSC classes
# (`I.2.6`, `68T05`) as <category> terms, which are not arXiv categories.
_CATEGORY = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")


def root_name(head: str) -> str | None:
    """Local name of the root element at the start of an XML text (`feed`, `rss`, `OAI-PMH`)."""
    m = _ROOT.match(head)
    return m.group(1).rsplit(":", 1)[-1] if m else None


def sniff(head: str) -> bool:
    if root_name(head) != "feed":
        return False
    # The daily listing's Atom variant also declares the arxiv namespace: tell it apart by its
    # rss.arxiv.org ids and announce types; the API always names arxiv.org/api or OpenSearch.
    if "rss.arxiv.org" in head or "announce_type" in head:
        return False
    return "arxiv.org/api" in head or ("opensearch" in head and "arxiv.org" in head)


def parse(data: bytes, origin: str) -> Iterator[Paper | ParseError]:
    """Papers of one API response; raises ServerReportedError for the API's error feed.

    The whole-file checks (well-formed, an Atom feed, not an error feed) run at call time, so a
    bad file fails before the first record is asked for.
    """
    return parse_feed(parse_xml(data, origin), origin)


def parse_feed(feed: ET.Element, origin: str) -> Iterator[Paper | ParseError]:
    """`parse` for a response already read into a tree: a listing reads its paging fields and
    its papers from the same tree instead of parsing the page twice."""
    if feed.tag != f"{ATOM}feed":
        raise ParseError(origin, f"not an arXiv API Atom feed (root element <{_local(feed.tag)}>)")
    entries = feed.findall(f"{ATOM}entry")
    raise_if_error_feed(entries, origin)
    if not entries:
        total = text_of(feed.find("{http://a9.com/-/spec/opensearch/1.1/}totalResults"))
        said = f"totalResults {total}" if total else "no entries"
        note(ParseError(origin, f"the server's feed lists no papers ({said})"))
    return keep_going(origin, _labelled(entries), lambda label, entry: _paper(entry, origin, label))


def raise_if_error_feed(entries: list[ET.Element], origin: str) -> None:
    for entry in entries:
        entry_id = text_of(entry.find(f"{ATOM}id")) or ""
        if _ERROR_ID in entry_id:
            said = text_of(entry.find(f"{ATOM}summary")) or entry_id.rsplit("#", 1)[-1]
            raise ServerReportedError(origin, f"arXiv API error: {collapse_whitespace(said)}")


def _labelled(entries: list[ET.Element]) -> Iterator[tuple[str, ET.Element]]:
    for index, entry in enumerate(entries):
        yield record_label(index, arxiv_key(text_of(entry.find(f"{ATOM}id")))), entry


def arxiv_key(text: str | None) -> str | None:
    """The bare arXiv id in `text` for naming a record in messages, else a short raw excerpt."""
    if text is None:
        return None
    parsed = parse_arxiv_id(text)
    return parsed[0] if parsed else collapse_whitespace(text)[:80] or None


def arxiv_links(arxiv_id: str, doi: str | None = None) -> tuple[Link, ...]:
    """Version-less abs and pdf links (plus the DOI resolver), the same for every arXiv source."""
    links = [
        Link("abs", f"https://arxiv.org/abs/{arxiv_id}"),
        Link("pdf", f"https://arxiv.org/pdf/{arxiv_id}"),
    ]
    if doi:
        links.append(Link("doi", f"https://doi.org/{doi}"))
    return tuple(links)


def require_arxiv_id(raw: str | None, origin: str, label: str) -> tuple[str, int | None]:
    """(bare id, version) from an id element's text, or a ParseError naming the id field."""
    if raw is None:
        raise ParseError(origin, "missing", record=label, field="id")
    parsed = parse_arxiv_id(raw)
    if parsed is None:
        raise ParseError(origin, f"not an arXiv id: {raw.strip()[:80]!r}", record=label, field="id")
    return parsed


def _paper(entry: ET.Element, origin: str, label: str) -> Paper:
    arxiv_id, version = require_arxiv_id(text_of(entry.find(f"{ATOM}id")), origin, label)
    doi = normalize_doi(text_of(entry.find(f"{ARXIV}doi")))
    return build_paper(
        origin,
        label,
        id=arxiv_id,
        title=text_of(entry.find(f"{ATOM}title")),
        source=SOURCE,
        abstract=text_of(entry.find(f"{ATOM}summary")),
        authors=[text_of(a.find(f"{ATOM}name")) or "" for a in entry.findall(f"{ATOM}author")],
        categories=_categories(entry),
        version=version,
        # <published> is when v1 appeared; <updated> is the date of the version in <id>.
        published=parse_date(text_of(entry.find(f"{ATOM}published")), origin, label, "published"),
        updated=parse_date(text_of(entry.find(f"{ATOM}updated")), origin, label, "updated"),
        doi=doi,
        arxiv_id=arxiv_id,
        links=arxiv_links(arxiv_id, doi),
        extra={
            "comments": _one_line(entry.find(f"{ARXIV}comment")),
            "journal_ref": _one_line(entry.find(f"{ARXIV}journal_ref")),
        },
    )


def _categories(entry: ET.Element) -> list[str]:
    # The 2025+ format lists <category> before <arxiv:primary_category>, and not always with the
    # primary first, so put it first explicitly.
    primary = entry.find(f"{ARXIV}primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
    return arxiv_categories(terms)


def arxiv_categories(terms: list[str]) -> list[str]:
    """The arXiv category codes among `terms`, in order (ACM/MSC classes dropped)."""
    return [t.strip() for t in terms if _CATEGORY.match(t.strip())]


def _one_line(element: ET.Element | None) -> str | None:
    text = text_of(element)
    return collapse_whitespace(text) if text else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
