"""arXiv's daily listing feed: rss.arxiv.org RSS 2.0, its Atom variant, and the old RSS 1.0 (RDF).

Each item is one announcement: `new` (first version), `cross` (cross-listed here), `replace` or
`replace-cross` (a new version). The current feeds put "arXiv:<id>v<n> Announce Type: <type>"
and then "Abstract: ..." in the description; the old RDF feed put the id, listing category and
"UPDATED"/"CROSS LISTED" in the title instead. An unknown archive gives a normal-looking channel
titled "Feed error for query: ..." with no items: that is the server talking, not an empty day.

Read with the defusedxml tree (not feedparser) so entity bombs and external entities are refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from papersift.errors import ParseError, ServerReportedError
from papersift.ids import normalize_doi, parse_arxiv_id
from papersift.records import Paper
from papersift.sources.arxiv_atom import (
    ATOM,
    arxiv_categories,
    arxiv_key,
    arxiv_links,
    require_arxiv_id,
    root_name,
)
from papersift.sources.arxiv_oai import split_author_string
from papersift.sources.common import build_paper, keep_going, note, parse_date, record_label
from papersift.sources.xml import parse_xml, text_of
from papersift.text import collapse_whitespace

FORMAT = "arxiv-rss"
SOURCE = "arxiv-rss"

ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"

ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
_FEED_ERROR = re.compile(r"^\s*feed error\b", re.I)
_PREAMBLE = re.compile(r"^\s*(arXiv:\S+)\s+Announce Type:\s*([\w-]+)\s*", re.I)
_ABSTRACT = re.compile(r"\bAbstract:\s*", re.I)
# Old RDF titles: "Some title. (arXiv:2107.03419v1 [hep-ex] UPDATED)".
_RDF_TITLE = re.compile(r"^(.*?)\.?\s*\(arXiv:(\S+)\s+\[([^\]]+)\]\s*([A-Z ]*)\)\s*$", re.S)
_RDF_KINDS = {"": "new", "UPDATED": "replace", "CROSS LISTED": "cross"}


@dataclass(frozen=True)
class Item:
    """One feed item, whichever dialect it came from, before validation."""

    id_text: str | None
    title: str | None
    description: str | None
    authors: list[str]
    categories: list[str]
    announced: str | None
    announce_type: str | None = None
    license: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    html: bool = False  # the old RDF feed wrapped abstracts and author links in HTML


def sniff(head: str) -> bool:
    root = root_name(head)
    if root == "rss":
        return "arxiv.org" in head
    if root == "RDF":
        return "arxiv.org" in head and "purl.org/rss/1.0" in head
    if root == "feed":
        return "rss.arxiv.org" in head or "announce_type" in head
    return False


def parse(data: bytes, origin: str) -> Iterator[Paper | ParseError]:
    """Papers announced in one listing feed; raises ServerReportedError for a feed error.

    Whole-file checks run at call time, before the first record is asked for.
    """
    root = parse_xml(data, origin)
    items = _items(root, origin)
    return keep_going(origin, _labelled(items), lambda label, item: _paper(item, origin, label))


def _items(root: ET.Element, origin: str) -> list[Item]:
    if root.tag == "rss":
        return _rss2_items(root, origin)
    if root.tag == f"{ATOM}feed":
        return _atom_items(root, origin)
    if root.tag == f"{RDF}RDF":
        return _rdf_items(root, origin)
    raise ParseError(origin, f"not an arXiv listing feed (root element <{_local(root.tag)}>)")


def _rss2_items(root: ET.Element, origin: str) -> list[Item]:
    channel = root.find("channel")
    if channel is None:
        raise ParseError(origin, "RSS feed has no <channel>")
    title, description = text_of(channel.find("title")), text_of(channel.find("description"))
    _raise_if_feed_error(title, description, origin)
    day = text_of(channel.find("pubDate"))
    items = [_rss2_item(e, day) for e in channel.findall("item")]
    if not items:
        skipped = [text_of(d) for d in channel.findall("skipDays/day")]
        when = (
            f" (arXiv announces nothing on {' and '.join(filter(None, skipped))})"
            if skipped
            else ""
        )
        note(
            ParseError(
                origin, f"the feed {title or ''!r} of {day or 'no date'} lists no papers{when}"
            )
        )
    return items


def _atom_items(root: ET.Element, origin: str) -> list[Item]:
    title, subtitle = text_of(root.find(f"{ATOM}title")), text_of(root.find(f"{ATOM}subtitle"))
    _raise_if_feed_error(title, subtitle, origin)
    day = text_of(root.find(f"{ATOM}updated"))
    return [_atom_item(e, day) for e in root.findall(f"{ATOM}entry")]


def _rdf_items(root: ET.Element, origin: str) -> list[Item]:
    channel = root.find(f"{RSS1}channel")
    if channel is None:
        channel = ET.Element(f"{RSS1}channel")  # items still count; the channel only dates them
    title = text_of(channel.find(f"{RSS1}title"))
    _raise_if_feed_error(title, text_of(channel.find(f"{RSS1}description")), origin)
    day = text_of(channel.find(f"{DC}date"))
    return [_rdf_item(e, day) for e in root.findall(f"{RSS1}item")]


def _raise_if_feed_error(title: str | None, description: str | None, origin: str) -> None:
    if title and _FEED_ERROR.match(title):
        said = collapse_whitespace(description or title)
        raise ServerReportedError(origin, f"arXiv RSS error: {said}")


def _rss2_item(item: ET.Element, feed_day: str | None) -> Item:
    return Item(
        id_text=text_of(item.find("guid")) or text_of(item.find("link")),
        title=text_of(item.find("title")),
        description=text_of(item.find("description")),
        authors=_creators(item),
        categories=[text_of(c) or "" for c in item.findall("category")],
        announced=text_of(item.find("pubDate")) or feed_day,
        announce_type=text_of(item.find(f"{ARXIV}announce_type")),
        license=text_of(item.find(f"{DC}rights")),
        doi=text_of(item.find(f"{ARXIV}DOI")),
        journal_ref=text_of(item.find(f"{ARXIV}journal_reference")),
    )


def _atom_item(entry: ET.Element, feed_day: str | None) -> Item:
    names = [text_of(a.find(f"{ATOM}name")) or "" for a in entry.findall(f"{ATOM}author")]
    return Item(
        id_text=text_of(entry.find(f"{ATOM}id")),
        title=text_of(entry.find(f"{ATOM}title")),
        description=text_of(entry.find(f"{ATOM}summary")),
        authors=_creators(entry) or [n for name in names for n in split_author_string(name)],
        categories=[c.get("term", "") for c in entry.findall(f"{ATOM}category")],
        announced=text_of(entry.find(f"{ATOM}published"))
        or text_of(entry.find(f"{ATOM}updated"))
        or feed_day,
        announce_type=text_of(entry.find(f"{ARXIV}announce_type")),
        license=text_of(entry.find(f"{ATOM}rights")) or text_of(entry.find(f"{DC}rights")),
        doi=text_of(entry.find(f"{ARXIV}DOI")),
        journal_ref=text_of(entry.find(f"{ARXIV}journal_reference")),
    )


def _rdf_item(item: ET.Element, feed_day: str | None) -> Item:
    # The old feed dated the channel only: every item was announced on that day.
    title = text_of(item.find(f"{RSS1}title"))
    m = _RDF_TITLE.match(title or "")
    return Item(
        id_text=m.group(2) if m else item.get(f"{RDF}about") or text_of(item.find(f"{RSS1}link")),
        title=m.group(1) if m else title,
        description=text_of(item.find(f"{RSS1}description")),
        authors=_creators(item, html=True),
        categories=[m.group(3)] if m else [],
        announced=text_of(item.find(f"{DC}date")) or feed_day,
        announce_type=_RDF_KINDS.get(m.group(4).strip(), "new") if m else None,
        html=True,
    )


def _creators(item: ET.Element, html: bool = False) -> list[str]:
    # One <dc:creator> with every author ("A, B (MIT), C") or one per author; the RDF feed
    # wrapped each name in an <a href> link that arrives as escaped HTML.
    names: list[str] = []
    for element in item.findall(f"{DC}creator"):
        text = text_of(element) or ""
        if html:
            text = re.sub(r"<[^>]{0,500}>", "", text)
        names.extend(split_author_string(text))
    return names


def _labelled(items: list[Item]) -> Iterator[tuple[str, Item]]:
    for index, item in enumerate(items):
        yield record_label(index, arxiv_key(_id_in(item))), item


def _id_in(item: Item) -> str | None:
    # guid "oai:arXiv.org:2411.17700v1" holds the version; the description's preamble too.
    preamble = _PREAMBLE.match(item.description or "")
    candidates = [item.id_text, preamble.group(1) if preamble else None]
    for raw in candidates:
        text = (raw or "").strip().removeprefix("oai:arXiv.org:")
        if parse_arxiv_id(text):
            return text
    return item.id_text


def _paper(item: Item, origin: str, label: str) -> Paper:
    arxiv_id, version = require_arxiv_id(_id_in(item), origin, label)
    preamble = _PREAMBLE.match(item.description or "")
    announce_type = (item.announce_type or (preamble.group(2) if preamble else "") or "").strip()
    announced = parse_date(item.announced, origin, label, "pubDate")
    doi = normalize_doi(item.doi)
    return build_paper(
        origin,
        label,
        id=arxiv_id,
        title=item.title,
        source=SOURCE,
        abstract=abstract_of(item.description),
        authors=item.authors,
        categories=arxiv_categories(item.categories),
        version=version,
        # The feed dates announcements, not submissions; the announcement of a first version is
        # the closest the feed comes to its publication date.
        published=announced if _first_version(announce_type, version) else None,
        updated=announced,
        doi=doi,
        arxiv_id=arxiv_id,
        links=arxiv_links(arxiv_id, doi),
        extra={
            "announce_type": announce_type.lower() or None,
            "announced": announced.isoformat() if announced else None,
            "license": collapse_whitespace(item.license) if item.license else None,
            "journal_ref": collapse_whitespace(item.journal_ref) if item.journal_ref else None,
        },
        html_text=item.html,
    )


def abstract_of(description: str | None) -> str | None:
    """The abstract inside an item description: what follows "Abstract:", minus the preamble."""
    if description is None:
        return None
    m = _ABSTRACT.search(description, 0, 2_000)  # the marker sits right after a short preamble
    if m:
        return description[m.end() :]
    preamble = _PREAMBLE.match(description)
    return description[preamble.end() :] if preamble else description


def _first_version(announce_type: str, version: int | None) -> bool:
    return announce_type.lower() in ("new", "cross") and version in (1, None)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
