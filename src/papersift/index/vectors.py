"""Vector index over paper embeddings: exact while small, HNSW (usearch) once large.

Rows are numbered in insertion order. Rows `[0, graph_rows)` live in an HNSW graph, rows
`[graph_rows, n)` form the *delta*, searched exactly with one matrix product. When the delta
reaches `exact_limit` rows it is folded into the graph (created on the first fold), so a small
store is searched exactly, a large one mostly through the graph, and adding papers never
rebuilds the graph. Removing a key tombstones its row; re-adding a key tombstones the old row.

The graph stores int8 vectors (a quarter of float32); its best candidates are re-scored with
the float16 copy of every row, kept on disk and memory-mapped, so scores are cosine
similarities within ~1e-3 of float32 ones and only the rows a query touches are read.

On disk (a directory beside the database, see `index_dir_for`):

    meta.json               what the other files are; replaced last, so a save is atomic
    vectors-<gen>.f16       float16 rows, row-major, append-only (meta says how many count)
    rows-<gen>.npz          key and live flag of every row
    graph-<gen>.usearch     the HNSW graph, keyed by row number (absent while exact)

This module never opens the store: callers pass integer keys (paper rowids) and vectors.
Writers must be serialized by the caller (one process updates an index at a time); any number
of readers may load it meanwhile. A `VectorIndex` is not thread-safe (usearch's single-thread
search reuses one scratch context): share it between threads behind a lock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import mmap
import os
import secrets
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from papersift.errors import PapersiftError

FORMAT_VERSION = 1
META_FILE = "meta.json"

# Below this many rows the delta stays exact; reaching it folds the delta into the graph.
# bench_index.py --exact-sweep on the shared 2-core machine: one exact 384-d query takes
# 0.7 ms over 10k rows but 3.4 ms over 20k (the matrix leaves the cache), the graph 0.4 ms.
# 10k keeps the delta's scan under 1 ms next to a graph search.
EXACT_LIMIT = 10_000
# Spill float16 rows to disk every this many rows while building, so a 2.7M-row build holds the
# graph and at most this many rows in memory (not the 2 GB of vectors).
BUILD_SPILL_ROWS = 200_000
# A filtered search scans the allowed rows when there are fewer than this many per unit of
# HNSW search depth it would need: at 2.7M rows scanning 27k rows took 14 ms (~0.5 us a row),
# a search of depth 758 took 4.7 ms (~6 us a unit).
EXACT_ROWS_PER_SEARCH_DEPTH = 12
# Allowed keys cluster unevenly: a filtered search asks the graph for 1.5x the candidates the
# average share would need, sparing most retries (each repeats the whole search).
_FILTER_MARGIN = 1.5

logger = logging.getLogger(__name__)

Batch = tuple[np.ndarray, np.ndarray]  # (int64 keys, float vectors) as read from the store


class IndexUnusable(PapersiftError):
    """The persisted index cannot be used as it is; the caller rebuilds it."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"vector index {path}: {reason}")


class IndexMissing(IndexUnusable):
    """No index has been saved at this path yet."""


class IndexCorrupt(IndexUnusable):
    """The index files are truncated, garbled or inconsistent with each other."""


class IndexMismatch(IndexUnusable):
    """The index was built for another model, dimension or file-format version."""


@dataclass(frozen=True)
class IndexSettings:
    """How the index trades build time, memory and recall; saved with the index."""

    exact_limit: int = EXACT_LIMIT
    # HNSW "M" and "efConstruction". At 2.7M clustered vectors recall@10 levels off near 0.97
    # however deep the search: a few nodes in dense clusters are barely reachable. M=24-32
    # would lift that, for ~+0.2-0.35 GB of graph and a longer build (docs/benchmarks.md).
    connectivity: int = 16
    expansion_add: int = 128
    # HNSW "ef"; None scales it with the graph (see `auto_expansion`).
    expansion_search: int | None = None
    # The graph's int8 distances misorder close neighbours (recall@10 0.955 at 200k without
    # re-scoring, 0.998 when 30 candidates are re-scored in float16).
    rerank_per_result: int = 3
    rerank_min: int = 32
    build_threads: int = 0  # 0: all cores

    def rerank_pool(self, k: int) -> int:
        return max(k * self.rerank_per_result, self.rerank_min, k)

    def expansion_for(self, graph_size: int) -> int:
        return self.expansion_search or auto_expansion(graph_size)


