"""The SQLite store: WAL, FTS5, numbered migrations, one transaction per ingest batch.

This module holds the connection, the papers' SQL, search and checkpoints; what an upsert
merges is decided by merging.py (shared with PostgreSQL); the bulk-load machinery
(bulk.py), the embeddings (embeddings.py), and the per-reader library (library.py), archive
(archive.py) and accounts (users.py) share its connection. A statement that cannot get the
write lock in time raises `StoreBusy`, never sqlite3's OperationalError.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, cast

import orjson

from papersift.errors import StoreBusy, StoreError
from papersift.records import Paper, PaperFilter
from papersift.store.archive import SqliteArchive
from papersift.store.base import LOCAL_USER
from papersift.store.bulk import (
    PAGE_BYTES,
    REBUILD_SECONDS_PER_PAPER,
    STAGED_ALIASES,
    BulkLoading,
)
from papersift.store.embeddings import EmbeddingTables
from papersift.store.follows import SqliteFollows
from papersift.store.library import SqliteLibrary
from papersift.store.merging import Merging
from papersift.store.private import SqlitePrivatePapers, hidden_sql
from papersift.store.profile_controls import SqliteProfileControls
from papersift.store.rows import (
    PAPER_COLUMNS,
    paper_to_row,
    row_to_paper,
)
from papersift.store.schema import MIGRATIONS, SCHEMA_VERSION
from papersift.store.seen import SqliteSeen
from papersift.store.side_index import DELETE, INSERT, IndexOp, apply_ops, index_op
from papersift.store.updates import SqliteSnapshots
from papersift.store.users import SqliteUsers

# The sqlite3 module binds None only after looking for an adapter, and for a type without one
# that look-up raises and clears an AttributeError, on every NULL; paper rows have up to three
# (title_raw, abstract_raw, doi), so a bulk load's writer pays it on most papers
# (docs/benchmarks.md#binding-nulls). Registered, None is found at once and still binds as
# NULL ({}.get(None) is None, and a call into C).
sqlite3.register_adapter(type(None), cast(Callable[[None], None], {}.get))

_COLS = ", ".join(PAPER_COLUMNS)
_ID = PAPER_COLUMNS.index("id")
_SELECT = f"SELECT rowid, {_COLS} FROM papers"
_INSERT = f"INSERT INTO papers (rowid, {_COLS}) VALUES (?, {', '.join('?' * len(PAPER_COLUMNS))})"
_UPDATE = f"UPDATE papers SET {', '.join(f'{c} = ?' for c in PAPER_COLUMNS)} WHERE rowid = ?"
_ALIASES = ("paper_aliases", "alias", "paper_rowid")
# The migration (0-based) that rebuilds the keyword index of an existing store: worth a notice.
KEYWORD_INDEX_REBUILT_BY = 4
# How long a write waits for the lock another connection holds before StoreBusy.
LOCK_WAIT_SECONDS = 30.0
BUSY = (
    "the store is busy (another papersift process, e.g. `papersift daily`, is writing to it); "
    "try again in a moment"
)


def is_lock_error(err: sqlite3.OperationalError) -> bool:
    return "locked" in str(err) or "busy" in str(err)


class _Connection(sqlite3.Connection):
    """A connection whose statements raise StoreBusy when the lock does not come in time,
    so that no caller outside the store needs to know sqlite3's errors."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as err:
            if is_lock_error(err):
                raise StoreBusy(BUSY) from None
            raise

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.OperationalError as err:
            if is_lock_error(err):
                raise StoreBusy(BUSY) from None
            raise


