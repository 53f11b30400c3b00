"""Ingestion: files in a source format -> parsed records -> the store, in batches.

Each batch is one transaction, and storing is idempotent (see dedupe), so a run killed at any
moment and then repeated leaves exactly what one clean run leaves.
"""

from __future__ import annotations

import datetime as dt
import gc
import gzip
import marshal
import os
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from papersift import sources
from papersift.errors import ParseError, ServerReportedError
from papersift.ingest.bulk_rows import ErrorTuple, Row, prepare_chunk
from papersift.records import Paper
from papersift.sources.common import collecting_warnings
from papersift.store.base import Store, UpsertCounts

BATCH_SIZE = 5_000
# The snapshot is read in spans of lines of about this size (~4,400 records: one transaction).
CHUNK_BYTES = 8 * 1024 * 1024
# The first spans are smaller (doubling up to CHUNK_BYTES) so that the writer, idle until the
# parse worker hands it a first span, starts almost at once
# (docs/benchmarks.md#fast-paths-in-the-parser-and-the-loader).
FIRST_CHUNK_BYTES = 256 * 1024
STREAMED_FORMATS = ("arxiv-snapshot",)
GZIP_MAGIC = b"\x1f\x8b"

Progress = Callable[[int], None]  # called with the number of bytes just consumed


@dataclass
class IngestReport:
    files: int = 0
    records: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    rejected: list[ParseError] = field(default_factory=list)
    # Records that were another record of the same file again (merged into it before storing):
    # with added, merged, unchanged and rejected, the records read add up.
    repeated: int = 0
    # Records kept after a repair (an over-long author name split or dropped), one line each.
    warnings: list[ParseError] = field(default_factory=list)
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
    for path in _expand(paths):
        report.files += 1
        try:
            with collecting_warnings() as repaired:
                if path == "-":
                    if stdin is None:
                        raise ParseError("<stdin>", "standard input is not available")
                    _ingest_bytes(store, stdin.read(), "<stdin>", fmt, report, progress)
                else:
                    _ingest_file(store, Path(path), fmt, report, progress)
        except ParseError as err:
            report.rejected.append(err)
        report.warnings.extend(repaired)
    return report


def _expand(paths: Iterable[str]) -> Iterator[str]:
    """Each path, with a folder replaced by the files under it (sorted, hidden ones skipped):
    a folder of exports goes in with one command, each file's format detected on its own."""
    for path in paths:
        folder = Path(path)
        if path == "-" or not folder.is_dir():
            yield path
            continue
        files = [
            found
            for found in sorted(folder.rglob("*"))
            if found.is_file()
            and not any(part.startswith(".") for part in found.relative_to(folder).parts)
        ]
        yield from (map(str, files) if files else [path])  # an empty folder: said as such


def _ingest_file(
    store: Store, path: Path, fmt: str, report: IngestReport, progress: Progress | None
) -> None:
    origin = str(path)
    try:
        with path.open("rb") as raw:
            if raw.read(2) == GZIP_MAGIC:
                raw.seek(0)
                _ingest_gzip(store, raw, origin, fmt, report)
                if progress:
                    progress(os.fstat(raw.fileno()).st_size)
                return
            raw.seek(0)
            head = raw.read(sources.SNIFF_BYTES)
            name = sources.detect_format(head, origin) if fmt == "auto" else fmt
            if name in STREAMED_FORMATS:
                report.formats[origin] = name
                _ingest_stream(store, raw, origin, report, progress)
                return
            data = head + raw.read()
    except IsADirectoryError:
        raise ParseError(origin, "is a folder with no files to read") from None
    except FileNotFoundError:
        raise ParseError(origin, "no such file") from None
    except OSError as err:
        raise ParseError(origin, f"cannot read: {err.strerror}") from None
    _ingest_bytes(store, data, origin, name, report, progress)


def _ingest_gzip(store: Store, raw: BinaryIO, origin: str, fmt: str, report: IngestReport) -> None:
    """A gzip-compressed file of any format; a snapshot is read a chunk at a time."""
    try:
        with gzip.GzipFile(fileobj=raw) as unpacked:
            head = unpacked.read(sources.SNIFF_BYTES)
            name = sources.detect_format(head, origin) if fmt == "auto" else fmt
            report.formats[origin] = name
            if name not in STREAMED_FORMATS:
                data = head + unpacked.read()
            else:
                now, line, pending = _this_second(), 1, head
                while block := unpacked.read(CHUNK_BYTES):
                    pending += block
                    cut = pending.rfind(b"\n") + 1
                    if cut:
                        chunk, pending = pending[:cut], pending[cut:]
                        _store_prepared(store, *prepare_chunk(chunk, origin, line, now), report)
                        line += chunk.count(b"\n")
                if pending:
                    _store_prepared(store, *prepare_chunk(pending, origin, line, now), report)
                return
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        raise ParseError(origin, f"not a readable gzip file ({err})") from None
    _store_in_batches(store, sources.parser_for(name)(data, origin), report)


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
    store: Store, fh: BinaryIO, origin: str, report: IngestReport, progress: Progress | None
) -> None:
    """A snapshot file, read a span of lines at a time (a 4 GB dump never sits in memory)."""
    spans = _line_spans(fh.fileno())
    if os.fstat(fh.fileno()).st_size >= PARALLEL_MIN_BYTES:
        _ingest_stream_parallel(store, fh.name, spans, origin, report, progress)
        return
    now = _this_second()
    for offset, length, first_line in spans:
        chunk = os.pread(fh.fileno(), length, offset)
        _store_prepared(store, *prepare_chunk(chunk, origin, first_line, now), report)
        if progress:
            progress(length)


