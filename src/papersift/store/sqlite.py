"""The SQLite store: WAL, FTS5, numbered migrations, one transaction per ingest batch."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import orjson

from papersift.dedupe import aliases, can_merge, collapse, merge
from papersift.errors import StoreError
from papersift.records import Paper, PaperFilter
from papersift.store.archive import Archive
from papersift.store.base import UpsertCounts
from papersift.store.library import LOCAL_USER, Library
from papersift.store.rows import PAPER_COLUMNS, paper_to_row, row_to_paper
from papersift.store.schema import MIGRATIONS, SCHEMA_VERSION
from papersift.store.side_index import (
    DELETE,
    INSERT,
    IndexOp,
    SideIndex,
    apply_ops,
    index_op,
    remove_side_files,
)

# The sqlite3 module binds None only after looking for an adapter, and for a type without one
# that look-up raises and clears an AttributeError: ~0.4 us a NULL, and a paper row has ~2.4
# (title_raw, abstract_raw, doi): ~1 us of a bulk load's writer per paper. Registered, None
# is found at once and still binds as NULL ({}.get(None) is None, and a call into C).
sqlite3.register_adapter(type(None), cast(Callable[[None], None], {}.get))

_COLS = ", ".join(PAPER_COLUMNS)
_ID = PAPER_COLUMNS.index("id")
_ARXIV_ID = PAPER_COLUMNS.index("arxiv_id")
_TITLE_AUTHOR = PAPER_COLUMNS.index("title_author")
_SELECT = f"SELECT rowid, {_COLS} FROM papers"
_INSERT = f"INSERT INTO papers (rowid, {_COLS}) VALUES (?, {', '.join('?' * len(PAPER_COLUMNS))})"
_UPDATE = f"UPDATE papers SET {', '.join(f'{c} = ?' for c in PAPER_COLUMNS)} WHERE rowid = ?"
# A bulk load's keyword index is incomplete until this checkpoint is cleared (see bulk_load).
BULK_LOAD_MARKER = "bulk-load-keyword-index"
REBUILD_SECONDS_PER_PAPER = 30e-6  # FTS5 'rebuild' measured at 26 us a paper
# The migration (0-based) that rebuilds the keyword index of an existing store: worth a notice.
KEYWORD_INDEX_REBUILT_BY = 4
PAGE_BYTES = 16384
WAL_PAGES = 1000  # SQLite's default checkpoint interval
# Indexes a bulk load builds at its end instead of paper by paper. Title/author keys (hashes)
# and DOIs fall at random places in their indexes, so at each commit most of the pages of
# those indexes are rewritten into the WAL: ~4 us a paper at 200k papers, ~12 at 2.7M for
# the title/author index alone. Built once at the end they take ~1 us a paper. Aliases wait
# in a plain table meanwhile (paper_aliases has no index to drop: the alias is its key), and
# go in in key order, which scatters their index by paper: it too is built after.
DEFERRED_INDEXES = ("papers_title_author", "paper_aliases_rowid")
STAGED_ALIASES = "bulk_load_aliases"
SORT_THREADS = 2
BULK_WAL_PAGES = 40 * 1024 * 1024 // PAGE_BYTES  # WAL between checkpoints in a bulk load


class SqliteStore:
    """Papers, their aliases and checkpoints in one SQLite file."""

    def __init__(self, path: Path, notice: Callable[[str], None] | None = None) -> None:
        """Open (creating and migrating if needed) the store at `path`; `notice` is told of
        slow repairs done on opening (an interrupted bulk load's keyword index)."""
        self.path = path
        self._notice = notice
        # Keyword-index changes of the open transaction; written with it, or, during a bulk
        # load, sent to the side index once it commits.
        self._index_ops: list[IndexOp] = []
        self._side_index: SideIndex | None = None
        # Whether a running bulk load has dropped DEFERRED_INDEXES and stages aliases, and the
        # data_version that tells whether another connection has written since.
        self._indexes_deferred = False
        self._data_version = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._connect()
            self._migrate()
            self._finish_interrupted_bulk_load()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{path}: cannot open the store: {err}") from None
        except OSError as err:
            raise StoreError(f"{path}: cannot create the store: {err.strerror}") from None

    def _connect(self) -> None:
        # check_same_thread=False: ingest hands the connection to one writer thread at a time.
        self.db = sqlite3.connect(
            self.path, isolation_level=None, timeout=30.0, check_same_thread=False
        )
        self.db.row_factory = sqlite3.Row
        self._configure()

    def _configure(self) -> None:
        # Takes effect only in a new, empty file (before WAL mode fixes the size). A paper row
        # is ~1.6 KB: 8 KiB pages waste less of each page than 4 KiB ones (store 11% smaller)
        # and a bulk load's writer spends ~15% less CPU per paper. SQLite reads and writes a
        # page a system call, so 16 KiB halves them again: a bulk load of 200k papers made 141k
        # page reads and writes instead of 286k, and its store is 5% smaller.
        self.db.execute(f"PRAGMA page_size = {PAGE_BYTES}")
        self.db.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode is durable at every checkpoint and never corrupts on a crash; a
        # kill -9 can only lose the last transactions, which an idempotent re-run restores.
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA cache_size = -65536")  # 64 MiB
        self.db.execute("PRAGMA temp_store = MEMORY")

    def _migrate(self) -> None:
        current = self.db.execute("PRAGMA user_version").fetchone()[0]
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer papersift (schema {current} > {SCHEMA_VERSION})"
            )
        for number in range(current, SCHEMA_VERSION):
            if number == KEYWORD_INDEX_REBUILT_BY and current and self._notice:
                papers = self.db.execute("SELECT count(*) FROM papers").fetchone()[0]
                self._notice(
                    "rebuilding the keyword index with word stemming (once) for "
                    f"{papers:,} paper{'' if papers == 1 else 's'} "
                    f"(~{papers * REBUILD_SECONDS_PER_PAPER:.0f} s)"
                )
            with self.transaction():
                for statement in _statements(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    def close(self) -> None:
        self.db.close()

    def library(self, user_id: int = LOCAL_USER) -> Library:
        return Library(self.db, user_id)

    def archive(self, user_id: int = LOCAL_USER) -> Archive:
        return Archive(self.db, user_id)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing unit: committed on success, rolled back on any error."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self._index_ops.clear()
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        self._index_committed()

    def _index_committed(self) -> None:
        if self._index_ops and self._side_index is not None:
            self._side_index.send(self._index_ops)
        self._index_ops = []

    # -- bulk loads -----------------------------------------------------------------------

    @contextmanager
    def bulk_load(self) -> Iterator[bool]:
        """Faster big loads into an empty store: its keyword index is built on the side, and
        the title/author index and the aliases are built at the end (see DEFERRED_INDEXES);
        till then other connections find the load's papers by id only.

        Yields whether the load runs this way (only when the store holds no paper yet and
        this platform has file locks). Papers are committed batch by batch as always, and the
        indexes are complete when the block ends, even when it ends in an error. Until then a
        marker checkpoint says they are not, so a store whose load was killed completes them
        when next opened; a lock held by the loading process tells a live load from a dead one.
        """
        lock = _try_lock(self._bulk_lock_path()) if self.count() == 0 else None
        if lock is None:
            yield False
            return
        try:
            self._begin_deferred_indexing()
            # Copying WAL pages into the file less often (and syncing it 5x less) takes ~4 us
            # a paper off the writer.
            self.db.execute(f"PRAGMA wal_autocheckpoint = {BULK_WAL_PAGES}")
            side = self._side_index = SideIndex(
                self._side_index_path(), self._fts_sql(), PAGE_BYTES
            )
            try:
                yield True
            except Exception:
                self._side_index = None
                side.abandon()
                self._complete_bulk_indexes()
                raise
            except BaseException:  # Ctrl-C: stop now; the next open completes the indexes
                self._side_index = None
                side.abandon()
                raise
            self._side_index = None
            self._end_deferred_indexing()
            try:
                side.finish()
                if self._other_writers() != self._data_version:
                    # Another connection wrote papers, and their index entries, meanwhile:
                    # the side index lacks them, and copying it in would drop them.
                    raise StoreError("the store changed during the load")
                self._copy_side_index()
            except StoreError:
                self._complete_bulk_indexes()  # slower, but the same index
        finally:
            self._indexes_deferred = False
            self.db.execute(f"PRAGMA wal_autocheckpoint = {WAL_PAGES}")
            remove_side_files(self._side_index_path())
            _unlock(lock)

    def _begin_deferred_indexing(self) -> None:
        """Drop DEFERRED_INDEXES, stage aliases, and set the marker, which records the
        definitions of the indexes dropped."""
        found = self.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN "
            f"({', '.join('?' * len(DEFERRED_INDEXES))})",
            DEFERRED_INDEXES,
        ).fetchall()
        definitions = {str(name): str(sql) for name, sql in found}
        with self.transaction():
            self.set_checkpoint(BULK_LOAD_MARKER, orjson.dumps(definitions).decode())
            for name in definitions:
                self.db.execute(f"DROP INDEX {name}")
            self.db.execute(
                f"CREATE TABLE {STAGED_ALIASES} (alias TEXT NOT NULL, paper_rowid INTEGER NOT NULL)"
            )
        self._indexes_deferred = True
        self._data_version = self._other_writers()

    def _other_writers(self) -> int:
        """A number that changes whenever another connection commits (PRAGMA data_version)."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def _only_ids_can_match(self, rows: Sequence[tuple[Any, ...]]) -> bool:
        """Whether these rows can be the same paper as a stored one only by sharing its id.

        So while every stored paper is an arXiv paper this load wrote (no other connection
        wrote meanwhile) and so are all the rows: two arXiv ids are never merged (so a shared
        DOI joins nothing), and title matching only joins a paper lacking an arXiv id.
        """
        return all(row[_ID] == row[_ARXIV_ID] for row in rows) and (
            self._other_writers() == self._data_version
        )

    def _end_deferred_indexing(self) -> None:
        """Create the indexes the marker says were dropped (from the table, ~1 us a paper)
        unless they exist, and move staged aliases in; the marker stays."""
        # Every staged pair names a paper this load stored: checking its foreign key would
        # only cost a random read of the papers table per alias (~5 us). The setting cannot
        # change inside a transaction, so an end in mid-batch keeps the checks.
        unchecked = not self.db.in_transaction
        if unchecked:
            self.db.execute("PRAGMA foreign_keys = OFF")
        # The sorts of these statements may use a helper thread: at the end of a load the
        # parse worker is done, so a core is free (~15% off building the title/author index).
        self.db.execute(f"PRAGMA threads = {SORT_THREADS}")
        try:
            self._move_staged_aliases_and_index()
        finally:
            self.db.execute("PRAGMA threads = 0")
            if unchecked:
                self.db.execute("PRAGMA foreign_keys = ON")
        self._indexes_deferred = False

    def _move_staged_aliases_and_index(self) -> None:
        with self.transaction():
            existing = {str(r[0]) for r in self.db.execute("SELECT name FROM sqlite_master")}
            if STAGED_ALIASES in existing:
                # In key order the table fills page after page (its index by paper is built
                # after); on equal aliases the first staged wins, as with one INSERT OR IGNORE
                # after another.
                self.db.execute(
                    "INSERT OR IGNORE INTO paper_aliases(alias, paper_rowid) SELECT alias, "
                    f"paper_rowid FROM {STAGED_ALIASES} ORDER BY alias, rowid"
                )
                self.db.execute(f"DROP TABLE {STAGED_ALIASES}")
            for name, sql in _deferred_in(self.get_checkpoint(BULK_LOAD_MARKER)).items():
                if name not in existing:
                    self.db.execute(sql)

    def _complete_bulk_indexes(self) -> None:
        """Every index of an unfinished bulk load made complete, and its marker cleared."""
        self._end_deferred_indexing()
        self._rebuild_keyword_index()

    def _bulk_lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".bulk-lock")

    def _side_index_path(self) -> Path:
        return self.path.with_name(self.path.name + ".keyword-index")

    def _fts_sql(self) -> str:
        row = self.db.execute("SELECT sql FROM sqlite_master WHERE name = 'papers_fts'").fetchone()
        return str(row[0])

    def _copy_side_index(self) -> None:
        """Replace the store's (empty) keyword index by the side one, clearing the marker.

        The store's connection is closed meanwhile and a new one does the copy: FTS5 caches
        an index's structure per connection and notices other connections' commits, not
        shadow-table writes of its own. Alone, that connection can also leave WAL mode for
        the copy, which then writes the index once instead of twice (into the WAL, then into
        the file): 1.3 GB for all of arXiv, ~13 s -> ~6 s on this machine's disk.
        """
        self.db.close()
        copier = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        left_wal = False
        try:
            left_wal = _leave_wal(copier)
            copier.execute("ATTACH DATABASE ? AS side", (str(self._side_index_path()),))
            copier.execute("BEGIN IMMEDIATE")
            for table in _FTS_SHADOW_TABLES:
                copier.execute(f"DELETE FROM main.{table}")
                copier.execute(f"INSERT INTO main.{table} SELECT * FROM side.{table}")
            copier.execute("DELETE FROM checkpoints WHERE name = ?", (BULK_LOAD_MARKER,))
            copier.execute("COMMIT")
            copier.execute("DETACH DATABASE side")
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot copy the keyword index in: {err}") from None
        finally:
            if left_wal:
                copier.execute("PRAGMA journal_mode = WAL")
            copier.close()
            self._connect()

    def _finish_interrupted_bulk_load(self) -> None:
        """Rebuild the keyword index of a bulk load that died before completing it."""
        if self.get_checkpoint(BULK_LOAD_MARKER) is None:
            return
        lock = _try_lock(self._bulk_lock_path())
        if lock is None:
            return  # the load is still running in another process
        try:
            if self._notice:
                self._notice(
                    f"{self.path}: a bulk load was interrupted; rebuilding the indexes of "
                    f"{self.count():,} papers (~{self.count() * REBUILD_SECONDS_PER_PAPER:.0f} s)"
                )
            self._complete_bulk_indexes()
            remove_side_files(self._side_index_path())
        finally:
            _unlock(lock)

    def _rebuild_keyword_index(self) -> None:
        """The keyword index made anew from the papers table (~26 us a paper), marker cleared."""
        try:
            with self.transaction():
                self.db.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
                self.db.execute("DELETE FROM checkpoints WHERE name = ?", (BULK_LOAD_MARKER,))
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot rebuild the keyword index: {err}") from None

    # -- papers ---------------------------------------------------------------------------

    def upsert(self, papers: Iterable[Paper] | PreparedBatch) -> UpsertCounts:
        """Store new papers and merge ones already stored; re-storing the same data is a no-op.

        A `PreparedBatch` (see `prepare_batch`) skips the pure work already done elsewhere.
        """
        prepared = papers if isinstance(papers, PreparedBatch) else prepare_batch(papers)
        counts = UpsertCounts()
        if not prepared.rows:
            return counts
        with self.transaction():
            matches = self._find_existing(prepared.rows)
            new_rows = self._merge_stored(prepared, matches, counts) if matches else prepared.rows
            self._insert(new_rows)
            counts.added += len(new_rows)
            if self._side_index is None:
                apply_ops(self.db, self._index_ops)
                self._index_ops.clear()
        return counts

    def _merge_stored(
        self, prepared: PreparedBatch, matches: dict[str, int], counts: UpsertCounts
    ) -> list[tuple[Any, ...]]:
        """Merge the batch's papers already stored into their rows; the rest, to insert."""
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
            combined = merge(old, paper)
            if combined == old:
                counts.unchanged += 1
                continue
            self._update(rowid, old, combined, also_known_as=paper.id)
            existing[rowid] = combined
            counts.merged += 1
        return new_rows

    def _find_existing(self, rows: Sequence[tuple[Any, ...]]) -> dict[str, int]:
        """Map each prepared row's paper id to the rowid of the stored paper it is, if any."""
        if self._indexes_deferred:
            if self._only_ids_can_match(rows):
                return dict(self._stored("papers", "id", "rowid", [row[_ID] for row in rows]))
            self._end_deferred_indexing()  # the look-ups below need the indexes: build them
        wanted = {alias: row[_ID] for row in rows for alias in (row[_ID], *row[-1])}
        found: dict[str, int] = {}
        # Ids first: a paper's own id outranks an alias another paper took.
        for table, key, rowid_column in (("papers", "id", "rowid"), _ALIASES):
            for alias, rowid in self._stored(table, key, rowid_column, list(wanted)):
                found.setdefault(wanted[alias], rowid)
        by_title = {
            row[_TITLE_AUTHOR]: row
            for row in rows
            if row[_ID] not in found and row[_TITLE_AUTHOR] is not None
        }
        if by_title:
            for key, rowid, arxiv_id in self.db.execute(
                "SELECT title_author, rowid, arxiv_id FROM papers "
                "WHERE title_author IN (SELECT value FROM json_each(?))",
                (orjson.dumps(list(by_title)).decode(),),
            ):
                row = by_title[key]
                # Title matching only joins a record lacking an arXiv id to another paper.
                if row[_ID] not in found and (arxiv_id is None or row[_ARXIV_ID] is None):
                    found[row[_ID]] = rowid
        return found

    def _stored(
        self, table: str, key: str, rowid_column: str, keys: list[str]
    ) -> list[tuple[str, int]]:
        """(key, paper rowid) of the stored rows of `table` whose `key` is one of `keys`."""
        return self.db.execute(
            f"SELECT {key}, {rowid_column} FROM {table} "
            f"WHERE {key} IN (SELECT value FROM json_each(?))",
            (orjson.dumps(keys).decode(),),
        ).fetchall()

    def _load_rows(self, rowids: set[int]) -> dict[int, Paper]:
        if not rowids:
            return {}
        rows = self.db.execute(
            f"{_SELECT} WHERE rowid IN (SELECT value FROM json_each(?))",
            (orjson.dumps(sorted(rowids)).decode(),),
        )
        return {row[0]: row_to_paper(tuple(row)[1:]) for row in rows}

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert prepared rows (paper_to_row + aliases) of papers not yet stored."""
        if not rows:
            return
        # Rowids are assigned here so the whole batch goes in with executemany; safe because
        # the batch runs inside one write transaction (BEGIN IMMEDIATE holds the write lock).
        first = int(self.db.execute("SELECT coalesce(max(rowid), 0) + 1 FROM papers").fetchone()[0])
        rowids = range(first, first + len(rows))
        self.db.executemany(_INSERT, [(rowid, *row[:-1]) for rowid, row in zip(rowids, rows)])
        self._index_ops.append(index_op(INSERT, list(rowids), rows))
        self._add_aliases([(alias, rowid) for rowid, row in zip(rowids, rows) for alias in row[-1]])

    def _update(self, rowid: int, old: Paper, new: Paper, also_known_as: str) -> None:
        old_row = paper_to_row(old)
        row = paper_to_row(new)
        self.db.execute(_UPDATE, (*row, rowid))
        self._index_ops.append(index_op(DELETE, [rowid], [old_row]))
        self._index_ops.append(index_op(INSERT, [rowid], [row]))
        self._add_aliases(
            [(a, rowid) for a in {*aliases(new), old.id, also_known_as} if a != new.id]
        )

    def _add_aliases(self, pairs: list[tuple[str, int]]) -> None:
        """Record (alias, rowid) pairs; an alias already taken keeps its paper."""
        if self._indexes_deferred:  # staged in order; _end_deferred_indexing keeps the first
            sql = f"INSERT INTO {STAGED_ALIASES}(alias, paper_rowid) VALUES (?, ?)"
        else:
            sql = "INSERT OR IGNORE INTO paper_aliases(alias, paper_rowid) VALUES (?, ?)"
        self.db.executemany(sql, pairs)

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
            row = self.db.execute(
                "SELECT rowid FROM papers WHERE id = ? "
                "UNION ALL SELECT paper_rowid FROM paper_aliases WHERE alias = ?",
                (alias, alias),
            ).fetchone()
            if row:
                return int(row[0])
        return None

    def papers_by_rowid(self, rowids: Sequence[int]) -> dict[int, Paper]:
        return self._load_rows(set(rowids))

    def iter_papers(self, batch_size: int = 1000) -> Iterator[tuple[int, Paper]]:
        last = 0
        while True:
            rows = self.db.execute(
                f"{_SELECT} WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, batch_size)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield row[0], row_to_paper(tuple(row)[1:])
            last = rows[-1][0]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM papers").fetchone()[0])

    def stats(self) -> dict[str, dict[str, int]]:
        """Papers per source, per category (any listed) and per month of first publication."""
        return {
            "sources": self._counts(
                "SELECT j.value, count(*) FROM papers, json_each(papers.sources) j "
                "GROUP BY j.value ORDER BY count(*) DESC"
            ),
            "categories": self._counts(
                "SELECT j.value, count(*) FROM papers, json_each(papers.categories) j "
                "GROUP BY j.value ORDER BY count(*) DESC"
            ),
            "months": self._counts(
                "SELECT coalesce(substr(published, 1, 7), 'unknown'), count(*) FROM papers "
                "GROUP BY 1 ORDER BY 1"
            ),
        }

    def _counts(self, sql: str) -> dict[str, int]:
        return {str(key): int(n) for key, n in self.db.execute(sql)}

    # -- search -----------------------------------------------------------------------------

    def keyword_search(
        self, fts_query: str, k: int, where: PaperFilter | None = None
    ) -> list[tuple[int, float]]:
        """(rowid, BM25 score) best first; higher is better. Title matches weigh 3x."""
        clause, params = _filter_sql(where)
        try:
            rows = self.db.execute(
                "SELECT papers_fts.rowid, -bm25(papers_fts, 3.0, 1.0, 1.0) AS score "
                "FROM papers_fts JOIN papers ON papers.rowid = papers_fts.rowid "
                f"WHERE papers_fts MATCH ? {clause} ORDER BY score DESC LIMIT ?",
                (fts_query, *params, k),
            ).fetchall()
        except sqlite3.OperationalError as err:  # a query FTS5 cannot parse finds nothing
            if "fts5" in str(err) or "syntax" in str(err):
                return []
            raise
        return [(int(r[0]), float(r[1])) for r in rows]

    def filtered_rowids(self, where: PaperFilter) -> list[int]:
        clause, params = _filter_sql(where)
        sql = f"SELECT rowid FROM papers WHERE 1 {clause} ORDER BY rowid"
        return [int(r[0]) for r in self.db.execute(sql, params)]

    def latest_date(self) -> dt.date | None:
        """The newest publication or update date of any stored paper."""
        row = self.db.execute("SELECT max(coalesce(updated, published)) FROM papers").fetchone()
        return dt.date.fromisoformat(row[0]) if row and row[0] else None

    # -- embeddings -------------------------------------------------------------------------

    def embedding_inputs(
        self, model_id: str, rowids: Sequence[int] | None = None
    ) -> Iterator[tuple[int, str, str | None, str | None]]:
        """(rowid, title, abstract, stored text hash or None) per paper (all, or `rowids`)."""
        only = "" if rowids is None else "WHERE p.rowid IN (SELECT value FROM json_each(?)) "
        params: tuple[Any, ...] = (model_id,)
        if rowids is not None:
            params += (orjson.dumps([int(r) for r in rowids]).decode(),)
        cursor = self.db.execute(
            "SELECT p.rowid, p.title, p.abstract, e.text_hash FROM papers p "
            "LEFT JOIN embeddings e ON e.model_id = ? AND e.paper_rowid = p.rowid "
            f"{only}ORDER BY p.rowid",
            params,
        )
        for row in cursor:
            yield int(row[0]), row[1], row[2], row[3]

    def save_embeddings(
        self, model_id: str, rowids: Sequence[int], hashes: Sequence[str], vectors: Any
    ) -> None:
        """Store (or replace) vectors, kept as float16 to halve their size."""
        import numpy as np

        half = np.asarray(vectors, dtype=np.float16)
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO embeddings(model_id, paper_rowid, text_hash, vector) "
                "VALUES (?, ?, ?, ?)",
                [
                    (model_id, int(r), h, half[i].tobytes())
                    for i, (r, h) in enumerate(zip(rowids, hashes, strict=True))
                ],
            )

    def load_embeddings(self, model_id: str, rowids: Sequence[int] | None = None) -> Any:
        """(rowids int64 array, float32 matrix) of the stored vectors of one model."""
        import numpy as np

        if rowids is None:
            cursor = self.db.execute(
                "SELECT paper_rowid, vector FROM embeddings WHERE model_id = ? "
                "ORDER BY paper_rowid",
                (model_id,),
            )
        else:
            cursor = self.db.execute(
                "SELECT paper_rowid, vector FROM embeddings WHERE model_id = ? AND paper_rowid "
                "IN (SELECT value FROM json_each(?)) ORDER BY paper_rowid",
                (model_id, orjson.dumps([int(r) for r in rowids]).decode()),
            )
        keys: list[int] = []
        blobs: list[bytes] = []
        for rowid, blob in cursor:
            keys.append(rowid)
            blobs.append(blob)
        if not keys:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        matrix = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(keys), -1)
        return np.asarray(keys, dtype=np.int64), matrix.astype(np.float32)

    def iter_embeddings(self, model_id: str, chunk: int = 50_000) -> Iterator[tuple[Any, Any]]:
        """(rowids, float32 matrix) of a model's vectors, `chunk` at a time, in rowid order.

        Rebuilding the index of all arXiv this way holds one chunk, not 2.7M vectors (~4 GB).
        """
        import numpy as np

        last = -1
        while True:
            rows = self.db.execute(
                "SELECT paper_rowid, vector FROM embeddings WHERE model_id = ? "
                "AND paper_rowid > ? ORDER BY paper_rowid LIMIT ?",
                (model_id, last, chunk),
            ).fetchall()
            if not rows:
                return
            keys = np.asarray([r[0] for r in rows], dtype=np.int64)
            matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16)
            yield keys, matrix.reshape(len(rows), -1).astype(np.float32)
            last = int(keys[-1])

    def embedding_rowids(self, model_id: str) -> Any:
        """Sorted int64 array of the rowids that have a vector for this model."""
        import numpy as np

        rows = self.db.execute(
            "SELECT paper_rowid FROM embeddings WHERE model_id = ? ORDER BY paper_rowid",
            (model_id,),
        ).fetchall()
        return np.asarray([r[0] for r in rows], dtype=np.int64)

    def embedding_count(self, model_id: str) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM embeddings WHERE model_id = ?", (model_id,)
        ).fetchone()
        return int(row[0])

    # -- checkpoints ----------------------------------------------------------------------

    def get_checkpoint(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM checkpoints WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_checkpoint(self, name: str, value: str | None) -> None:
        """Record (or with None, clear) a checkpoint; call inside the batch's transaction."""
        with self.transaction():
            if value is None:
                self.db.execute("DELETE FROM checkpoints WHERE name = ?", (name,))
            else:
                self.db.execute(
                    "INSERT INTO checkpoints(name, value, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET value = excluded.value, "
                    "updated_at = excluded.updated_at",
                    (name, value, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
                )


@dataclass(frozen=True)
class PreparedBatch:
    """A batch after the pure work of storing it: merged within itself, rows built.

    `rows[i]` is paper_to_row(paper) plus, last, the paper's other aliases. Rows are plain
    tuples so a batch prepared in a worker process crosses to the writer cheaply; the `Paper`
    is rebuilt from its row only when it must be merged with a stored one.
    """

    rows: list[tuple[Any, ...]]
    papers: list[Paper] | None = None

    def paper(self, index: int) -> Paper:
        if self.papers is not None:
            return self.papers[index]
        return row_to_paper(self.rows[index][:-1])


def prepare_batch(
    papers: Iterable[Paper], keep_papers: bool = True, now: dt.datetime | None = None
) -> PreparedBatch:
    """Collapse duplicates and build rows; pure, so ingest can run it in a worker process.

    `now` is the first-seen time of papers new to the store (default: this second, UTC).
    """
    batch = collapse(papers)
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    rows = [(*paper_to_row(p, now), aliases(p)[1:]) for p in batch]
    return PreparedBatch(rows, batch if keep_papers else None)


_ALIASES = ("paper_aliases", "alias", "paper_rowid")
# The tables FTS5 keeps an index in (its config table, holding settings, stays as it is).
_FTS_SHADOW_TABLES = ("papers_fts_data", "papers_fts_idx", "papers_fts_docsize")


def _leave_wal(db: sqlite3.Connection) -> bool:
    """Switch a store to a rollback journal for one big write; False if another connection
    has it open (then it stays in WAL mode). In that mode a page the write adds to the end of
    the file needs no journal, and FULL syncs it before the commit counts."""
    try:
        mode = db.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError:  # locked by another connection
        return False
    if mode != "delete":
        return False
    db.execute("PRAGMA synchronous = FULL")
    return True


def _deferred_in(marker: str | None) -> dict[str, str]:
    """The indexes (name -> definition) a bulk load's marker says it dropped; a marker
    written by an earlier papersift ("building") records none."""
    try:
        found = orjson.loads(marker) if marker else {}
    except orjson.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


def _try_lock(path: Path) -> Any:
    """An open file holding an exclusive lock on `path`, or None if another process holds it.

    The lock goes with the process: a killed load leaves the file, never the lock.
    """
    try:
        import fcntl
    except ImportError:  # no POSIX locks (Windows): no bulk loads either
        return None
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def _unlock(handle: Any) -> None:
    """Release a `_try_lock` lock, removing its file first (while still held, so no process
    can take a lock on a file about to vanish and think it has the only one)."""
    Path(handle.name).unlink(missing_ok=True)
    handle.close()


def _filter_sql(where: PaperFilter | None) -> tuple[str, list[Any]]:
    """SQL conditions (each starting with AND) on the papers table for a filter."""
    if where is None:
        return "", []
    clauses: list[str] = []
    params: list[Any] = []
    if where.since is not None:
        clauses.append("AND coalesce(papers.updated, papers.published) >= ?")
        params.append(where.since.isoformat())
    if where.until is not None:
        clauses.append("AND papers.published <= ?")
        params.append(where.until.isoformat())
    if where.category:
        clauses.append(
            "AND EXISTS (SELECT 1 FROM json_each(papers.categories) c WHERE c.value = ?)"
        )
        params.append(where.category)
    if where.author:
        clauses.append("AND papers.authors_text LIKE ? ESCAPE '\\'")
        escaped = where.author.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    return " ".join(clauses), params


def _statements(script: str) -> list[str]:
    """Split a migration into complete statements (sqlite3 decides where one ends)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements
