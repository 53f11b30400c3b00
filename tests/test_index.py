"""The vector index: exact and HNSW search, persistence, updates and damaged files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papersift.errors import IndexCorrupt, IndexMismatch, IndexMissing, PapersiftError
from papersift.index import vectors as index_module
from papersift.index.storage import index_dir_for
from papersift.index.vectors import IndexSettings, VectorIndex, build_index, load_or_rebuild

DIM = 48
MODEL = "test/model-a"
# A low limit makes a few thousand rows enough to exercise the HNSW graph.
SMALL_LIMIT = IndexSettings(exact_limit=400)


def clustered(count: int, seed: int = 0, clusters: int = 20) -> np.ndarray:
    """Unit vectors drawn around random cluster centres, like topic-grouped embeddings."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, DIM))
    picks = rng.integers(0, clusters, count)
    rows = centres[picks] + rng.standard_normal((count, DIM)) * 0.6
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def noisy_queries(vectors: np.ndarray, count: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picked = vectors[rng.choice(len(vectors), count, replace=False)]
    return picked + rng.standard_normal(picked.shape).astype(np.float32) * 0.1


def brute_force(keys: np.ndarray, vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    unit = query / np.linalg.norm(query)
    scores = vectors @ unit
    return [int(keys[i]) for i in np.argsort(-scores, kind="stable")[:k]]


def result_keys(results: list[tuple[int, float]]) -> list[int]:
    return [key for key, _ in results]


def recall_at_10(index: VectorIndex, keys, vectors, queries) -> float:
    hits = 0
    for query in queries:
        expected = set(brute_force(keys, vectors, query, 10))
        hits += len(expected & set(result_keys(index.search(query, 10))))
    return hits / (10 * len(queries))


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    vectors = clustered(2000)
    keys = np.arange(2000, dtype=np.int64) * 3 + 7  # sparse like rowids after deletions
    return keys, vectors


@pytest.fixture
def hnsw_index(data) -> VectorIndex:
    keys, vectors = data
    index = VectorIndex(DIM, MODEL, SMALL_LIMIT)
    index.add(keys, vectors)
    assert index.kind == "hnsw"
    return index


def test_exact_search_equals_brute_force(data):
    keys, vectors = data
    index = VectorIndex(DIM, MODEL)
    index.add(keys, vectors)
    assert index.kind == "exact"
    # The index keeps float16 copies: against those its ranking is exactly brute force's, and
    # its scores are within float16 rounding of the float32 ones.
    stored = vectors.astype(np.float16).astype(np.float32)
    for query in noisy_queries(vectors, 20):
        results = index.search(query, 10)
        assert result_keys(results) == brute_force(keys, stored, query, 10)
        unit = query / np.linalg.norm(query)
        expected_scores = [float(vectors[np.searchsorted(keys, key)] @ unit) for key, _ in results]
        assert [score for _, score in results] == pytest.approx(expected_scores, abs=2e-3)


def test_scores_are_sorted_and_bounded(hnsw_index, data):
    _, vectors = data
    results = hnsw_index.search(vectors[3] * 5.0, 25)  # an unnormalized query is normalized
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    assert all(-1.0 <= score <= 1.0 for score in scores)
    assert scores[0] == pytest.approx(1.0, abs=2e-3)


def test_hnsw_recall_on_clustered_vectors(hnsw_index, data):
    keys, vectors = data
    assert recall_at_10(hnsw_index, keys, vectors, noisy_queries(vectors, 50)) >= 0.9


def test_empty_index_and_zero_k_return_nothing(data):
    _, vectors = data
    index = VectorIndex(DIM, MODEL)
    assert index.search(vectors[0], 10) == []
    index.add(np.array([1]), vectors[:1])
    assert index.search(vectors[0], 0) == []
    assert len(index) == 1


def test_k_larger_than_index_returns_everything(data):
    keys, vectors = data
    index = VectorIndex(DIM, MODEL)
    index.add(keys[:5], vectors[:5])
    assert sorted(result_keys(index.search(vectors[0], 50))) == sorted(keys[:5].tolist())


@pytest.mark.parametrize("limit", [IndexSettings(), SMALL_LIMIT], ids=["exact", "hnsw"])
def test_save_load_round_trip(tmp_path, data, limit):
    keys, vectors = data
    index = VectorIndex(DIM, MODEL, limit)
    index.add(keys, vectors)
    index.save(tmp_path / "idx")
    loaded = VectorIndex.load(tmp_path / "idx", MODEL, DIM)
    assert (len(loaded), loaded.kind, loaded.settings) == (len(index), index.kind, limit)
    for query in noisy_queries(vectors, 10):
        assert loaded.search(query, 10) == index.search(query, 10)


def test_crossing_the_limit_switches_to_hnsw(data):
    keys, vectors = data
    index = VectorIndex(DIM, MODEL, SMALL_LIMIT)
    index.add(keys[:399], vectors[:399])
    assert index.kind == "exact"
    index.add(keys[399:401], vectors[399:401])
    assert index.kind == "hnsw"
    assert result_keys(index.search(vectors[400], 1)) == [keys[400]]


def test_incremental_add_after_load_appends_and_keeps_graph(tmp_path, hnsw_index):
    hnsw_index.save(tmp_path)
    before = json.loads((tmp_path / "meta.json").read_text())
    loaded = VectorIndex.load(tmp_path, MODEL, DIM)
    new = clustered(50, seed=9)
    new_keys = np.arange(50, dtype=np.int64) + 100_000
    loaded.add(new_keys, new)
    assert result_keys(loaded.search(new[7], 1)) == [100_007]
    loaded.save(tmp_path)
    after = json.loads((tmp_path / "meta.json").read_text())
    # Fewer new rows than the limit: the graph file is untouched, the vectors are appended.
    assert after["graph"] == before["graph"]
    assert after["vectors"]["name"] == before["vectors"]["name"]
    assert after["vectors"]["bytes"] == before["vectors"]["bytes"] + 50 * DIM * 2
    reloaded = VectorIndex.load(tmp_path, MODEL, DIM)
    assert len(reloaded) == 2050
    assert result_keys(reloaded.search(new[7], 1)) == [100_007]


def test_enough_new_rows_fold_into_the_graph_after_load(tmp_path, hnsw_index):
    hnsw_index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path, MODEL, DIM)
    new = clustered(500, seed=5)
    loaded.add(np.arange(500, dtype=np.int64) + 50_000, new)
    assert loaded._graph_rows == 2500  # the delta was folded in, not left for exact search
    loaded.save(tmp_path)
    reloaded = VectorIndex.load(tmp_path, MODEL, DIM)
    assert result_keys(reloaded.search(new[42], 1)) == [50_042]
    assert len(list(tmp_path.glob("graph-*"))) == 1  # the superseded graph file is gone


def test_remove_hides_keys_everywhere(tmp_path, hnsw_index, data):
    keys, vectors = data
    assert hnsw_index.remove(np.array([keys[10], keys[11], 999_999])) == 2
    assert len(hnsw_index) == 1998
    assert keys[10] not in result_keys(hnsw_index.search(vectors[10], 10))
    hnsw_index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path, MODEL, DIM)
    loaded.remove(np.array([keys[12]]))  # the graph is memory-mapped: filtered, not deleted
    found = result_keys(loaded.search(vectors[12], 10))
    assert keys[12] not in found and len(found) == 10
    assert keys[12] not in loaded and keys[13] in loaded


