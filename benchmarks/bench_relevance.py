"""Relevance on real data: papersift's own code paths next to the baselines a reader has.

One run, every number side by side, on the real third-party sets in ../shared/datasets:

- SciFact (BEIR): 300 test claims over 5,183 abstracts, nDCG@10. papersift's `search` in
  each mode on a store holding the corpus; baselines BM25 (k1 0.9, b 0.4, no stemming, as
  BEIR's sanity check), all-MiniLM-L6-v2 cosine, and their reciprocal rank fusion.
- CSFCube: 50 expert-judged "papers like this one" queries; each query's judged pool is
  ranked, MAP (grade >= 2 relevant) and NDCG at 20% of the pool, the mean of the two upstream
  test folds. papersift's `similar` and `like` + `recommend --all` (from the one liked query
  paper) on a store of all 4,205 papers; baselines BM25 (k1 1.2, b 0.75), cosine, RRF.
- CiteULike-a: real reader libraries (titles only). Readers with >= 30 papers like n of their
  papers (n = 1, 3, 10), recall@50 and @100 of the rest among all 16,980 papers. papersift's
  ranker (`rank.rank`, as `recommend --all` calls it) against arxiv-sanity-lite's tf-idf
  linear SVM (its vectorizer settings, C=0.01, liked vs every other paper), zotero-arxiv-
  daily's mean similarity to the likes, and their RRF. Two disjoint groups of readers: the
  "tune" group is what constants were chosen on, the "report" group is what is reported.

Every quality constant in papersift was chosen on the train/dev/tune sides; the tables print
both sides. `--quick` runs a few queries of each set over a small part of its corpus (the judged
papers plus a few hundred others), so it embeds little; the test suite runs it so this cannot rot.

    python benchmarks/bench_relevance.py [--quick] [--sets scifact,csfcube,citeulike]
        [--model NAME] [--readers 150] [--postgresql | --pgvector]

`--postgresql` builds the SciFact and CSFCube stores in a throw-away PostgreSQL cluster
(Debian's server: its keyword search, semantic search by the usearch index beside it);
`--pgvector` in one of the PyPI build with pgvector, so semantic search (and the semantic half
of hybrid) goes through pgvector's HNSW inside the database. Each set's timing line says which
nearest-neighbour search served it.

Vectors are cached per model under ~/.cache/papersift/bench (see realdata.py): the first run
embeds ~40,000 texts (about 15 minutes with the reference model on two cores).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realdata as rd  # noqa: E402

from papersift.embed import load_embedder  # noqa: E402
from papersift.embed.base import DEFAULT_BATCH_SIZE, Embedder, Progress  # noqa: E402
from papersift.index.sync import SemanticSearcher, semantic_searcher  # noqa: E402
from papersift.rank.evaluate import arxiv_sanity_vectorizer  # noqa: E402
from papersift.rank.model import rank  # noqa: E402
from papersift.rank.recommend import recommend  # noqa: E402
from papersift.rank.types import Corpus, Profile  # noqa: E402
from papersift.records import Paper  # noqa: E402
from papersift.search import search, similar  # noqa: E402
from papersift.store import Store, open_store  # noqa: E402

TODAY = dt.date(2026, 1, 1)


class CachedEmbedder:
    """The given embedder, with every text's vector kept in the benchmark cache."""

    def __init__(self, inner: Embedder, name: str) -> None:
        self.inner = inner
        self.name = name
        self.model_id = inner.model_id
        self.dim = inner.dim

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Progress | None = None,
    ) -> np.ndarray:
        vectors = rd.embed_cached(self.inner, list(texts), self.name)
        if progress:
            progress(len(texts))
        return vectors


# -- baselines --------------------------------------------------------------------------------


