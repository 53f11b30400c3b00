"""The arXiv metadata snapshot (Kaggle `arxiv-metadata-oai-snapshot.json`): a JSON object a line.

This is the bulk-ingest hot path (about 2.7 million lines), so each record costs one orjson
call plus str methods: dates and ids are read by hand, and the general parsers (`parse_date`,
`bare_arxiv_id`) only run for the rare record the fast path does not understand.

Besides JSON lines, a single (pretty-printed) record and a JSON array of records are accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from papersift.errors import ParseError
from papersift.ids import bare_arxiv_id, normalize_doi
from papersift.records import Link, Paper
from papersift.sources.common import (
    build_paper,
    json_error_reason,
    json_text,
    json_type,
    keep_going,
    load_json,
    parse_date,
    record_key,
)
from papersift.text import collapse_whitespace

FORMAT = "arxiv-snapshot"

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
# Phrases arXiv uses when a withdrawal notice replaces the abstract ("This paper has been
# withdrawn by the author due to ..."); a bare "withdrawn" in an abstract is often the topic.
_WITHDRAWN_PHRASES = ("been withdrawn", "is withdrawn", "withdrawn by", "withdrawn due")
_AFFILIATION = re.compile(r"\([^()]*\)")
# Where the JSON starts: past blank lines and a UTF-8 byte order mark.
_CONTENT = re.compile(rb"[^ \t\r\n\xef\xbb\xbf]")


def sniff(head: str) -> bool:
    """Snapshot records are the only JSON with both `authors_parsed` and `update_date` keys."""
    return head[:1] in ("{", "[") and '"authors_parsed"' in head and '"update_date"' in head


def parse(data: bytes, origin: str, *, first_line: int = 1) -> Iterator[Paper | ParseError]:
    """Yield a Paper per snapshot record and a ParseError per bad line or record.

    `data` may be any run of whole lines of the snapshot (the ingest pipeline feeds it chunks
    ending at a newline); `first_line` is the file line number of the chunk's first line, so
    that errors name the line in the file.
    """
    first = _first_line(data)
    if first is None:
        return
    # Only a file's start can open a pretty-printed record or an array; later chunks are lines.
    if first_line == 1 and _opens_document(first):
        document = _load_document(data, origin, pretty=first == b"{")
        if document is not None:
            yield from _parse_document(document, origin)
            return
    yield from keep_going(origin, _numbered_lines(data, first_line), _paper_from_line(origin))


def parse_line(line: bytes, origin: str, number: int) -> Paper | ParseError:
    """Line `number` of a JSON-lines snapshot, exactly as `parse` reads it in a chunk."""
    return next(keep_going(origin, [(f"line {number}", line)], _paper_from_line(origin)))


def has_content(data: bytes) -> bool:
    """Whether `data` holds anything but blank lines and byte order marks (`parse` skips those)."""
    return _first_line(data) is not None


def starts_document(data: bytes) -> bool:
    """Whether a file starting with `data` may be one pretty-printed record or an array."""
    first = _first_line(data)
    return first is not None and _opens_document(first)


def _first_line(data: bytes) -> bytes | None:
    """The first line with content (past blank lines and a byte order mark), or None."""
    content = _CONTENT.search(data)
    if content is None:
        return None
    end = data.find(b"\n", content.start())
    return data[content.start() : end if end >= 0 else len(data)].rstrip()


def _opens_document(first: bytes) -> bool:
    return first.startswith(b"[") or not first.endswith(b"}")


def _load_document(data: bytes, origin: str, *, pretty: bool) -> Any:
    """The whole chunk as one JSON value, or None when it should be read line by line.

    A pretty-printed record that does not parse is one broken record, reported once; any other
    unreadable chunk is read as JSON lines so that its good lines still come through.
    """
    try:
        return load_json(data, origin)
    except ParseError:
        if pretty:
            raise
        return None


def _parse_document(document: Any, origin: str) -> Iterator[Paper | ParseError]:
    if isinstance(document, dict):
        items: list[tuple[str, Any]] = [("#1", document)]
    elif isinstance(document, list):
        items = [(f"#{index}", record) for index, record in enumerate(document, 1)]
    else:
        raise ParseError(origin, f"expected snapshot records, found {json_type(document)}")
    yield from keep_going(origin, items, lambda label, record: _paper(record, origin, label))


def _numbered_lines(data: bytes, first_line: int) -> Iterator[tuple[str, bytes]]:
    for number, line in enumerate(data.split(b"\n"), first_line):
        if line and not line.isspace():
            yield f"line {number}", line


def _paper_from_line(origin: str) -> Callable[[str, bytes], Paper]:
    def build(label: str, line: bytes) -> Paper:
        try:
            record = orjson.loads(line.removeprefix(b"\xef\xbb\xbf"))
        except orjson.JSONDecodeError as err:
            raise ParseError(origin, json_error_reason(line, err), record=label) from None
        return _paper(record, origin, label)

    return build


def _paper(record: Any, origin: str, label: str) -> Paper:
    """One snapshot record as a Paper; `label` names it in errors (`line 17`, `#3`)."""
    if type(record) is not dict:
        raise ParseError(
            origin, f"expected a record object, found {json_type(record)}", record=label
        )
    get = record.get
    raw_id = json_text(get("id"), origin, label, "id")
    key = record_key(raw_id)
    if key:
        label = f"{key} ({label})"
    arxiv_id = read_arxiv_id(raw_id, origin, label)
    abstract = json_text(get("abstract"), origin, label, "abstract")
    comments = one_line(json_text(get("comments"), origin, label, "comments"))
    versions = read_versions(get("versions"), origin, label)
    doi_text = json_text(get("doi"), origin, label, "doi")
    categories = json_text(get("categories"), origin, label, "categories")
    extra: dict[str, object] = {
        "journal_ref": one_line(json_text(get("journal-ref"), origin, label, "journal-ref")),
        "report_no": one_line(json_text(get("report-no"), origin, label, "report-no")),
        "comments": comments,
        "license": json_text(get("license"), origin, label, "license"),
    }
    if is_withdrawn(comments, abstract):
        extra["withdrawn"] = True
    return build_paper(
        origin,
        label,
        id=arxiv_id,
        title=json_text(get("title"), origin, label, "title"),
        source=FORMAT,
        abstract=abstract,
        authors=_authors(record, origin, label),
        categories=categories.split() if categories else (),
        version=version_number(versions[-1]) if versions else None,
        published=version_date(versions[0], origin, label) if versions else None,
        updated=version_date(versions[-1], origin, label) if versions else None,
        doi=normalize_doi(doi_text) if doi_text else None,
        arxiv_id=arxiv_id,
        links=(
            Link("abs", f"https://arxiv.org/abs/{arxiv_id}"),
            Link("pdf", f"https://arxiv.org/pdf/{arxiv_id}"),
        )
        if arxiv_id
        else (),
        extra=extra,
    )


def read_arxiv_id(raw_id: str | None, origin: str, label: str) -> str | None:
    if not raw_id:
        return None
    # New-style ids (YYMM.NNNNN) are the bulk; checking them by hand skips three regexes.
    if (
        len(raw_id) in (9, 10)
        and raw_id[4] == "."
        and raw_id.isascii()
        and raw_id[:4].isdigit()
        and raw_id[5:].isdigit()
    ):
        return raw_id
    arxiv_id = bare_arxiv_id(raw_id)
    if arxiv_id is None:
        raise ParseError(origin, f"not an arXiv id: {raw_id[:60]!r}", record=label, field="id")
    return arxiv_id


def _authors(record: dict[str, Any], origin: str, label: str) -> list[str]:
    """Ordered author names, from `authors_parsed` when usable, else from the `authors` string.

    `authors_parsed` has LaTeX accents already decoded and affiliations split off, so it is
    preferred; its entries are [last, first, suffix, affiliation...].
    """
    parsed = record.get("authors_parsed")
    if type(parsed) is list and parsed:
        names = names_from_parts(parsed)
        if names is not None:
            return names
    text = json_text(record.get("authors"), origin, label, "authors")
    return _split_author_string(text) if text else []


def names_from_parts(parsed: list[Any]) -> list[str] | None:
    names = []
    for parts in parsed:
        if type(parts) is not list or not parts:
            return None
        count = len(parts)
        last = parts[0]
        first = parts[1] if count > 1 else ""
        suffix = parts[2] if count > 2 else ""
        if type(last) is not str or type(first) is not str or type(suffix) is not str:
            return None
        if ". -" in first:
            first = first.replace(". -", ".-")  # the snapshot splits "C.-P." into "C. -P."
        name = f"{first} {last}" if first else last
        names.append(f"{name} {suffix}" if suffix else name)
    return names


def _split_author_string(text: str) -> list[str]:
    """`A. Author, B. Author and C. Author (Affil)` -> names; used only without authors_parsed."""
    text = _AFFILIATION.sub("", text).replace(" and ", ",").replace("\n", " ")
    return [name.strip() for name in text.split(",") if name.strip()]


def read_versions(value: object, origin: str, label: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if type(value) is not list:
        found = json_type(value)
    elif all(type(v) is dict for v in value):
        return value
    else:
        found = "an array holding something other than objects"
    raise ParseError(
        origin, f"expected an array of objects, found {found}", record=label, field="versions"
    )


def version_number(version: dict[str, Any]) -> int | None:
    name = version.get("version")
    number = name[1:] if type(name) is str and name[:1] == "v" else ""
    if number.isascii() and number.isdigit() and len(number) < 7:  # not "v²": isdigit, not int
        return int(number)
    return None


def version_date(version: dict[str, Any], origin: str, label: str) -> dt.date | None:
    """The day of `Mon, 2 Apr 2007 19:18:42 GMT`; other spellings go to `parse_date`."""
    created = json_text(version.get("created"), origin, label, "versions")
    if not created:
        return None
    parts = created.split(" ", 4)
    if len(parts) > 3 and parts[2] in _MONTHS and parts[1].isdigit() and parts[3].isdigit():
        try:
            return dt.date(int(parts[3]), _MONTHS[parts[2]], int(parts[1]))
        except ValueError:
            pass
    return parse_date(created, origin, label, "versions")


def one_line(text: str | None) -> str | None:
    """Undo the snapshot's 80-column wrapping (`\\n  `) in short metadata fields."""
    if text is None:
        return None
    return collapse_whitespace(text) if "\n" in text else text.strip() or None


def is_withdrawn(comments: str | None, abstract: str | None) -> bool:
    # "ithdrawn" matches both capitalisations without lower-casing every record.
    if comments and "ithdrawn" in comments and "withdrawn" in comments.lower():
        return True
    if abstract and "ithdrawn" in abstract[:300]:
        start = abstract[:300].lower()
        return start.lstrip().startswith("withdrawn") or any(p in start for p in _WITHDRAWN_PHRASES)
    return False
