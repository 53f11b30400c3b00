"""Snapshot lines straight to store rows: the bulk-ingest fast path.

The general path builds a `Paper` per record (`snapshot.parse`), then merges the batch and
turns each paper into a row (`prepare_batch`): ~80 us a record, most of it Python calls that
an ordinary record does not need. Here such a record becomes the very row `prepare_batch`
would make, with the same normalizers, in about a third of the time; any other record (odd
types, an unusual date, a value near a limit, a broken line) goes through the general path,
which also words every error. That both paths give equal rows is a tested invariant
(tests/test_bulk_rows.py): this module may only ever be faster, never different.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from operator import itemgetter
from typing import Any

import orjson

from papersift.dedupe import title_author_hash_of
from papersift.errors import ParseError
from papersift.ids import normalize_doi
from papersift.sources import snapshot
from papersift.sources.common import (
    EARLIEST_YEAR,
    MAX_ABSTRACT_CHARS,
    MAX_AUTHOR_CHARS,
    MAX_AUTHORS,
    MAX_TITLE_CHARS,
    latest_plausible_year,
)
from papersift.store.rows import prepare_batch, raw_if_needed
from papersift.text import collapse_whitespace, finish_display, latex_to_text, normalize_display

Row = tuple[Any, ...]  # paper_to_row(paper) + (other aliases,), as prepare_batch makes it
ErrorTuple = tuple[str, str, str | None, str | None]  # a ParseError that pickles cheaply

_SOURCES = orjson.dumps([snapshot.FORMAT]).decode()
_FIELDS = itemgetter(
    "id", "title", "abstract", "comments", "journal-ref", "report-no", "doi", "license",
    "categories", "versions",
)  # fmt: skip
_TEXT_OR_NULL = {str, type(None)}
_NO_IDS = "{}"


def prepare_chunk(
    chunk: bytes, origin: str, first_line: int, now: dt.datetime
) -> tuple[list[Row], list[ErrorTuple]]:
    """Rows (as `prepare_batch` makes them) and errors for a run of whole snapshot lines."""
    if not snapshot.has_content(chunk):
        return [], []
    if first_line == 1 and snapshot.starts_document(chunk):
        return _general(chunk, origin, first_line, now)
    first_seen = now.isoformat(timespec="seconds")
    rows: list[Row] = []
    errors: list[ErrorTuple] = []
    ids: set[str] = set()
    number = first_line - 1
    for line in chunk.split(b"\n"):
        number += 1
        if not line or line.isspace():
            continue
        try:
            row = _fast_row(line, first_seen)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            row = None  # a record of an odd shape: the general path says what is wrong
        if row is None:
            item = snapshot.parse_line(line, origin, number)
            if isinstance(item, ParseError):
                errors.append((item.file, item.reason, item.record, item.field))
                continue
            row = prepare_batch([item], keep_papers=False, now=now).rows[0]
        if row[0] in ids:  # one paper twice in a chunk: the general path merges them
            return _general(chunk, origin, first_line, now)
        ids.add(row[0])
        rows.append(row)
    return rows, errors


def _general(
    data: bytes, origin: str, first_line: int, now: dt.datetime
) -> tuple[list[Row], list[ErrorTuple]]:
    papers, errors = [], []
    for item in snapshot.parse(data, origin, first_line=first_line):
        if isinstance(item, ParseError):
            errors.append((item.file, item.reason, item.record, item.field))
        else:
            papers.append(item)
    return prepare_batch(papers, keep_papers=False, now=now).rows, errors


def _fast_row(line: bytes, first_seen: str) -> Row | None:
    """The row of an ordinary snapshot line, or None to leave the line to the general path."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if type(record) is not dict:
        return None
    try:
        (raw_id, title, abstract, comments, journal_ref, report_no, doi_text, license_,
         categories, versions) = _FIELDS(record)  # fmt: skip
    except KeyError:  # every Kaggle snapshot line has every field; others go the general way
        return None
    if not {type(title), type(abstract), type(comments), type(journal_ref), type(report_no),
            type(doi_text), type(license_)} <= _TEXT_OR_NULL:  # fmt: skip
        return None
    if type(raw_id) is not str or type(categories) is not str or type(title) is not str:
        return None
    try:
        arxiv_id = snapshot.read_arxiv_id(raw_id, "", "")
        versions = snapshot.read_versions(versions, "", "")
        published = snapshot.version_date(versions[0], "", "") if versions else None
        updated = snapshot.version_date(versions[-1], "", "") if len(versions) > 1 else published
    except ParseError:
        return None
    if arxiv_id is None or not _plausible(published):
        return None
    if updated is not published and not _plausible(updated):
        return None
    version = snapshot.version_number(versions[-1]) if versions else None
    if version is not None and not 1 <= version <= 1000:
        return None
    titles = _clean(title, MAX_TITLE_CHARS)
    abstracts = _clean(abstract, MAX_ABSTRACT_CHARS) if abstract else (None, None)
    authors = _plain_authors(record)
    if titles is None or abstracts is None or authors is None:
        return None
    comments = snapshot.one_line(comments)
    # The keys and their order of snapshot._paper's extras, None values left out.
    extra: dict[str, object] = {}
    if (journal_ref := snapshot.one_line(journal_ref)) is not None:
        extra["journal_ref"] = journal_ref
    if (report_no := snapshot.one_line(report_no)) is not None:
        extra["report_no"] = report_no
    if comments is not None:
        extra["comments"] = comments
    if license_ is not None:
        extra["license"] = license_
    if snapshot.is_withdrawn(comments, abstract):
        extra["withdrawn"] = True
    doi = normalize_doi(doi_text) if doi_text else None
    cats = list(dict.fromkeys(categories.split()))
    return (
        arxiv_id,
        *titles,
        *abstracts,
        orjson.dumps(authors).decode(),
        ", ".join(authors),
        orjson.dumps(cats).decode(),
        cats[0] if cats else None,
        version,
        published_day := published.isoformat() if published else None,
        published_day if updated is published else updated.isoformat() if updated else None,
        doi,
        arxiv_id,
        f'[["abs","https://arxiv.org/abs/{arxiv_id}"],["pdf","https://arxiv.org/pdf/{arxiv_id}"]]',
        _SOURCES,
        _NO_IDS,
        orjson.dumps(extra).decode(),
        title_author_hash_of(titles[0], authors[0]) if authors else None,
        first_seen,
        (f"doi:{doi}",) if doi else (),
    )