class BM25:
    """Plain Okapi BM25 over lower-cased alphanumeric tokens (no stemming)."""

    STOP = frozenset(
        "a an and are as at be but by for if in into is it no not of on or such that the their "
        "then there these they this to was will with".split()
    )

    def __init__(self, texts: Sequence[str], k1: float, b: float) -> None:
        from sklearn.feature_extraction.text import CountVectorizer

        self.vectorizer = CountVectorizer(
            lowercase=True, token_pattern=r"(?u)\b\w+\b", stop_words=list(self.STOP)
        )
        counts = self.vectorizer.fit_transform(texts).tocsc().astype(np.float64)
        n = counts.shape[0]
        df = np.diff(counts.indptr)
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        norm = k1 * (1 - b + b * lengths / lengths.mean())
        counts = counts.tocoo()
        weights = counts.data * (k1 + 1) / (counts.data + norm[counts.row])
        from scipy.sparse import csr_matrix

        self.matrix = csr_matrix((weights, (counts.row, counts.col)), shape=counts.shape)

    def scores(self, query: str) -> np.ndarray:
        terms = self.vectorizer.transform([query])
        columns = terms.indices  # each distinct query term once, as BEIR's BM25 does
        weights = np.zeros(self.matrix.shape[1])
        weights[columns] = self.idf[columns]
        return np.asarray(self.matrix @ weights).ravel()


def rrf(*scores: np.ndarray, k: int = 60) -> np.ndarray:
    total = np.zeros(len(scores[0]))
    for score in scores:
        ranks = np.empty(len(score))
        ranks[np.argsort(-score, kind="stable")] = np.arange(1, len(score) + 1)
        total += 1.0 / (k + ranks)
    return total


def arxiv_sanity_svm(features: object, liked: np.ndarray, c: float = 0.01) -> np.ndarray:
    """arxiv-sanity-lite's ranking: a linear SVM of the liked papers against all others."""
    from sklearn.svm import LinearSVC

    labels = np.zeros(features.shape[0])  # type: ignore[attr-defined]
    labels[liked] = 1
    model = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=c)
    model.fit(features, labels)
    return model.decision_function(features)


def arxiv_sanity_tfidf(texts: Sequence[str]) -> object:
    """arxiv-sanity-lite's vectorizer (compute.py: min_df 5, max_df 0.1), fitted on the corpus."""
    return arxiv_sanity_vectorizer(min_df=5, max_df=0.1).fit_transform(texts)


# -- helpers ----------------------------------------------------------------------------------

# Where a named store goes: a SQLite file, or a new database of a PostgreSQL cluster.
Place = Callable[[str], str]


@contextlib.contextmanager
def store_places(folder: Path, backend: str) -> Iterator[Place]:
    """Places for the stores: SQLite files in `folder` ("sqlite"), or new databases of a
    throw-away cluster of Debian's PostgreSQL ("postgresql") or the PyPI build with pgvector
    ("pgvector")."""
    if backend == "sqlite":
        yield lambda prefix: str(folder / f"{prefix}.db")
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.pg_cluster import PgCluster, why_unavailable

    pgvector = backend == "pgvector"
    reason = why_unavailable(pgvector=pgvector)
    if reason:
        raise SystemExit(f"bench_relevance --{backend}: {reason}")
    cluster = PgCluster(pgvector=pgvector).start()
    try:
        yield lambda prefix: cluster.create_database()
    finally:
        cluster.stop()


def build_store(place: Place, docs: Sequence[rd.Doc], prefix: str) -> Store:
    store = open_store(place(prefix))
    store.upsert(
        Paper(id=f"{prefix}:{d.id}", title=d.title, title_raw=d.title, abstract=d.abstract)
        for d in docs
    )
    return store


def nearest_kind(searcher: SemanticSearcher, backend: str) -> str:
    """Which nearest-neighbour search serves `searcher` ("pgvector hnsw", or the usearch
    index's "hnsw" / "exact"); a --pgvector run that did not get pgvector's stops here."""
    index = getattr(searcher.search, "__self__", None)
    kind = str(getattr(index, "kind", "unknown"))
    if backend == "pgvector" and kind != "pgvector hnsw":
        raise SystemExit(f"bench_relevance --pgvector: semantic search is {kind}, not pgvector")
    return kind if kind.startswith("pgvector") else f"usearch {kind}"


def table(title: str, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[float]]]) -> None:
    print(f"\n{title}")
    width = max(len(name) for name, _ in rows) + 2
    print(" " * width + "".join(f"{c:>14s}" for c in columns))
    for name, values in rows:
        print(f"{name:<{width}s}" + "".join(f"{v:14.4f}" for v in values))


def timed(label: str) -> Callable[[], None]:
    start = time.perf_counter()
    return lambda: print(f"  ({label}: {time.perf_counter() - start:.1f} s)", flush=True)


# -- SciFact ----------------------------------------------------------------------------------


