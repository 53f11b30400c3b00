"""The usearch index against pgvector's HNSW on real papers: build, recall, latency, updates.

Real papers (arxiv-daily, read by path; by default all 74,728, `--n` keeps the newest n) are
split three ways: `--add` (2,000) newest papers to add once the indexes exist, `--queries`
(300) others held out as queries (their titles, as a reader's search), and the rest stored.
The stored papers' texts (title and abstract, as `embed` embeds them) are embedded once with
`--model` (default the static model; vectors cached outside the repository by realdata.py) and
the same vectors are saved into a SQLite store, searched by the usearch index beside it, and
into a PostgreSQL store on the PyPI build with pgvector (a throw-away local cluster with the
test settings), searched by pgvector's HNSW (`PgNearest`); both through `open_searchable`.

    python benchmarks/bench_pgvector.py     # all papers, ~2 minutes once the vectors are cached
    python benchmarks/bench_pgvector.py --model fast    # MiniLM int8: ~12 minutes to embed, once
    python benchmarks/bench_pgvector.py --n 20000 --ef 40,100,200,400

Prints, for usearch and pgvector: the first `open_searchable` after saving the vectors (the
index build), recall@10 against exact cosine (numpy, over the same float16 vectors) and search
p50/p95 of `.search(q, 10)` with the query vector precomputed, unfiltered and filtered (allowed
= one mid-size category's papers, one large category's, one listing day's); then recall and
latency at each `--ef` HNSW search depth (pgvector's hnsw.ef_search, usearch's
expansion_search); then adding `--add` papers' vectors (save and
`open_searchable` again) and the unfiltered search once more. Searches alternate between the
two, query by query, so the machine's drift falls on both alike.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import realdata as rd  # noqa: E402
from tests.helpers import make_paper  # noqa: E402

from papersift.embed import load_embedder  # noqa: E402
from papersift.embed.base import Embedder  # noqa: E402
from papersift.index.sync import open_searchable, pending_texts  # noqa: E402
from papersift.store import Store, open_store  # noqa: E402
from papersift.store.postgres import nearest  # noqa: E402

K = 10
SAVE_CHUNK = 10_000


def paper_of(row: dict) -> Any:
    listed = dt.date.fromisoformat(row["listing_date"])
    return make_paper(
        row["id"],
        row["title"],
        abstract=row["abstract"],
        authors=tuple(row["authors"]),
        published=listed,
        categories=tuple(row["categories"]),
    )


@contextmanager
def pgvector_database() -> Any:
    """A URL of a new database in a throw-away cluster of the PyPI build with pgvector."""
    from tests.pg_cluster import PgCluster, why_unavailable

    reason = why_unavailable(pgvector=True)
    if reason:
        raise SystemExit(f"bench_pgvector: {reason}")
    cluster = PgCluster(pgvector=True).start()
    try:
        yield cluster.create_database()
    finally:
        cluster.stop()


@dataclass
class Side:
    """One store and its nearest-neighbour search, with rowid <-> paper-position maps."""

    name: str
    store: Store
    searcher: Any = None
    rowid_of: dict[str, int] | None = None  # paper id -> rowid
    position: dict[int, int] | None = None  # rowid -> position in the benchmark's paper order

    def map_rowids(self, ids: Sequence[str]) -> None:
        rowids = self.store.filtered_rowids(_everything())
        papers = self.store.papers_by_rowid(rowids)
        self.rowid_of = {p.id: r for r, p in papers.items()}
        order = {pid: i for i, pid in enumerate(ids)}
        self.position = {r: order[p.id] for r, p in papers.items() if p.id in order}

    def rowids(self, positions: np.ndarray, ids: Sequence[str]) -> np.ndarray:
        assert self.rowid_of is not None
        return np.array([self.rowid_of[ids[i]] for i in positions], np.int64)


def _everything() -> Any:
    from papersift.records import PaperFilter

    return PaperFilter()


def save_vectors(
    side: Side, embedder: Embedder, vector_of: dict[str, np.ndarray], ids: Sequence[str]
) -> float:
    """Save every pending paper's vector (looked up by paper id); seconds taken."""
    store = side.store
    rowids, _texts, hashes, _current = pending_texts(store, embedder.model_id)
    side.map_rowids(ids)
    assert side.position is not None
    by_rowid = {r: ids[side.position[r]] for r in rowids}
    vectors = np.stack([vector_of[by_rowid[r]] for r in rowids])
    t0 = time.perf_counter()
    for start in range(0, len(rowids), SAVE_CHUNK):
        stop = start + SAVE_CHUNK
        store.save_embeddings(
            embedder.model_id, rowids[start:stop], hashes[start:stop], vectors[start:stop]
        )
    return time.perf_counter() - t0


