"""`papersift store copy SRC DST`: a whole store moved to another, SQLite or PostgreSQL either side.

Every table of the schema is copied row for row with its ids (paper rowids, user, digest,
interest and follow ids), so likes, tags, seen papers, digests and embeddings stay attached
to what they named; the ids' sequences are set after (PostgreSQL's identities, SQLite's
AUTOINCREMENT), so an id once used, say a removed account's, is never handed out again.

Resumable: each table is read from SRC in primary-key order, in batches, and each batch is
written to DST in one transaction together with the key it ended at (a `copy:` checkpoint
in DST). A killed copy run again continues after the last committed batch; a batch written
twice is written the same (an upsert), so a resumed copy ends with exactly the content of an
uninterrupted one. DST must be a new, empty store, or the unfinished copy of the same SRC.

The table-level SQL is here, in the store package; each side's connection is its store's
(`.db`): sqlite3 with `?` parameters, psycopg with `%s`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papersift.errors import StoreError, UsageError
from papersift.store.postgres.connection import is_url, redact
from papersift.store.postgres.nearest import DERIVED
from papersift.store.schema import STEPS

# Every table of the schema, in the order the steps make them, which is an order in which
# every table comes after the tables it references. Read from PostgreSQL's scripts: they
# create each table once, in its final shape (SQLite's rebuilds `users` under another name).
TABLES: tuple[str, ...] = tuple(
    name for step in STEPS for name in re.findall(r"CREATE TABLE (\w+)", step.postgres)
)
# Tables whose ids a sequence hands out (an `id` primary key).
PREFIX = "copy:"
FROM_CHECKPOINT = f"{PREFIX}from"
BATCH_ROWS = 1000
# The row every new store has: the local reader (schema step 3).
LOCAL_READER_ROWS = 1

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CopyReport:
    tables: dict[str, int]  # rows copied, by table
    resumed: bool
    already_done: bool = False


class _Side:
    """One end of a copy: a store, its connection and its dialect."""

    def __init__(self, location: str, *, create: bool) -> None:
        self.is_pg = is_url(location)
        if not self.is_pg and re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", location):
            raise UsageError(
                f"{redact(location)}: only postgresql:// URLs name a database server; "
                "otherwise give the path of a SQLite file"
            )
        self.label = redact(location) if self.is_pg else str(Path(location).resolve())
        self.mark = "%s" if self.is_pg else "?"
        if self.is_pg:
            from papersift.store.postgres.store import PgStore

            if not create:
                _require_pg_store(location)
            self.store: Any = PgStore(location)
        else:
            path = Path(location)
            if not create:
                _require_sqlite_store(path)
            from papersift.store import open_store

            self.store = open_store(path)
        self.db: Any = self.store.db

    def close(self) -> None:
        self.store.close()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.db.execute(sql, tuple(params)).fetchall()]

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def columns(self, table: str) -> list[str]:
        """The columns a row is written with: not PostgreSQL's generated keyword column, nor
        pgvector's copy of each vector (`nearest.DERIVED`), made again from `vector` there."""
        if self.is_pg:
            return [
                str(name)
                for name, generated in self.rows(
                    "SELECT column_name, is_generated FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = %s "
                    "ORDER BY ordinal_position",
                    (table,),
                )
                if generated == "NEVER" and (table, name) not in DERIVED
            ]
        return [str(row[1]) for row in self.rows(f"PRAGMA table_xinfo({table})") if row[6] == 0]

    def primary_key(self, table: str) -> list[str]:
        if self.is_pg:
            return [
                str(row[0])
                for row in self.rows(
                    "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                    "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                    "WHERE i.indrelid = %s::regclass AND i.indisprimary "
                    "ORDER BY array_position(i.indkey::int2[], a.attnum)",
                    (table,),
                )
            ]
        keyed = [(row[5], str(row[1])) for row in self.rows(f"PRAGMA table_info({table})")]
        return [name for position, name in sorted(keyed) if position > 0]

    def count(self, table: str) -> int:
        return int(self.value(f"SELECT count(*) FROM {table}"))

    # -- sequences ------------------------------------------------------------------------

    def highest_id(self, table: str) -> int:
        """The highest id this table's sequence has handed out (or any row has)."""
        high = int(self.value(f"SELECT coalesce(max(id), 0) FROM {table}"))
        if self.is_pg:
            sequence = self.value("SELECT pg_get_serial_sequence(%s, 'id')", (table,))
            if sequence:
                last, called = self.rows(f"SELECT last_value, is_called FROM {sequence}")[0]
                high = max(high, int(last) if called else int(last) - 1)
        elif self._autoincrement(table):
            used = self.value("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,))
            high = max(high, int(used or 0))
        return high

    def set_highest_id(self, table: str, high: int) -> None:
        if self.is_pg:
            sequence = self.value("SELECT pg_get_serial_sequence(%s, 'id')", (table,))
            if sequence:
                self.db.execute(
                    "SELECT setval(%s::regclass, %s, %s)", (sequence, max(high, 1), high > 0)
                )
        elif self._autoincrement(table):
            self.db.execute("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
            self.db.execute("INSERT INTO sqlite_sequence(name, seq) VALUES (?, ?)", (table, high))

    def _autoincrement(self, table: str) -> bool:
        sql = self.value(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        )
        return "AUTOINCREMENT" in str(sql or "").upper()

    # -- checkpoints (in DST, inside the batch's transaction) ------------------------------

    def checkpoint(self, name: str) -> str | None:
        value = self.value(f"SELECT value FROM checkpoints WHERE name = {self.mark}", (name,))
        return None if value is None else str(value)

    def set_checkpoint(self, name: str, value: str | None) -> None:
        if value is None:
            self.db.execute(f"DELETE FROM checkpoints WHERE name = {self.mark}", (name,))
            return
        m = self.mark
        self.db.execute(
            f"INSERT INTO checkpoints(name, value, updated_at) VALUES ({m}, {m}, {m}) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            (name, value, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        )


def _require_sqlite_store(path: Path) -> None:
    """SRC must be an existing papersift store: opening a path would create one."""
    import sqlite3

    if not path.is_file():
        raise UsageError(f"no store at {path} (SRC must be an existing store)")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as err:
        raise StoreError(f"{path}: not a papersift store ({err})") from None
    if not version and tables:
        raise StoreError(f"{path}: not a papersift store (another application's database)")
    if not version:
        raise UsageError(f"no store at {path} (SRC is an empty file)")


def _require_pg_store(url: str) -> None:
    from papersift.store.postgres.connection import connect, schema_version

    conn = connect(url)
    try:
        version = schema_version(conn)
    finally:
        conn.close()
    if version is None:
        raise StoreError(f"{redact(url)}: this database holds another application's tables")
    if version == 0:
        raise UsageError(f"no store at {redact(url)} (SRC is an empty database)")


def _keyset(columns: Sequence[str], mark: str) -> str:
    """`(a, b) > (?, ?)`: rows after a key, in key order, as both backends spell it."""
    return f"({', '.join(columns)}) > ({', '.join([mark] * len(columns))})"


def _is_empty(side: _Side) -> bool:
    """Whether DST is a new store: nothing in it but the local reader every store has."""
    for table in TABLES:
        rows = side.count(table)
        if rows > (LOCAL_READER_ROWS if table == "users" else 0):
            return False
    return True


def copy_store(
    source: str,
    destination: str,
    *,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy the store at `source` to `destination` (a SQLite path or a postgresql:// URL
    each); `progress(table, rows copied, rows in the table)` after every batch committed."""
    src = _Side(source, create=False)
    try:
        dst = _Side(destination, create=True)
    except BaseException:
        src.close()
        raise
    try:
        if src.label == dst.label:
            raise UsageError(f"SRC and DST are the same store ({src.label})")
        return _copy(src, dst, batch_rows, progress)
    finally:
        src.close()
        dst.close()


def _copy(src: _Side, dst: _Side, batch_rows: int, progress: Progress | None) -> CopyReport:
    started = dst.checkpoint(FROM_CHECKPOINT)
    state = json.loads(started) if started else None
    if state is not None and state.get("source") != src.label:
        raise UsageError(
            f"{dst.label} holds a copy of {state.get('source')}, not of {src.label}; "
            "give a new, empty DST"
        )
    if state is not None and state.get("done"):
        return CopyReport({}, resumed=False, already_done=True)
    if state is None:
        if not _is_empty(dst):
            raise UsageError(
                f"{dst.label} is not empty (it is another store); "
                "copy into a new file or an empty database"
            )
        with dst.store.transaction():
            dst.set_checkpoint(FROM_CHECKPOINT, json.dumps({"source": src.label, "done": False}))
    copied: dict[str, int] = {}
    for table in TABLES:
        copied[table] = _copy_table(src, dst, table, batch_rows, progress)
    with dst.store.transaction():
        for table in TABLES:
            if dst.primary_key(table) == ["id"]:
                dst.set_highest_id(table, max(src.highest_id(table), dst.highest_id(table)))
            dst.set_checkpoint(f"{PREFIX}table:{table}", None)
        if not dst.is_pg:
            # SQLite's keyword index mirrors the papers table but is kept by papersift, not
            # by triggers: made anew from the rows copied.
            dst.db.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
        dst.set_checkpoint(FROM_CHECKPOINT, json.dumps({"source": src.label, "done": True}))
    return CopyReport(copied, resumed=state is not None)


def _copy_table(
    src: _Side, dst: _Side, table: str, batch_rows: int, progress: Progress | None
) -> int:
    """Copy one table after the key of its last committed batch; the rows copied now."""
    name = f"{PREFIX}table:{table}"
    mark = dst.checkpoint(name)
    if mark == "done":
        return 0
    key: list[Any] | None = json.loads(mark) if mark else None
    keys = src.primary_key(table)
    wanted = set(src.columns(table))
    columns = [c for c in dst.columns(table) if c in wanted]
    missing = wanted - set(columns)
    if missing or not keys:
        raise StoreError(f"{dst.label}: table {table} lacks {sorted(missing) or 'a key'}")
    order = ", ".join(keys)
    # The copy's own checkpoints stay behind (SRC may itself be a copy).
    own = f"substr(name, 1, {len(PREFIX)}) <> '{PREFIX}'" if table == "checkpoints" else "1 = 1"
    total = src.count(table)
    done = (
        0
        if key is None
        else int(
            src.value(f"SELECT count(*) FROM {table} WHERE NOT {_keyset(keys, src.mark)}", key)
        )
    )
    placeholders = ", ".join([dst.mark] * len(columns))
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    write = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) "
        f"ON CONFLICT ({order}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
    )
    key_at = [columns.index(k) for k in keys]
    copied = 0
    while True:
        after = f"AND {_keyset(keys, src.mark)}" if key is not None else ""
        batch = src.rows(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {own} {after} "
            f"ORDER BY {order} LIMIT {int(batch_rows)}",
            key or (),
        )
        if not batch:
            break
        key = [batch[-1][i] for i in key_at]
        with dst.store.transaction():
            dst.db.cursor().executemany(write, [_portable(row) for row in batch])
            dst.set_checkpoint(name, json.dumps(key))
        copied += len(batch)
        done += len(batch)
        if progress is not None:
            progress(table, min(done, total), total)
    with dst.store.transaction():
        dst.set_checkpoint(name, "done")
    return copied


def _portable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row as either driver takes it (psycopg reads BYTEA as bytes, memoryview at times)."""
    return tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)


def store_contents(location: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (columns by name, rows by key, as Python orders them), without the
    copy's own checkpoints: two stores with equal contents hold the same papers, readers and
    ids, whichever backends they are on."""
    side = _Side(location, create=False)
    try:
        contents: dict[str, list[tuple[Any, ...]]] = {}
        for table in TABLES:
            columns = sorted(side.columns(table))
            at = [columns.index(k) for k in side.primary_key(table)]
            rows = [_portable(r) for r in side.rows(f"SELECT {', '.join(columns)} FROM {table}")]
            if table == "checkpoints":
                rows = [r for r in rows if not str(r[columns.index("name")]).startswith(PREFIX)]
            contents[table] = sorted(rows, key=lambda row: tuple(row[i] for i in at))
        return contents
    finally:
        side.close()
