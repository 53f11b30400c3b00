"""The vector index on disk: its files, their checks, and saves that readers never see half of.

A directory beside the database (see `index_dir_for`):

    meta.json               what the other files are; replaced last, so a save is atomic
    vectors-<gen>.f16       float16 rows, row-major, append-only (meta says how many count)
    rows-<gen>.npz          key and live flag of every row
    graph-<gen>.usearch     the HNSW graph, keyed by row number (absent while exact)

Every file but meta.json is new on each save that changes it (a fresh `<gen>`), except the
vector file, which grows by appending; meta.json names the files of the current save, with
their sizes and checksums, and is replaced last. So a reader that opens the directory during a
save, or after a crash, finds the previous save complete. Files no save names are deleted.
Loading checks every file against meta.json and raises an `IndexUnusable`, which callers
answer by rebuilding. This module holds no search logic; `papersift.index.vectors` does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import re
import secrets
import zlib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from papersift.atomic import atomic_path
from papersift.errors import (
    IndexCorrupt,
    IndexMismatch,
    IndexMissing,
    IndexUnusable,
)

FORMAT_VERSION = 1
META_FILE = "meta.json"
# A vector file is rewritten this many rows per write, so no write needs a copy of every row.
_WRITE_ROWS = 200_000


def index_dir_for(database: str | os.PathLike[str]) -> Path:
    """Where the vector index of a store lives: `papers.db` -> `papers.db.index/`.

    A PostgreSQL store (its URL, password left out) has no folder of its own: its index goes
    in the user cache dir, in a folder named by a hash of the URL, which every server worker
    on this machine shares (the index is rebuilt from the database's vectors when missing).
    """
    if isinstance(database, str) and re.match(r"postgres(ql)?://", database, re.IGNORECASE):
        from platformdirs import user_cache_dir

        key = hashlib.sha256(database.encode()).hexdigest()[:16]
        return Path(user_cache_dir("papersift", appauthor=False)) / "indexes" / f"pg-{key}.index"
    database = Path(database)
    return database.with_name(database.name + ".index")


@dataclass(frozen=True)
class Header:
    """What meta.json says about the index itself (the rest of it describes the files)."""

    model_id: str
    dim: int
    kind: str  # "exact" or "hnsw"
    count: int  # live rows
    rows: int  # every row, dead ones included
    graph_rows: int  # rows [0, graph_rows) are in the graph
    graph_size: int  # vectors the graph holds (dead ones not yet dropped included)
    settings: dict[str, Any]  # the index's IndexSettings


@dataclass(frozen=True)
class SavedIndex:
    """A saved index whose files passed their checks, ready to be mapped."""

    header: Header
    keys: np.ndarray  # int64 key of every row
    live: np.ndarray  # bool, per row
    vectors_file: Path  # at least header.rows float16 rows
    graph_file: Path | None


class RowVectors:
    """float16 rows: a prefix memory-mapped from disk, then rows added since (in memory)."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.disk: np.ndarray = np.zeros((0, dim), np.float16)
        self.disk_path: Path | None = None
        self._added: list[np.ndarray] = []
        self._added_joined: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.disk) + self.added_count

    @property
    def added_count(self) -> int:
        return sum(len(block) for block in self._added)

    @property
    def row_bytes(self) -> int:
        return self.dim * 2

    def append(self, rows: np.ndarray) -> None:
        self._added.append(rows.astype(np.float16))
        self._added_joined = None

    def added(self) -> np.ndarray:
        if self._added_joined is None:
            empty = np.zeros((0, self.dim), np.float16)
            self._added_joined = np.concatenate(self._added) if self._added else empty
            self._added = [self._added_joined] if len(self._added_joined) else []
        return self._added_joined

    def gather(self, rows: np.ndarray) -> np.ndarray:
        """The given rows (any order), float16."""
        disk = self.disk
        if not len(rows) or rows.max() < len(disk):
            return np.take(disk, rows, axis=0)
        out = np.empty((len(rows), self.dim), np.float16)
        on_disk = rows < len(disk)
        out[on_disk] = np.take(disk, rows[on_disk], axis=0)
        out[~on_disk] = np.take(self.added(), rows[~on_disk] - len(disk), axis=0)
        return out

    def take(self, rows: np.ndarray) -> np.ndarray:
        """float32 copies of the given rows (any order); converting is slow, so take few.

        (docs/benchmarks.md#re-scoring-the-int8-graph)
        """
        return self.gather(rows).astype(np.float32)

    def span(self, start: int, stop: int) -> np.ndarray:
        return self.take(np.arange(start, stop))

    def map_file(self, path: Path, rows: int) -> None:
        self.disk = _map_vectors(path, rows, self.dim)
        self.disk_path = path
        self._added = []
        self._added_joined = None

    def persist(self, directory: Path, committed_rows: int | None) -> Path:
        """Write every row to a file in `directory` and map it; returns the file.

        Appends in place when the mapped file already lives there and no other writer has
        moved it on (`committed_rows` is how many rows the directory's meta commits for that
        file, None when the meta does not name it); otherwise writes a new file.
        """
        if self._can_append(directory, committed_rows):
            assert self.disk_path is not None
            with open(self.disk_path, "r+b") as out:
                # Bytes past the mapped rows are a crashed append: nothing names them.
                out.truncate(len(self.disk) * self.row_bytes)
                out.seek(0, os.SEEK_END)
                out.write(self.added().tobytes())
                out.flush()
                os.fsync(out.fileno())
            self.map_file(self.disk_path, len(self))
            return self.disk_path
        path = directory / f"vectors-{secrets.token_hex(4)}.f16"
        total = len(self)
        with atomic_path(path) as temporary, open(temporary, "wb") as out:
            for start in range(0, len(self.disk), _WRITE_ROWS):
                out.write(np.ascontiguousarray(self.disk[start : start + _WRITE_ROWS]).data)
            out.write(self.added().tobytes())
        self.map_file(path, total)
        return path

    def _can_append(self, directory: Path, committed_rows: int | None) -> bool:
        if self.disk_path is None or self.disk_path.parent != directory:
            return False
        if committed_rows is not None and committed_rows != len(self.disk):
            return False
        return self.disk_path.exists() and (
            self.disk_path.stat().st_size >= len(self.disk) * self.row_bytes
        )