def embed_pending(
    store: Store, embedder: Embedder, ids_of: Callable[[list[int]], list[str]]
) -> dict[str, np.ndarray]:
    """Each pending paper's vector (its title and abstract as `embed` embeds them), by id."""
    rowids, texts, _hashes, _current = pending_texts(store, embedder.model_id)
    vectors = rd.embed_cached(embedder, texts, "arxiv-daily-papers")
    return dict(zip(ids_of(rowids), vectors, strict=True))


def unit_f16(vectors: np.ndarray) -> np.ndarray:
    """The vectors as the stores keep them (float16), back in float32 and unit length."""
    rounded = vectors.astype(np.float16).astype(np.float32)
    return rounded / np.linalg.norm(rounded, axis=1, keepdims=True)


def exact_top(
    matrix: np.ndarray, queries: np.ndarray, k: int, among: np.ndarray | None
) -> list[set[int]]:
    """Each query's k nearest positions by cosine (exact), among `among` positions if given."""
    rows = matrix if among is None else matrix[among]
    scores = queries @ rows.T
    if len(rows) <= k:
        top = np.broadcast_to(np.arange(len(rows)), scores.shape)
    else:
        top = np.argpartition(-scores, k, axis=1)[:, :k]
    if among is not None:
        top = among[top]
    return [set(t.tolist()) for t in top]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


@dataclass
class Result:
    recall: float
    p50: float
    p95: float


def measure(
    sides: Sequence[Side],
    queries: np.ndarray,
    truth: list[set[int]],
    ids: Sequence[str],
    allowed: np.ndarray | None = None,
) -> dict[str, Result]:
    """Recall@10 and latency of each side's `.search(q, 10[, allowed])`, alternating sides query
    by query (which goes first alternates too)."""
    allowed_rowids = {s.name: None if allowed is None else s.rowids(allowed, ids) for s in sides}
    for side in sides:  # warm: first statements, caches, lazily loaded graphs
        for q in queries[:5]:
            side.searcher.search(q, K, allowed_rowids[side.name])
    times: dict[str, list[float]] = {s.name: [] for s in sides}
    hits: dict[str, list[float]] = {s.name: [] for s in sides}
    for i, q in enumerate(queries):
        for side in sides if i % 2 == 0 else sides[::-1]:
            t0 = time.perf_counter()
            found = side.searcher.search(q, K, allowed_rowids[side.name])
            times[side.name].append(time.perf_counter() - t0)
            assert side.position is not None
            positions = {side.position[r] for r, _ in found}
            hits[side.name].append(len(positions & truth[i]) / min(K, len(truth[i])))
    return {
        name: Result(float(np.mean(hits[name])), percentile(t, 0.5), percentile(t, 0.95))
        for name, t in times.items()
    }


def print_table(title: str, rows: Sequence[tuple[str, dict[str, Result]]]) -> None:
    print(f"\n{title}")
    print(
        f"{'':34s}{'usearch recall':>15s}{'p50 ms':>8s}{'p95 ms':>8s}"
        f"{'pgvector recall':>17s}{'p50 ms':>8s}{'p95 ms':>8s}{'pg/us p50':>11s}"
    )
    for name, results in rows:
        u, p = results["usearch"], results["pgvector"]
        print(
            f"{name:34s}{u.recall:15.3f}{u.p50:8.2f}{u.p95:8.2f}"
            f"{p.recall:17.3f}{p.p50:8.2f}{p.p95:8.2f}{p.p50 / u.p50:10.1f}x"
        )


def timed_open(side: Side, model_id: str, dim: int) -> float:
    t0 = time.perf_counter()
    side.searcher = open_searchable(side.store, model_id, dim, warn=print)
    return time.perf_counter() - t0


