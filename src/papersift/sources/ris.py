"""RIS exports of reader libraries (Zotero, Citavi, EndNote, Mendeley).

A small reader of our own rather than rispy: rispy silently drops a last record without `ER`,
merges two records when an `ER` is missing between them, keeps only the first of repeated
`L2` links (where Citavi puts the arXiv URL) and knows no line numbers to name a bad record by.

A record is `TY  - ...` up to `ER  -`; a line that is not `XX  - value` continues the previous
tag's value (Citavi's multi-line `U3` / `AD`). A record left open at the end of the file or
by the next `TY` is still read; one that does not start with `TY` is reported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from papersift.errors import ParseError
from papersift.ids import canonical_id, find_arxiv_id, normalize_doi, parse_arxiv_id
from papersift.records import Paper
from papersift.sources.bibtex import (
    citation_details,
    date_from_parts,
    decode_export_text,
    is_arxiv_venue,
    library_links,
)
from papersift.sources.common import MAX_TITLE_CHARS, build_paper, keep_going
from papersift.text import match_key, normalize_display

FORMAT = "ris"
SOURCE = "ris"

# `TY  - JOUR`: a two-character tag, two spaces (one is tolerated), a hyphen, then the value.
# `ER  -` often has no trailing space.
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$")
_FIRST_TAG = re.compile(r"^TY {1,2}- ?\S")
# RIS dates are `YYYY/MM/DD/other`, each part optional: Zotero writes `2019///`,
# `2019/10//undefined` and `2019/07/24/`; some tools write ISO `2019-07-24`.
_RIS_DATE = re.compile(r"^\s*(\d{4})(?!\d)(?:[/-](\d{0,2}))?(?:[/-](\d{0,2}))?")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_TITLE_TAGS = ("TI", "T1", "CT")
_AUTHOR_TAGS = ("AU", "A1")
_DATE_TAGS = ("DA", "PY", "Y1")
_URL_TAGS = ("UR", "L1", "L2", "L4")
_VENUE_TAGS = ("T2", "JF", "JO", "JA", "J2", "BT", "T3")
# Where exports mention a preprint in words: Zotero's `N1 - arXiv:2301.00001 [cs]`,
# `JO - arXiv preprint arXiv:...`, EndNote's `M3` / `AN`.
_ARXIV_TEXT_TAGS = ("N1", "M1", "M3", "AN", "JO", "JF", "T2", "ST")


@dataclass
class RisRecord:
    """The tagged lines of one record, in file order, with where it starts."""

    start_line: int
    tags: list[tuple[str, str]] = field(default_factory=list)
    starts_with_type: bool = True

    def values(self, *tags: str) -> list[str]:
        return [value for tag, value in self.tags if tag in tags and value.strip()]

    def first(self, *tags: str) -> str | None:
        for wanted in tags:  # in the order asked, not the order in the file
            found = self.values(wanted)
            if found:
                return found[0]
        return None


def sniff(head: str) -> bool:
    return bool(_FIRST_TAG.match(head))


def parse(data: bytes, origin: str) -> Iterator[Paper | ParseError]:
    records = list(split_records(decode_export_text(data, origin)))
    if not records:
        raise ParseError(origin, "no RIS record (no line starts with `TY  - `)")
    labelled = ((record_name(record, i), record) for i, record in enumerate(records))
    yield from keep_going(
        origin, labelled, lambda label, rec: paper_from_record(rec, origin, label)
    )


def split_records(text: str) -> Iterator[RisRecord]:
    """The records of an RIS file; pure, so framing problems are testable without parsing."""
    record: RisRecord | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TAG_LINE.match(line)
        if match is None:
            if record is not None and record.tags and line.strip():
                tag, value = record.tags[-1]
                record.tags[-1] = (tag, f"{value}\n{line.strip()}")
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if record is not None:
                yield record  # no ER before the next TY: the record is still whole
            record = RisRecord(number, [(tag, value)])
        elif tag == "ER":
            if record is not None:
                yield record
            record = None
        else:
            if record is None:
                record = RisRecord(number, starts_with_type=False)
            record.tags.append((tag, value))
    if record is not None:
        yield record


def record_name(record: RisRecord, index: int) -> str:
    """`ID (line N)` when the record has an ID, else its position `#3 (line N)`."""
    key = record.first("ID")
    return f"{key.strip()[:80] if key else f'#{index + 1}'} (line {record.start_line})"


def paper_from_record(record: RisRecord, origin: str, label: str) -> Paper:
    if not record.starts_with_type:
        raise ParseError(origin, "record does not start with a `TY  - ` line", record=label)
    title = record.first(*_TITLE_TAGS)
    if title is None:
        raise ParseError(origin, "missing (no TI or T1 line)", record=label, field="title")
    doi = normalize_doi(record.first("DO"))
    arxiv = record_arxiv_id(record)
    arxiv_id, version = arxiv if arxiv else (None, None)
    own_id = record.first("ID")
    # Beyond the limit build_paper rejects the title anyway; don't key a 10 MB string first.
    title_key = match_key(title[: 4 * MAX_TITLE_CHARS + 1])
    return build_paper(
        origin,
        label,
        id=canonical_id(arxiv_id, doi, ris=own_id.strip() if own_id else title_key),
        title=title,
        source=SOURCE,
        abstract="\n".join(record.values("AB")) or record.first("N2"),
        authors=[ris_name(name) for name in record.values(*_AUTHOR_TAGS)],
        version=version,
        published=record_date(record, origin, label),
        doi=doi,
        arxiv_id=arxiv_id,
        links=library_links(record_urls(record), doi, arxiv_id),
        external_ids={"ris": own_id.strip()} if own_id else None,
        extra={
            "venue": record_venue(record),
            "type": record.first("TY"),
            **citation_details(
                record.first("VL"),
                record.first("IS"),
                record_pages(record),
                next(iter(record_urls(record)), None),
                record_date_parts(record),
            ),
        },
    )


def record_pages(record: RisRecord) -> str | None:
    """`SP  - 271` + `EP  - 278` as `271-278` (SP alone may already hold the range)."""
    start, end = record.first("SP"), record.first("EP")
    if start and end and end.strip() != start.strip():
        return f"{start.strip()}-{end.strip()}"
    return start or end


def record_date_parts(record: RisRecord) -> int | None:
    """How precise the record's best date is: 1 (year), 2 (year, month) or 3 (a day)."""
    found = [ris_date_parts(value) for tag in _DATE_TAGS if (value := record.first(tag))]
    return max((len(parts) for parts in found if parts), default=None)


