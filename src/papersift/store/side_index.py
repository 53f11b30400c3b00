"""The keyword index of a bulk load, built by a process of its own in a side file.

FTS5 inserts cost the store's writer about as much CPU as all its other work on a paper, so
one process doing both caps a snapshot ingest well below what two cores can do
(docs/benchmarks.md#side-keyword-index). During a bulk load into an empty store
(`SqliteStore.bulk_load`), the writer sends each committed batch's index changes here instead;
this process applies them, in order, to an FTS5 table declared exactly like the store's in a
throwaway file, and the store copies its shadow tables in when the load ends.

The side file needs no durability (a crashed load rebuilds the index from the papers), so it
runs without a journal, in one transaction, with a large in-memory term hash, which costs
less CPU per paper than the store's own index committed batch by batch; and it never merges
segments, which saves more as the index grows
(docs/benchmarks.md#how-a-bulk-load-runs-since-2026-12-03).
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import queue
import signal
import sqlite3
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from papersift.errors import StoreError

# Pending terms FTS5 keeps in memory before writing a segment (its default is 1 MB). Fewer
# flushes cost less CPU a paper, and a bigger hash gives fewer, bigger segments, which matters
# once they are never merged during the load (below): searches then read few segments even
# for all of arXiv (docs/benchmarks.md#side-keyword-index,
# docs/benchmarks.md#how-a-bulk-load-runs-since-2026-12-03).
HASH_BYTES = 256 * 1024 * 1024
# FTS5's automerge (4 by default) merges segments as the index grows. During a load that
# costs much of the side index's CPU and leaves the index bigger, and searches gain nothing
# from the fewer segments: a search reads each segment's b-tree once, and that is not where its
# time goes (docs/benchmarks.md#how-a-bulk-load-runs-since-2026-12-03). Set in the side file
# only: the store's own index (config not copied) keeps merging as later ingests add to it.
AUTOMERGE = 0
# Batches the writer may run ahead of the index process before it waits (bounded memory).
QUEUE_BATCHES = 8

INSERT = 0
DELETE = 1
# Index changes of one kind for several papers, as columns: (INSERT or DELETE, rowids, titles,
# abstracts, authors_text). Columns, not a tuple per paper: cheaper to build and to send.
IndexOp = tuple[int, list[int], list[str], list[str | None], list[str]]

_SQL = {
    INSERT: "INSERT INTO papers_fts(rowid, title, abstract, authors_text) VALUES (?, ?, ?, ?)",
    DELETE: (
        "INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors_text) "
        "VALUES ('delete', ?, ?, ?, ?)"
    ),
}


def index_op(kind: int, rowids: list[int], rows: list[tuple[Any, ...]]) -> IndexOp:
    """The change of `kind` for store rows (paper_to_row order) stored under `rowids`."""
    return (
        kind,
        rowids,
        [row[1] for row in rows],  # title
        [row[3] for row in rows],  # abstract
        [row[6] for row in rows],  # authors_text
    )


def apply_ops(db: sqlite3.Connection, ops: list[IndexOp]) -> None:
    """Apply index changes in order."""
    for kind, *columns in ops:
        db.executemany(_SQL[kind], zip(*columns, strict=True))


class SideIndex:
    """A running side index process, fed batches of `IndexOp`s by a sender thread."""

    def __init__(self, path: Path, fts_sql: str, page_bytes: int) -> None:
        import multiprocessing

        self.path = path
        for stale in _side_files(path):
            stale.unlink(missing_ok=True)
        context = multiprocessing.get_context("spawn")  # no fork of a process holding SQLite
        self._conn, child_conn = context.Pipe(duplex=True)
        self._process = context.Process(
            target=_serve, args=(child_conn, str(path), fts_sql, page_bytes), daemon=True
        )
        self._process.start()
        child_conn.close()  # only the child holds its end: our death is its EOF
        self._outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUE_BATCHES)
        self._failure: BaseException | None = None
        self._sender = threading.Thread(target=self._send_all, daemon=True)
        self._sender.start()

    def send(self, ops: list[IndexOp]) -> None:
        """Queue one committed batch's changes (waits while the index process is far behind)."""
        if ops and self._failure is None:
            self._outbox.put(marshal.dumps(ops))

    def _send_all(self) -> None:
        # A thread, so that writing to the pipe (which waits while the child is busy) never
        # stalls the store's writer; send_bytes releases the GIL while it waits.
        while (message := self._outbox.get()) is not None:
            if self._failure is not None:
                continue
            try:
                self._conn.send_bytes(message)
            except OSError as err:
                self._failure = err

    def finish(self) -> None:
        """Wait until every change is in the side file and it is closed; raise if it is not."""
        self._outbox.put(None)
        self._sender.join()
        try:
            if self._failure is not None:
                raise self._failure
            self._conn.send_bytes(b"")  # end of changes
            reply = self._conn.recv()
        except (OSError, EOFError) as err:
            raise StoreError(f"the keyword index process stopped: {err}") from None
        finally:
            self._conn.close()
            self._process.join(timeout=60)
        if reply != "ok":
            raise StoreError(f"the keyword index process failed: {reply}")

    def abandon(self) -> None:
        """Stop the process and delete its files (the store rebuilds its index instead)."""
        self._failure = self._failure or StoreError("abandoned")
        # The process goes first: a sender thread blocked writing to it then fails at once and
        # drains the queue, so the end marker below never waits on a full queue.
        self._process.kill()
        self._process.join(timeout=10)
        self._outbox.put(None)
        self._sender.join(timeout=10)
        self._conn.close()
        remove_side_files(self.path)


def remove_side_files(path: Path) -> None:
    for side in _side_files(path):
        side.unlink(missing_ok=True)


def _side_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-journal")]


def _serve(conn: Connection, path: str, fts_sql: str, page_bytes: int) -> None:
    """The index process: apply every batch received, commit once, say "ok" (or why not)."""
    # Ctrl-C reaches the whole process group; the writer decides what happens to the load,
    # and this process must still be able to finish the changes already sent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()  # nothing here makes reference cycles; collections only cost time
    try:
        db = _open_side_db(path, fts_sql, page_bytes)
        while message := conn.recv_bytes():
            apply_ops(db, marshal.loads(message))
        db.execute("COMMIT")
        db.close()
        reply: Any = "ok"
    except EOFError:
        return  # the writer died: nothing to report to, and the store will rebuild its index
    except (sqlite3.Error, OSError, ValueError) as err:
        reply = f"{type(err).__name__}: {err}"
    with contextlib.suppress(OSError):  # the writer is gone: it rebuilds the index itself
        conn.send(reply)


def _open_side_db(path: str, fts_sql: str, page_bytes: int) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(f"PRAGMA page_size = {page_bytes}")  # the store's: its reasons hold here too
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute(fts_sql)
    db.execute(f"INSERT INTO papers_fts(papers_fts, rank) VALUES ('hashsize', {HASH_BYTES})")
    db.execute(f"INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', {AUTOMERGE})")
    db.execute("BEGIN")
    return db
