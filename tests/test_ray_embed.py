"""`embed --ray`: the back catalogue embedded by Ray Data on a real local cluster (2 CPUs).

The vectors must equal what plain `embed` stores, a second run must embed nothing, and a job
that dies mid-way must, once rerun, leave every paper embedded exactly once.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from papersift.errors import ClusterError
from papersift.index.sync import embed_missing
from papersift.store import open_store
from tests.helpers import make_paper

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'papersift[cluster]'")
pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install 'ray[data]'")

from papersift.index.ray_embed import embed_on_ray  # noqa: E402

PAPERS = 200
MODEL = "test-word-hash"
WORDS = "sparse attention graph kernel diffusion policy reward token vision speech".split()


class WordHashEmbedder:
    """Bag of hashed words: deterministic, instant, offline; what a real model is to Ray."""

    model_id = MODEL
    dim = 32

    def __init__(self, fail_after: int | None = None, flag: str | None = None) -> None:
        self.calls = 0
        self.fail_after = fail_after
        self.flag = flag

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: object = None
    ) -> np.ndarray:
        self.calls += 1
        # A worker that dies mid-job, but only while the test's flag file exists: the rerun
        # (flag removed) runs clean, like a cluster whose lost node came back.
        failing = self.fail_after is not None and self.calls > self.fail_after
        if failing and self.flag and os.path.exists(self.flag):
            raise RuntimeError("worker lost mid-batch")
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]{4,}", text.lower()):
                rows[i, hashlib.blake2b(word.encode(), digest_size=2).digest()[0] % self.dim] += 1
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms == 0, 1, norms)


def make_embedder() -> WordHashEmbedder:
    return WordHashEmbedder()


class FailingFactory:
    def __init__(self, fail_after: int, flag: str) -> None:
        self.fail_after = fail_after
        self.flag = flag

    def __call__(self) -> WordHashEmbedder:
        return WordHashEmbedder(self.fail_after, self.flag)


def start_cluster() -> None:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    # The workers cannot import this test module: ship its classes by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    start_cluster()
    yield
    ray.shutdown()


def fill(path: Path, count: int = PAPERS):
    store = open_store(path)
    rng = np.random.default_rng(7)
    store.upsert(
        make_paper(
            f"2301.{i:05d}",
            f"Paper {i} on " + " ".join(rng.choice(WORDS, 3)),
            abstract="We study " + " ".join(rng.choice(WORDS, 12)) + f" number{i}.",
        )
        for i in range(count)
    )
    return store


def per_paper_counts(store) -> dict[int, int]:
    keys = store.embedding_rowids(MODEL)
    counts: dict[int, int] = {}
    for key in keys.tolist():
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_ray_vectors_equal_plain_embed_and_a_second_run_embeds_nothing(cluster, tmp_path):
    plain = fill(tmp_path / "plain.db")
    on_ray = fill(tmp_path / "ray.db")
    embed_missing(plain, WordHashEmbedder())
    seen: list[int] = []
    report = embed_on_ray(
        on_ray,
        MODEL,
        model_id=MODEL,
        factory=make_embedder,
        actors=2,
        batch_size=32,
        progress=seen.append,
    )
    assert report.embedded == PAPERS and report.already == 0 and sum(seen) == PAPERS
    plain_keys, plain_vectors = plain.load_embeddings(MODEL)
    ray_keys, ray_vectors = on_ray.load_embeddings(MODEL)
    assert len(ray_keys) == PAPERS
    np.testing.assert_array_equal(ray_keys, plain_keys)
    np.testing.assert_allclose(ray_vectors, plain_vectors, atol=1e-5)
    assert ray_vectors.any()

    again = embed_on_ray(on_ray, MODEL, model_id=MODEL, factory=make_embedder, actors=2)
    assert (again.embedded, again.already) == (0, PAPERS)


def test_a_changed_abstract_is_embedded_again_and_only_it(cluster, tmp_path):
    store = fill(tmp_path / "s.db", 40)
    embed_on_ray(store, MODEL, model_id=MODEL, factory=make_embedder, actors=1)
    store.upsert(
        [make_paper("2301.00003", "A new title about reward", abstract="Rewritten.", version=2)]
    )
    report = embed_on_ray(store, MODEL, model_id=MODEL, factory=make_embedder, actors=1)
    assert report.embedded == 1 and report.already == 39
    assert report.changed_rowids == [store.rowid_of("2301.00003")]


def test_a_job_killed_mid_way_resumes_and_embeds_every_paper_once(cluster, tmp_path):
    store = fill(tmp_path / "s.db")
    flag = tmp_path / "workers-fail"
    flag.touch()
    with pytest.raises(ClusterError, match="run it again") as stopped:
        embed_on_ray(
            store,
            MODEL,
            model_id=MODEL,
            factory=FailingFactory(2, str(flag)),
            actors=2,
            batch_size=16,
        )
    assert "worker lost mid-batch" in str(stopped.value)
    assert "\n" not in str(stopped.value)
    done = store.embedding_count(MODEL)
    assert done < PAPERS  # it did stop part-way

    flag.unlink()
    # A rerun is a new driver, as from the command line: the failed job's actors (which Ray
    # keeps restarting while their job lives, holding the CPUs) go with the old one.
    ray.shutdown()
    start_cluster()
    report = embed_on_ray(
        store,
        MODEL,
        model_id=MODEL,
        factory=FailingFactory(2, str(flag)),
        actors=2,
        batch_size=16,
    )
    assert report.already == done and report.embedded == PAPERS - done
    counts = per_paper_counts(store)
    assert len(counts) == PAPERS and set(counts.values()) == {1}
    assert store.embedding_count(MODEL) == PAPERS
    keys, vectors = store.load_embeddings(MODEL)
    plain = fill(tmp_path / "plain.db")
    embed_missing(plain, WordHashEmbedder())
    np.testing.assert_allclose(vectors, plain.load_embeddings(MODEL)[1], atol=1e-5)