def run_scifact(base: Embedder, place: Place, quick: bool, backend: str) -> dict[str, float]:
    data = rd.scifact()
    if quick:
        data = _quick_scifact(data)
    embedder = CachedEmbedder(base, "scifact-docs")
    done = timed("scifact store and embeddings")
    store = build_store(place, data.docs, "scifact")
    searcher = semantic_searcher(store, embedder, warn=print)
    done()
    print(f"  (semantic search: {nearest_kind(searcher, backend)})", flush=True)
    query_embedder = CachedEmbedder(base, "scifact-queries")
    searcher = searcher.__class__(
        embed_query=lambda text: query_embedder.encode([text])[0],
        search=searcher.search,
        vector_of=searcher.vector_of,
    )
    ids = [d.id for d in data.docs]
    doc_vectors = rd.embed_cached(base, [d.text for d in data.docs], "scifact-docs")
    bm25 = BM25([d.text for d in data.docs], k1=0.9, b=0.4)
    results: dict[str, float] = {}
    rows = []
    per_split: dict[str, dict[str, list[float]]] = {}
    for split in ("train", "test"):
        judged = list(data.qrels[split].items())
        scores: dict[str, list[float]] = {}
        for qid, grades in judged:
            text = data.queries[qid]
            lexical = bm25.scores(text)
            cosine = doc_vectors @ query_embedder.encode([text])[0]
            for name, values in (
                ("BM25 (baseline)", lexical),
                ("MiniLM cosine (baseline)", cosine),
                ("RRF of the two (baseline)", rrf(lexical, cosine)),
            ):
                top = np.argsort(-values, kind="stable")[:10]
                scores.setdefault(name, []).append(rd.ndcg_at([ids[i] for i in top], grades, 10))
            for mode in ("keyword", "semantic", "hybrid"):
                hits = search(store, text, mode=mode, k=10, semantic=lambda: searcher)  # type: ignore[arg-type]
                found = [h.paper.id.split(":", 1)[1] for h in hits]
                scores.setdefault(f"papersift search --mode {mode}", []).append(
                    rd.ndcg_at(found, grades, 10)
                )
        per_split[split] = scores
    for name in per_split["test"]:
        train, test = (float(np.mean(per_split[s][name])) for s in ("train", "test"))
        rows.append((name, (train, test)))
        results[name] = test
    store.close()
    sizes = tuple(
        f"{split} ({len(per_split[split][next(iter(per_split[split]))])})"
        for split in ("train", "test")
    )
    table("SciFact nDCG@10 (BEIR's BM25: 0.665)", sizes, rows)
    return results


# -- CSFCube ----------------------------------------------------------------------------------


QUICK_QUERIES = 10
QUICK_OTHER_DOCS = 300


def _quick_scifact(data: rd.Retrieval) -> rd.Retrieval:
    """A few queries of each split over their judged abstracts and a few hundred others."""
    qrels = {
        split: dict(list(judged.items())[:QUICK_QUERIES]) for split, judged in data.qrels.items()
    }
    judged_docs = {doc for judged in qrels.values() for grades in judged.values() for doc in grades}
    docs = [d for d in data.docs if d.id in judged_docs]
    docs += [d for d in data.docs if d.id not in judged_docs][:QUICK_OTHER_DOCS]
    return rd.Retrieval(docs, data.queries, qrels)


def pool_metrics(grades: Sequence[int]) -> tuple[float, float]:
    binary = [1 if g >= 2 else 0 for g in grades]
    return rd.average_precision(binary), rd.pool_ndcg(grades, int(0.2 * len(grades)))