# -- saving ------------------------------------------------------------------------------------


def new_generation() -> str:
    """The `<gen>` part of the names of the files one save writes."""
    return secrets.token_hex(4)


def committed_rows(directory: Path, vectors: RowVectors) -> int | None:
    """How many rows the directory's meta.json commits for the vector file `vectors` maps.

    None when there is no readable meta.json or it names another vector file.
    """
    meta = _read_meta_quietly(directory)
    if meta is None or vectors.disk_path is None:
        return None
    described = meta.get("vectors") or {}
    if described.get("name") != vectors.disk_path.name:
        return None
    return int(meta["rows"])


def save_graph(graph: Any, directory: Path, generation: str) -> Path:
    """Write a usearch graph to a new file of this generation; returns the file."""
    path = directory / f"graph-{generation}.usearch"
    with atomic_path(path) as temporary:
        graph.save(str(temporary))
    return path


def commit(
    directory: Path,
    generation: str,
    header: Header,
    keys: np.ndarray,
    live: np.ndarray,
    vectors_file: Path,
    graph_file: Path | None,
) -> None:
    """Write the rows file and then meta.json, which makes the save the current one.

    The vector and graph files must already be written. Files of earlier saves are deleted
    afterwards; readers that still map them keep their copy (POSIX).
    """
    rows_file = directory / f"rows-{generation}.npz"
    with atomic_path(rows_file) as temporary, open(temporary, "wb") as out:
        np.savez(out, keys=keys, live=live)
    meta = {
        "format": FORMAT_VERSION,
        **asdict(header),
        "vectors": _describe(vectors_file, header.rows * header.dim * 2),
        "rows_file": {**_describe(rows_file), "crc32": _crc32(rows_file)},
        "graph": _describe(graph_file) if graph_file is not None else None,
    }
    with atomic_path(directory / META_FILE) as temporary:
        temporary.write_bytes(json.dumps(meta, indent=2).encode())
    _fsync_directory(directory)
    _remove_unreferenced(directory, meta)


