"""Nearest-neighbour search inside PostgreSQL with pgvector's HNSW, when the extension is there.

The float16 bytes in `embeddings.vector` stay the store's record of every vector (copy, Ray and
SQLite read them); pgvector's copy of each lives beside them in `embeddings.nn` (halfvec).
A trigger empties `nn` whenever `vector` changes, so a paper re-embedded is searched with its
new vector once `prepare` has filled the empty ones in again, as every search first does.

One HNSW index per model: a partial index over `nn::halfvec(dim)` for that model's rows, as
pgvector recommends for vectors of several dimensions in one column. Its queries name the
model as a literal, since a partial index is used only when the planner sees the value.

Used when `CREATE EXTENSION vector` has been run in the database (or can be: it takes a
superuser, as pgvector is not a trusted extension) and psycopg's pgvector adapter is installed.
Otherwise `PgStore.nearest` returns None and semantic search uses the usearch index.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from papersift.errors import StoreError
from papersift.store.postgres.connection import translate

# Columns that only mirror others, for pgvector: `store copy` leaves them out.
DERIVED = frozenset({("embeddings", "nn")})
# halfvec's HNSW limit (pgvector 0.7+); a model with wider vectors uses the usearch index.
MAX_DIM = 4000
# Papers' vectors converted to halfvec a round trip while filling `nn` in.
_PAGE = 10_000
# HNSW build settings: pgvector's defaults (m 16, ef_construction 64); the benchmark's recall
# at these is in docs/benchmarks.md#pgvector.
_M = 16
_EF_CONSTRUCTION = 64
# Search depth: at least this, and twice the results asked for (pgvector returns at most
# ef_search rows per scan; its limit is 1000). pgvector's default, 100, gave recall@10 0.92 on
# 72k real papers' static-model vectors; 200 gives 0.96 (MiniLM: 0.975 -> 0.988) for ~1 ms more
# (docs/benchmarks.md#pgvector).
_EF_SEARCH_MIN = 200
_EF_SEARCH_MAX = 1000
# A filter of at most this many papers is searched exactly: scanning them beats walking the
# graph past every paper the filter leaves out.
EXACT_LIMIT = 20_000


def _key(text: str) -> int:
    """A 63-bit advisory-lock key for one model (or the extension's set-up)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


def index_name(model_id: str, dim: int) -> str:
    return f"embeddings_hnsw_{hashlib.blake2b(f'{model_id}/{dim}'.encode(), digest_size=6).hexdigest()}"


class NoVectorSearch(Exception):
    """pgvector cannot serve this store (why: the message); the usearch index does instead."""


def enable(db: Any) -> tuple[int, ...] | None:
    """Make pgvector's column, trigger and adapter ready on this connection; its version, or
    None when the server has no pgvector.

    NoVectorSearch when the server has it but this store cannot use it (saying why). A store
    already set up (every web request opens one) is checked in one statement, with no lock.
    """
    state = _state(db)
    if state.version is None or not state.has_column:
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_key("pgvector set-up"),))
            state = _state(db)
            if state.version is None:
                if not _create_extension(db):
                    return None
                state = _state(db)
            assert state.version is not None
            _check_version(state.version)
            if not state.has_column:
                _add_column(db)
    assert state.version is not None
    _check_version(state.version)
    try:
        from pgvector.psycopg.halfvec import register_halfvec_info
    except ImportError:
        raise NoVectorSearch(
            "pgvector's Python adapter is missing: pip install 'papersift[cluster]'"
        ) from None
    from psycopg.types import TypeInfo

    # halfvec is the one type used; its oids come with the state, so a request that searches
    # costs one look-up, not register_vector's four.
    register_halfvec_info(db, TypeInfo("halfvec", state.halfvec_oid, state.halfvec_array_oid))
    return _version_tuple(state.version)


@dataclass(frozen=True)
class _State:
    version: str | None  # pgvector's in this database, or None
    has_column: bool  # whether `embeddings.nn` exists
    halfvec_oid: int
    halfvec_array_oid: int


def _state(db: Any) -> _State:
    row = db.execute(
        "SELECT (SELECT extversion FROM pg_extension WHERE extname = 'vector'), "
        "EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'embeddings' AND column_name = 'nn'), "
        "to_regtype('halfvec')::oid, "
        "(SELECT typarray FROM pg_type WHERE oid = to_regtype('halfvec'))"
    ).fetchone()
    version = None if row[0] is None else str(row[0])
    return _State(version, bool(row[1]), int(row[2] or 0), int(row[3] or 0))


def _create_extension(db: Any) -> bool:
    """Create pgvector in this database; False when the server lacks it."""
    if not db.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone():
        return False
    try:
        with db.transaction():  # a savepoint: a refusal leaves the outer transaction usable
            db.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except _psycopg().errors.InsufficientPrivilege:
        raise NoVectorSearch(
            "pgvector is installed on the server but not in this database, and this role may "
            "not create it (a superuser can: CREATE EXTENSION vector)"
        ) from None
    return True