def test_adding_an_existing_key_replaces_its_vector(hnsw_index, data):
    keys, vectors = data
    hnsw_index.add(keys[:1], -vectors[:1])
    assert len(hnsw_index) == 2000
    best_key, best_score = hnsw_index.search(-vectors[0], 1)[0]
    assert best_key == keys[0] and best_score == pytest.approx(1.0, abs=2e-3)
    assert keys[0] not in result_keys(hnsw_index.search(vectors[0], 10))


@pytest.mark.parametrize("limit", [IndexSettings(), SMALL_LIMIT], ids=["exact", "hnsw"])
def test_filtered_search_with_few_allowed_keys_is_exact(data, limit):
    keys, vectors = data
    index = VectorIndex(DIM, MODEL, limit)
    index.add(keys, vectors)
    allowed = keys[::17][::-1]  # in no particular order
    query = noisy_queries(vectors, 1)[0]
    mask = np.isin(keys, allowed)
    stored = vectors.astype(np.float16).astype(np.float32)
    expected = brute_force(keys[mask], stored[mask], query, 5)
    assert result_keys(index.search(query, 5, allowed=allowed)) == expected


def test_filtered_search_through_the_graph(data, monkeypatch):
    keys, vectors = data
    # At this size scanning the allowed rows is cheaper; make the graph the cheaper choice.
    monkeypatch.setattr(index_module, "EXACT_ROWS_PER_SEARCH_DEPTH", 0)
    index = VectorIndex(DIM, MODEL, IndexSettings(exact_limit=300))
    index.add(keys, vectors)
    allowed = keys[keys % 2 == 1]  # ~1000 keys, above the exact limit
    mask = np.isin(keys, allowed)
    hits = 0
    for query in noisy_queries(vectors, 20):
        found = result_keys(index.search(query, 10, allowed=allowed))
        assert set(found) <= set(allowed.tolist()) and len(found) == 10
        hits += len(set(found) & set(brute_force(keys[mask], vectors[mask], query, 10)))
    assert hits / 200 >= 0.9


