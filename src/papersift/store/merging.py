"""Upsert and de-duplication, once for every backend: which records are new, which merge.

`SqliteStore` and `PgStore` take these methods from `Merging` and implement its primitives
(look-ups by id, alias and title/author key; insert, rewrite and alias writes; the private
papers' marks) in their own SQL, so the two backends cannot disagree on what a batch does.
Every upsert runs in one transaction of the store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from papersift.dedupe import aliases, can_merge, merge
from papersift.records import Paper
from papersift.store.base import UpsertCounts
from papersift.store.private import private_id
from papersift.store.rows import PAPER_COLUMNS, PreparedBatch, prepare_batch

_ID = PAPER_COLUMNS.index("id")
_ARXIV_ID = PAPER_COLUMNS.index("arxiv_id")
_TITLE_AUTHOR = PAPER_COLUMNS.index("title_author")


class Merging:
    """The backend-neutral half of a store's upsert and identifier look-ups."""

    if TYPE_CHECKING:  # provided by the backend

        def transaction(self) -> AbstractContextManager[None]: ...
        def visible_rowids(self, rowids: Sequence[int]) -> list[int]: ...
        def _begin_upsert(self) -> None: ...
        def _end_upsert(self) -> None: ...
        def _ids_stored(self, ids: list[str]) -> dict[str, int]: ...
        def _aliases_stored(self, keys: list[str]) -> dict[str, int]: ...
        def _title_author_stored(self, keys: list[int]) -> list[tuple[int, int, str | None]]: ...
        def _rowids_known_as(self, ident: str) -> list[int]: ...
        def _load_rows(self, rowids: set[int]) -> dict[int, Paper]: ...
        def _insert(self, rows: list[tuple[Any, ...]]) -> list[int]: ...
        def _write_row(self, rowid: int, old: Paper, new: Paper) -> None: ...
        def _drop_aliases(self, rowid: int) -> None: ...
        def _add_aliases(self, pairs: list[tuple[str, int]]) -> None: ...
        def _private_owners(self, rowids: list[int]) -> dict[int, int]: ...
        def _mark_private(self, rowids: list[int], user_id: int) -> None: ...
        def _promote_private(self, rowids: list[int]) -> None: ...

    def upsert(self, papers: Iterable[Paper], private_to: int | None = None) -> UpsertCounts:
        """Store new papers and merge ones already stored; re-storing the same data is a no-op.

        `private_to`: a reader's import on a shared server, which changes nothing another reader
        sees: a record of a public paper only names it (`UpsertCounts.rowids`), one of the
        reader's own private papers merges into it, the rest become papers private to them.
        A public upsert of a private paper makes it public, with the public record.
        """
        return self._upsert(prepare_batch(papers), private_to)

    def upsert_rows(self, rows: list[tuple[Any, ...]]) -> UpsertCounts:
        """`upsert` of rows `rows.prepare_batch` made (in a worker process, say) for its papers."""
        return self._upsert(PreparedBatch(rows))

    def _upsert(self, prepared: PreparedBatch, private_to: int | None = None) -> UpsertCounts:
        counts = UpsertCounts()
        if not prepared.rows:
            return counts
        with self.transaction():
            self._begin_upsert()
            matches = self._find_existing(prepared.rows)
            owners = self._private_owners(list(set(matches.values()))) if matches else {}
            if private_to is not None:
                new_rows = self._merge_private(prepared, matches, owners, counts, private_to)
            elif matches:
                new_rows = self._merge_stored(prepared, matches, counts, owners)
            else:
                new_rows = prepared.rows
            rowids = self._insert(new_rows)
            if private_to is not None:
                self._mark_private(rowids, private_to)
                for rowid, row in zip(rowids, new_rows):
                    note_rowid(counts, row, rowid)
            counts.added += len(new_rows)
            self._end_upsert()
        return counts

    def _merge_stored(
        self,
        prepared: PreparedBatch,
        matches: dict[str, int],
        counts: UpsertCounts,
        private: dict[int, int] | None = None,
    ) -> list[tuple[Any, ...]]:
        """Merge the batch's papers already stored into their rows; the rest, to insert.

        A `private` paper (rowid: its reader) a public record matches becomes public.
        """
        private = dict(private or {})
        existing = self._load_rows(set(matches.values()))
        new_rows: list[tuple[Any, ...]] = []
        for index, row in enumerate(prepared.rows):
            rowid = matches.get(row[_ID])
            if rowid is None:
                new_rows.append(row)
                continue
            paper = prepared.paper(index)
            old = existing[rowid]
            if not can_merge(old, paper):  # e.g. two arXiv papers given one (proceedings) DOI
                new_rows.append(row)
                continue
            if private.pop(rowid, None) is not None:
                # What a reader's import said (links, DOI, aliases) never becomes public: the
                # public record replaces it whole.
                self._make_public(rowid, old, paper)
                existing[rowid] = paper
                counts.merged += 1
                continue
            combined = merge(old, paper)
            if combined == old:
                counts.unchanged += 1
                continue
            self._update(rowid, old, combined, also_known_as=paper.id)
            existing[rowid] = combined
            counts.merged += 1
        return new_rows

    def _merge_private(
        self,
        prepared: PreparedBatch,
        matches: dict[str, int],
        owners: dict[int, int],
        counts: UpsertCounts,
        user_id: int,
    ) -> list[tuple[Any, ...]]:
        """A reader's import: name public papers, merge into the reader's own private ones;
        the rest, to insert as private (under an id of their own where another reader's
        private copy holds theirs)."""
        copies = self._ids_stored([private_id(user_id, row[_ID]) for row in prepared.rows])
        for row in prepared.rows:
            rowid = matches.get(row[_ID])
            if rowid is not None and owners.get(rowid, user_id) != user_id:
                copy = copies.get(private_id(user_id, row[_ID]))
                if copy is None:
                    del matches[row[_ID]]
                else:
                    matches[row[_ID]] = copy
                    owners[copy] = user_id
        existing = self._load_rows(set(matches.values()))
        new_rows: list[tuple[Any, ...]] = []
        for index, row in enumerate(prepared.rows):
            rowid = matches.get(row[_ID])
            paper = prepared.paper(index)
            if rowid is None or not can_merge(existing[rowid], paper):
                new_rows.append(row)
                continue
            note_rowid(counts, row, rowid)
            old = existing[rowid]
            # A private paper keeps its id: the merged one may be another reader's copy's.
            combined = dataclasses.replace(merge(old, paper), id=old.id)
            if rowid not in owners or combined == old:
                counts.unchanged += 1  # a public paper: the import only names it
                continue
            self._update(rowid, old, combined, also_known_as=paper.id)
            existing[rowid] = combined
            counts.merged += 1
        taken = set(self._ids_stored([r[_ID] for r in new_rows]))
        return [
            (private_id(user_id, row[_ID]), *row[1:-1], (row[_ID], *row[-1]))
            if row[_ID] in taken
            else row
            for row in new_rows
        ]

    def _find_existing(self, rows: Sequence[tuple[Any, ...]]) -> dict[str, int]:
        """Map each prepared row's paper id to the rowid of the stored paper it is, if any."""
        wanted = {alias: row[_ID] for row in rows for alias in (row[_ID], *row[-1])}
        found: dict[str, int] = {}
        # Ids first: a paper's own id outranks an alias another paper took.
        for stored in (self._ids_stored(list(wanted)), self._aliases_stored(list(wanted))):
            for alias, rowid in stored.items():
                found.setdefault(wanted[alias], rowid)
        by_title = {
            row[_TITLE_AUTHOR]: row
            for row in rows
            if row[_ID] not in found and row[_TITLE_AUTHOR] is not None
        }
        if by_title:
            for key, rowid, arxiv_id in self._title_author_stored(list(by_title)):
                row = by_title[key]
                # Title matching only joins a record lacking an arXiv id to another paper.
                if row[_ID] not in found and (arxiv_id is None or row[_ARXIV_ID] is None):
                    found[row[_ID]] = rowid
        return found

    def _update(self, rowid: int, old: Paper, new: Paper, also_known_as: str) -> None:
        self._write_row(rowid, old, new)
        self._add_aliases(
            [(a, rowid) for a in {*aliases(new), old.id, also_known_as} if a != new.id]
        )

    def _make_public(self, rowid: int, old: Paper, new: Paper) -> None:
        """A private paper becomes the public record `new`, keeping none of its own aliases."""
        self._drop_aliases(rowid)
        self._write_row(rowid, old, new)
        self._add_aliases([(a, rowid) for a in aliases(new) if a != new.id])
        self._promote_private([rowid])

    # -- look-ups by identifier -------------------------------------------------------------

    def get(self, ident: str) -> Paper | None:
        """The paper known by `ident`: its id, arXiv id (any version), DOI or a source id."""
        rowid = self.rowid_of(ident)
        if rowid is None:
            return None
        return self._load_rows({rowid}).get(rowid)

    def rowid_of(self, ident: str) -> int | None:
        from papersift.ids import normalize_doi, parse_arxiv_id

        candidates = [ident.strip()]
        parsed = parse_arxiv_id(ident)
        if parsed:
            candidates.append(parsed[0])
        doi = normalize_doi(ident)
        if doi:
            candidates.append(f"doi:{doi}")
        for alias in candidates:
            # The paper holding the id first, then one holding it as an alias: another
            # reader's private copy may hold either.
            found = self.visible_rowids(self._rowids_known_as(alias))
            if found:
                return found[0]
        return None


def note_rowid(counts: UpsertCounts, row: tuple[Any, ...], rowid: int) -> None:
    """Record under each of a prepared row's ids (its own, its aliases) the paper it now is."""
    for ident in (row[_ID], *row[-1]):
        counts.rowids[ident] = rowid
