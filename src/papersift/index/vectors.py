"""Vector index over paper embeddings: exact while small, HNSW (usearch) once large.

Rows are numbered in insertion order. Rows `[0, graph_rows)` live in an HNSW graph, rows
`[graph_rows, n)` form the *delta*, searched exactly with one matrix product. When the delta
reaches `exact_limit` rows it is folded into the graph (created on the first fold), so a small
store is searched exactly, a large one mostly through the graph, and adding papers never
rebuilds the graph. Removing a key tombstones its row; re-adding a key tombstones the old row.

The graph stores int8 vectors (a quarter of float32); its best candidates are re-scored with
the float16 copy of every row, kept on disk and memory-mapped, so scores are cosine
similarities within ~1e-3 of float32 ones and only the rows a query touches are read.

`save` and `load` keep the index in a directory beside the database; the files, their checks
and the errors of an unusable index are `papersift.index.storage`'s. `load_or_rebuild` is how
callers open an index: an unusable one is rebuilt from the store's vectors.

This module never opens the store: callers pass integer keys (paper rowids) and vectors.
Writers must be serialized by the caller (one process updates an index at a time); any number
of readers may load it meanwhile. A `VectorIndex` is not thread-safe (usearch's single-thread
search reuses one scratch context): share it between threads behind a lock.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from papersift.errors import IndexCorrupt, IndexUnusable
from papersift.index import storage
from papersift.index.storage import RowVectors

# Below this many rows the delta stays exact; reaching it folds the delta into the graph. Past
# it an exact scan's float32 matrix no longer fits in cache and costs several graph searches
# (docs/benchmarks.md#exact-vs-graph-at-small-sizes); at it the scan stays about as quick as
# the graph search it runs beside.
EXACT_LIMIT = 10_000
# Spill float16 rows to disk every this many rows while building, so a build holds the graph
# and at most this many rows in memory, not every vector; a fold adds rows to the graph in
# batches of this many for the same reason.
BUILD_SPILL_ROWS = 200_000
# A filtered search scans the allowed rows when there are fewer than this many per unit of
# HNSW search depth it would need: the ratio of what one unit of depth and one scanned row
# cost (docs/benchmarks.md#index-design).
EXACT_ROWS_PER_SEARCH_DEPTH = 12
# Allowed keys cluster unevenly: a filtered search asks the graph for 1.5x the candidates the
# average share would need, sparing most retries (each repeats the whole search).
_FILTER_MARGIN = 1.5

logger = logging.getLogger(__name__)

Batch = tuple[np.ndarray, np.ndarray]  # (int64 keys, float vectors) as read from the store


@dataclass(frozen=True)
class IndexSettings:
    """How the index trades build time, memory and recall; saved with the index."""

    exact_limit: int = EXACT_LIMIT
    # HNSW "M" and "efConstruction". On large clustered sets recall levels off below 1 however
    # deep the search (a few nodes in dense clusters are barely reachable); a higher
    # connectivity would lift that, for a bigger graph and a longer build
    # (docs/benchmarks.md#27m-vectors).
    connectivity: int = 16
    expansion_add: int = 128
    # HNSW "ef"; None scales it with the graph (see `auto_expansion`).
    expansion_search: int | None = None
    # The graph's int8 distances misorder close neighbours; re-scoring a few candidates per
    # result in float16 puts them back in order (docs/benchmarks.md#re-scoring-the-int8-graph).
    rerank_per_result: int = 3
    rerank_min: int = 32
    build_threads: int = 0  # 0: all cores

    def rerank_pool(self, k: int) -> int:
        return max(k * self.rerank_per_result, self.rerank_min, k)

    def expansion_for(self, graph_size: int) -> int:
        return self.expansion_search or auto_expansion(graph_size)


def auto_expansion(graph_size: int) -> int:
    """HNSW search depth that keeps recall@10 >= 0.95 as the graph grows.

    64 * (n / 100k) ** 0.75, within [64, 2048]: a curve through the depths the benchmark found
    to reach the target at 100k and at 2.7M vectors (docs/benchmarks.md#index-benchmark).
    """
    return int(min(2048, max(64, round(64 * (graph_size / 100_000) ** 0.75))))


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
        self._vectors = RowVectors(dim)
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
                # Unmapped first, so the two copies of a large graph never coexist in memory.
                self._graph = None
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
        # usearch's float16 kernels scan faster than numpy can convert to float32
        # (docs/benchmarks.md#index-design); its top candidates are then re-scored like every
        # other result, so ties break the same.
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
            # Sorted needles keep the binary searches in cache, many times faster for many
            # keys (docs/benchmarks.md#key-lookups).
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
        make_index_dir(directory)
        committed = storage.committed_rows(directory, self._vectors)
        vectors_file = self._vectors.persist(directory, committed)
        generation = storage.new_generation()
        graph_file = self._persist_graph(directory, generation)
        header = storage.Header(
            model_id=self.model_id,
            dim=self.dim,
            kind=self.kind,
            count=self._live_count,
            rows=len(self._keys),
            graph_rows=self._graph_rows,
            graph_size=len(self._graph) if self._graph is not None else 0,
            settings=asdict(self.settings),
        )
        storage.commit(
            directory, generation, header, self._keys, self._live, vectors_file, graph_file
        )

    def _persist_graph(self, directory: Path, generation: str) -> Path | None:
        if self._graph is None:
            return None
        if self._graph_file is not None and self._graph_file.parent == directory:
            return self._graph_file
        self._graph_file = storage.save_graph(self._graph, directory, generation)
        return self._graph_file

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
        meta = storage.read_meta(directory, expected_model_id, expected_dim)
        try:
            return cls._from_saved(storage.read_saved(directory, meta), settings)
        except IndexUnusable:
            raise
        except (OSError, ValueError, RuntimeError, KeyError, TypeError, EOFError) as error:
            raise IndexCorrupt(directory, f"{type(error).__name__}: {error}") from error

    @classmethod
    def _from_saved(cls, saved: storage.SavedIndex, settings: IndexSettings | None) -> VectorIndex:
        header = saved.header
        index = cls(header.dim, header.model_id, settings or IndexSettings(**header.settings))
        index._keys, index._live = saved.keys, saved.live
        index._live_count = header.count
        index._vectors.map_file(saved.vectors_file, header.rows)
        index._graph_rows = header.graph_rows
        if saved.graph_file is not None:
            index._graph_file = saved.graph_file
            index._graph = storage.open_graph(saved.graph_file, header.dim, header.graph_size)
            index._graph_is_view = True
        return index


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
    make_index_dir(directory)
    index = VectorIndex(dim, model_id, settings)
    for keys, vectors in batches:
        index.add(keys, vectors)
        if index._vectors.added_count >= BUILD_SPILL_ROWS:
            index._vectors.persist(directory, None)
    index.save(directory)
    settings = index.settings
    # Reopened memory-mapped: a searching process then holds only the pages it touches, which
    # the kernel may drop, instead of the whole graph built in memory
    # (docs/benchmarks.md#27m-vectors).
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
    # Sort + compare: np.unique hashes in numpy 2.x, many times slower on these key arrays
    # (docs/benchmarks.md#key-lookups).
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


def make_index_dir(directory: Path) -> None:
    """The index's folder, readable by its owner only, like the store beside it: the vectors
    of papers a reader imported privately on a shared server are in it too."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