def test_allowed_keys_not_in_the_index_are_ignored(data):
    keys, vectors = data
    index = VectorIndex(DIM, MODEL)
    index.add(keys[:10], vectors[:10])
    assert index.search(vectors[0], 5, allowed=np.array([-5, 123_456])) == []


def test_bad_input_is_rejected(data):
    keys, vectors = data
    index = VectorIndex(DIM, MODEL)
    with pytest.raises(ValueError, match="dimension"):
        index.add(keys[:2], vectors[:2, :10])
    with pytest.raises(ValueError, match="duplicate"):
        index.add(np.array([1, 1]), vectors[:2])
    with pytest.raises(ValueError, match="NaN"):
        index.add(np.array([1]), np.full((1, DIM), np.nan))
    with pytest.raises(ValueError, match="dimension"):
        index.search(vectors[0][:5], 3)


def test_missing_index(tmp_path):
    with pytest.raises(IndexMissing):
        VectorIndex.load(tmp_path / "nowhere", MODEL, DIM)


def test_other_model_or_dimension_is_a_mismatch(tmp_path, data):
    keys, vectors = data
    index = VectorIndex(DIM, MODEL)
    index.add(keys[:10], vectors[:10])
    index.save(tmp_path)
    with pytest.raises(IndexMismatch, match="model-a"):
        VectorIndex.load(tmp_path, "test/model-b", DIM)
    with pytest.raises(IndexMismatch, match="48-d"):
        VectorIndex.load(tmp_path, MODEL, 384)


def saved_hnsw(tmp_path: Path, index: VectorIndex) -> dict:
    index.save(tmp_path)
    return json.loads((tmp_path / "meta.json").read_text())


def truncate(path: Path, keep: int) -> None:
    path.write_bytes(path.read_bytes()[:keep])


def overwrite_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(range(64))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        lambda d, m: truncate(d / m["graph"]["name"], 1000),
        lambda d, m: overwrite_middle(d / m["graph"]["name"]),
        lambda d, m: truncate(d / m["vectors"]["name"], 100),
        lambda d, m: overwrite_middle(d / m["vectors"]["name"]),
        lambda d, m: overwrite_middle(d / m["rows_file"]["name"]),
        lambda d, m: (d / m["rows_file"]["name"]).unlink(),
        lambda d, m: (d / "meta.json").write_bytes(b"\x00garbage{"),
        lambda d, m: (d / "meta.json").write_text('{"format": 1, "model_id": "test/model-a"}'),
        lambda d, m: truncate(d / "meta.json", 40),
    ],
    ids=[
        "graph-truncated",
        "graph-overwritten",
        "vectors-truncated",
        "vectors-overwritten",
        "rows-overwritten",
        "rows-deleted",
        "meta-garbage",
        "meta-incomplete",
        "meta-truncated",
    ],
)
def test_damaged_files_are_corrupt(tmp_path, hnsw_index, damage):
    meta = saved_hnsw(tmp_path, hnsw_index)
    damage(tmp_path, meta)
    with pytest.raises(IndexCorrupt) as raised:
        VectorIndex.load(tmp_path, MODEL, DIM)
    assert isinstance(raised.value, PapersiftError)


