"""What every parser shares: building a validated `Paper` and reading dates.

Parsers call `build_paper` for each record; it normalizes text and rejects absurd values with a
`ParseError` naming file, record and field, so every source enforces the same limits.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import orjson

from papersift.errors import ParseError, ServerReportedError
from papersift.records import Link, Paper
from papersift.text import collapse_whitespace, normalize_display

# Limits far above any real paper but low enough that one hostile record cannot bloat the
# store: real arXiv titles stay under 400 characters and abstracts under 2,000 (1,920 max).
MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 50_000
MAX_AUTHORS = 5_000  # ATLAS/CMS papers list ~3,000 authors
MAX_AUTHOR_CHARS = 500
EARLIEST_YEAR = 1600


_LATEST_YEAR = dt.date.today().year + 1  # read once: build_paper runs for every record

# Where `build_paper` reports what it repaired in a record it kept (a run-together author
# list, say): the caller that collects them (ingest) shows them; nobody collecting, nobody told.
_WARNINGS: ContextVar[list[ParseError] | None] = ContextVar("papersift_warnings", default=None)

# Separators of names that arrived run together in one author string: "; ", ", ", " and ", and
# a lost space before "and" ("Xiangyu Kongand Xiaoxia Xing", seen in real arXiv metadata).
# Used only on a name too long to be one, so a real "Bertrand" is never cut.
_NAME_SEPARATORS = re.compile(r"\s*(?:;|,|\band\b|(?<=[a-z])and(?=\s+[A-Z]|\s*$))\s*")


@contextmanager
def collecting_warnings() -> Iterator[list[ParseError]]:
    """Collect what `build_paper` repaired in the records it kept, while the block runs."""
    found: list[ParseError] = []
    token = _WARNINGS.set(found)
    try:
        yield found
    finally:
        _WARNINGS.reset(token)


def note(warning: ParseError) -> None:
    """Tell the collecting caller something it should show: a repair, or the server's own words
    about an empty result ("noRecordsMatch: ...") that would otherwise read as "0 records"."""
    sink = _WARNINGS.get()
    if sink is not None:
        sink.append(warning)


def latest_plausible_year() -> int:
    return _LATEST_YEAR


def build_paper(
    origin: str,
    record: str,
    *,
    id: str | None,
    title: str | None,
    source: str,
    abstract: str | None = None,
    authors: Iterable[str] = (),
    categories: Iterable[str] = (),
    version: int | None = None,
    published: dt.date | None = None,
    updated: dt.date | None = None,
    doi: str | None = None,
    arxiv_id: str | None = None,
    links: Iterable[Link] = (),
    external_ids: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
    html_text: bool = False,
) -> Paper:
    """Normalize and validate one record into a `Paper`, or raise `ParseError`.

    `html_text=True` strips tags from title/abstract (RSS descriptions, JATS abstracts).
    """

    def fail(field: str, reason: str) -> ParseError:
        return ParseError(origin, reason, record=record, field=field)

    if not id:
        raise fail("id", "no identifier (arXiv id, DOI or source id) found")
    if title is None or not title.strip():
        raise fail("title", "missing")
    if len(title) > MAX_TITLE_CHARS * 4:
        raise fail("title", f"too long ({len(title):,} characters)")
    clean_title = normalize_display(title, strip_tags=html_text)
    if not clean_title:
        raise fail("title", "empty after cleanup")
    if len(clean_title) > MAX_TITLE_CHARS:
        raise fail("title", f"too long ({len(clean_title):,} characters)")
    if abstract is not None and len(abstract) > MAX_ABSTRACT_CHARS * 4:
        raise fail("abstract", f"too long ({len(abstract):,} characters)")
    clean_abstract = normalize_display(abstract, strip_tags=html_text)
    if clean_abstract is not None and len(clean_abstract) > MAX_ABSTRACT_CHARS:
        raise fail("abstract", f"too long ({len(clean_abstract):,} characters)")
    author_list = _clean_authors(authors, fail)
    for name, day in (("published", published), ("updated", updated)):
        if day is not None and not EARLIEST_YEAR <= day.year <= latest_plausible_year():
            raise fail(name, f"implausible date {day.isoformat()}")
    if version is not None and not 1 <= version <= 1000:
        raise fail("version", f"implausible version {version}")
    return Paper(
        id=id,
        title=clean_title,
        title_raw=title,
        abstract=clean_abstract,
        abstract_raw=abstract,
        authors=author_list,
        categories=tuple(dict.fromkeys(c.strip() for c in categories if c and c.strip())),
        version=version,
        published=published,
        updated=updated,
        doi=doi,
        arxiv_id=arxiv_id,
        links=tuple(dict.fromkeys(links)),
        sources=(source,),
        external_ids=dict(external_ids or {}),
        extra={k: v for k, v in (extra or {}).items() if v is not None},
    )


def _clean_authors(authors: Iterable[str], fail: Any) -> tuple[str, ...]:
    names: list[str] = []
    for raw in authors:
        if raw is None:
            continue
        if not isinstance(raw, str):
            raise fail("authors", f"author is not text: {type(raw).__name__}")
        name = normalize_display(raw) if len(raw) <= MAX_AUTHOR_CHARS * 4 else raw
        if not name:
            continue
        if len(name) > MAX_AUTHOR_CHARS:
            # One bad name must not cost the paper: split names that arrived run together,
            # else drop the name, and say so.
            pieces = _split_names(name)
            problem: ParseError = fail("authors", _repair_note(len(name), pieces))
            note(problem)
            names.extend(pieces)
        else:
            names.append(name)
        if len(names) > MAX_AUTHORS:
            raise fail("authors", f"more than {MAX_AUTHORS:,} authors")
    return tuple(names)


def _split_names(text: str) -> list[str]:
    """The names in an author string too long to be one name; [] when they cannot be told apart."""
    pieces = [normalize_display(piece) for piece in _NAME_SEPARATORS.split(text)]
    names = [piece for piece in pieces if piece]
    if len(names) < 2 or any(len(name) > MAX_AUTHOR_CHARS for name in names):
        return []
    return names


def _repair_note(length: int, pieces: list[str]) -> str:
    if pieces:
        return (
            f"an author name of {length:,} characters was split into {len(pieces)} names; "
            "the paper is kept"
        )
    return (
        f"an author name of {length:,} characters was dropped (too long to be one name); "
        "the paper is kept"
    )


_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_YEAR_MONTH = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?\s*$")


def parse_date(value: object, origin: str, record: str, field: str) -> dt.date | None:
    """Read a date from ISO 8601, RFC 822 (RSS, OAI arXivRaw) or a bare year/month.

    Empty values give None; unreadable or implausible ones raise `ParseError`.
    """
    if value is None:
        return None
    text = collapse_whitespace(str(value))
    if not text:
        return None
    day = _read_date(text)
    if day is None:
        raise ParseError(origin, f"unreadable date {text[:40]!r}", record=record, field=field)
    if not EARLIEST_YEAR <= day.year <= latest_plausible_year():
        raise ParseError(origin, f"implausible date {text[:40]!r}", record=record, field=field)
    return day


def _read_date(text: str) -> dt.date | None:
    try:
        m = _ISO_DAY.match(text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _YEAR_MONTH.match(text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2) or 1), 1)
        parsed = email.utils.parsedate_to_datetime(text)
        return parsed.date()
    except (ValueError, TypeError, OverflowError, IndexError):
        return None


def record_label(index: int, key: str | None = None) -> str:
    """How a record is named in messages: its id when known, else its 1-based position."""
    return f"{key} (#{index + 1})" if key else f"#{index + 1}"


def keep_going(
    origin: str, items: Iterable[tuple[str, Any]], build: Any
) -> Iterator[Paper | ParseError]:
    """Build each (label, raw) item, yielding the error instead of stopping on a bad record."""
    for label, raw in items:
        try:
            yield build(label, raw)
        except ParseError as err:
            yield err
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            # A record of the wrong shape (a list where an object belongs, a number for a
            # title): report it against this record and go on with the rest of the file.
            yield ParseError(
                origin, f"unexpected shape ({type(err).__name__}: {err})"[:300], record=label
            )


_UTF8_BOM = b"\xef\xbb\xbf"
_JSON_TYPES = {dict: "an object", list: "an array", str: "text", bool: "a boolean", int: "a number"}


def parse_json_records(
    data: bytes,
    origin: str,
    records_of: Callable[[Any, str], list[Any]],
    key_of: Callable[[Any], str | None],
    build: Callable[[Any, str, str], Paper],
    *,
    skip_nulls: bool = False,
) -> Iterator[Paper | ParseError]:
    """The walk every JSON API parser shares: decode the document, find its records
    (`records_of`), name each by its id (`key_of`) and build it (`build(record, origin, label)`),
    a bad record reported and the rest kept. `skip_nulls`: null entries are skipped, not errors.
    """
    yield from json_records(
        load_json(data, origin), origin, records_of, key_of, build, skip_nulls=skip_nulls
    )


def json_records(
    document: Any,
    origin: str,
    records_of: Callable[[Any, str], list[Any]],
    key_of: Callable[[Any], str | None],
    build: Callable[[Any, str, str], Paper],
    *,
    skip_nulls: bool = False,
) -> Iterator[Paper | ParseError]:
    """`parse_json_records` for a document already decoded, so a listing that reads its paging
    from the same document decodes each page once."""
    records = records_of(document, origin)
    labelled = (
        (record_label(i, key_of(record)), record)
        for i, record in enumerate(records)
        if not (skip_nulls and record is None)
    )
    yield from keep_going(origin, labelled, lambda label, record: build(record, origin, label))


def raise_api_error(origin: str, api: str, *said: object) -> None:
    """Raise the server's own message (the first of `said` that is set) as a ServerReportedError:
    an error body holds no papers."""
    message = next((text for text in said if text), None)
    if message:
        raise ServerReportedError(
            origin, f"{api} API error: {collapse_whitespace(str(message))[:200]}"
        )


def load_json(data: bytes, origin: str) -> Any:
    """Decode a whole JSON document; unreadable bytes or bad syntax become one `ParseError`."""
    try:
        return orjson.loads(data.removeprefix(_UTF8_BOM))
    except orjson.JSONDecodeError as err:
        raise ParseError(origin, json_error_reason(data, err)) from None


def json_error_reason(data: bytes, err: orjson.JSONDecodeError) -> str:
    """Why orjson refused `data`, in words that tell the user what to fix."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        # JSON must be UTF-8 (RFC 8259); latin-1 exports are the usual culprit.
        return f"not UTF-8 (byte 0x{data[bad.start]:02x} at offset {bad.start:,})"
    if not data.strip():
        return "empty document"
    # One JSON line has no lines of its own to point at: its column says where.
    where = f"line {err.lineno}, column {err.colno}" if b"\n" in data else f"column {err.colno}"
    return f"malformed or truncated JSON: {err.msg} at {where}"


