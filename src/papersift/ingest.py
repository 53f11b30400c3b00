"""Ingestion: files in a source format -> parsed records -> the store, in batches.

Each batch is one transaction, and storing is idempotent (see dedupe), so a run killed at any
moment and then repeated leaves exactly what one clean run leaves.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from papersift import sources
from papersift.errors import ParseError, ServerReportedError
from papersift.records import Paper
from papersift.store.base import Store, UpsertCounts

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

    line = 1
    for chunk in _line_chunks(fh, head):
        _store_in_batches(store, snapshot.parse(chunk, origin, first_line=line), report)
        line += chunk.count(b"\n")
        if progress:
            progress(len(chunk))


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


class _BatchWriter:
    """Stores batches on a background thread so parsing the next batch overlaps with SQLite.

    sqlite3 releases the GIL while it executes, so the two really run on two cores. The
    thread is the only user of the store's connection until `finish`.
    """

    def __init__(self, store: Store, report: IngestReport) -> None:
        self.store = store
        self.report = report
        self.queue: queue.Queue[list[Paper] | None] = queue.Queue(maxsize=2)
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="papersift-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.failure is None:
                try:
                    self.report.counts += self.store.upsert(batch)
                except BaseException as err:  # handed to the main thread in finish()
                    self.failure = err

    def put(self, batch: list[Paper]) -> None:
        if self.failure is not None:
            raise self.failure
        self.report.records += len(batch)
        self.queue.put(batch)

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.failure is not None:
            raise self.failure


def _store_in_batches(
    store: Store, items: Iterator[Paper | ParseError], report: IngestReport
) -> None:
    writer = _BatchWriter(store, report)
    batch: list[Paper] = []
    try:
        for item in items:
            if isinstance(item, ParseError):
                report.rejected.append(item)
                continue
            batch.append(item)
            if len(batch) >= BATCH_SIZE:
                writer.put(batch)
                batch = []
    except ServerReportedError:
        batch.clear()  # the file is a server's error page: it holds no papers, store none
        raise
    finally:
        # Whole-file failures (malformed XML, truncated JSON) still keep the good records read
        # before the failure; they are real papers.
        if batch:
            writer.put(batch)
        writer.finish()