@contextmanager
def pg_build_parts(parts: dict[str, float]) -> Any:
    """Time PgNearest's fill-in (vectors copied into `nn`) and HNSW build separately."""
    cls = nearest.PgNearest
    originals = {name: getattr(cls, name) for name in ("_fill_in", "_build")}

    def wrap(name: str, method: Callable[..., None]) -> Callable[..., None]:
        def timed(self: Any) -> None:
            t0 = time.perf_counter()
            method(self)
            parts[name] = parts.get(name, 0.0) + time.perf_counter() - t0

        return timed

    for name, method in originals.items():
        setattr(cls, name, wrap(name, method))
    try:
        yield parts
    finally:
        for name, method in originals.items():
            setattr(cls, name, method)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=0, help="the newest n papers (default: all)")
    parser.add_argument("--model", default="static", help="embedding model (default: static)")
    parser.add_argument("--queries", type=int, default=300, help="held-out titles as queries")
    parser.add_argument("--add", type=int, default=2000, help="papers added once indexes exist")
    parser.add_argument("--categories", default="cs.LG,cs.CL", help="categories to filter by")
    parser.add_argument(
        "--ef", default="40,64,100,200,400", help="HNSW search depths to sweep (both indexes)"
    )
    args = parser.parse_args(argv)
    if not rd.ARXIV_DAILY.exists():
        parser.exit(2, f"no arxiv-daily at {rd.ARXIV_DAILY}\n")

    rows = (
        list(rd.arxiv_daily())
        if not args.n
        else list(collections.deque(rd.arxiv_daily(), maxlen=args.n))
    )
    later = rows[len(rows) - args.add :]
    rest = rows[: len(rows) - args.add]
    rng = np.random.default_rng(7)
    held = set(rng.choice(len(rest), args.queries, replace=False).tolist())
    query_rows = [r for i, r in enumerate(rest) if i in held]
    stored = [r for i, r in enumerate(rest) if i not in held]
    papers = stored + later  # the benchmark's paper order: positions index this list
    ids = [r["id"] for r in papers]
    days = collections.Counter(r["listing_date"] for r in stored)
    day = max(days, key=lambda d: (days[d], d))
    categories = [c.strip() for c in args.categories.split(",") if c.strip()]

    embedder = load_embedder(args.model)
    model_id, dim = embedder.model_id, embedder.dim
    print(
        f"{len(stored):,} papers stored, {len(later):,} added later, {len(query_rows)} held-out "
        f"titles as queries (arxiv-daily, {rows[0]['listing_date']} .. {rows[-1]['listing_date']}); "
        f"model {model_id} ({dim} dimensions)"
    )
    query_vectors = rd.embed_cached(
        embedder, [r["title"] for r in query_rows], "arxiv-daily-query-titles"
    )
    query_vectors /= np.linalg.norm(query_vectors, axis=1, keepdims=True)

    with tempfile.TemporaryDirectory() as tmp, pgvector_database() as url:
        sides = [
            Side("usearch", open_store(str(Path(tmp) / "papers.db"))),
            Side("pgvector", open_store(url)),
        ]
        version = sides[1].store.db.execute("SELECT version()").fetchone()[0].split(",")[0]  # type: ignore[attr-defined]
        upsert: dict[str, float] = {}
        for side in sides:
            t0 = time.perf_counter()
            side.store.upsert(paper_of(r) for r in stored)
            upsert[side.name] = time.perf_counter() - t0
        first = sides[0]
        first.map_rowids(ids)

        def ids_of(rowids: list[int]) -> list[str]:
            assert first.position is not None
            return [ids[first.position[r]] for r in rowids]

        t0 = time.perf_counter()
        vector_of = embed_pending(first.store, embedder, ids_of)
        embed_seconds = time.perf_counter() - t0
        saved = {s.name: save_vectors(s, embedder, vector_of, ids) for s in sides}
        build_parts: dict[str, float] = {}
        built = {"usearch": timed_open(sides[0], model_id, dim)}
        with pg_build_parts(build_parts):
            built["pgvector"] = timed_open(sides[1], model_id, dim)
        ext = (
            sides[1]
            .store.db.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            .fetchone()[0]
        )  # type: ignore[attr-defined]
        kinds = {s.name: s.searcher.kind for s in sides}
        if kinds["pgvector"] != "pgvector hnsw":
            raise SystemExit(
                f"bench_pgvector: the PostgreSQL store searched with {kinds['pgvector']}"
            )
        print(
            f"{version}, pgvector {ext}; searches: usearch {kinds['usearch']}, {kinds['pgvector']}"
        )
        print(
            f"embedding {len(vector_of):,} texts: {embed_seconds:.1f} s (cached after the first run)"
        )
        reopen = {s.name: timed_open(s, model_id, dim) for s in sides}
        print(f"\n{'':44s}{'usearch':>10s}{'pgvector':>10s}{'pg/us':>8s}")
        for label, values in (
            (f"upsert {len(stored):,} papers, s", upsert),
            (f"save {len(stored):,} vectors, s", saved),
            ("index build (first open_searchable), s", built),
            ("open_searchable again, nothing new, s", reopen),
        ):
            u, p = values["usearch"], values["pgvector"]
            print(f"{label:44s}{u:10.2f}{p:10.2f}{p / u:7.1f}x")
        print(
            f"  (pgvector's build: {build_parts.get('_fill_in', 0):.1f} s copying the vectors into "
            f"halfvec, {build_parts.get('_build', 0):.1f} s CREATE INDEX, the rest ANALYZE)"
        )
        print(f"  plan: {explain(sides[1], query_vectors[0], model_id, dim)}")

        n_stored = len(stored)
        matrix = unit_f16(np.stack([vector_of[i] for i in ids[:n_stored]]))
        filters: list[tuple[str, np.ndarray | None]] = [("no filter", None)]
        for category in categories:
            among = np.array(
                [i for i, r in enumerate(stored) if category in r["categories"]], np.int64
            )
            filters.append((f"{category} ({len(among):,} papers)", among))
        among = np.array([i for i, r in enumerate(stored) if r["listing_date"] == day], np.int64)
        filters.append((f"listing day {day} ({len(among):,})", among))
        table = []
        for label, among in filters:
            truth = exact_top(matrix, query_vectors, K, among)
            table.append((label, measure(sides, query_vectors, truth, ids, among)))
        print_table(f"recall@{K} and search latency, {n_stored:,} papers (default settings)", table)

        truth = exact_top(matrix, query_vectors, K, None)
        depth_sweep(sides, query_vectors, truth, ids, [int(e) for e in args.ef.split(",") if e])

        # Adding papers once the indexes exist: upsert (untimed), save vectors, open again.
        for side in sides:
            side.store.upsert(paper_of(r) for r in later)
        vector_of.update(embed_pending(first.store, embedder, ids_of_all(first, ids)))
        added_save: dict[str, float] = {}
        added_open: dict[str, float] = {}
        for side in sides:
            added_save[side.name] = save_vectors(side, embedder, vector_of, ids)
            added_open[side.name] = timed_open(side, model_id, dim)
        print(
            f"\nadding {len(later):,} papers' vectors{'':14s}{'usearch':>10s}{'pgvector':>10s}{'pg/us':>8s}"
        )
        for label, values in (
            ("save_embeddings, s", added_save),
            ("open_searchable again, s", added_open),
        ):
            u, p = values["usearch"], values["pgvector"]
            print(f"{label:44s}{u:10.2f}{p:10.2f}{p / u:7.1f}x")
        matrix = unit_f16(np.stack([vector_of[i] for i in ids]))
        truth = exact_top(matrix, query_vectors, K, None)
        print_table(
            f"after adding: {len(ids):,} papers",
            [("no filter", measure(sides, query_vectors, truth, ids))],
        )
        for side in sides:
            side.store.close()