def json_type(value: object) -> str:
    """How a JSON value's type reads in a message: `an object`, `a number`, `null`."""
    if value is None:
        return "null"
    return next((name for kind, name in _JSON_TYPES.items() if isinstance(value, kind)), "a number")


def json_text(value: object, origin: str, record: str, field: str) -> str | None:
    """A JSON value that must be text or null; anything else is this record's `ParseError`."""
    if value is None or isinstance(value, str):
        return value
    raise ParseError(origin, f"expected text, found {json_type(value)}", record=record, field=field)


def json_date(value: object, origin: str, record: str, field: str) -> dt.date | None:
    """A JSON date that must be text (any `parse_date` spelling) or null."""
    return parse_date(json_text(value, origin, record, field), origin, record, field)


def json_list(value: object, origin: str, record: str, field: str) -> list[Any]:
    """A JSON value that must be an array or null (read as empty); else this record's error."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise ParseError(
        origin, f"expected an array, found {json_type(value)}", record=record, field=field
    )


def json_count(value: object) -> int | None:
    """An integer (upvotes, citations), or None for anything else: a bool is not a count."""
    return value if type(value) is int else None


def json_strings(value: object) -> list[str] | None:
    """The text items of a JSON array (keywords, topics), or None when there are none."""
    if not isinstance(value, list):
        return None
    return [item for item in value if isinstance(item, str)] or None


def record_key(value: object) -> str | None:
    """A record's own id as messages may show it: text only, one line, at most 60 characters."""
    if not isinstance(value, str):
        return None
    return " ".join(value[:60].split()) or None