def test_bytes_left_by_a_crashed_append_are_ignored(tmp_path, data):
    keys, vectors = data
    index = VectorIndex(DIM, MODEL)
    index.add(keys[:100], vectors[:100])
    meta = saved_hnsw(tmp_path, index)
    vectors_file = tmp_path / meta["vectors"]["name"]
    with open(vectors_file, "ab") as out:
        out.write(b"\x01" * 1000)  # a half-written append that never reached meta.json
    loaded = VectorIndex.load(tmp_path, MODEL, DIM)
    loaded.add(keys[100:110], vectors[100:110])
    loaded.save(tmp_path)
    assert vectors_file.stat().st_size == 110 * DIM * 2
    reloaded = VectorIndex.load(tmp_path, MODEL, DIM)
    assert result_keys(reloaded.search(vectors[105], 1)) == [keys[105]]


def test_load_or_rebuild_warns_and_rebuilds_damaged_index(tmp_path, hnsw_index, data):
    keys, vectors = data
    meta = saved_hnsw(tmp_path, hnsw_index)
    truncate(tmp_path / meta["graph"]["name"], 500)
    warnings: list[str] = []

    def read_vectors():
        for start in range(0, len(keys), 700):
            yield keys[start : start + 700], vectors[start : start + 700]

    rebuilt = load_or_rebuild(tmp_path, MODEL, DIM, read_vectors, warnings.append, SMALL_LIMIT)
    assert len(warnings) == 1 and "rebuilding" in warnings[0]
    assert len(rebuilt) == 2000
    again = load_or_rebuild(tmp_path, MODEL, DIM, read_vectors, warnings.append)
    assert len(warnings) == 1  # the rebuilt index loads cleanly
    assert result_keys(again.search(vectors[3], 1)) == [keys[3]]
    other = load_or_rebuild(tmp_path, "test/model-b", DIM, read_vectors, warnings.append)
    assert "model-a" in warnings[1] and other.model_id == "test/model-b"


def test_build_index_spills_vectors_while_building(tmp_path, data, monkeypatch):
    keys, vectors = data
    monkeypatch.setattr(index_module, "BUILD_SPILL_ROWS", 300)
    batches = ((keys[s : s + 250], vectors[s : s + 250]) for s in range(0, 2000, 250))
    built = build_index(tmp_path, MODEL, DIM, batches, SMALL_LIMIT)
    assert len(list(tmp_path.glob("vectors-*"))) == 1
    loaded = VectorIndex.load(tmp_path, MODEL, DIM)
    queries = noisy_queries(vectors, 10)
    assert [loaded.search(q, 10) for q in queries] == [built.search(q, 10) for q in queries]


def test_index_lives_beside_the_database(tmp_path):
    assert index_dir_for(tmp_path / "papers.db") == tmp_path / "papers.db.index"


@settings(max_examples=40, deadline=None)
@given(
    operations=st.lists(
        st.tuples(st.booleans(), st.lists(st.integers(0, 30), min_size=1, max_size=8)),
        min_size=1,
        max_size=12,
    ),
    seed=st.integers(0, 1000),
)
def test_any_sequence_of_adds_and_removes_matches_a_dictionary(operations, seed):
    """Whatever was added and not removed since is exactly what an exact search sees."""
    rng = np.random.default_rng(seed)
    index = VectorIndex(DIM, MODEL, IndexSettings(exact_limit=10))
    expected: dict[int, np.ndarray] = {}
    for is_add, key_list in operations:
        keys = np.array(sorted(set(key_list)), np.int64)
        if is_add:
            vectors = clustered(len(keys), seed=int(rng.integers(1 << 30)))
            index.add(keys, vectors)
            expected.update(zip(keys.tolist(), vectors, strict=True))
        else:
            index.remove(keys)
            for key in keys.tolist():
                expected.pop(key, None)
    assert len(index) == len(expected)
    assert sorted(index.keys().tolist()) == sorted(expected)
    query = clustered(1, seed=seed + 1)[0]
    found = index.search(query, 50)
    assert sorted(result_keys(found)) == sorted(expected)
    for key, score in found:
        assert score == pytest.approx(float(expected[key] @ query), abs=2e-3)


def test_a_new_index_folder_is_its_owners_only(tmp_path) -> None:
    from papersift.index.vectors import build_index

    folder = tmp_path / "store.db.index" / "model"
    vectors = np.random.default_rng(0).standard_normal((5, DIM)).astype(np.float32)
    build_index(folder, MODEL, DIM, [(np.arange(5, dtype=np.int64), vectors)])
    assert folder.stat().st_mode & 0o777 == 0o700
