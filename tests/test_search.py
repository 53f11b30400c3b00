"""Search against a real store file, the real bundled model and the real vector index."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from papersift.errors import UsageError
from papersift.index.sync import SemanticSearcher, embed_missing, open_index, semantic_searcher
from papersift.records import PaperFilter
from papersift.search import MAX_QUERY_CHARS, search, similar
from papersift.store import SqliteStore
from tests.helpers import make_paper

PAPERS = [
    (
        "2501.00001",
        "Eight-bit weights for large language model inference",
        "We store transformer weights in int8 and keep accuracy while halving memory.",
        ("cs.LG",),
        dt.date(2025, 1, 3),
        ("Ada Lovelace",),
    ),
    (
        "2501.00002",
        "Shrinking chatbots by rounding their parameters",
        "Storing every weight of a conversational language model in four bits makes it cheap "
        "to serve on phones with little loss.",
        ("cs.CL",),
        dt.date(2025, 1, 9),
        ("Grace Hopper",),
    ),
    (
        "2501.00003",
        "Graph neural networks for molecule property prediction",
        "Message passing over atoms and bonds predicts solubility of drug candidates.",
        ("q-bio.QM",),
        dt.date(2025, 2, 1),
        ("Rosalind Franklin",),
    ),
    (
        "2501.00004",
        "Sparse attention patterns for book-length context",
        "Sliding windows and global tokens let transformers read hundred-thousand-token inputs.",
        ("cs.CL", "cs.LG"),
        dt.date(2025, 2, 10),
        ("Alan Turing",),
    ),
    (
        "2501.00005",
        "Robot arms that learn to fold laundry from videos",
        "Imitation learning from human demonstrations teaches a manipulator to fold towels.",
        ("cs.RO",),
        dt.date(2025, 3, 5),
        ("Ada Lovelace", "Karen Sparck Jones"),
    ),
]


@pytest.fixture(scope="module")
def embedder():
    from papersift.embed import load_embedder

    return load_embedder(None)


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path / "search.db")
    s.upsert(
        make_paper(pid, title, abstract=abstract, categories=cats, published=day, authors=authors)
        for pid, title, abstract, cats, day, authors in PAPERS
    )
    yield s
    s.close()


def _ids(hits):
    return [h.paper.id for h in hits]


def _searcher(store, embedder):
    return semantic_searcher(store, embedder, warn=lambda m: None)


def test_keyword_search_ranks_word_matches_first(store):
    hits = search(store, "sparse attention", mode="keyword", k=3)
    assert _ids(hits)[0] == "2501.00004"
    assert hits[0].keyword_rank == 1 and hits[0].similarity is None


def test_semantic_search_finds_a_paraphrase_sharing_no_words(store, embedder):
    hits = search(
        store,
        "quantization of LLMs",
        mode="semantic",
        k=2,
        semantic=lambda: _searcher(store, embedder),
    )
    assert set(_ids(hits)) == {"2501.00001", "2501.00002"}
    assert hits[0].similarity is not None and hits[0].similarity > 0.2


def test_hybrid_fuses_both_lists(store, embedder):
    hits = search(
        store,
        "rounding parameters of chatbots to fewer bits",
        k=5,
        semantic=lambda: _searcher(store, embedder),
    )
    assert _ids(hits)[0] == "2501.00002"
    assert hits[0].keyword_rank is not None and hits[0].semantic_rank is not None


def test_filters_apply_to_both_modes(store, embedder):
    where = PaperFilter(since=dt.date(2025, 2, 1), category="cs.LG")
    for mode in ("keyword", "semantic", "hybrid"):
        hits = search(
            store,
            "transformers",
            mode=mode,
            k=5,
            where=where,
            semantic=lambda: _searcher(store, embedder),
        )
        assert set(_ids(hits)) <= {"2501.00004"}, mode
    by_author = search(store, "learning", mode="keyword", k=5, where=PaperFilter(author="lovelace"))
    assert set(_ids(by_author)) <= {"2501.00001", "2501.00005"}


def test_empty_and_huge_queries(store, embedder):
    with pytest.raises(UsageError, match="empty"):
        search(store, "   ", mode="keyword")
    warnings = []
    hits = search(store, "attention " * 20_000, mode="keyword", warn=warnings.append)
    assert warnings and str(MAX_QUERY_CHARS) in warnings[0].replace(",", "")
    assert _ids(hits)[0] == "2501.00004"


def test_fts_syntax_in_a_query_is_just_words(store):
    hits = search(store, 'attention" OR title:* NEAR(', mode="keyword", k=3)
    assert _ids(hits)[0] == "2501.00004"


def test_keyword_search_matches_other_forms_of_a_word(store):
    store.upsert(
        [
            make_paper(
                "2501.00006",
                "Post-training quantization of vision transformers",
                abstract="Calibrating scales per channel keeps accuracy at four bits.",
            )
        ]
    )
    hits = search(store, "quantized", mode="keyword", k=3)
    assert _ids(hits) == ["2501.00006"]  # the stemmer: "quantized" and "quantization" agree
    assert _ids(search(store, "calibrated scale", mode="keyword", k=3))[0] == "2501.00006"


def test_similar_excludes_the_paper_itself(store, embedder):
    hits = similar(store, "2501.00002", _searcher(store, embedder), k=2)
    assert "2501.00002" not in _ids(hits)
    assert _ids(hits)[0] == "2501.00001"


def test_changed_paper_is_re_embedded_and_index_follows(store, embedder):
    embed_missing(store, embedder)
    assert embed_missing(store, embedder).embedded == 0
    store.upsert(
        [
            make_paper(
                "2501.00003",
                "Folding proteins with diffusion models",
                abstract="A generative model predicts protein structures.",
                version=2,
                published=dt.date(2025, 2, 1),
            )
        ]
    )
    report = embed_missing(store, embedder)
    assert report.embedded == 1 and report.changed_rowids == [store.rowid_of("2501.00003")]
    index = open_index(
        store, embedder.model_id, embedder.dim, lambda m: None, report.changed_rowids
    )
    query = embedder.encode(["protein structure generation"])[0]
    assert index.search(query, 1)[0][0] == store.rowid_of("2501.00003")


def test_the_first_index_holds_each_new_paper_once(store, embedder):
    report = embed_missing(store, embedder)
    index = open_index(
        store, embedder.model_id, embedder.dim, lambda m: None, report.changed_rowids
    )
    # Every vector once: none added again as "refreshed" to the index just built from them
    # (a second copy leaves a dead row each, and twice the rows bring the graph in early).
    assert len(index) == len(PAPERS) and len(index._keys) == len(PAPERS)


def test_corrupt_index_is_rebuilt_with_a_warning(store, embedder):
    _searcher(store, embedder)
    from papersift.index.sync import index_path

    folder = index_path(store, embedder.model_id)
    for file in folder.iterdir():
        file.write_bytes(b"garbage")
    warnings = []
    index = open_index(store, embedder.model_id, embedder.dim, warnings.append)
    assert warnings and "rebuild" in warnings[0]
    assert len(index) == len(PAPERS)


def test_index_of_another_model_is_detected(store, embedder):
    _searcher(store, embedder)
    from papersift.index.sync import index_path
    from papersift.index.vectors import VectorIndex

    folder = index_path(store, embedder.model_id)
    other = VectorIndex(embedder.dim, "some-other-model")
    other.add(np.arange(3, dtype=np.int64) + 100, np.eye(3, embedder.dim, dtype=np.float32))
    other.save(folder)
    warnings = []
    index = open_index(store, embedder.model_id, embedder.dim, warnings.append)
    assert warnings and len(index) == len(PAPERS)


# -- similar: nearest neighbours fused with a more-like-this keyword query --------------------

SIMILAR_DIM = 16
# (id, title, abstract, cosine to the query paper). The cosines are exact: each paper's vector
# is cosine * e0 + sqrt(1 - cosine^2) * its own axis, the query paper's is e0.
SIMILAR_PAPERS = [
    (
        "2502.00001",
        "Tokamak disruption forecasting with gyrokinetic surrogates",
        "A gyrokinetic surrogate forecasts tokamak plasma disruptions from magnetic probes.",
        1.0,
    ),
    (
        "2502.00002",
        "Segmenting satellite images with convolutional networks",
        "Convolutions label every pixel of aerial photographs.",
        0.90,
    ),
    (
        "2502.00003",
        "Gyrokinetic turbulence in tokamak plasma edges",
        "Magnetic probes and gyrokinetic simulation explain plasma disruptions in a tokamak.",
        0.86,
    ),
    ("2502.00004", "Forecasting retail demand", "Seasonal models forecast weekly sales.", 0.50),
    ("2502.00005", "Forecasting river floods", "Rainfall gauges forecast floods.", 0.40),
    ("2502.00006", "Speech recognition on phones", "Small acoustic models run offline.", 0.30),
    ("2502.00007", "Protein folding with diffusion", "Denoising predicts structures.", 0.20),
    ("2502.00008", "Robot arms that fold laundry", "Imitation from human videos.", 0.10),
]


def hand_made_searcher(store, vectors: dict[int, np.ndarray]) -> SemanticSearcher:
    """Exact cosine search over the given vectors (no model, no index)."""

    def nearest(query, k, allowed):
        scored = [(rowid, float(v @ query)) for rowid, v in vectors.items()]
        if allowed is not None:
            scored = [(rowid, s) for rowid, s in scored if rowid in set(allowed.tolist())]
        return sorted(scored, key=lambda item: -item[1])[:k]

    return SemanticSearcher(
        embed_query=lambda text: pytest.fail("similar() embeds no text"),
        search=nearest,
        vector_of=lambda rowid: vectors.get(rowid),
    )


def test_similar_lifts_a_paper_sharing_rare_words_over_a_slightly_closer_one(tmp_path):
    store = SqliteStore(tmp_path / "similar.db")
    store.upsert(
        make_paper(pid, title, abstract=abstract, authors=(f"Author {i}",))
        for i, (pid, title, abstract, _) in enumerate(SIMILAR_PAPERS)
    )
    basis = np.eye(SIMILAR_DIM, dtype=np.float32)
    vectors = {
        store.rowid_of(pid): cosine * basis[0] + np.sqrt(1 - cosine**2) * basis[1 + i]
        for i, (pid, _, _, cosine) in enumerate(SIMILAR_PAPERS)
    }
    hits = similar(store, "2502.00001", hand_made_searcher(store, vectors), k=4)
    store.close()
    ids = _ids(hits)
    assert "2502.00001" not in ids
    # By cosine alone the satellite paper (0.90) would come first; the tokamak paper (0.86)
    # shares the query paper's rare words, and the keyword side puts it first.
    by_id = {h.paper.id: h for h in hits}
    assert by_id["2502.00002"].similarity > by_id["2502.00003"].similarity
    assert ids[0] == "2502.00003"
    assert ids[1] == "2502.00002"
    assert by_id["2502.00003"].keyword_rank == 1
    assert by_id["2502.00002"].keyword_rank is None  # not a word in common