# -- loading -----------------------------------------------------------------------------------


def read_meta(directory: Path, model_id: str, dim: int) -> dict[str, Any]:
    """meta.json, checked to be this format, for this model and dimension.

    Raises IndexMissing, IndexMismatch (other format, model or dimension) or IndexCorrupt.
    """
    meta = _read_meta(directory)
    _check_compatible(directory, meta, model_id, dim)
    return meta


def read_saved(directory: Path, meta: dict[str, Any]) -> SavedIndex:
    """The files a compatible meta.json names, checked against it (IndexCorrupt if not)."""
    header = Header(**{field.name: meta[field.name] for field in fields(Header)})
    keys, live = _read_rows_file(directory, meta["rows_file"], header.rows)
    vectors_file = _checked_file(directory, meta["vectors"], at_least=header.rows * header.dim * 2)
    if int(live.sum()) != header.count:
        raise IndexCorrupt(directory, "live row count differs from meta.json")
    graph_file = None
    if meta["graph"] is not None:
        graph_file = _checked_file(directory, meta["graph"])
    elif header.graph_rows:
        raise IndexCorrupt(directory, "graph rows recorded but no graph file")
    return SavedIndex(header, keys, live, vectors_file, graph_file)


def open_graph(path: Path, dim: int, size: int) -> Any:
    """The saved usearch graph, memory-mapped read-only (a view)."""
    from usearch.index import Index

    graph = Index.restore(str(path), view=True)
    if graph is None:
        raise IndexCorrupt(path.parent, f"{path.name} is not a usearch index")
    if graph.ndim != dim or len(graph) != size:
        raise IndexCorrupt(
            path.parent, f"{path.name} holds {len(graph)} {graph.ndim}-d vectors, not {size}"
        )
    return graph


# What meta.json must hold (in this format version) and of which JSON type.
_META_FIELDS: dict[str, type | tuple[type, ...]] = {
    "model_id": str,
    "dim": int,
    "kind": str,
    "count": int,
    "rows": int,
    "graph_rows": int,
    "graph_size": int,
    "settings": dict,
    "vectors": dict,
    "rows_file": dict,
    "graph": (dict, type(None)),
}


def _check_compatible(directory: Path, meta: dict[str, Any], model_id: str, dim: int) -> None:
    """Raise IndexMismatch for another format, model or dimension; IndexCorrupt for bad meta."""
    if not isinstance(meta.get("format"), int):
        raise IndexCorrupt(directory, f"{META_FILE} has no format version")
    if meta["format"] != FORMAT_VERSION:
        raise IndexMismatch(
            directory, f"file format {meta['format']}, this papersift reads {FORMAT_VERSION}"
        )
    for field, kind in _META_FIELDS.items():
        if not isinstance(meta.get(field), kind):
            raise IndexCorrupt(directory, f"{META_FILE} lacks a valid {field!r}")
    if meta["model_id"] != model_id:
        raise IndexMismatch(
            directory, f"built with model {meta['model_id']!r}, {model_id!r} asked for"
        )
    if meta["dim"] != dim:
        raise IndexMismatch(directory, f"built for {meta['dim']}-d vectors, {dim}-d asked for")


def _read_meta(directory: Path) -> dict[str, Any]:
    path = directory / META_FILE
    if not path.is_file():
        raise IndexMissing(directory, "no index saved here")
    try:
        meta = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise IndexCorrupt(directory, f"{META_FILE} unreadable: {error}") from error
    if not isinstance(meta, dict):
        raise IndexCorrupt(directory, f"{META_FILE} is not a JSON object")
    return meta


def _read_meta_quietly(directory: Path) -> dict[str, Any] | None:
    with contextlib.suppress(IndexUnusable):
        return _read_meta(directory)
    return None


# -- file checks -------------------------------------------------------------------------------

# Big files are fingerprinted by sampling (size, head, tail and evenly spaced blocks), so
# opening a large index stays instant; this catches truncated, zeroed and half-written files,
# not a single flipped bit.
_SAMPLE_BLOCK = 4096
_SAMPLE_BLOCKS = 64
_EDGE_BYTES = 65536