def _this_second() -> dt.datetime:
    """When the papers of this ingest are first seen (one time for them all)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _line_spans(fd: int) -> Iterator[tuple[int, int, int]]:
    """(offset, length, first line number) of chunks of up to about CHUNK_BYTES of a file
    that each end at a newline (the last may not). Only offsets cross to the parse worker,
    which reads the bytes itself: one copy of the file instead of six (read, join, cut,
    pickle, pipe)."""
    offset, line = 0, 1
    size = FIRST_CHUNK_BYTES
    while block := os.pread(fd, size, offset):
        size = min(2 * size, CHUNK_BYTES)
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
    _count(report, len(batch), store.upsert(batch))


def _count(report: IngestReport, records: int, counts: UpsertCounts) -> None:
    report.records += records
    report.counts += counts
    report.repeated += records - (counts.added + counts.merged + counts.unchanged)


# -- parallel snapshot ingest ---------------------------------------------------------------
# A bulk load is three processes on two cores, sharing the CPU a paper about evenly: a worker
# turns snapshot lines into rows (bulk_rows), this one writes them (papers, aliases), and,
# while the store was empty when the load began, a third builds the keyword index
# (store.side_index). Threads would not do: the sqlite3 module gives up the GIL only per row
# and the writer starves. A second parse worker would not help: the two cores are the limit
# (docs/benchmarks.md#how-a-bulk-load-runs-since-2026-12-03).
PARALLEL_MIN_BYTES = 16 * 1024 * 1024
PARSE_WORKERS = 1
AHEAD = 4  # spans a worker may parse ahead of the writer (memory: ~16 MB each)


def _start_worker(parent_pid: int) -> None:
    """Set up a parse worker: no cycle collector, and an end when its ingest is killed."""
    gc.disable()  # the workers make no reference cycles: collections would only cost time
    # A pool worker waits on a queue that its own process also holds open, so a parent
    # killed with -9 would leave it waiting forever: watch the parent instead.
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _exit_with_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(1)


def _prepare_span(
    path: str, offset: int, length: int, origin: str, first_line: int, now: dt.datetime
) -> tuple[bytes, list[ErrorTuple], list[ErrorTuple]]:
    """Worker: one span of snapshot lines as prepared rows, marshalled (faster than
    pickling thousands of row tuples, as returning them would), its errors and its repairs."""
    with open(path, "rb") as fh:
        chunk = os.pread(fh.fileno(), length, offset)
    with collecting_warnings() as repaired:
        rows, errors = prepare_chunk(chunk, origin, first_line, now)
    return marshal.dumps(rows), errors, [(w.file, w.reason, w.record, w.field) for w in repaired]


def _ingest_stream_parallel(
    store: Store,
    path: str,
    spans: Iterator[tuple[int, int, int]],
    origin: str,
    report: IngestReport,
    progress: Progress | None,
) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pending: deque[tuple[Future[tuple[bytes, list[ErrorTuple], list[ErrorTuple]]], int]] = deque()
    now = _this_second()
    path = os.path.abspath(path)  # workers start in our working directory, but to be sure
    context = multiprocessing.get_context("spawn")  # no fork of a process holding SQLite
    workers = ProcessPoolExecutor(
        max_workers=PARSE_WORKERS,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    with store.bulk_load(), workers as pool, _no_cycle_collector():
        for offset, length, first_line in spans:
            job = pool.submit(_prepare_span, path, offset, length, origin, first_line, now)
            pending.append((job, length))
            if len(pending) > AHEAD * PARSE_WORKERS:  # work queued for when we stall (checkpoints)
                _write_prepared(store, origin, *pending.popleft(), report, progress)
        while pending:
            _write_prepared(store, origin, *pending.popleft(), report, progress)


@contextmanager
def _no_cycle_collector() -> Iterator[None]:
    """The cycle collector paused: each span's thousands of row tuples set it off, and it then
    walks every live object, a measurable share of the writer's time
    (docs/benchmarks.md#fast-paths-in-the-parser-and-the-loader); the loop makes no reference cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write_prepared(
    store: Store,
    origin: str,
    future: Future[tuple[bytes, list[ErrorTuple], list[ErrorTuple]]],
    size: int,
    report: IngestReport,
    progress: Progress | None,
) -> None:
    from concurrent.futures.process import BrokenProcessPool

    try:
        rows, errors, repaired = future.result()
    except BrokenProcessPool:
        raise ParseError(
            origin, "the parse worker stopped (out of memory?); the papers stored so far are kept"
        ) from None
    _store_prepared(store, marshal.loads(rows), errors, report)
    report.warnings.extend(ParseError(f, r, record=rec, field=fld) for f, r, rec, fld in repaired)
    if progress:
        progress(size)


def _store_prepared(
    store: Store, rows: list[Row], errors: list[ErrorTuple], report: IngestReport
) -> None:
    report.rejected.extend(ParseError(f, r, record=rec, field=fld) for f, r, rec, fld in errors)
    _count(report, len(rows), store.upsert_rows(rows))