def _check_version(version: str) -> None:
    if _version_tuple(version) < (0, 7):
        raise NoVectorSearch(f"pgvector {version} has no halfvec; 0.7 or later is needed")


def _add_column(db: Any) -> None:
    db.execute("ALTER TABLE embeddings ADD COLUMN nn halfvec")
    # Finds the vectors to fill in without reading the rest.
    db.execute("CREATE INDEX embeddings_nn_missing ON embeddings (model_id) WHERE nn IS NULL")
    db.execute(
        "CREATE FUNCTION embeddings_nn_stale() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.nn := NULL; RETURN NEW; END $$"
    )
    db.execute(
        "CREATE TRIGGER embeddings_nn_stale BEFORE UPDATE OF vector ON embeddings "
        "FOR EACH ROW WHEN (OLD.vector IS DISTINCT FROM NEW.vector) "
        "EXECUTE FUNCTION embeddings_nn_stale()"
    )


class PgNearest:
    """One model's vectors searched by pgvector's HNSW index: `VectorIndex.search`'s contract."""

    kind = "pgvector hnsw"

    def __init__(self, db: Any, model_id: str, dim: int, version: tuple[int, ...]) -> None:
        self.db = db
        # pgvector 0.8 walks the graph on past ef_search until a filter passes enough rows;
        # before it, a filtered search is answered exactly.
        self._iterative = version >= (0, 8)
        self.model_id = model_id
        self.dim = dim
        sql = _sql()
        self._model = sql.Literal(model_id)
        self._cast = sql.SQL("::halfvec({})").format(sql.Literal(dim))
        self._index = sql.Identifier(index_name(model_id, dim))

    def __len__(self) -> int:
        return self._count("nn IS NOT NULL")

    # -- keeping it current -------------------------------------------------------------------

    def prepare(self, rebuild: bool = False) -> None:
        """Fill in `nn` where it is empty, and build the model's HNSW index if it has none
        (or, with `rebuild`, anew). One process at a time per model: the others wait.

        Vectors filled in while the index exists go into it one by one; the first build (or a
        rebuild) fills them all in first and builds once, which is faster. Only a rebuild
        drops the index, which locks the table against searches until it is built again.
        """
        with _unit(self.db):
            self.db.execute("SELECT pg_advisory_xact_lock(%s)", (_key(f"nn {self.model_id}"),))
            exists = self._index_exists()
            if exists and rebuild:
                self.db.execute(_sql().SQL("DROP INDEX {}").format(self._index))
                exists = False
            if self._count("nn IS NULL"):
                self._fill_in()
            if not exists:
                self._build()
                # Fresh statistics: planned on a table it thinks tiny, a search scans and
                # sorts every row instead of walking the graph. Later additions are left to
                # autovacuum's analyze (ANALYZE reads a sample of the whole table each time).
                self.db.execute("ANALYZE embeddings")

    def _count(self, condition: str) -> int:
        """The model's vectors that meet a condition on `nn`."""
        row = self.db.execute(
            f"SELECT count(*) FROM embeddings WHERE model_id = %s AND {condition}",  # type: ignore[arg-type]
            (self.model_id,),
        ).fetchone()
        return int(row[0])

    def _index_exists(self) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = %s",
            (index_name(self.model_id, self.dim),),
        ).fetchone()
        return row is not None

    def _fill_in(self) -> None:
        """Copy each vector lacking `nn` into it as a halfvec, a page at a time (float16 to
        float16: the values are the same)."""
        import numpy as np
        from pgvector import HalfVector

        self.db.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS nn_fill "
            "(paper_rowid BIGINT PRIMARY KEY, nn halfvec) ON COMMIT DROP"
        )
        while True:
            rows = self.db.execute(
                "SELECT paper_rowid, vector FROM embeddings WHERE model_id = %s AND nn IS NULL "
                "ORDER BY paper_rowid LIMIT %s",
                (self.model_id, _PAGE),
            ).fetchall()
            if not rows:
                return
            statement = "COPY nn_fill (paper_rowid, nn) FROM STDIN (FORMAT BINARY)"
            with self.db.cursor() as cursor, cursor.copy(statement) as copy:
                copy.set_types(["int8", "halfvec"])
                for rowid, vector in rows:
                    values = np.frombuffer(bytes(vector), dtype=np.float16)
                    if len(values) != self.dim:
                        raise StoreError(
                            f"paper {rowid}'s stored {self.model_id} vector has {len(values)} "
                            f"dimensions, not the model's {self.dim}: the store's embeddings "
                            "table is damaged"
                        )
                    copy.write_row((rowid, HalfVector(values)))
            self.db.execute(
                "UPDATE embeddings e SET nn = f.nn FROM nn_fill f "
                "WHERE e.model_id = %s AND e.paper_rowid = f.paper_rowid",
                (self.model_id,),
            )
            self.db.execute("TRUNCATE nn_fill")

    def _build(self) -> None:
        sql = _sql()
        # A build holds every graph node in memory; past this it spills to a slower path.
        self.db.execute("SET LOCAL maintenance_work_mem = '1GB'")
        self.db.execute(
            sql.SQL(
                "CREATE INDEX {} ON embeddings USING hnsw ((nn{}) halfvec_cosine_ops) "
                "WITH (m = {}, ef_construction = {}) WHERE model_id = {}"
            ).format(
                self._index,
                self._cast,
                sql.Literal(_M),
                sql.Literal(_EF_CONSTRUCTION),
                self._model,
            )
        )

    # -- searching ----------------------------------------------------------------------------

    def search(self, query: Any, k: int, allowed: Any | None = None) -> list[tuple[int, float]]:
        """The `k` papers most similar to `query` as (rowid, cosine similarity), best first;
        only among `allowed` rowids when given (exactly when they are few)."""
        import numpy as np
        from pgvector import HalfVector

        if k <= 0:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if len(q) != self.dim:
            raise ValueError(f"query has {len(q)} dimensions, the index {self.dim}")
        norm = float(np.linalg.norm(q))
        vector = HalfVector(q / norm if norm else q)
        if allowed is None:
            return self._graph(vector, k, None)
        rowids = [int(r) for r in np.unique(np.asarray(allowed, np.int64).reshape(-1))]
        if len(rowids) <= EXACT_LIMIT or not self._iterative:
            return self._exact(vector, k, rowids)
        found = self._graph(vector, k, rowids)
        # The graph walk stops after hnsw.max_scan_tuples; a filter that left too few is
        # answered exactly instead.
        return found if len(found) >= min(k, len(rowids)) else self._exact(vector, k, rowids)

    def _graph(self, vector: Any, k: int, rowids: list[int] | None) -> list[tuple[int, float]]:
        sql = _sql()
        distance = sql.SQL("nn{cast} <=> %(q)s{cast}").format(cast=self._cast)
        where = sql.SQL("model_id = {}").format(self._model)
        if rowids is not None:
            where = sql.SQL("{} AND paper_rowid = ANY(%(rowids)s)").format(where)
        query = sql.SQL(
            "SELECT paper_rowid, {d} FROM embeddings WHERE {w} ORDER BY {d} LIMIT %(k)s"
        ).format(d=distance, w=where)
        ef = min(_EF_SEARCH_MAX, max(_EF_SEARCH_MIN, 2 * k))
        settings = {"hnsw.ef_search": str(ef)}
        if self._iterative and (rowids is not None or k > ef):
            # Walk on past ef_search until `k` rows pass the filter (or the limit on tuples
            # visited is reached).
            settings["hnsw.iterative_scan"] = "strict_order"
        # Set for this transaction only, all in one round trip.
        set_local = sql.SQL("SELECT {}").format(
            sql.SQL(", ").join(
                sql.SQL("set_config({}, {}, true)").format(sql.Literal(name), sql.Literal(value))
                for name, value in settings.items()
            )
        )
        with _unit(self.db):
            self.db.execute(set_local)
            rows = self.db.execute(query, {"q": vector, "rowids": rowids, "k": k}).fetchall()
        # The graph yields near-ties in its own order (its distances and the operator's may
        # differ in the last bits): sorted here, best first.
        return sorted(((int(rowid), 1.0 - float(d)) for rowid, d in rows), key=lambda h: -h[1])

    def _exact(self, vector: Any, k: int, rowids: list[int]) -> list[tuple[int, float]]:
        # `nn` without the cast: no index matches, so the planner scans just these rows.
        rows = self.db.execute(
            "SELECT paper_rowid, nn <=> %s AS d FROM embeddings "
            "WHERE model_id = %s AND paper_rowid = ANY(%s) AND nn IS NOT NULL "
            "ORDER BY d LIMIT %s",
            (vector, self.model_id, rowids, k),
        ).fetchall()
        return [(int(rowid), 1.0 - float(d)) for rowid, d in rows]


@contextmanager
def _unit(db: Any) -> Iterator[None]:
    """A transaction whose loss of the server (mid-COPY too) is StoreError's one line."""
    psycopg = _psycopg()
    try:
        with db.transaction():
            yield
    except psycopg.OperationalError as err:
        raise translate(err, db) from None


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


def _sql() -> Any:
    from psycopg import sql

    return sql


def _psycopg() -> Any:
    import psycopg

    return psycopg