def _sample_spans(length: int) -> list[tuple[int, int]]:
    """(offset, size) of the parts of a `length`-byte file that its fingerprint reads."""
    tail = max(0, length - _EDGE_BYTES)
    step = max(length // _SAMPLE_BLOCKS, 1)
    spans = [(0, min(_EDGE_BYTES, length)), (tail, length - tail)]
    spans += [(offset, min(_SAMPLE_BLOCK, length - offset)) for offset in range(0, length, step)]
    return spans


def _fingerprint(path: Path, length: int) -> int:
    crc = zlib.crc32(str(length).encode())
    with open(path, "rb") as file:
        for offset, size in _sample_spans(length):
            file.seek(offset)
            crc = zlib.crc32(file.read(size), crc)
    return crc


def _describe(path: Path, length: int | None = None) -> dict[str, Any]:
    length = path.stat().st_size if length is None else length
    return {"name": path.name, "bytes": length, "sample_crc32": _fingerprint(path, length)}


def _checked_file(directory: Path, described: dict[str, Any], at_least: int | None = None) -> Path:
    """The described file, after checking its size and sampled checksum."""
    path = directory / Path(described["name"]).name
    if not path.is_file():
        raise IndexCorrupt(directory, f"{path.name} is missing")
    size, expected = path.stat().st_size, int(described["bytes"])
    if at_least is not None and expected != at_least:
        raise IndexCorrupt(directory, f"{path.name} records {expected} bytes, rows need {at_least}")
    # The vector file may be longer than recorded (a crashed append); never shorter.
    too_short, appendable = size < expected, at_least is not None
    if too_short or (size != expected and not appendable):
        raise IndexCorrupt(directory, f"{path.name} has {size} bytes, expected {expected}")
    if _fingerprint(path, expected) != described["sample_crc32"]:
        raise IndexCorrupt(directory, f"{path.name} does not match its checksum")
    return path


def _crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            crc = zlib.crc32(block, crc)
    return crc


def _read_rows_file(
    directory: Path, described: dict[str, Any], rows: int
) -> tuple[np.ndarray, np.ndarray]:
    path = _checked_file(directory, described)
    if _crc32(path) != described["crc32"]:
        raise IndexCorrupt(directory, f"{path.name} does not match its checksum")
    with np.load(path, allow_pickle=False) as saved:
        keys = saved["keys"].astype(np.int64, copy=False)
        live = saved["live"].astype(bool, copy=False)
    if keys.shape != (rows,) or live.shape != (rows,):
        raise IndexCorrupt(directory, f"{path.name} does not hold {rows} rows")
    return keys, live


def _map_vectors(path: Path, rows: int, dim: int) -> np.ndarray:
    """The first `rows` rows of a vector file, memory-mapped read-only."""
    if rows == 0:
        return np.zeros((0, dim), np.float16)
    with open(path, "rb") as file:
        mapping = mmap.mmap(file.fileno(), rows * dim * 2, access=mmap.ACCESS_READ)
    # Queries touch a few scattered rows; the kernel's default read-ahead would pull megabytes
    # around each one into memory (docs/benchmarks.md#index-design).
    with contextlib.suppress(AttributeError, OSError):
        mapping.madvise(mmap.MADV_RANDOM)
    return np.frombuffer(mapping, np.float16).reshape(rows, dim)


def _fsync_directory(directory: Path) -> None:
    """Make the renames of a save durable too, not only the files' contents."""
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be fsynced
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_unreferenced(directory: Path, meta: dict[str, Any]) -> None:
    """Delete files of earlier saves; readers that still map them keep their copy (POSIX)."""
    keep = {META_FILE, meta["vectors"]["name"], meta["rows_file"]["name"]}
    if meta["graph"] is not None:
        keep.add(meta["graph"]["name"])
    for path in directory.iterdir():
        ours = path.name.startswith(("vectors-", "rows-", "graph-", ".vectors-", ".rows-"))
        ours = ours or path.name.startswith((".graph-", f".{META_FILE}"))
        if ours and path.name not in keep:
            path.unlink(missing_ok=True)
