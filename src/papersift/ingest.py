"""Ingestion: files in a source format -> parsed records -> the store, in batches.

Each batch is one transaction, and storing is idempotent (see dedupe), so a run killed at any
moment and then repeated leaves exactly what one clean run leaves.
"""

from __future__ import annotations

import datetime as dt
import marshal
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from papersift import sources
from papersift.bulk_rows import ErrorTuple
from papersift.errors import ParseError, ServerReportedError
from papersift.records import Paper
from papersift.store.base import Store, UpsertCounts
from papersift.store.sqlite import PreparedBatch

BATCH_SIZE = 5_000
# The snapshot is read in chunks that end at a newline, so a 4 GB dump never sits in memory.
CHUNK_BYTES = 8 * 1024 * 1024
STREAMED_FORMATS = ("arxiv-snapshot",)

Progress = Callable[[int], None]  # called with the number of bytes just consumed


@dataclass
class IngestReport:
    files: int = 0
    records: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    rejected: list[ParseError] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # origin -> format name

    @property
    def ok(self) -> bool:
        return not self.rejected


def ingest_paths(
    store: Store,
    paths: Iterable[str],
    fmt: str = "auto",
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
) -> IngestReport:
    """Ingest every path ('-' is standard input); one file's errors never stop the others."""
    report = IngestReport()
    for path in paths:
        report.files += 1
        try:
            if path == "-":
                if stdin is None:
                    raise ParseError("<stdin>", "standard input is not available")
                _ingest_bytes(store, stdin.read(), "<stdin>", fmt, report, progress)
            else:
                _ingest_file(store, Path(path), fmt, report, progress)
        except ParseError as err:
            report.rejected.append(err)
    return report


def _ingest_file(
    store: Store, path: Path, fmt: str, report: IngestReport, progress: Progress | None
) -> None:
    origin = str(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(sources.SNIFF_BYTES)
            name = sources.detect_format(head, origin) if fmt == "auto" else fmt
            if name in STREAMED_FORMATS:
                report.formats[origin] = name
                _ingest_stream(store, fh, head, origin, name, report, progress)
                return
            data = head + fh.read()
    except IsADirectoryError:
        raise ParseError(origin, "is a directory, not a file") from None
    except FileNotFoundError:
        raise ParseError(origin, "no such file") from None
    except OSError as err:
        raise ParseError(origin, f"cannot read: {err.strerror}") from None
    _ingest_bytes(store, data, origin, name, report, progress)


def _ingest_bytes(
    store: Store,
    data: bytes,
    origin: str,
    fmt: str,
    report: IngestReport,
    progress: Progress | None,
) -> None:
    name = sources.detect_format(data, origin) if fmt == "auto" else fmt
    report.formats[origin] = name
    _store_in_batches(store, sources.parser_for(name)(data, origin), report)
    if progress:
        progress(len(data))


def _ingest_stream(
    store: Store,
    fh: BinaryIO,
    head: bytes,
    origin: str,
    name: str,
    report: IngestReport,
    progress: Progress | None,
) -> None:
    from papersift.sources import snapshot

    chunks = _numbered(_line_chunks(fh, head))
    if _file_size(fh) >= PARALLEL_MIN_BYTES:
        _ingest_stream_parallel(store, chunks, origin, report, progress)
        return
    for chunk, first_line in chunks:
        _store_in_batches(store, snapshot.parse(chunk, origin, first_line=first_line), report)
        if progress:
            progress(len(chunk))


def _file_size(fh: BinaryIO) -> int:
    try:
        return os.fstat(fh.fileno()).st_size
    except (OSError, ValueError, AttributeError):
        return 0


def _numbered(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, int]]:
    """Each chunk with the file line number it starts at."""
    line = 1
    for chunk in chunks:
        yield chunk, line
        line += chunk.count(b"\n")


def _line_chunks(fh: BinaryIO, head: bytes) -> Iterator[bytes]:
    """Chunks of about CHUNK_BYTES that each end at a newline (the last may not)."""
    pending = head
    while True:
        block = fh.read(CHUNK_BYTES)
        if not block:
            if pending:
                yield pending
            return
        pending += block
        cut = pending.rfind(b"\n")
        if cut >= 0:
            yield pending[: cut + 1]
            pending = pending[cut + 1 :]


def _store_in_batches(
    store: Store, items: Iterator[Paper | ParseError], report: IngestReport
) -> None:
    batch: list[Paper] = []
    try:
        for item in items:
            if isinstance(item, ParseError):
                report.rejected.append(item)
                continue
            batch.append(item)
            if len(batch) >= BATCH_SIZE:
                _store(store, batch, report)
                batch = []
    except ServerReportedError:
        batch.clear()  # the file is a server's error page: it holds no papers, store none
        raise
    finally:
        # Whole-file failures (malformed XML, truncated JSON) still keep the good records read
        # before the failure; they are real papers.
        if batch:
            _store(store, batch, report)


def _store(store: Store, batch: list[Paper], report: IngestReport) -> None:
    report.records += len(batch)
    report.counts += store.upsert(batch)


# -- parallel snapshot ingest ---------------------------------------------------------------
# Parsing and preparing rows costs about as much CPU as SQLite's inserts, so on big snapshot
# files a worker process does the first while this process writes: threads would not help,
# since the sqlite3 module gives up the GIL only per row and the writer starves.
PARALLEL_MIN_BYTES = 16 * 1024 * 1024


def _prepare_chunk(
    chunk: bytes, origin: str, first_line: int, now: dt.datetime
) -> tuple[bytes, list[ErrorTuple]]:
    """Worker: one chunk of snapshot lines as prepared rows, marshalled (~2x faster than
    pickling 4,000 row tuples, which a result would otherwise be), and its errors."""
    from papersift.bulk_rows import prepare_chunk

    rows, errors = prepare_chunk(chunk, origin, first_line, now)
    return marshal.dumps(rows), errors


def _ingest_stream_parallel(
    store: Store,
    chunks: Iterator[tuple[bytes, int]],
    origin: str,
    report: IngestReport,
    progress: Progress | None,
) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pending: deque[tuple[Future[tuple[bytes, list[ErrorTuple]]], int]] = deque()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)  # first seen, for every new paper
    context = multiprocessing.get_context("spawn")  # no fork of a process holding SQLite
    with store.bulk_load(), ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        for chunk, first_line in chunks:
            pending.append(
                (pool.submit(_prepare_chunk, chunk, origin, first_line, now), len(chunk))
            )
            if len(pending) >= 3:  # keep the worker two chunks ahead of the writer
                _write_prepared(store, *pending.popleft(), report, progress)
        while pending:
            _write_prepared(store, *pending.popleft(), report, progress)


def _write_prepared(
    store: Store,
    future: Future[tuple[bytes, list[ErrorTuple]]],
    size: int,
    report: IngestReport,
    progress: Progress | None,
) -> None:
    rows, errors = future.result()
    prepared = PreparedBatch(marshal.loads(rows))
    report.rejected.extend(ParseError(f, r, record=rec, field=fld) for f, r, rec, fld in errors)
    report.records += len(prepared.rows)
    report.counts += store.upsert(prepared)
    if progress:
        progress(size)
