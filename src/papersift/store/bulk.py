"""Bulk loads into an empty SQLite store: deferred indexes, the side keyword index, repair.

`SqliteStore` takes these methods from `BulkLoading` (a mixin sharing its connection and
state). During a load the title/author index and the aliases' index wait for its end (see
DEFERRED_INDEXES), and the keyword index is built by a process of its own (side_index.py);
a marker checkpoint lets the next open of a store whose load died complete them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from papersift.errors import StoreError
from papersift.store.rows import PAPER_COLUMNS
from papersift.store.side_index import SideIndex, remove_side_files

_ID = PAPER_COLUMNS.index("id")
_ARXIV_ID = PAPER_COLUMNS.index("arxiv_id")
# A bulk load's keyword index is incomplete until this checkpoint is cleared (see bulk_load).
BULK_LOAD_MARKER = "bulk-load-keyword-index"
# For the notice's time estimate: FTS5 'rebuild' takes a little less than this a paper
# (docs/benchmarks.md#how-a-bulk-load-runs-since-2026-12-03).
REBUILD_SECONDS_PER_PAPER = 30e-6
PAGE_BYTES = 16384
WAL_PAGES = 1000  # SQLite's default checkpoint interval
# Indexes a bulk load builds at its end instead of paper by paper. Title/author keys (hashes)
# and DOIs fall at random places in their indexes, so at each commit most of the pages of
# those indexes are rewritten into the WAL, a cost per paper that grows with the store; built
# once at the end they cost a fraction of it (docs/benchmarks.md#deferred-indexes). Aliases wait
# in a plain table meanwhile (paper_aliases has no index to drop: the alias is its key), and
# go in in key order, which scatters their index by paper: it too is built after.
DEFERRED_INDEXES = ("papers_title_author", "paper_aliases_rowid")
STAGED_ALIASES = "bulk_load_aliases"
SORT_THREADS = 2
BULK_WAL_PAGES = 40 * 1024 * 1024 // PAGE_BYTES  # WAL between checkpoints in a bulk load


class BulkLoading:
    """The bulk-load half of `SqliteStore`: these attributes and methods are the store's."""

    path: Path
    db: sqlite3.Connection
    _notice: Callable[[str], None] | None
    # Whether a running bulk load has dropped DEFERRED_INDEXES and stages aliases, and the
    # data_version that tells whether another connection has written since.
    _indexes_deferred: bool
    _data_version: int
    # Where committed batches' keyword-index changes go during a load (None: into the store).
    _side_index: SideIndex | None

    if TYPE_CHECKING:  # provided by SqliteStore

        def transaction(self) -> AbstractContextManager[None]: ...
        def count(self) -> int: ...
        def get_checkpoint(self, name: str) -> str | None: ...
        def set_checkpoint(self, name: str, value: str | None) -> None: ...
        def _connect(self) -> None: ...

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
            # Copying WAL pages into the file, and syncing it, less often takes CPU off the
            # writer (docs/benchmarks.md#how-a-bulk-load-runs-since-2026-12-03).
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
        """Create the indexes the marker says were dropped (from the table, in one sorted
        pass: docs/benchmarks.md#deferred-indexes) unless they exist, and move staged aliases
        in; the marker stays."""
        # Every staged pair names a paper this load stored: checking its foreign key would
        # only cost a random read of the papers table per alias, most of the move's time
        # (docs/benchmarks.md#how-a-bulk-load-runs-since-2026-12-03). The setting cannot
        # change inside a transaction, so an end in mid-batch keeps the checks.
        unchecked = not self.db.in_transaction
        if unchecked:
            self.db.execute("PRAGMA foreign_keys = OFF")
        # The sorts of these statements may use a helper thread: at the end of a load the
        # parse worker is done, so a core is free
        # (docs/benchmarks.md#how-a-bulk-load-runs-since-2026-12-03).
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
        the file), about halving the copy of a large index
        (docs/benchmarks.md#how-a-bulk-load-runs-since-2026-12-03).
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
        """The keyword index made anew from the papers table, marker cleared.

        Slow for a big store (docs/benchmarks.md#how-a-bulk-load-runs-since-2026-12-03), hence
        the notice before a repair.
        """
        try:
            with self.transaction():
                self.db.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
                self.db.execute("DELETE FROM checkpoints WHERE name = ?", (BULK_LOAD_MARKER,))
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot rebuild the keyword index: {err}") from None


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
