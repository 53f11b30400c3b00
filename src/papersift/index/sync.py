"""Keep stored embeddings and the vector index in step with the papers.

`embed_missing` embeds papers that have no vector for a model, or whose text changed since
(their text hash differs), in chunks that are each committed: a killed run resumes where it
stopped. `open_searchable` gives the model's nearest-neighbour search: pgvector's inside a
PostgreSQL store that has the extension, else `open_index`'s, which loads the model's usearch
index beside the database (rebuilding it, with a warning, when missing, corrupt or built for
another model) and adds what it lacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from papersift.embed.base import Embedder, paper_text, text_hash
from papersift.store.base import NearestSearch, Store

if TYPE_CHECKING:
    from papersift.index.vectors import VectorIndex

# Papers embedded and committed together: a stopped run loses at most one chunk's work, which
# stays short with every model (their speeds: docs/benchmarks.md#embeddings-papersiftembed).
CHUNK = 512

Warn = Callable[[str], None]


@dataclass(frozen=True)
class SemanticSearcher:
    """What semantic search needs: an embedder and its up-to-date index."""

    embed_query: Callable[[str], np.ndarray]
    search: Callable[[np.ndarray, int, np.ndarray | None], list[tuple[int, float]]]
    vector_of: Callable[[int], np.ndarray | None]


@dataclass
class EmbedReport:
    model_id: str
    embedded: int = 0
    already: int = 0
    changed_rowids: list[int] = field(default_factory=list)


def pending_texts(
    store: Store, model_id: str, only: Sequence[int] | None = None
) -> tuple[list[int], list[str], list[str], int]:
    """(rowids, texts, hashes) of papers lacking a current vector, and how many are current."""
    rowids: list[int] = []
    texts: list[str] = []
    hashes: list[str] = []
    current = 0
    for rowid, title, abstract, stored_hash in store.embedding_inputs(model_id, only):
        text = paper_text(title, abstract)
        digest = text_hash(text)
        if digest == stored_hash:
            current += 1
            continue
        rowids.append(rowid)
        texts.append(text)
        hashes.append(digest)
    return rowids, texts, hashes, current


def embed_missing(
    store: Store,
    embedder: Embedder,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    only: Sequence[int] | None = None,
) -> EmbedReport:
    """Embed every paper (or those in `only`) lacking a current vector; resumable."""
    rowids, texts, hashes, current = pending_texts(store, embedder.model_id, only)
    report = EmbedReport(embedder.model_id, already=current)
    if on_total:
        on_total(len(texts))
    for start in range(0, len(texts), CHUNK):
        stop = start + CHUNK
        vectors = embedder.encode(texts[start:stop], progress=progress)
        store.save_embeddings(embedder.model_id, rowids[start:stop], hashes[start:stop], vectors)
        report.embedded += len(vectors)
    report.changed_rowids = rowids
    return report


def index_path(store: Store, model_id: str) -> Path:
    from papersift.index.storage import index_dir_for

    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)
    return index_dir_for(store.location) / safe


def _stored_batches(
    store: Store, model_id: str, size: int = 50_000
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    return store.iter_embeddings(model_id, size)


def open_index(
    store: Store,
    model_id: str,
    dim: int,
    warn: Warn,
    refreshed: list[int] | None = None,
) -> VectorIndex:
    """The model's vector index, brought up to date with the stored vectors."""
    from papersift.index.vectors import load_or_rebuild

    path = index_path(store, model_id)
    rebuilt: list[bool] = []

    def stored_batches() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        rebuilt.append(True)
        return _stored_batches(store, model_id)

    index = load_or_rebuild(path, model_id, dim, stored_batches, warn=_quiet_if_new(path, warn))
    stored = store.embedding_rowids(model_id)
    present = index.keys()
    missing = np.setdiff1d(stored, present, assume_unique=True)
    # An index just built from the store holds every refreshed vector already: adding them
    # again would leave each twice (a dead row per paper, and a graph where a scan would do).
    stale = np.asarray([] if rebuilt else refreshed or [], dtype=np.int64)
    stale = stale[np.isin(stale, present)]
    gone = np.setdiff1d(present, stored, assume_unique=True)
    update = np.union1d(missing, stale)
    if len(update) or len(gone):
        if len(gone):
            index.remove(gone)
        if len(update):
            keys, vectors = store.load_embeddings(model_id, update.tolist())
            index.add(keys, vectors)
        index.save(path)
    return index


def rebuild_index(store: Store, model_id: str, dim: int) -> VectorIndex:
    from papersift.index.vectors import build_index

    return build_index(index_path(store, model_id), model_id, dim, _stored_batches(store, model_id))


def open_searchable(
    store: Store,
    model_id: str,
    dim: int,
    warn: Warn,
    refreshed: list[int] | None = None,
    rebuild: bool = False,
) -> NearestSearch | VectorIndex:
    """The model's nearest-neighbour search, up to date with the stored vectors (built anew
    with `rebuild`): inside the store when it can (PostgreSQL with pgvector), else the usearch
    index beside it."""
    inside = store.nearest(model_id, dim, warn)
    if inside is not None:
        inside.prepare(rebuild=rebuild)
        return inside
    if rebuild:
        return rebuild_index(store, model_id, dim)
    return open_index(store, model_id, dim, warn, refreshed)


def _quiet_if_new(path: Path, warn: Warn) -> Warn:
    """A first build is routine, not worth a warning; a broken or foreign index is."""
    if not path.exists():
        return lambda message: None
    return warn


def semantic_searcher(
    store: Store,
    embedder: Embedder,
    warn: Warn,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> SemanticSearcher:
    """Embed what is missing (on the fly), bring the index up to date, and search it."""
    report = embed_missing(store, embedder, progress=progress, on_total=on_total)
    index = open_searchable(store, embedder.model_id, embedder.dim, warn, report.changed_rowids)

    def embed_query(text: str) -> np.ndarray:
        return np.asarray(embedder.encode([text])[0], dtype=np.float32)

    def vector_of(rowid: int) -> np.ndarray | None:
        keys, vectors = store.load_embeddings(embedder.model_id, [rowid])
        return vectors[0] if len(keys) else None

    return SemanticSearcher(embed_query=embed_query, search=index.search, vector_of=vector_of)


def vectors_for(
    store: Store,
    embedder: Embedder,
    rowids: Sequence[int],
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(rowids, vectors) for these papers, embedding the ones that lack a current vector.

    Papers the store's viewer may not see (private to another reader) are left out, so no
    ranking or map of theirs is built on them."""
    if store.viewer is not None:  # else all are visible: keep the caller's array as it is
        rowids = store.visible_rowids(rowids)
    embed_missing(store, embedder, progress=progress, on_total=on_total, only=rowids)
    return store.load_embeddings(embedder.model_id, rowids)