def run_csfcube(base: Embedder, place: Place, quick: bool, backend: str) -> dict[str, float]:
    data = rd.csfcube()
    if quick:
        queries = data.queries[:6]
        keep = {q.paper for q in queries} | {c for q in queries for c in q.pool}
        data = rd.Csfcube({p: d for p, d in data.docs.items() if p in keep}, queries, data.folds)
    docs = list(data.docs.values())
    pids = [d.id for d in docs]
    row = {pid: i for i, pid in enumerate(pids)}
    embedder = CachedEmbedder(base, "csfcube-docs")
    done = timed("csfcube store and embeddings")
    store = build_store(place, docs, "csfcube")
    searcher = semantic_searcher(store, embedder, warn=print)
    done()
    print(f"  (semantic search: {nearest_kind(searcher, backend)})", flush=True)
    vectors = rd.embed_cached(base, [d.text for d in docs], "csfcube-docs")
    bm25 = BM25([d.text for d in docs], k1=1.2, b=0.75)
    queries = data.queries
    papers = sorted({q.paper for q in queries})
    everything = store.count()

    def order_of(ranked_ids: list[str], pool: Sequence[str], fallback: np.ndarray) -> list[int]:
        """Pool positions in the order papersift gave; any it left out after, by fallback."""
        position = {pid: i for i, pid in enumerate(ranked_ids)}
        return sorted(range(len(pool)), key=lambda i: (position.get(pool[i], 10**9), -fallback[i]))

    done = timed("papersift similar and recommend on every query paper")
    similar_ranked: dict[str, list[str]] = {}
    recommend_ranked: dict[str, list[str]] = {}
    library = store.library()
    for paper in papers:
        ident = f"csfcube:{paper}"
        hits = similar(store, ident, searcher, k=everything - 1)
        similar_ranked[paper] = [h.paper.id.split(":", 1)[1] for h in hits]
        rowid = store.rowid_of(ident)
        assert rowid is not None
        library.rate([rowid], 1)
        items = recommend(store, embedder, k=everything - 1, since=None, today=TODAY).items
        recommend_ranked[paper] = [r.id.split(":", 1)[1] for r in items]
        library.rate([rowid], None)
    done()

    per_query: dict[str, dict[str, tuple[float, float]]] = {}
    for q in queries:
        pool = list(q.pool)
        cosine = vectors[[row[c] for c in pool]] @ vectors[row[q.paper]]
        lexical_all = bm25.scores(data.docs[q.paper].text)
        lexical = lexical_all[[row[c] for c in pool]]
        orders = {
            "BM25 (baseline)": np.argsort(-lexical, kind="stable"),
            "MiniLM cosine (baseline)": np.argsort(-cosine, kind="stable"),
            "RRF of the two (baseline)": np.argsort(-rrf(lexical, cosine), kind="stable"),
            "papersift similar": order_of(similar_ranked[q.paper], pool, cosine),
            "papersift like + recommend --all": order_of(recommend_ranked[q.paper], pool, cosine),
        }
        for name, order in orders.items():
            per_query.setdefault(name, {})[q.key] = pool_metrics([q.grades[i] for i in order])

    def fold_mean(name: str, keys: list[str], metric: int) -> float:
        values = [per_query[name][k][metric] for k in keys if k in per_query[name]]
        return float(np.mean(values)) if values else float("nan")

    rows = []
    results: dict[str, float] = {}
    for name in per_query:
        dev = fold_mean(name, data.folds["fold1_dev"], 0)
        tests = [
            (fold_mean(name, data.folds[f], 0), fold_mean(name, data.folds[f], 1))
            for f in ("fold1_test", "fold2_test")
        ]
        test_map = float(np.nanmean([t[0] for t in tests]))
        test_ndcg = float(np.nanmean([t[1] for t in tests]))
        rows.append((name, (dev, test_map, test_ndcg)))
        results[name] = test_map
    store.close()
    table(
        "CSFCube, 50 query facets (SPECTER: MAP 0.342, NDCG%20 0.533)",
        ("dev MAP", "test MAP", "test NDCG%20"),
        rows,
    )
    return results


# -- CiteULike-a ------------------------------------------------------------------------------