def _clean(text: str, limit: int) -> tuple[str, str | None] | None:
    """(`normalize_display(text)`, the raw text if the store keeps it), or None where
    `build_paper` would refuse the text (too long, empty) and must word the error."""
    if len(text) > 4 * limit:
        return None
    decoded = latex_to_text(text) if "&" not in text else None
    if decoded is text and _is_nfc(text):
        # All that normalize_display does to such text; and from text changed only in its
        # white space, raw_if_needed keeps nothing. latex_to_text hands back the very text
        # when it holds no LaTeX outside math (a quarter of abstracts have math, few have
        # more): those too skip the rest of normalize_display and raw_if_needed
        # (docs/benchmarks.md#fast-paths-in-the-parser-and-the-loader).
        clean = collapse_whitespace(text)
        raw = None
    else:
        # Without entities, html.unescape (normalize_display's first step) changes nothing.
        clean = (normalize_display(text) if decoded is None else finish_display(decoded)) or ""
        raw = raw_if_needed(text, clean)
    return (clean, raw) if clean and len(clean) <= limit else None


def _plain_authors(record: dict[str, Any]) -> list[str] | None:
    """Author names when `authors_parsed` gives them and cleanup would leave them unchanged."""
    parsed = record.get("authors_parsed")
    if type(parsed) is not list or not parsed or len(parsed) > MAX_AUTHORS:
        return None
    names = snapshot.names_from_parts(parsed)
    if names is None:
        return None
    # One check over all names instead of normalize_display on each: the separator shows
    # an empty name or an edge space as a double space or a leading/trailing one.
    joined = "|".join(names)
    if (
        "" in names
        or not _is_nfc(joined)
        or not joined.isprintable()
        or "  " in joined
        or " |" in joined
        or "| " in joined
        or "||" in joined
        or joined[:1] in (" ", "|")
        or joined[-1:] in (" ", "|")
        or "&" in joined
        or "\\" in joined
        or "{" in joined
        or max(map(len, names)) > MAX_AUTHOR_CHARS
    ):
        return None
    return names


def _is_nfc(text: str) -> bool:
    """Whether normalize_display's NFC step leaves `text` as it is (ASCII always does)."""
    return text.isascii() or unicodedata.is_normalized("NFC", text)


def _plausible(day: dt.date | None) -> bool:
    return day is None or EARLIEST_YEAR <= day.year <= latest_plausible_year()
