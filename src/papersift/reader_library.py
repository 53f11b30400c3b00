"""The reader's library as the CLI and web app use it: resolve ids, rate, tag, import, export."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from papersift import sources
from papersift.dedupe import aliases
from papersift.errors import ParseError, UsageError
from papersift.ids import canonical_id, find_arxiv_id, normalize_doi, parse_arxiv_id
from papersift.records import Paper
from papersift.sources.bibtex import (
    block_count,
    citation_details,
    date_from_parts,
    decode_export_text,
    is_arxiv_venue,
    library_links,
)
from papersift.sources.common import build_paper
from papersift.store import zotero
from papersift.store.base import LOCAL_USER, Store, UpsertCounts

LIBRARY_FORMATS = ("bibtex", "ris", "csl-json")
ZOTERO_FORMAT = "zotero-sqlite"  # Zotero's own database, told apart by its content
IMPORT_FORMATS = (*LIBRARY_FORMATS, ZOTERO_FORMAT)
RATINGS = {"like": 1, "dislike": -1, "unlike": None}
# A reader's import on a shared server stays private to them (`import_library(private=True)`);
# these bound what one account can add: one upload of junk once took a store from 259 to
# 154,052 papers and made the next semantic search embed them for minutes (issue 21).
PRIVATE_UPLOAD_MAX = 5_000  # records per upload
PRIVATE_PAPERS_MAX = 20_000  # papers private to one reader
# BibTeX blocks an upload may hold, `@string`s and comments included; counted before the parse,
# which costs ~20 us a block however broken (docs/benchmarks.md#hostile-bibtex).
PRIVATE_UPLOAD_BLOCKS = 4 * PRIVATE_UPLOAD_MAX
# How many rejected records the front ends list one by one; the rest are counted. A file of
# junk lines had 333,312 of them per MB, and printing them took longer than reading it.
REJECTED_SHOWN = 50


def resolve_ids(store: Store, idents: Sequence[str]) -> list[int]:
    """Rowids for the given ids; every unknown one named in one error, nothing resolved."""
    found: list[int] = []
    unknown: list[str] = []
    for ident in idents:
        rowid = store.rowid_of(ident)
        if rowid is None:
            unknown.append(ident)
        else:
            found.append(rowid)
    if unknown:
        raise UsageError(
            f"not in the store: {', '.join(unknown)} (nothing was changed; "
            "ingest or fetch the papers first)"
        )
    return list(dict.fromkeys(found))


def rate(store: Store, idents: Sequence[str], action: str, user_id: int = LOCAL_USER) -> int:
    """Like, dislike or unlike papers; all-or-nothing. Returns how many ratings changed."""
    rowids = resolve_ids(store, idents)
    with store.transaction():
        return store.library(user_id).rate(rowids, RATINGS[action])


def tag(store: Store, name: str, idents: Sequence[str], user_id: int = LOCAL_USER) -> int:
    name = name.strip()
    if not name:
        raise UsageError("a tag needs a name, e.g. `papersift tag quantization 2301.00001`")
    rowids = resolve_ids(store, idents)
    with store.transaction():
        return store.library(user_id).tag(name, rowids)


def promote(store: Store, idents: Sequence[str]) -> int:
    """Make papers private to a reader public (an admin's call); all-or-nothing. Returns how
    many were private."""
    rowids = resolve_ids(store, idents)
    with store.transaction():
        return store.private_papers().promote(rowids)


@dataclass
class ImportReport:
    entries: int = 0
    matched: int = 0  # already in the store
    added: int = 0  # stored as new papers
    liked: int = 0
    rejected: list[ParseError] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # from Zotero collections
    tagged: int = 0  # (paper, tag) pairs added


def import_library(
    store: Store, path: Path, fmt: str = "auto", user_id: int = LOCAL_USER, private: bool = False
) -> ImportReport:
    """Read a BibTeX/RIS/CSL-JSON export: match entries to stored papers, store the rest, like all.

    Broken entries are listed in `rejected`; the good ones are imported regardless. Zotero's
    own database (`zotero.sqlite`) is recognised by its content and read by `import_zotero`.
    `private` (an account's upload on a shared server): papers new to the store are the
    reader's alone and nothing shared changes (see `Store.upsert`), within PRIVATE_UPLOAD_MAX
    records per upload and PRIVATE_PAPERS_MAX private papers per reader; past either, nothing
    is stored.
    """
    if fmt == ZOTERO_FORMAT or (fmt == "auto" and _is_database(path)):
        return import_zotero(store, path, user_id, private=private)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ParseError(str(path), f"cannot read: {err.strerror}") from None
    name = sources.detect_format(data, str(path)) if fmt == "auto" else fmt
    if name not in LIBRARY_FORMATS:
        raise UsageError(
            f"{path}: looks like {name}, not a library export ({', '.join(LIBRARY_FORMATS)})"
        )
    if private and name == "bibtex":
        _check_upload_blocks(path, data)
    report = ImportReport()
    papers: list[Paper] = []
    try:
        for item in sources.parser_for(name)(data, str(path)):
            if isinstance(item, ParseError):
                report.rejected.append(item)
            else:
                papers.append(item)
    except ParseError as err:
        report.rejected.append(err)
    report.entries = len(papers) + len(report.rejected)
    if private and report.entries > PRIVATE_UPLOAD_MAX:
        raise UsageError(
            f"{path}: {report.entries:,} records; an upload may hold at most "
            f"{PRIVATE_UPLOAD_MAX:,} (nothing was imported: split the file)"
        )
    with store.transaction():
        counts: UpsertCounts = store.upsert(papers, private_to=user_id if private else None)
        if private:
            _check_private_cap(store, path, user_id)  # raising rolls the upload back
        report.added = counts.added
        report.matched = counts.merged + counts.unchanged
        if private:  # the upsert says which paper each record is for this reader
            rowids = [r for p in papers if (r := _upserted_rowid(counts, p)) is not None]
        else:
            rowids = [r for p in papers if (r := _stored_rowid(store, p)) is not None]
        report.liked = store.library(user_id).rate(list(dict.fromkeys(rowids)), 1)
    return report


def _check_upload_blocks(path: Path, data: bytes) -> None:
    """Refuse, before the parse, a BibTeX upload with more blocks than any allowed upload has."""
    blocks = block_count(decode_export_text(data, str(path)))
    if blocks > PRIVATE_UPLOAD_BLOCKS:
        raise UsageError(
            f"{path}: {blocks:,} BibTeX blocks (`@type{{`); an upload may hold at most "
            f"{PRIVATE_UPLOAD_MAX:,} records (nothing was imported: split the file)"
        )


def _is_database(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return zotero.is_sqlite(file.read(len(zotero.SQLITE_HEADER)))
    except OSError as err:
        raise ParseError(str(path), f"cannot read: {err.strerror}") from None


# The web app accepts tags of up to 100 characters (`TagName`); a deeper collection path keeps
# its innermost levels so it can still be picked there.
MAX_TAG_CHARS = 100
# Zotero item types by the names the exports know (`export._KIND_BY_TYPE`).
_ZOTERO_TYPES = {
    "journalArticle": "article-journal",
    "conferencePaper": "paper-conference",
    "bookSection": "chapter",
    "book": "book",
    "thesis": "thesis",
    "report": "report",
}
_ZOTERO_VENUES = ("publicationTitle", "proceedingsTitle", "bookTitle", "conferenceName")
# Zotero's stored date: SQL-style `YYYY-MM-DD` with 00 for an unknown part, a space, then the
# text as typed (`2021-00-00 2021`, `2019-07-00 July 2019`); `0000-00-00 ...` when unparsed.
_ZOTERO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:\s|$)")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# `Name: value` lines of the Extra field, where Zotero and Better BibTeX keep what the item
# type has no field for (`arXiv: 2301.00001`, `Citation Key: vaswani2017`, `DOI: 10...`).
_EXTRA_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z ]{0,30}?)\s*:\s*(\S.*?)\s*$", re.M)


def import_zotero(
    store: Store, path: Path, user_id: int = LOCAL_USER, private: bool = False
) -> ImportReport:
    """Import Zotero's own database: store its works, like them all, and tag each with the
    paths of its collections (`ML/Transformers`). Nothing is stored when the file cannot be
    read as a whole; an item that cannot be a paper is listed in `rejected`. `private`: as
    for `import_library`, with the same caps."""
    items = zotero.read_zotero(path)
    report = ImportReport(entries=len(items))
    if private and report.entries > PRIVATE_UPLOAD_MAX:
        raise UsageError(
            f"{path}: {report.entries:,} records; an upload may hold at most "
            f"{PRIVATE_UPLOAD_MAX:,} (nothing was imported: split the file)"
        )
    papers: list[tuple[Paper, tuple[str, ...]]] = []
    for item in items:
        try:
            papers.append((zotero_paper(item, str(path)), item.collections))
        except ParseError as err:
            report.rejected.append(err)
    with store.transaction():
        counts = store.upsert(
            [paper for paper, _ in papers], private_to=user_id if private else None
        )
        if private:
            _check_private_cap(store, path, user_id)  # raising rolls the upload back
        report.added = counts.added
        report.matched = counts.merged + counts.unchanged
        library = store.library(user_id)
        tagged: dict[str, list[int]] = {}
        rowids: list[int] = []
        for paper, collections in papers:
            rowid = _upserted_rowid(counts, paper) if private else _stored_rowid(store, paper)
            if rowid is None:
                continue
            rowids.append(rowid)
            for path_name in collections:
                tagged.setdefault(collection_tag(path_name), []).append(rowid)
        report.liked = library.rate(list(dict.fromkeys(rowids)), 1)
        for name, tag_rowids in tagged.items():
            report.tagged += library.tag(name, list(dict.fromkeys(tag_rowids)))
    report.tags = sorted(tagged)
    return report


def collection_tag(path_name: str) -> str:
    """A collection's path as a tag; a path too long for one keeps its innermost levels."""
    if len(path_name) <= MAX_TAG_CHARS:
        return path_name
    levels = path_name.split("/")
    kept = levels[-1][: MAX_TAG_CHARS - 2]
    for level in reversed(levels[:-1]):
        if len(level) + len(kept) + 3 > MAX_TAG_CHARS:
            break
        kept = f"{level}/{kept}"
    return f"…/{kept}"


def zotero_paper(item: zotero.ZoteroItem, origin: str) -> Paper:
    """One Zotero item as a `Paper`, or a ParseError naming the item by its key."""
    fields = item.fields
    extra = _extra_fields(fields.get("extra"))
    doi = normalize_doi(fields.get("DOI") or extra.get("doi"))
    arxiv = _zotero_arxiv_id(fields, extra, doi)
    arxiv_id, version = arxiv if arxiv else (None, None)
    citekey = (fields.get("citationKey") or extra.get("citation key") or "").strip() or None
    url = fields.get("url")
    parts = _zotero_date_parts(fields.get("date"))
    label = item.key
    return build_paper(
        origin,
        label,
        id=canonical_id(arxiv_id, doi, zotero=item.key),
        title=fields.get("title"),
        source=ZOTERO_FORMAT,
        abstract=fields.get("abstractNote"),
        authors=item.authors,
        version=version,
        published=date_from_parts(parts, origin, label, "date") if parts else None,
        doi=doi,
        arxiv_id=arxiv_id,
        links=library_links([url] if url else [], doi, arxiv_id),
        external_ids={"zotero": item.key, **({"citekey": citekey} if citekey else {})},
        extra={
            "venue": _zotero_venue(fields),
            "type": _ZOTERO_TYPES.get(item.item_type, item.item_type),
            **citation_details(
                fields.get("volume"),
                fields.get("issue"),
                fields.get("pages"),
                url,
                len(parts) if parts else None,
            ),
        },
    )


def _zotero_venue(fields: dict[str, str]) -> str | None:
    """The journal or proceedings; `arXiv:1706.03762 [cs]` (older Zotero) is no venue."""
    for name in _ZOTERO_VENUES:
        text = " ".join(fields.get(name, "").split())
        if text and not is_arxiv_venue(text):
            return text
    return None


def _extra_fields(text: str | None) -> dict[str, str]:
    """The `Name: value` lines of Zotero's Extra field, by lower-case name (first one wins)."""
    found: dict[str, str] = {}
    for match in _EXTRA_LINE.finditer(text or ""):
        found.setdefault(match.group(1).lower(), match.group(2))
    return found


def _zotero_arxiv_id(
    fields: dict[str, str], extra: dict[str, str], doi: str | None
) -> tuple[str, int | None] | None:
    """(bare id, version) of an arXiv paper: from its DOI, URL or `archiveID` (Zotero 6+
    preprints: `arXiv:2301.00001`), else named in Extra (`arXiv: ...`) or the venue
    (`arXiv:1706.03762 [cs]`, how older Zotero saved arXiv papers)."""
    for candidate in (doi, fields.get("url"), fields.get("archiveID"), extra.get("arxiv")):
        found = parse_arxiv_id(candidate)
        if found:
            return found
    for text in (fields.get("extra"), fields.get("number"), fields.get("publicationTitle")):
        bare = find_arxiv_id(text)
        if bare:
            return bare, None
    return None


def _zotero_date_parts(value: str | None) -> list[int] | None:
    """[year, month?, day?] of Zotero's stored date; None when it names no year."""
    if not value:
        return None
    match = _ZOTERO_DATE.match(value)
    if match and int(match.group(1)) > 0:
        parts = [int(match.group(1))]
        for part in (match.group(2), match.group(3)):
            if int(part) == 0:
                break
            parts.append(int(part))
        return parts
    rest = value[match.end() :] if match else value
    year = _YEAR.search(rest)  # "0000-00-00 Spring 2019": Zotero could not read it
    return [int(year.group(1))] if year else None


def _check_private_cap(store: Store, path: Path, user_id: int) -> None:
    held = store.private_papers().count(user_id)
    if held > PRIVATE_PAPERS_MAX:
        raise UsageError(
            f"{path}: this upload would make {held:,} papers private to you; a reader may "
            f"have at most {PRIVATE_PAPERS_MAX:,} (nothing was imported; ask an admin to "
            "promote some with `papersift papers promote`)"
        )


def _upserted_rowid(counts: UpsertCounts, paper: Paper) -> int | None:
    for ident in aliases(paper):
        if (rowid := counts.rowids.get(ident)) is not None:
            return rowid
    return None


def _stored_rowid(store: Store, paper: Paper) -> int | None:
    for ident in (paper.id, paper.arxiv_id, f"doi:{paper.doi}" if paper.doi else None):
        if ident and (rowid := store.rowid_of(ident)) is not None:
            return rowid
    return None


def library_papers(
    store: Store, tag_name: str | None = None, user_id: int = LOCAL_USER
) -> list[tuple[Paper, int | None, list[str]]]:
    """(paper, rating, tags) for every paper the reader rated or tagged, newest action first."""
    library = store.library(user_id)
    tags = library.tags()
    if tag_name is not None and tag_name not in tags:
        known = ", ".join(sorted(tags)) or "none yet"
        raise UsageError(f"no tag {tag_name!r} (tags: {known})")
    ratings = {f.paper_rowid: f.rating for f in reversed(library.feedback())}
    tags_of: dict[int, list[str]] = {}
    for name, rowids in tags.items():
        for rowid in rowids:
            tags_of.setdefault(rowid, []).append(name)
    wanted = list(dict.fromkeys([*ratings, *tags_of]))
    if tag_name is not None:
        wanted = [r for r in wanted if tag_name in tags_of.get(r, [])]
    papers = store.papers_by_rowid(wanted)
    return [(papers[r], ratings.get(r), tags_of.get(r, [])) for r in wanted if r in papers]