def run_citeulike(base: Embedder, quick: bool, readers: int) -> dict[str, float]:
    data = rd.citeulike()
    eligible = [u for u, items in enumerate(data.libraries) if len(items) >= 30]
    order = np.random.default_rng(0).permutation(eligible)
    per_group = 3 if quick else readers
    if quick:
        data = _quick_citeulike(data, order[: 2 * per_group])
        order = np.arange(2 * per_group)
    n_items = len(data.titles)
    done = timed("citeulike vectors and tf-idf")
    vectors = rd.embed_cached(base, data.titles, "citeulike-titles")
    features = arxiv_sanity_tfidf(data.titles)
    done()
    corpus = Corpus(
        keys=np.arange(n_items, dtype=np.int64),
        ids=[str(i) for i in range(n_items)],
        titles=data.titles,
        texts=data.titles,
        vectors=vectors,
        published=np.full(n_items, np.nan),
    )
    groups = {"tune": order[:per_group], "report": order[per_group : 2 * per_group]}
    background_rows = np.random.default_rng(1).choice(n_items, min(2000, n_items), replace=False)
    results: dict[str, float] = {}
    for n_likes in (1, 3, 10):
        rows: dict[str, list[float]] = {}
        done = timed(f"citeulike, {n_likes} likes")
        for users in groups.values():
            recalls: dict[str, dict[int, list[float]]] = {}
            for user in users:
                library = np.array(data.libraries[user])
                rng = np.random.default_rng(1000 * int(user) + n_likes)
                liked = rng.choice(library, n_likes, replace=False)
                rest = np.setdiff1d(library, liked)
                mean_similarity = (vectors @ vectors[liked].T).mean(axis=1)
                svm = arxiv_sanity_svm(features, liked)
                profile = Profile(liked=corpus.take(liked), disliked=Corpus.empty(corpus.dim))
                background = corpus.take(background_rows[~np.isin(background_rows, liked)])
                picks = rank(profile, corpus, background, 100, TODAY)
                ranked = {
                    "tf-idf SVM (arxiv-sanity-lite)": svm,
                    "mean similarity (zotero-arxiv-daily)": mean_similarity,
                    "RRF of the two (baseline)": rrf(svm, mean_similarity),
                }
                for name, score in ranked.items():
                    score = score.astype(np.float64).copy()
                    score[liked] = -np.inf
                    top = np.argsort(-score, kind="stable")[:100]
                    for at in (50, 100):
                        recalls.setdefault(name, {}).setdefault(at, []).append(
                            float(np.isin(rest, top[:at]).mean())
                        )
                top = np.array([p.key for p in picks], dtype=np.int64)
                for at in (50, 100):
                    recalls.setdefault("papersift recommend", {}).setdefault(at, []).append(
                        float(np.isin(rest, top[:at]).mean())
                    )
            for name, by_at in recalls.items():
                rows.setdefault(name, []).extend(float(np.mean(by_at[at])) for at in (50, 100))
        done()
        table(
            f"CiteULike-a, {n_likes} like(s), readers with >= 30 papers ({per_group} per group)",
            ("tune r@50", "tune r@100", "report r@50", "report r@100"),
            [(name, values) for name, values in rows.items()],
        )
        for name, values in rows.items():
            results[f"{name} @{n_likes}"] = values[3]
    return results


def _quick_citeulike(data: rd.Citeulike, users: np.ndarray) -> rd.Citeulike:
    """These readers' libraries among their own papers and a thousand others, renumbered."""
    mine = sorted({item for user in users for item in data.libraries[user]})
    others = np.random.default_rng(2).choice(len(data.titles), 1000, replace=False)
    items = sorted(set(mine) | {int(i) for i in others})
    number = {item: i for i, item in enumerate(items)}
    return rd.Citeulike(
        [data.titles[i] for i in items],
        [[number[i] for i in data.libraries[user]] for user in users],
    )


# -- main -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    quick: bool
    sets: tuple[str, ...]
    model: str | None
    readers: int


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few queries of each set")
    parser.add_argument("--sets", default="scifact,csfcube,citeulike")
    parser.add_argument("--model", default=None, help="embedding model (default: bundled MiniLM)")
    parser.add_argument("--readers", type=int, default=150, help="CiteULike readers per group")
    places = parser.add_mutually_exclusive_group()
    places.add_argument(
        "--postgresql",
        action="store_true",
        help="build the search stores in a throw-away PostgreSQL cluster (its keyword search)",
    )
    places.add_argument(
        "--pgvector",
        action="store_true",
        help="the same on PostgreSQL with pgvector (semantic search by its HNSW index)",
    )
    args = parser.parse_args(argv)
    backend = "pgvector" if args.pgvector else "postgresql" if args.postgresql else "sqlite"
    if not rd.available():
        parser.exit(2, f"no real data sets at {rd.DATASETS}\n")
    sets = tuple(s.strip() for s in args.sets.split(",") if s.strip())
    base = load_embedder(args.model)
    print(f"model {base.model_id}; data {rd.DATASETS}; stores {backend}")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, store_places(Path(tmp), backend) as place:
        if "scifact" in sets:
            results["scifact"] = run_scifact(base, place, args.quick, backend)
        if "csfcube" in sets:
            results["csfcube"] = run_csfcube(base, place, args.quick, backend)
        if "citeulike" in sets:
            results["citeulike"] = run_citeulike(base, args.quick, args.readers)
    return results


if __name__ == "__main__":
    main()
