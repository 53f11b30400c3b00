"""Ingestion: files in a source format -> parsed records -> the store, in batches.

Each batch is one transaction, and storing is idempotent (see dedupe), so a run killed at any
moment and then repeated leaves exactly what one clean run leaves.
"""

from __future__ import annotations

import datetime as dt
import gc
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

    if _file_size(fh) >= PARALLEL_MIN_BYTES:
        _ingest_stream_parallel(store, fh, origin, report, progress)
        return
    for chunk, first_line in _numbered(_line_chunks(fh, head)):
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


def _line_spans(fd: int) -> Iterator[tuple[int, int, int]]:
    """(offset, length, first line number) of chunks of about CHUNK_BYTES of a file that each
    end at a newline (the last may not). Only offsets cross to the parse worker, which reads
    the bytes itself: one copy of the file instead of six (read, join, cut, pickle, pipe)."""
    offset, line = 0, 1
    while block := os.pread(fd, CHUNK_BYTES, offset):
        cut = block.rfind(b"\n")
        while cut < 0 and (more := os.pread(fd, CHUNK_BYTES, offset + len(block))):
            cut = more.rfind(b"\n")  # a line longer than a chunk: take the next one too
            cut = cut + len(block) if cut >= 0 else -1
            block += more
        length = cut + 1 if cut >= 0 else len(block)
        yield offset, length, line
        line += block.count(b"\n", 0, length)
        offset += length


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
PARSE_WORKERS = int(os.environ.get("PW", "1"))


def _prepare_span(
    path: str, offset: int, length: int, origin: str, first_line: int, now: dt.datetime
) -> tuple[bytes, list[ErrorTuple]]:
    """Worker: one span of snapshot lines as prepared rows, marshalled (faster than
    pickling thousands of row tuples, as returning them would), and its errors."""
    from papersift.bulk_rows import prepare_chunk

    with open(path, "rb") as fh:
        chunk = os.pread(fh.fileno(), length, offset)
    rows, errors = prepare_chunk(chunk, origin, first_line, now)
    return marshal.dumps(rows), errors


def _ingest_stream_parallel(
    store: Store,
    fh: BinaryIO,
    origin: str,
    report: IngestReport,
    progress: Progress | None,
) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pending: deque[tuple[Future[tuple[bytes, list[ErrorTuple]]], int]] = deque()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)  # first seen, for every new paper
    context = multiprocessing.get_context("spawn")  # no fork of a process holding SQLite
    # The workers make no reference cycles: the collector would only cost them time (~7%).
    workers = ProcessPoolExecutor(
        max_workers=PARSE_WORKERS, mp_context=context, initializer=gc.disable
    )
    path = os.path.abspath(fh.name)  # the file ingest opened (workers start in our cwd)
    with store.bulk_load(), workers as pool:
        for offset, length, first_line in _line_spans(fh.fileno()):
            job = pool.submit(_prepare_span, path, offset, length, origin, first_line, now)
            pending.append((job, length))
            if len(pending) > 2 * PARSE_WORKERS:  # keep each worker two chunks ahead
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
