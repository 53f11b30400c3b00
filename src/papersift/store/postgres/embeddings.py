"""Embedding vectors in the PostgreSQL store: float16 bytes in BYTEA, as SQLite keeps them.

`PgStore` takes these methods from `PgEmbeddings`; the API is `store.embeddings`'s. The
nearest-neighbour search is pgvector's (`nearest`) when the server has the extension; else
the usearch index is rebuilt from these rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from papersift.store.postgres.nearest import MAX_DIM, NoVectorSearch, PgNearest, enable

logger = logging.getLogger(__name__)

# Papers read a round trip: keyset pages keep a big store's read out of one huge result.
_PAGE = 10_000


class PgEmbeddings:
    """The embeddings half of `PgStore`."""

    db: Any
    # pgvector's version once looked up: None when the server has no pgvector (or this store
    # cannot use it); unset until the first `nearest`.
    _pgvector: tuple[int, ...] | None

    if TYPE_CHECKING:  # provided by PgStore

        def transaction(self) -> AbstractContextManager[None]: ...

    def embedding_inputs(
        self, model_id: str, rowids: Sequence[int] | None = None
    ) -> Iterator[tuple[int, str, str | None, str | None]]:
        """(rowid, title, abstract, stored text hash or None) per paper (all, or `rowids`)."""
        if rowids is not None:
            cursor = self.db.execute(
                "SELECT p.rowid, p.title, p.abstract, e.text_hash FROM papers p "
                "LEFT JOIN embeddings e ON e.model_id = %s AND e.paper_rowid = p.rowid "
                "WHERE p.rowid = ANY(%s) ORDER BY p.rowid",
                (model_id, [int(r) for r in rowids]),
            )
            for row in cursor.fetchall():
                yield int(row[0]), row[1], row[2], row[3]
            return
        last = -1
        while True:
            rows = self.db.execute(
                "SELECT p.rowid, p.title, p.abstract, e.text_hash FROM papers p "
                "LEFT JOIN embeddings e ON e.model_id = %s AND e.paper_rowid = p.rowid "
                "WHERE p.rowid > %s ORDER BY p.rowid LIMIT %s",
                (model_id, last, _PAGE),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield int(row[0]), row[1], row[2], row[3]
            last = int(rows[-1][0])

    def save_embeddings(
        self, model_id: str, rowids: Sequence[int], hashes: Sequence[str], vectors: Any
    ) -> None:
        """Store (or replace) vectors, kept as float16 to halve their size."""
        import numpy as np

        half = np.asarray(vectors, dtype=np.float16)
        with self.transaction(), self.db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO embeddings(model_id, paper_rowid, text_hash, vector) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (model_id, paper_rowid) DO UPDATE "
                "SET text_hash = excluded.text_hash, vector = excluded.vector",
                [
                    (model_id, int(r), h, half[i].tobytes())
                    for i, (r, h) in enumerate(zip(rowids, hashes, strict=True))
                ],
            )

    def load_embeddings(self, model_id: str, rowids: Sequence[int] | None = None) -> Any:
        """(rowids int64 array, float32 matrix) of the stored vectors of one model."""
        import numpy as np

        if rowids is None:
            rows = self.db.execute(
                "SELECT paper_rowid, vector FROM embeddings WHERE model_id = %s "
                "ORDER BY paper_rowid",
                (model_id,),
            ).fetchall()
        else:
            rows = self.db.execute(
                "SELECT paper_rowid, vector FROM embeddings WHERE model_id = %s "
                "AND paper_rowid = ANY(%s) ORDER BY paper_rowid",
                (model_id, [int(r) for r in rowids]),
            ).fetchall()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        return _matrix(rows)

    def iter_embeddings(self, model_id: str, chunk: int = 50_000) -> Iterator[tuple[Any, Any]]:
        """(rowids, float32 matrix) of a model's vectors, `chunk` at a time, in rowid order."""
        last = -1
        while True:
            rows = self.db.execute(
                "SELECT paper_rowid, vector FROM embeddings WHERE model_id = %s "
                "AND paper_rowid > %s ORDER BY paper_rowid LIMIT %s",
                (model_id, last, chunk),
            ).fetchall()
            if not rows:
                return
            keys, matrix = _matrix(rows)
            yield keys, matrix
            last = int(keys[-1])

    def embedding_rowids(self, model_id: str) -> Any:
        """Sorted int64 array of the rowids that have a vector for this model."""
        import numpy as np

        rows = self.db.execute(
            "SELECT paper_rowid FROM embeddings WHERE model_id = %s ORDER BY paper_rowid",
            (model_id,),
        ).fetchall()
        return np.asarray([r[0] for r in rows], dtype=np.int64)

    def nearest(
        self,
        model_id: str,
        dim: int,
        warn: Callable[[str], None] = logger.warning,
    ) -> PgNearest | None:
        """The model's vectors searched by pgvector's HNSW index on this connection (`prepare`
        brings it up to date); None when the server has no usable pgvector, said with `warn`
        when it has one this store cannot use."""
        if not hasattr(self, "_pgvector"):
            try:
                self._pgvector = enable(self.db)
            except NoVectorSearch as why:
                warn(f"{why}; searching vectors with the usearch index instead")
                self._pgvector = None
        if self._pgvector is None or not 0 < dim <= MAX_DIM:
            return None
        return PgNearest(self.db, model_id, dim, self._pgvector)

    def embedding_count(self, model_id: str) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM embeddings WHERE model_id = %s", (model_id,)
        ).fetchone()
        return int(row[0])


def _matrix(rows: list[tuple[Any, ...]]) -> tuple[Any, Any]:
    import numpy as np

    keys = np.asarray([r[0] for r in rows], dtype=np.int64)
    matrix = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype=np.float16)
    return keys, matrix.reshape(len(rows), -1).astype(np.float32)
