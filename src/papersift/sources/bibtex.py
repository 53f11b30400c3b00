"""BibTeX and BibLaTeX exports of reader libraries (Zotero, Better BibTeX, BibDesk, JabRef).

bibtexparser v2 splits the file and resolves `@string` macros; LaTeX in titles and names is
decoded by `build_paper`, so `title_raw` keeps the entry exactly as written. An entry the splitter
cannot read (an unbalanced brace) becomes one `ParseError` and the entries around it still come
out, as BibTeX itself carries on after a bad entry.

The helpers at the end (`decode_export_text`, `link_for_url`, `library_links`, `is_arxiv_venue`)
are shared by the other reader-library parsers (`ris`, `csl`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

from papersift.errors import ParseError
from papersift.ids import bare_arxiv_id, canonical_id, find_arxiv_id, normalize_doi, parse_arxiv_id
from papersift.records import Link, LinkKind, Paper
from papersift.sources.arxiv_atom import arxiv_links
from papersift.sources.common import build_paper, keep_going, parse_date
from papersift.text import normalize_display

FORMAT = "bibtex"
SOURCE = "bibtex"

# An entry, @string, @preamble or @comment at the start of a line (BibDesk and the bibtexparser
# samples indent them, and a `%%` header or free text may come first).
_BLOCK_START = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.M)
_FAILED_KEY = re.compile(r"@\s*[A-Za-z]+\s*[{(]\s*([^\s,{}()=]+)\s*,")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# arXiv categories (`cs.LG`, `quant-ph`), not the bare archive names Zotero writes (`cs, stat`).
_ARXIV_CATEGORY = re.compile(r"^[a-z]+(?:-[a-z]+)?\.[A-Za-z-]+$|^[a-z]+-[a-z]+$")
# Fields that name where a paper appeared, most specific first (BibLaTeX uses journaltitle and
# eventtitle; Better BibLaTeX writes both booktitle and eventtitle for proceedings).
_VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "eventtitle", "howpublished")
# Free-text fields where exports mention a preprint: `note = {\url{http://arxiv.org/abs/...}}`,
# `journal = {arXiv preprint arXiv:1705.00001}`.
_ARXIV_TEXT_FIELDS = ("journal", "journaltitle", "howpublished", "note", "pubstate", "booktitle")
# What bibtexparser's name parser reads as a brace: an escape (`\}`) is two characters, not one.
_NAME_BRACE = re.compile(r"\\.|[{}]", re.S)

# bibtexparser logs every aborted block as a warning; with no handler configured Python prints
# those to stderr, which would duplicate our one-line ParseError in the CLI. Below ERROR they
# are not even made: a log record cost more than the block itself in a file of junk `@{` lines
# (docs/benchmarks.md#hostile-bibtex).
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").setLevel(logging.ERROR)


# What the splitter may take for the start of a block, anywhere in the text: at most this many
# blocks, so records, come out of it.
_ANY_BLOCK_START = re.compile(r"@\w*[ \t]*[{(]")


def block_count(text: str) -> int:
    """An upper bound on the blocks (entries, `@string`s, comments, broken ones) in the text.

    One regex scan, ~1000 times cheaper than the parse: bibtexparser spends ~20 us on every
    block, so a file of junk `@{` lines (one record per 3 bytes) cost 6-8 s of CPU per MB
    (docs/benchmarks.md#hostile-bibtex) before anyone could count its records.
    """
    return sum(1 for _ in _ANY_BLOCK_START.finditer(text))


def sniff(head: str) -> bool:
    return bool(_BLOCK_START.search(head))


def parse(data: bytes, origin: str) -> Iterator[Paper | ParseError]:
    library = _read_library(decode_export_text(data, origin), origin)
    if not library.entries and not library.failed_blocks:
        raise ParseError(origin, "no BibTeX entry (no line starts with `@type{key,`)")
    for block in library.blocks:
        yield from _papers_from_block(block, library, origin)


def _read_library(text: str, origin: str) -> Any:
    import bibtexparser
    from bibtexparser.middlewares import MonthIntMiddleware

    try:
        return bibtexparser.parse_string(text, append_middleware=[MonthIntMiddleware()])
    except Exception as err:  # the splitter raises its own internal-state errors on odd input
        raise ParseError(origin, f"unreadable BibTeX ({type(err).__name__}: {err})"[:300]) from None


def _papers_from_block(block: Any, library: Any, origin: str) -> Iterator[Paper | ParseError]:
    from bibtexparser.model import DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

    if isinstance(block, DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block, Entry):
        # BibTeX warns about a repeated field and uses the first value; do the same rather than
        # lose a paper over an export quirk.
        block = _finish_unparsed_entry(block.ignore_error_block, library)
    if isinstance(block, Entry):
        label = entry_label(block.key, block.start_line)
        yield from keep_going(
            origin, [(label, block)], lambda lbl, e: paper_from_entry(e, origin, lbl)
        )
    elif isinstance(block, ParsingFailedBlock):
        yield failed_block_error(block, origin)


def _finish_unparsed_entry(entry: Any, library: Any) -> Any:
    """Apply the parse stack's per-entry steps the splitter skipped for a set-aside entry."""
    from bibtexparser.middlewares import MonthIntMiddleware, RemoveEnclosingMiddleware

    for step in (RemoveEnclosingMiddleware(), MonthIntMiddleware()):
        entry = step.transform_entry(entry, library)
    return entry


def entry_label(key: str | None, start_line: int | None) -> str:
    """How an entry is named in messages: its citation key and the line it starts on."""
    line = f"line {start_line + 1}" if start_line is not None else None
    if key and line:
        return f"{key} ({line})"
    return key or line or "?"


def failed_block_error(block: Any, origin: str) -> ParseError:
    """The ParseError for a block bibtexparser could not read, named by its key and line."""
    from bibtexparser.model import DuplicateBlockKeyBlock

    if isinstance(block, DuplicateBlockKeyBlock):
        first = block.previous_block.start_line
        where = f" (first on line {first + 1})" if first is not None else ""
        # BibTeX also keeps the first of two entries with one key and rejects the second.
        return ParseError(
            origin, f"repeated citation key{where}", record=entry_label(block.key, block.start_line)
        )
    match = _FAILED_KEY.search(block.raw or "")
    label = entry_label(match.group(1) if match else None, block.start_line)
    err = block.error
    reason = (getattr(err, "abort_reason", None) or str(err) or type(err).__name__).strip()
    return ParseError(origin, f"malformed entry: {reason}"[:300], record=label)


def paper_from_entry(entry: Any, origin: str, label: str) -> Paper:
    """One bibtexparser `Entry` as a `Paper` (field names compared case-insensitively)."""
    fields = entry_fields(entry.fields)
    key = entry.key.strip() or None
    doi = normalize_doi(fields.get("doi"))
    arxiv = entry_arxiv_id(fields)
    arxiv_id, version = arxiv if arxiv else (None, None)
    url = fields.get("url")
    return build_paper(
        origin,
        label,
        id=canonical_id(arxiv_id, doi, bibtex=key),
        title=fields.get("title"),
        source=SOURCE,
        abstract=fields.get("abstract"),
        authors=bibtex_names(fields.get("author")),
        categories=entry_categories(fields),
        version=version,
        published=entry_date(fields, origin, label),
        doi=doi,
        arxiv_id=arxiv_id,
        links=library_links([url] if url else [], doi, arxiv_id),
        external_ids={"citekey": key} if key else None,
        extra={
            "venue": entry_venue(fields),
            "type": entry.entry_type.lower(),
            **citation_details(
                fields.get("volume"),
                fields.get("number") or fields.get("issue"),
                fields.get("pages"),
                url,
                entry_date_parts(fields),
            ),
        },
    )


def entry_fields(fields: Iterable[Any]) -> dict[str, str]:
    """Field values by lower-case name; the first of repeated fields wins, as in BibTeX."""
    values: dict[str, str] = {}
    for field in fields:
        name = field.key.strip().lower()
        if name not in values and field.value is not None:
            values[name] = str(field.value)
    return values


def bibtex_names(text: str | None) -> list[str]:
    """`Last, First and {Corp Name} and others` -> `["First Last", "{Corp Name}"]`.

    Braces and LaTeX stay for `build_paper` to decode; `others` (BibTeX's "et al.") is dropped.
    """
    from bibtexparser.middlewares.names import split_multiple_persons_names

    if not text:
        return []
    names = []
    for raw in split_multiple_persons_names(text):
        if raw.strip().lower() == "others":
            continue
        names.append(bibtex_name(raw))
    return names


def bibtex_name(raw: str) -> str:
    """One `Last, First` name as `First Last`, as bibtexparser's non-strict parser reads it.

    Non-strict: a stray brace or comma in one name must not cost the whole entry. That parser
    answers each `}` closing no `{` by inserting a `{` at the front of the word so far, which
    is quadratic: a quoted author field of 1 MB of `}` took minutes of CPU
    (docs/benchmarks.md#hostile-bibtex). So the stray braces go through it as a placeholder,
    a character it reads like any other non-letter, and come back after: the same words,
    parts and text, in linear time.
    """
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    stray = _stray_closing_braces(raw)
    if not stray:
        return parse_single_name_into_parts(raw, strict=False).merge_first_name_first
    used = set(raw)
    mark = next((c for c in map(chr, range(0xE000, 0xF900)) if c not in used), None)
    if mark is None:  # every private-use character is in the name: junk, so drop the braces
        return parse_single_name_into_parts(
            _cut(raw, stray, ""), strict=False
        ).merge_first_name_first
    parts = parse_single_name_into_parts(_cut(raw, stray, mark), strict=False)
    for words in (parts.first, parts.von, parts.last, parts.jr):
        words[:] = ["{" * word.count(mark) + word.replace(mark, "}") for word in words]
    return parts.merge_first_name_first


def _stray_closing_braces(name: str) -> list[int]:
    """Where the name has a `}` that closes no `{` (escapes such as `\\}` are no braces)."""
    if "}" not in name:
        return []
    stray: list[int] = []
    depth = 0
    for brace in _NAME_BRACE.finditer(name):
        if brace.group() == "{":
            depth += 1
        elif brace.group() == "}":
            if depth:
                depth -= 1
            else:
                stray.append(brace.start())
    return stray


def _cut(name: str, at: list[int], mark: str) -> str:
    """The name with the single characters at `at` replaced by `mark`."""
    pieces = [name[start + 1 : end] for start, end in zip([-1, *at], [*at, len(name)])]
    return mark.join(pieces)


def entry_arxiv_id(fields: dict[str, str]) -> tuple[str, int | None] | None:
    """(bare id, version) when the entry is an arXiv paper, from the first field that says so."""
    eprint_type = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    # Without a declared type an eprint is still an arXiv id when it has arXiv's exact shape;
    # eprints of other archives (HAL, PubMed) or DOI URLs do not parse as one.
    if fields.get("eprint") and eprint_type in ("", "arxiv"):
        found = parse_arxiv_id(fields["eprint"])
        if found:
            return found
    for name in ("url", "doi"):
        found = parse_arxiv_id(fields.get(name))
        if found:
            return found
    for name in _ARXIV_TEXT_FIELDS:
        bare = find_arxiv_id(fields.get(name))
        if bare:
            return bare, None
    return None


def entry_categories(fields: dict[str, str]) -> list[str]:
    """arXiv categories from `primaryclass` / `eprintclass`, primary first."""
    raw = ",".join(fields.get(name, "") for name in ("primaryclass", "eprintclass"))
    return [part.strip() for part in raw.split(",") if _ARXIV_CATEGORY.match(part.strip())]


def entry_date(fields: dict[str, str], origin: str, label: str) -> dt.date | None:
    """BibLaTeX `date` (ISO, maybe a range), else BibTeX `year` + `month`."""
    date = fields.get("date")
    if date and date.strip():
        return parse_date(date.split("/")[0], origin, label, "date")
    year = fields.get("year")
    if not year or not year.strip():
        return None
    match = _YEAR.search(year)
    if not match:
        if any(ch.isdigit() for ch in year):
            raise ParseError(origin, f"unreadable year {year[:40]!r}", record=label, field="year")
        return None  # "in press", "forthcoming": a real entry that simply has no date yet
    month = _month_number(fields.get("month"))
    return date_from_parts(
        [int(match.group(1)), *([month] if month else [])], origin, label, "year"
    )


def entry_date_parts(fields: dict[str, str]) -> int | None:
    """How precise the entry's date is as written: 1 (year), 2 (year, month) or 3 (a day).

    A `year = 2014` entry is stored as 2014-01-01; exports read this to write the year alone.
    """
    date = fields.get("date")
    if date and date.strip():
        return min(3, len([p for p in date.split("/")[0].strip().split("-") if p.strip()]))
    year = fields.get("year")
    if not year or not _YEAR.search(year):
        return None
    return 2 if _month_number(fields.get("month")) else 1


def _month_number(value: str | None) -> int | None:
    # MonthIntMiddleware has already turned `jul` / `July` into 7; numbers stay as text.
    if value is None or not value.strip().isdigit():
        return None
    month = int(value.strip())
    return month if 1 <= month <= 12 else None


def entry_venue(fields: dict[str, str]) -> str | None:
    for name in _VENUE_FIELDS:
        text = normalize_display(fields.get(name))
        if text and not is_arxiv_venue(text):
            return text
    return None


# --- shared by the reader-library parsers (ris, csl) ---------------------------------------

_LINK_KINDS: tuple[tuple[re.Pattern[str], LinkKind], ...] = (
    (re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/abs/", re.I), "abs"),
    (re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/pdf/|\.pdf$", re.I), "pdf"),
    (re.compile(r"^https?://(?:www\.)?openreview\.net/", re.I), "openreview"),
    (re.compile(r"^https?://(?:dx\.)?doi\.org/", re.I), "doi"),
    (re.compile(r"^https?://(?:www\.)?github\.com/", re.I), "code"),
)


def citation_details(
    volume: str | None,
    issue: str | None,
    pages: str | None,
    url: str | None,
    date_parts: int | None,
) -> dict[str, str | int | None]:
    """What a reference needs beyond the paper itself, kept in `Paper.extra` for exports:
    volume, issue, pages (`420-424`), the entry's own URL and how precise its date was."""
    return {
        "volume": normalize_display(volume),
        "issue": normalize_display(issue),
        "pages": normalize_pages(pages),
        "url": url.strip() if url and url.strip() else None,
        "date_parts": date_parts,
    }


def normalize_pages(text: str | None) -> str | None:
    """`420--424`, `420–424` and `420 - 424` all as `420-424`; other text as written."""
    clean = normalize_display(text)
    if not clean:
        return None
    return re.sub(r"\s*(?:-+|–|—)\s*", "-", clean)


def decode_export_text(data: bytes, origin: str) -> str:
    """A reference-manager export as text: UTF-8 (BOM allowed), UTF-16 with a BOM, else cp1252.

    Old BibDesk, JabRef and EndNote exports are Windows-1252 or Latin-1; reading those bytes
    that way keeps every entry instead of refusing the file over one accented name.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise ParseError(origin, f"broken UTF-16 text ({err.reason})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # cp1252 leaves five bytes undefined; latin-1 has them all


def date_from_parts(parts: list[int], origin: str, label: str, field: str) -> dt.date | None:
    """[year, month?, day?] as a date, through `parse_date` so every source has the same limits."""
    stamp = "-".join([f"{parts[0]:04d}", *(f"{part:02d}" for part in parts[1:])])
    return parse_date(stamp, origin, label, field)


def link_for_url(url: str | None) -> Link | None:
    """A web link of the right kind, or None for blanks and local paths (file://, attachments)."""
    if not url:
        return None
    url = url.strip()
    if not re.match(r"^https?://\S+$", url, re.I):
        return None
    kind: LinkKind = next((kind for pattern, kind in _LINK_KINDS if pattern.search(url)), "other")
    return Link(kind, url)


def library_links(urls: Iterable[str], doi: str | None, arxiv_id: str | None) -> list[Link]:
    """The entry's own URLs, then the canonical arXiv and DOI links.

    The entry's own arxiv.org URL of the same paper is left out: the canonical version-less
    links replace it, so `Paper.link("abs")` is the same whichever source a paper came from.
    """
    links = [
        link
        for link in map(link_for_url, urls)
        if link and not (arxiv_id and bare_arxiv_id(link.url) == arxiv_id)
    ]
    if arxiv_id:
        links.extend(arxiv_links(arxiv_id, doi))
    elif doi:
        links.append(Link("doi", f"https://doi.org/{doi}"))
    return links


def is_arxiv_venue(text: str) -> bool:
    """Whether a journal/container name only says "arXiv" (`arXiv preprint arXiv:...`)."""
    return text.strip().lower().startswith("arxiv")