def ris_name(name: str) -> str:
    """`Last, First` (or `Last, First, Suffix`) -> `First Last Suffix`; other forms unchanged."""
    parts = [part.strip() for part in name.split(",")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return name.strip().strip(",")
    return " ".join([parts[1], parts[0], *parts[2:]]).strip()


def record_urls(record: RisRecord) -> list[str]:
    # One value may hold several URLs separated by spaces, `;` or continuation lines (EndNote).
    return [url for value in record.values(*_URL_TAGS) for url in re.split(r"[\s;]+", value) if url]


def record_arxiv_id(record: RisRecord) -> tuple[str, int | None] | None:
    """(bare id, version) when the record is an arXiv paper: its DOI, a URL, or a note says so."""
    for candidate in [record.first("DO"), *record_urls(record)]:
        found = parse_arxiv_id(candidate)
        if found:
            return found
    for value in record.values(*_ARXIV_TEXT_TAGS):
        bare = find_arxiv_id(value)
        if bare:
            return bare, None
    return None


def record_date(record: RisRecord, origin: str, label: str) -> dt.date | None:
    """The most precise of DA / PY / Y1 (Zotero puts the day in DA and only the year in PY)."""
    best: tuple[list[int], str] | None = None
    for tag in _DATE_TAGS:
        value = record.first(tag)
        parts = ris_date_parts(value) if value else None
        if value and parts is None and any(ch.isdigit() for ch in value):
            raise ParseError(origin, f"unreadable date {value[:40]!r}", record=label, field=tag)
        if parts and (best is None or len(parts) > len(best[0])):
            best = (parts, tag)
    if best is None:
        return None
    parts, tag = best
    return date_from_parts(parts, origin, label, tag)


def ris_date_parts(value: str) -> list[int] | None:
    """[year, month?, day?] of an RIS date; empty or zero parts end it (`2019/10//undefined`)."""
    match = _RIS_DATE.match(value)
    if match is None:
        loose = _YEAR.search(value)  # "Spring 2019", "c2019"
        return [int(loose.group(1))] if loose else None
    parts = [int(match.group(1))]
    for part in (match.group(2), match.group(3)):
        if not part or int(part) == 0:
            break
        parts.append(int(part))
    return parts


def record_venue(record: RisRecord) -> str | None:
    for value in record.values(*_VENUE_TAGS):
        text = normalize_display(value)
        if text and not is_arxiv_venue(text):
            return text
    return None
