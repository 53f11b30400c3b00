"""The reader's library as the CLI and web app use it: resolve ids, rate, tag, import, export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from papersift import sources
from papersift.dedupe import aliases
from papersift.errors import ParseError, UsageError
from papersift.records import Paper
from papersift.store.base import LOCAL_USER, Store, UpsertCounts

LIBRARY_FORMATS = ("bibtex", "ris", "csl-json")
RATINGS = {"like": 1, "dislike": -1, "unlike": None}
# A reader's import on a shared server stays private to them (`import_library(private=True)`);
# these bound what one account can add: one upload of junk once took a store from 259 to
# 154,052 papers and made the next semantic search embed them for minutes (issue 21).
PRIVATE_UPLOAD_MAX = 5_000  # records per upload
PRIVATE_PAPERS_MAX = 20_000  # papers private to one reader


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


def import_library(
    store: Store, path: Path, fmt: str = "auto", user_id: int = LOCAL_USER, private: bool = False
) -> ImportReport:
    """Read a BibTeX/RIS/CSL-JSON export: match entries to stored papers, store the rest, like all.

    Broken entries are listed in `rejected`; the good ones are imported regardless. `private`
    (an account's upload on a shared server): papers new to the store are the reader's alone
    and nothing shared changes (see `Store.upsert`), within PRIVATE_UPLOAD_MAX records per
    upload and PRIVATE_PAPERS_MAX private papers per reader; past either, nothing is stored.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ParseError(str(path), f"cannot read: {err.strerror}") from None
    name = sources.detect_format(data, str(path)) if fmt == "auto" else fmt
    if name not in LIBRARY_FORMATS:
        raise UsageError(
            f"{path}: looks like {name}, not a library export ({', '.join(LIBRARY_FORMATS)})"
        )
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
