"""Embedding vectors in the SQLite store: one table keyed by model and paper, float16 blobs.

`SqliteStore` takes these methods from `EmbeddingTables` (a mixin sharing its connection).
A vector is stored with a hash of the text it embeds, so a paper whose text changed is
embedded again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import orjson


class EmbeddingTables:
    """The embeddings half of `SqliteStore`."""

    db: sqlite3.Connection

    if TYPE_CHECKING:  # provided by SqliteStore

        def transaction(self) -> AbstractContextManager[None]: ...

    def embedding_inputs(
        self, model_id: str, rowids: Sequence[int] | None = None
    ) -> Iterator[tuple[int, str, str | None, str | None]]:
        """(rowid, title, abstract, stored text hash or None) per paper (all, or `rowids`)."""
        only = "" if rowids is None else "WHERE p.rowid IN (SELECT value FROM json_each(?)) "
        params: tuple[Any, ...] = (model_id,)
        if rowids is not None:
            params += (orjson.dumps([int(r) for r in rowids]).decode(),)
        cursor = self.db.execute(
            "SELECT p.rowid, p.title, p.abstract, e.text_hash FROM papers p "
            "LEFT JOIN embeddings e ON e.model_id = ? AND e.paper_rowid = p.rowid "
            f"{only}ORDER BY p.rowid",
            params,
        )
        for row in cursor:
            yield int(row[0]), row[1], row[2], row[3]

    def save_embeddings(
        self, model_id: str, rowids: Sequence[int], hashes: Sequence[str], vectors: Any
    ) -> None:
        """Store (or replace) vectors, kept as float16 to halve their size."""
        import numpy as np

        half = np.asarray(vectors, dtype=np.float16)
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO embeddings(model_id, paper_rowid, text_hash, vector) "
                "VALUES (?, ?, ?, ?)",
                [
                    (model_id, int(r), h, half[i].tobytes())
                    for i, (r, h) in enumerate(zip(rowids, hashes, strict=True))
                ],
            )

    def load_embeddings(self, model_id: str, rowids: Sequence[int] | None = None) -> Any:
        """(rowids int64 array, float32 matrix) of the stored vectors of one model."""
        import numpy as np

        if rowids is None:
            cursor = self.db.execute(
                "SELECT paper_rowid, vector FROM embeddings WHERE model_id = ? "
                "ORDER BY paper_rowid",
                (model_id,),
            )
        else:
            cursor = self.db.execute(
                "SELECT paper_rowid, vector FROM embeddings WHERE model_id = ? AND paper_rowid "
                "IN (SELECT value FROM json_each(?)) ORDER BY paper_rowid",
                (model_id, orjson.dumps([int(r) for r in rowids]).decode()),
            )
        keys: list[int] = []
        blobs: list[bytes] = []
        for rowid, blob in cursor:
            keys.append(rowid)
            blobs.append(blob)
        if not keys:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        matrix = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(keys), -1)
        return np.asarray(keys, dtype=np.int64), matrix.astype(np.float32)

    def iter_embeddings(self, model_id: str, chunk: int = 50_000) -> Iterator[tuple[Any, Any]]:
        """(rowids, float32 matrix) of a model's vectors, `chunk` at a time, in rowid order.

        Rebuilding the index of all arXiv this way holds one chunk, not 2.7M vectors (~4 GB).
        """
        import numpy as np

        last = -1
        while True:
            rows = self.db.execute(
                "SELECT paper_rowid, vector FROM embeddings WHERE model_id = ? "
                "AND paper_rowid > ? ORDER BY paper_rowid LIMIT ?",
                (model_id, last, chunk),
            ).fetchall()
            if not rows:
                return
            keys = np.asarray([r[0] for r in rows], dtype=np.int64)
            matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16)
            yield keys, matrix.reshape(len(rows), -1).astype(np.float32)
            last = int(keys[-1])

    def embedding_rowids(self, model_id: str) -> Any:
        """Sorted int64 array of the rowids that have a vector for this model."""
        import numpy as np

        rows = self.db.execute(
            "SELECT paper_rowid FROM embeddings WHERE model_id = ? ORDER BY paper_rowid",
            (model_id,),
        ).fetchall()
        return np.asarray([r[0] for r in rows], dtype=np.int64)

    def embedding_count(self, model_id: str) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM embeddings WHERE model_id = ?", (model_id,)
        ).fetchone()
        return int(row[0])

    def nearest(
        self,
        model_id: str,
        dim: int,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        """SQLite searches no vectors itself: the usearch index beside the file does."""
        return None