def depth_sweep(
    sides: Sequence[Side],
    queries: np.ndarray,
    truth: list[set[int]],
    ids: Sequence[str],
    depths: Sequence[int],
) -> None:
    """Recall and latency at each HNSW search depth: pgvector's hnsw.ef_search (through
    PgNearest's floor) and the usearch index's expansion_search, alternating as before."""
    from papersift.index.vectors import auto_expansion

    index = sides[0].searcher
    settings = index.settings
    floor = nearest._EF_SEARCH_MIN
    auto = auto_expansion(len(index._graph)) if index._graph is not None else None
    print(
        f"\nsearch depth (ef): pgvector's default max({floor}, 2k) = {max(floor, 2 * K)}, "
        f"usearch's auto {auto} (its graph's {len(index._graph or ()):,} nodes); no filter"
    )
    print(
        f"{'ef':>6s}{'usearch recall':>16s}{'p50 ms':>8s}{'p95 ms':>8s}"
        f"{'pgvector recall':>17s}{'p50 ms':>8s}{'p95 ms':>8s}"
    )
    try:
        for ef in depths:
            nearest._EF_SEARCH_MIN = ef
            index.settings = replace(settings, expansion_search=ef)
            r = measure(sides, queries, truth, ids)
            u, p = r["usearch"], r["pgvector"]
            print(
                f"{ef:6d}{u.recall:16.3f}{u.p50:8.2f}{u.p95:8.2f}"
                f"{p.recall:17.3f}{p.p50:8.2f}{p.p95:8.2f}"
            )
    finally:
        nearest._EF_SEARCH_MIN = floor
        index.settings = settings


def ids_of_all(side: Side, ids: Sequence[str]) -> Callable[[list[int]], list[str]]:
    """Rowids to paper ids on `side`, its map refreshed (new papers were added)."""
    side.map_rowids(ids)

    def ids_of(rowids: list[int]) -> list[str]:
        assert side.position is not None
        return [ids[side.position[r]] for r in rowids]

    return ids_of


def explain(side: Side, query: np.ndarray, model_id: str, dim: int) -> str:
    """The plan's first two lines for PgNearest's unfiltered query (is the HNSW index used?)."""
    from pgvector import HalfVector
    from psycopg import sql

    db = side.store.db  # type: ignore[attr-defined]
    cast = sql.SQL("::halfvec({})").format(sql.Literal(dim))
    statement = sql.SQL(
        "EXPLAIN SELECT paper_rowid, nn{c} <=> %(q)s{c} FROM embeddings WHERE model_id = {m} "
        "ORDER BY nn{c} <=> %(q)s{c} LIMIT 10"
    ).format(c=cast, m=sql.Literal(model_id))
    plan = [row[0] for row in db.execute(statement, {"q": HalfVector(query)}).fetchall()]
    return " / ".join(line.strip() for line in plan[:2])


if __name__ == "__main__":
    main()