def auto_expansion(graph_size: int) -> int:
    """HNSW search depth that keeps recall@10 >= 0.95 as the graph grows.

    Fitted on bench_index.py: ef 64 gives 0.993 at 100k; at 2.7M ef 256 gives 0.933, 512
    0.962, 768 0.967 (p50 ~4 ms on a loaded 2-core machine). 64 * (n / 100k) ** 0.75 passes
    through 64 and 768.
    """
    return int(min(2048, max(64, round(64 * (graph_size / 100_000) ** 0.75))))


class _RowVectors:
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
        """float32 copies of the given rows (any order); ~10 ns per value to convert, use few."""
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
        with _atomic_file(path) as out:
            for start in range(0, len(self.disk), BUILD_SPILL_ROWS):
                out.write(np.ascontiguousarray(self.disk[start : start + BUILD_SPILL_ROWS]).data)
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


class VectorIndex:
    """Cosine-similarity search over (key, vector) pairs; see the module docstring."""

    def __init__(self, dim: int, model_id: str, settings: IndexSettings | None = None) -> None:
        if dim <= 0:
            raise ValueError(f"dimension must be positive, got {dim}")
        self.dim = dim
        self.model_id = model_id
        self.settings = settings or IndexSettings()
        self._keys = np.zeros(0, np.int64)
        self._live = np.zeros(0, bool)
        self._vectors = _RowVectors(dim)
        self._graph: Any = None  # usearch.index.Index over rows [0, _graph_rows)
        self._graph_rows = 0
        self._graph_file: Path | None = None  # the saved file it matches, when unchanged since
        self._graph_is_view = False  # memory-mapped from _graph_file: read-only
        self._delta_matrix: np.ndarray | None = None
        self._lookup: tuple[np.ndarray, np.ndarray] | None = None  # live keys sorted, rows
        self._live_count = 0
        self._live_in_graph: int | None = None

    # -- size and kind ----------------------------------------------------------------------

    def __len__(self) -> int:
        return self._live_count

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, int | np.integer):
            return False
        return bool(self._rows_of(np.array([key], np.int64))[0] >= 0)

    @property
    def kind(self) -> str:
        """Either "exact" (no graph yet) or "hnsw"."""
        return "exact" if self._graph is None else "hnsw"

    def keys(self) -> np.ndarray:
        """The keys present, in insertion order."""
        return self._keys[self._live].copy()

    # -- updates ----------------------------------------------------------------------------

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Add or replace vectors; L2-normalizes them. Pass many at once: each call copies keys."""
        keys, rows = _checked_batch(keys, vectors, self.dim)
        if not len(keys):
            return
        replaced = self._rows_of(keys)
        self._tombstone(replaced[replaced >= 0])
        self._keys = np.concatenate([self._keys, keys])
        self._live = np.concatenate([self._live, np.ones(len(keys), bool)])
        self._vectors.append(rows)
        self._live_count += len(keys)
        self._changed()
        if len(self._keys) - self._graph_rows >= self.settings.exact_limit:
            self._fold_delta()

    def remove(self, keys: np.ndarray) -> int:
        """Remove keys (unknown ones are ignored); returns how many were present."""
        rows = self._rows_of(np.asarray(keys, np.int64).reshape(-1))
        rows = _sorted_unique(rows[rows >= 0])
        self._tombstone(rows)
        self._changed()
        return len(rows)

    def _tombstone(self, rows: np.ndarray) -> None:
        if not len(rows):
            return
        self._live[rows] = False
        self._live_count -= len(rows)
        in_graph = rows[rows < self._graph_rows]
        if len(in_graph) and not self._graph_is_view:
            self._graph.remove(in_graph.astype(np.uint64))
            self._graph_file = None
        # A memory-mapped graph cannot change: its dead rows are filtered out of results and
        # dropped from the graph at the next fold.

    def _changed(self) -> None:
        self._delta_matrix = None
        self._lookup = None
        self._live_in_graph = None

    def _fold_delta(self) -> None:
        """Move the delta's live rows into the graph (creating it on the first fold)."""
        graph = self._writable_graph()
        dead = np.flatnonzero(~self._live[: self._graph_rows])
        if len(dead):
            graph.remove(dead.astype(np.uint64))
        start, stop = self._graph_rows, len(self._keys)
        rows = start + np.flatnonzero(self._live[start:stop])
        for begin in range(0, len(rows), BUILD_SPILL_ROWS):
            batch = rows[begin : begin + BUILD_SPILL_ROWS]
            graph.add(
                batch.astype(np.uint64),
                self._vectors.take(batch),
                threads=self.settings.build_threads,
            )
        self._graph_rows = stop
        self._graph_file = None
        self._changed()

    def _writable_graph(self) -> Any:
        from usearch.index import Index

        if self._graph is None:
            self._graph = Index(
                ndim=self.dim,
                metric="cos",
                dtype="i8",
                connectivity=self.settings.connectivity,
                expansion_add=self.settings.expansion_add,
                expansion_search=self.settings.expansion_for(0),
            )
        elif self._graph_is_view:
            # usearch crashes when a memory-mapped graph is modified: load a private copy.
            if self._graph_file is not None and self._graph_file.is_file():
                self._graph = None  # unmapped first, so the two never coexist (2.7M: ~1.4 GB)
                self._graph = Index.restore(str(self._graph_file), view=False)
            else:  # another writer replaced the file since
                self._graph = self._graph.copy()
            self._graph_is_view = False
        return self._graph

    # -- search -----------------------------------------------------------------------------

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The `k` keys most similar to `query` as (key, cosine similarity), best first.

        `allowed` restricts results to those keys: searched exactly when few, else through the
        graph with enough extra candidates to find `k` allowed ones.
        """
        q = _unit_query(query, self.dim)
        if k <= 0 or not self._live_count:
            return []
        mask = None
        if allowed is not None:
            rows = self._rows_of(np.asarray(allowed, np.int64).reshape(-1))
            rows = rows[rows >= 0]
            if len(rows) <= self.settings.exact_limit:
                return self._search_rows_exactly(_sorted_unique(rows), q, k)
            # Many keys (a whole category): a row mask dedupes them in O(rows), no sort.
            mask = np.zeros(len(self._keys), bool)
            mask[rows] = True
            if self._prefer_exact(int(np.count_nonzero(mask)), k):
                return self._search_rows_exactly(np.flatnonzero(mask), q, k)
        graph_rows, graph_scores = self._search_graph(q, k, mask)
        delta_rows, delta_scores = self._search_delta(q, mask)
        return self._results(
            np.concatenate([graph_rows, delta_rows]),
            np.concatenate([graph_scores, delta_scores]),
            k,
        )

    def _prefer_exact(self, allowed_rows: int, k: int) -> bool:
        """Whether scanning the allowed rows beats asking the graph for enough candidates."""
        if self._graph is None or allowed_rows <= self.settings.exact_limit:
            return True
        share = allowed_rows / max(self._live_in_graph_count(), 1)
        wanted = _FILTER_MARGIN * self.settings.rerank_pool(k) / share
        depth = max(self.settings.expansion_for(len(self._graph)), 2 * wanted)
        return allowed_rows < EXACT_ROWS_PER_SEARCH_DEPTH * depth

    def _search_rows_exactly(
        self, rows: np.ndarray, q: np.ndarray, k: int
    ) -> list[tuple[int, float]]:
        """Top k of the given rows by scanning them in float16 (no float32 copy)."""
        best, scores = self._scan(rows, q, max(2 * k, k + 16))
        return self._results(best, scores, k)

    def _scan(self, rows: np.ndarray, q: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The `count` best of `rows` by exact similarity, with their float32 scores."""
        from usearch.index import MetricKind
        from usearch.index import search as scan

        if not len(rows):
            return rows, np.zeros(0, np.float32)
        # usearch's float16 kernels scan ~6x faster than numpy can convert to float32; its
        # top candidates are then re-scored like every other result, so ties break the same.
        count = min(len(rows), count)
        found = scan(self._vectors.gather(rows), q, count, MetricKind.IP, exact=True, threads=1)
        best = rows[found.keys.astype(np.int64)]
        return best, self._vectors.take(best) @ q

    def _search_graph(
        self, q: np.ndarray, k: int, mask: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        if self._graph is None or not len(self._graph):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        pool = self.settings.rerank_pool(k)
        wanted = self._candidates_to_ask(pool, mask)
        depth = self.settings.expansion_for(len(self._graph))
        while wanted < len(self._graph):
            # A filtered search asks for many candidates: search twice as wide as it asks.
            expansion = max(depth, 2 * wanted)
            if self._graph.expansion_search != expansion:
                self._graph.expansion_search = expansion
            found = self._graph.search(q, wanted, threads=1).keys.astype(np.int64)
            usable = found[self._live[found] & (mask[found] if mask is not None else True)]
            if len(usable) >= pool:
                usable = usable[:pool]
                return usable, self._vectors.take(usable) @ q
            wanted *= 2
        # Asking for about the whole graph: scanning it is exact, and no slower.
        eligible = self._live[: self._graph_rows]
        if mask is not None:
            eligible = eligible & mask[: self._graph_rows]
        return self._scan(np.flatnonzero(eligible), q, pool)

    def _candidates_to_ask(self, pool: int, mask: np.ndarray | None) -> int:
        """Ask the graph for enough candidates that `pool` survive the filters, on average."""
        graph_live, graph_size = self._live_in_graph_count(), len(self._graph)
        surviving = graph_live / max(graph_size, 1)
        if mask is not None:
            surviving *= mask[: self._graph_rows].sum() / max(graph_live, 1) / _FILTER_MARGIN
        return min(graph_size, int(np.ceil(pool / max(surviving, 1e-9))))

    def _live_in_graph_count(self) -> int:
        if self._live_in_graph is None:
            self._live_in_graph = int(self._live[: self._graph_rows].sum())
        return self._live_in_graph

    def _search_delta(
        self, q: np.ndarray, mask: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        start = self._graph_rows
        if start == len(self._keys):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if self._delta_matrix is None:
            self._delta_matrix = self._vectors.span(start, len(self._keys))
        scores = self._delta_matrix @ q
        keep = self._live[start:] if mask is None else self._live[start:] & mask[start:]
        rows = start + np.flatnonzero(keep)
        return rows, scores[keep]

    def _results(self, rows: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        best = _top_k(scores, self._keys[rows], k)
        # float16 rounding leaves stored norms a hair off 1; a similarity above 1 would puzzle.
        similarity = np.clip(scores[best], -1.0, 1.0)
        return [(int(self._keys[rows[i]]), float(s)) for i, s in zip(best, similarity, strict=True)]

    def _rows_of(self, keys: np.ndarray) -> np.ndarray:
        """Row of each key among the live rows, -1 where absent."""
        if self._lookup is None:
            live_rows = np.flatnonzero(self._live)
            order = np.argsort(self._keys[live_rows], kind="stable")
            self._lookup = (self._keys[live_rows][order], live_rows[order])
        sorted_keys, rows = self._lookup
        if not len(sorted_keys):
            return np.full(len(keys), -1, np.int64)
        if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
            # Sorted needles keep the binary searches in cache: 10x faster for 500k keys.
            order = np.argsort(keys, kind="stable")
            found = np.empty(len(keys), np.int64)
            found[order] = self._rows_of(keys[order])
            return found
        at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
        return np.where(sorted_keys[at] == keys, rows[at], -1)

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Persist into directory `path`; readers see the old or the new index, never a mix.

        Only what changed is written: rows added since the last save are appended to the
        vector file and an unchanged graph file is kept.
        """
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        current = _read_meta_quietly(directory)
        vectors_file = self._vectors.persist(directory, _committed_rows(current, self._vectors))
        generation = secrets.token_hex(4)
        graph_file = self._persist_graph(directory, generation)
        rows_file = directory / f"rows-{generation}.npz"
        with _atomic_file(rows_file) as out:
            np.savez(out, keys=self._keys, live=self._live)
        meta = {
            "format": FORMAT_VERSION,
            "model_id": self.model_id,
            "dim": self.dim,
            "kind": self.kind,
            "count": self._live_count,
            "rows": len(self._keys),
            "graph_rows": self._graph_rows,
            "graph_size": len(self._graph) if self._graph is not None else 0,
            "settings": asdict(self.settings),
            "vectors": _describe(vectors_file, len(self._keys) * self.dim * 2),
            "rows_file": {**_describe(rows_file), "crc32": _crc32(rows_file)},
            "graph": _describe(graph_file) if graph_file is not None else None,
        }
        with _atomic_file(directory / META_FILE) as out:
            out.write(json.dumps(meta, indent=2).encode())
        _fsync_directory(directory)
        _remove_unreferenced(directory, meta)

    def _persist_graph(self, directory: Path, generation: str) -> Path | None:
        if self._graph is None:
            return None
        if self._graph_file is not None and self._graph_file.parent == directory:
            return self._graph_file
        path = directory / f"graph-{generation}.usearch"
        with _atomic_path(path) as temporary:
            self._graph.save(str(temporary))
        self._graph_file = path
        return path

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        expected_model_id: str,
        expected_dim: int,
        settings: IndexSettings | None = None,
    ) -> VectorIndex:
        """Open a saved index, memory-mapping its large files.

        Raises IndexMissing, IndexMismatch (other model, dimension or format) or IndexCorrupt;
        all are IndexUnusable, which callers answer by rebuilding (see `load_or_rebuild`).
        `settings` overrides the saved query-time settings (not the graph's connectivity).
        """
        directory = Path(path)
        meta = _read_meta(directory)
        _check_compatible(directory, meta, expected_model_id, expected_dim)
        try:
            return cls._from_meta(directory, meta, settings)
        except IndexUnusable:
            raise
        except (OSError, ValueError, RuntimeError, KeyError, TypeError, EOFError) as error:
            raise IndexCorrupt(directory, f"{type(error).__name__}: {error}") from error

    @classmethod
    def _from_meta(
        cls, directory: Path, meta: dict[str, Any], settings: IndexSettings | None
    ) -> VectorIndex:
        saved = IndexSettings(**meta["settings"])
        index = cls(meta["dim"], meta["model_id"], settings or saved)
        rows, dim = int(meta["rows"]), int(meta["dim"])
        keys, live = _read_rows_file(directory, meta["rows_file"], rows)
        vectors_file = _checked_file(directory, meta["vectors"], at_least=rows * dim * 2)
        index._keys, index._live = keys, live
        index._live_count = int(live.sum())
        if index._live_count != meta["count"]:
            raise IndexCorrupt(directory, "live row count differs from meta.json")
        index._vectors.map_file(vectors_file, rows)
        index._graph_rows = int(meta["graph_rows"])
        if meta["graph"] is not None:
            index._graph_file = _checked_file(directory, meta["graph"])
            index._graph = _open_graph(index._graph_file, dim, int(meta["graph_size"]))
            index._graph_is_view = True
        elif index._graph_rows:
            raise IndexCorrupt(directory, "graph rows recorded but no graph file")
        return index


def index_dir_for(database: str | os.PathLike[str]) -> Path:
    """Where the vector index of a store lives: `papers.db` -> `papers.db.index/`."""
    database = Path(database)
    return database.with_name(database.name + ".index")


def build_index(
    path: str | os.PathLike[str],
    model_id: str,
    dim: int,
    batches: Iterable[Batch],
    settings: IndexSettings | None = None,
) -> VectorIndex:
    """Build an index from scratch, save it at `path` (replacing what is there) and open it.

    Rows are spilled to disk as they come, so memory holds the graph plus one spill's worth of
    vectors, not every vector. `papersift index rebuild` is this.
    """
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    index = VectorIndex(dim, model_id, settings)
    for keys, vectors in batches:
        index.add(keys, vectors)
        if index._vectors.added_count >= BUILD_SPILL_ROWS:
            index._vectors.persist(directory, None)
    index.save(directory)
    settings = index.settings
    # Reopened memory-mapped: at 2.7M rows the graph built in memory holds ~2.1 GB; mapped, a
    # searching process stays ~1.6-1.8 GB, and the kernel may drop the pages it maps.
    del index
    return VectorIndex.load(directory, model_id, dim, settings)


def load_or_rebuild(
    path: str | os.PathLike[str],
    model_id: str,
    dim: int,
    read_vectors: Callable[[], Iterable[Batch]],
    warn: Callable[[str], None] = logger.warning,
    settings: IndexSettings | None = None,
) -> VectorIndex:
    """Load the index, or rebuild it from `read_vectors()` with a warning when it is unusable."""
    try:
        return VectorIndex.load(path, model_id, dim, settings)
    except IndexUnusable as problem:
        warn(f"{problem}; rebuilding it")
        return build_index(path, model_id, dim, read_vectors(), settings)


# -- pure helpers -----------------------------------------------------------------------------


def _checked_batch(
    keys: np.ndarray, vectors: np.ndarray, dim: int
) -> tuple[np.ndarray, np.ndarray]:
    keys = np.asarray(keys).reshape(-1)
    if keys.size and not np.issubdtype(keys.dtype, np.integer):
        raise ValueError(f"keys must be integers, got {keys.dtype}")
    keys = keys.astype(np.int64)
    rows = np.asarray(vectors, np.float32)
    if rows.ndim == 1 and len(keys) == 1:
        rows = rows.reshape(1, -1)
    if rows.shape != (len(keys), dim):
        raise ValueError(f"expected {len(keys)} vectors of dimension {dim}, got {rows.shape}")
    if len(_sorted_unique(keys)) != len(keys):
        raise ValueError("duplicate keys in one batch")
    if not np.isfinite(rows).all():
        raise ValueError("vectors contain NaN or infinity")
    return keys, _normalized(rows)


def _unit_query(query: np.ndarray, dim: int) -> np.ndarray:
    q = np.asarray(query, np.float32).reshape(-1)
    if q.shape != (dim,):
        raise ValueError(f"query must have dimension {dim}, got {np.asarray(query).shape}")
    if not np.isfinite(q).all():
        raise ValueError("query contains NaN or infinity")
    return _normalized(q.reshape(1, -1))[0]


def _normalized(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    # An all-zero vector (an embedder's answer to empty text) stays zero: similarity 0 to all.
    return rows / np.where(norms > 0, norms, 1)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    # np.unique hashes in numpy 2.x: ~10 ms for 20k ints, against ~0.3 ms for sort + compare.
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _top_k(scores: np.ndarray, keys: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best scores, best first; equal scores in key order (deterministic)."""
    if len(scores) > k:
        cut = np.partition(scores, len(scores) - k)[len(scores) - k]
        candidates = np.flatnonzero(scores >= cut)
    else:
        candidates = np.arange(len(scores))
    order = np.lexsort((keys[candidates], -scores[candidates]))
    return candidates[order[:k]]


def _committed_rows(meta: dict[str, Any] | None, vectors: _RowVectors) -> int | None:
    if meta is None or vectors.disk_path is None:
        return None
    described = meta.get("vectors") or {}
    if described.get("name") != vectors.disk_path.name:
        return None
    return int(meta["rows"])


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


# -- file helpers -----------------------------------------------------------------------------

# Big files are fingerprinted by sampling (size, head, tail and evenly spaced blocks), so
# opening a 2 GB index stays instant; this catches truncated, zeroed and half-written files,
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
    # Queries touch a few scattered rows; the kernel's default read-ahead (8 MB on the
    # benchmark machine) would pull megabytes around each one into memory.
    with contextlib.suppress(AttributeError, OSError):
        mapping.madvise(mmap.MADV_RANDOM)
    return np.frombuffer(mapping, np.float16).reshape(rows, dim)


def _open_graph(path: Path, dim: int, size: int) -> Any:
    from usearch.index import Index

    graph = Index.restore(str(path), view=True)
    if graph is None:
        raise IndexCorrupt(path.parent, f"{path.name} is not a usearch index")
    if graph.ndim != dim or len(graph) != size:
        raise IndexCorrupt(
            path.parent, f"{path.name} holds {len(graph)} {graph.ndim}-d vectors, not {size}"
        )
    return graph


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


@contextlib.contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    """A temporary sibling to write; fsynced and renamed over `path` only on success."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        yield temporary
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _atomic_file(path: Path) -> Iterator[BinaryIO]:
    with _atomic_path(path) as temporary, open(temporary, "wb") as out:
        yield out


def _fsync_directory(directory: Path) -> None:
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