def connect(path: Path, lock_wait: float = LOCK_WAIT_SECONDS) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) raising StoreBusy."""
    # check_same_thread=False: ingest hands the connection to one writer thread at a time.
    return sqlite3.connect(
        path,
        isolation_level=None,
        timeout=lock_wait,
        check_same_thread=False,
        factory=_Connection,
    )


class SqliteStore(Merging, BulkLoading, EmbeddingTables):
    """Papers, their aliases and checkpoints in one SQLite file."""

    def __init__(
        self,
        path: Path,
        notice: Callable[[str], None] | None = None,
        *,
        lock_wait: float = LOCK_WAIT_SECONDS,
    ) -> None:
        """Open (creating and migrating if needed) the store at `path`; `notice` is told of
        slow repairs done on opening (an interrupted bulk load's keyword index); a write
        waits `lock_wait` seconds for another connection's lock before StoreBusy."""
        self.path = path
        self._notice = notice
        self._lock_wait = lock_wait
        # Keyword-index changes of the open transaction; written with it, or, during a bulk
        # load, sent to the side index once it commits.
        self._index_ops: list[IndexOp] = []
        self._side_index = None
        # Whether a running bulk load has dropped DEFERRED_INDEXES and stages aliases, and the
        # data_version that tells whether another connection has written since.
        self._indexes_deferred = False
        self._data_version = 0
        # Whose reads these are (`set_viewer`): None reads every paper, a reader's id leaves
        # out the papers private to other readers.
        self._viewer: int | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(path)
            self._connect()
            self._migrate()
            self._finish_interrupted_bulk_load()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{path}: cannot open the store: {err}") from None
        except OSError as err:
            raise StoreError(f"{path}: cannot create the store: {err.strerror}") from None

    def _connect(self) -> None:
        self.db = connect(self.path, self._lock_wait)
        self.db.row_factory = sqlite3.Row
        self._configure()

    def _configure(self) -> None:
        # Takes effect only in a new, empty file (before WAL mode fixes the size). Paper rows
        # are large, and big pages waste less of each page on them (a smaller store) and cost
        # a bulk load's writer less CPU per paper. SQLite reads and writes a page a system
        # call, so 16 KiB pages halve those calls against 8 KiB ones
        # (docs/benchmarks.md#how-a-bulk-load-runs-since-2026-12-03).
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
        if current == SCHEMA_VERSION:
            return
        # SQLite's way to rebuild a table others reference (https://sqlite.org/lang_altertable.html
        # "Making Other Kinds Of Table Schema Changes"): foreign keys off, so dropping the old
        # table cascades nothing, and checked before the new version is committed.
        self.db.execute("PRAGMA foreign_keys = OFF")
        try:
            self._run_migrations(current)
        finally:
            self.db.execute("PRAGMA foreign_keys = ON")

    def _run_migrations(self, current: int) -> None:
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
                broken = self.db.execute("PRAGMA foreign_key_check").fetchone()
                if broken is not None:
                    raise StoreError(
                        f"{self.path}: migration {number + 1} left a dangling reference in "
                        f"{broken[0]}; nothing was changed"
                    )
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    def close(self) -> None:
        """Close the connection (again: no-op); a transaction left open is rolled back (SQLite
        does so on closing), never committed."""
        self.db.close()

    def library(self, user_id: int = LOCAL_USER) -> SqliteLibrary:
        return SqliteLibrary(self.db, user_id)

    def archive(self, user_id: int = LOCAL_USER) -> SqliteArchive:
        return SqliteArchive(self.db, user_id)

    def seen(self, user_id: int = LOCAL_USER) -> SqliteSeen:
        return SqliteSeen(self.db, user_id)

    def users(self) -> SqliteUsers:
        return SqliteUsers(self.db)

    def snapshots(self, user_id: int = LOCAL_USER) -> SqliteSnapshots:
        return SqliteSnapshots(self.db, user_id)

    def follows(self, user_id: int = LOCAL_USER) -> SqliteFollows:
        return SqliteFollows(self.db, user_id)

    def profile(self, user_id: int = LOCAL_USER) -> SqliteProfileControls:
        return SqliteProfileControls(self.db, user_id)

    def private_papers(self) -> SqlitePrivatePapers:
        return SqlitePrivatePapers(self.db)

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def viewer(self) -> int | None:
        return self._viewer

    def set_viewer(self, user_id: int | None) -> None:
        """Read as this reader from now on: papers private to others are left out of every
        look-up, search, filter and window; None (the default) reads all papers."""
        self._viewer = user_id

    def visible_rowids(self, rowids: Sequence[int]) -> list[int]:
        """`rowids` without the papers the viewer may not see, in their order."""
        hidden = self.private_papers().hidden(rowids, self._viewer)
        return [r for r in rowids if r not in hidden] if hidden else list(rowids)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One all-or-nothing unit: committed on success, rolled back on any error.

        Inside another transaction it joins that one. StoreBusy if another connection holds
        the write lock for longer than the store's lock wait.
        """
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
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

    # -- papers: the primitives of `Merging` -------------------------------------------------

    def _begin_upsert(self) -> None:
        """Nothing to take: BEGIN IMMEDIATE already holds the write lock."""

    def _end_upsert(self) -> None:
        if self._side_index is None:
            apply_ops(self.db, self._index_ops)
            self._index_ops.clear()

    def _find_existing(self, rows: Sequence[tuple[Any, ...]]) -> dict[str, int]:
        """Map each prepared row's paper id to the rowid of the stored paper it is, if any."""
        if self._indexes_deferred:
            if self._only_ids_can_match(rows):
                return self._ids_stored([row[_ID] for row in rows])
            self._end_deferred_indexing()  # the look-ups below need the indexes: build them
        return super()._find_existing(rows)

    def _ids_stored(self, ids: list[str]) -> dict[str, int]:
        return dict(self._stored("papers", "id", "rowid", ids))

    def _aliases_stored(self, keys: list[str]) -> dict[str, int]:
        return dict(self._stored(*_ALIASES, keys))

    def _title_author_stored(self, keys: list[int]) -> list[tuple[int, int, str | None]]:
        return [
            (key, rowid, arxiv_id)
            for key, rowid, arxiv_id in self.db.execute(
                "SELECT title_author, rowid, arxiv_id FROM papers "
                "WHERE title_author IN (SELECT value FROM json_each(?))",
                (orjson.dumps(keys).decode(),),
            )
        ]

    def _stored(
        self, table: str, key: str, rowid_column: str, keys: list[str]
    ) -> list[tuple[str, int]]:
        """(key, paper rowid) of the stored rows of `table` whose `key` is one of `keys`."""
        return self.db.execute(
            f"SELECT {key}, {rowid_column} FROM {table} "
            f"WHERE {key} IN (SELECT value FROM json_each(?))",
            (orjson.dumps(keys).decode(),),
        ).fetchall()

    def _rowids_known_as(self, ident: str) -> list[int]:
        return [
            int(row[0])
            for row in self.db.execute(
                "SELECT rowid FROM papers WHERE id = ? "
                "UNION ALL SELECT paper_rowid FROM paper_aliases WHERE alias = ?",
                (ident, ident),
            )
        ]

    def _load_rows(self, rowids: set[int]) -> dict[int, Paper]:
        if not rowids:
            return {}
        rows = self.db.execute(
            f"{_SELECT} WHERE rowid IN (SELECT value FROM json_each(?))",
            (orjson.dumps(sorted(rowids)).decode(),),
        )
        return {row[0]: row_to_paper(tuple(row)[1:]) for row in rows}

    def _insert(self, rows: list[tuple[Any, ...]]) -> list[int]:
        """Insert prepared rows (paper_to_row + aliases) of papers not yet stored; their rowids."""
        if not rows:
            return []
        # Rowids are assigned here so the whole batch goes in with executemany; safe because
        # the batch runs inside one write transaction (BEGIN IMMEDIATE holds the write lock).
        first = int(self.db.execute("SELECT coalesce(max(rowid), 0) + 1 FROM papers").fetchone()[0])
        rowids = range(first, first + len(rows))
        self.db.executemany(_INSERT, [(rowid, *row[:-1]) for rowid, row in zip(rowids, rows)])
        self._index_ops.append(index_op(INSERT, list(rowids), rows))
        self._add_aliases([(alias, rowid) for rowid, row in zip(rowids, rows) for alias in row[-1]])
        return list(rowids)

    def _write_row(self, rowid: int, old: Paper, new: Paper) -> None:
        old_row = paper_to_row(old)
        row = paper_to_row(new)
        self.db.execute(_UPDATE, (*row, rowid))
        self._index_ops.append(index_op(DELETE, [rowid], [old_row]))
        self._index_ops.append(index_op(INSERT, [rowid], [row]))

    def _drop_aliases(self, rowid: int) -> None:
        self.db.execute("DELETE FROM paper_aliases WHERE paper_rowid = ?", (rowid,))

    def _add_aliases(self, pairs: list[tuple[str, int]]) -> None:
        """Record (alias, rowid) pairs; an alias already taken keeps its paper."""
        if self._indexes_deferred:  # staged in order; _end_deferred_indexing keeps the first
            sql = f"INSERT INTO {STAGED_ALIASES}(alias, paper_rowid) VALUES (?, ?)"
        else:
            sql = "INSERT OR IGNORE INTO paper_aliases(alias, paper_rowid) VALUES (?, ?)"
        self.db.executemany(sql, pairs)

    def _private_owners(self, rowids: list[int]) -> dict[int, int]:
        return self.private_papers().owners(rowids)

    def _mark_private(self, rowids: list[int], user_id: int) -> None:
        self.private_papers().mark(rowids, user_id)

    def _promote_private(self, rowids: list[int]) -> None:
        self.private_papers().promote(rowids)

    def papers_by_rowid(self, rowids: Sequence[int]) -> dict[int, Paper]:
        found = self._load_rows(set(rowids))
        for rowid in self.private_papers().hidden(list(found), self._viewer):
            del found[rowid]
        return found

    def iter_papers(self, batch_size: int = 1000) -> Iterator[tuple[int, Paper]]:
        last = 0
        hidden, params = hidden_sql(self._viewer)
        while True:
            rows = self.db.execute(
                f"{_SELECT} WHERE rowid > ? {hidden} ORDER BY rowid LIMIT ?",
                (last, *params, batch_size),
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

    def papers_fingerprint(self, model_id: str) -> tuple[Any, ...]:
        """Changes when papers are added or embedded. A merge that edits a paper's text in
        place is missed until the next addition; `papersift daily` adds papers, so soon."""
        row = self.db.execute(
            "SELECT (SELECT max(rowid) FROM papers), (SELECT count(*) FROM papers), "
            "(SELECT count(*) FROM embeddings WHERE model_id = ?)",
            (model_id,),
        ).fetchone()
        return tuple(row)

    # -- search -----------------------------------------------------------------------------

    def keyword_search(
        self, fts_query: str, k: int, where: PaperFilter | None = None
    ) -> list[tuple[int, float]]:
        """(rowid, BM25 score) best first; higher is better. Title matches weigh 3x."""
        clause, params = self._visible_filter_sql(where)
        try:
            rows = self.db.execute(
                "SELECT papers_fts.rowid, -bm25(papers_fts, 3.0, 1.0, 1.0) AS score "
                "FROM papers_fts JOIN papers ON papers.rowid = papers_fts.rowid "
                f"WHERE papers_fts MATCH ? {clause} ORDER BY score DESC LIMIT ?",
                (fts_query, *params, k),
            ).fetchall()
        except sqlite3.OperationalError as err:  # a query FTS5 cannot parse finds nothing
            if any(word in str(err) for word in ("fts5", "syntax", "unterminated")):
                return []
            raise
        return [(int(r[0]), float(r[1])) for r in rows]

    def filtered_rowids(self, where: PaperFilter) -> list[int]:
        clause, params = self._visible_filter_sql(where)
        sql = f"SELECT rowid FROM papers WHERE 1 {clause} ORDER BY rowid"
        return [int(r[0]) for r in self.db.execute(sql, params)]

    def trending_rowids(self, where: PaperFilter, limit: int) -> list[int]:
        """Papers of the filter with Hugging Face upvotes, most upvoted first (ties: newest).

        Upvotes live in the `extra` JSON: only Daily Papers items carry them, and a window
        already bounds the rows read, so no column or index of their own is worth a migration.
        """
        clause, params = self._visible_filter_sql(where)
        sql = (
            "SELECT rowid FROM papers "
            "WHERE json_type(papers.extra, '$.upvotes') = 'integer' "
            f"AND json_extract(papers.extra, '$.upvotes') > 0 {clause} "
            "ORDER BY json_extract(papers.extra, '$.upvotes') DESC, "
            "coalesce(papers.updated, papers.published) DESC, rowid DESC LIMIT ?"
        )
        return [int(r[0]) for r in self.db.execute(sql, (*params, limit))]

    def latest_date(self) -> dt.date | None:
        """The newest publication or update date of any stored paper."""
        # Seen by the viewer: a private paper dated 2099 must not empty another reader's window.
        hidden, params = hidden_sql(self._viewer)
        row = self.db.execute(
            f"SELECT max(coalesce(updated, published)) FROM papers WHERE 1 {hidden}", params
        ).fetchone()
        return dt.date.fromisoformat(row[0]) if row and row[0] else None

    def _visible_filter_sql(self, where: PaperFilter | None) -> tuple[str, list[Any]]:
        clause, params = _filter_sql(where)
        hidden, hidden_params = hidden_sql(self._viewer)
        return f"{clause} {hidden}", [*params, *hidden_params]

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


def _create_private(path: Path) -> None:
    """A new store file readable by its owner only (0600): it holds the accounts' password
    hashes. SQLite gives its -wal and -shm files the database file's mode."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _filter_sql(where: PaperFilter | None) -> tuple[str, list[Any]]:
    """SQL conditions (each starting with AND) on the papers table for a filter."""
    if where is None:
        return "", []
    clauses: list[str] = []
    params: list[Any] = []
    # A paper known only by its year (a journal paper from Semantic Scholar, say) is in a
    # window when its whole year is: `--since 2021-01-01` keeps a 2021 paper, "1d" does not.
    year_only = "papers.updated IS NULL AND papers.published IS NULL AND "
    year = "json_extract(papers.extra, '$.year')"
    if where.since is not None:
        clauses.append(
            "AND (coalesce(papers.updated, papers.published) >= ? "
            f"OR ({year_only}{year} || '-01-01' >= ?))"
        )
        params += [where.since.isoformat()] * 2
    if where.until is not None:
        clauses.append(f"AND (papers.published <= ? OR ({year_only}{year} || '-12-31' <= ?))")
        params += [where.until.isoformat()] * 2
    if where.category:
        clauses.append(
            "AND EXISTS (SELECT 1 FROM json_each(papers.categories) c WHERE c.value = ?)"
        )
        params.append(where.category)
    if where.author:
        clauses.append("AND papers.authors_text LIKE ? ESCAPE '\\'")
        escaped = where.author.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    if where.has_code:
        # Sources store only http(s) code links, so this agrees with badges.has_code.
        clauses.append(
            "AND EXISTS (SELECT 1 FROM json_each(papers.links) l "
            "WHERE json_extract(l.value, '$[0]') = 'code')"
        )
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


class SqliteCommitWatch:
    """Tells whether anyone committed to the store since the last look, for almost nothing.

    `PRAGMA data_version` on one long-lived connection changes whenever another connection
    (a request's, `papersift daily`'s, the CLI's) commits; `generation()` counts the changes.
    """

    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()
        self._version: int | None = None
        self._generation = 0

    def generation(self) -> int:
        with self._lock:
            version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
            if version != self._version:
                self._version = version
                self._generation += 1
            return self._generation

    def close(self) -> None:
        self._db.close()
