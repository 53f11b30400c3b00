"""A digest loads its window once: ranking the loaded window equals ranking from the store."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
import pytest

from papersift.demo import DEMO_SINCE, build_demo_store
from papersift.rank.candidates import load_collection
from papersift.rank.recommend import recommend
from papersift.store import open_store


class WordHashEmbedder:
    """Bag of hashed words: papers sharing words are close. Deterministic, instant, offline."""

    model_id = "test-word-hash"
    dim = 64

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: object = None
    ) -> np.ndarray:
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]{4,}", text.lower()):
                rows[i, hashlib.blake2b(word.encode(), digest_size=2).digest()[0] % self.dim] += 1
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms == 0, 1, norms)


@pytest.fixture
def demo_store(tmp_path):
    store = open_store(tmp_path / "demo.db")
    build_demo_store(store)
    yield store
    store.close()


@pytest.mark.parametrize("since", [DEMO_SINCE, "all"])
def test_ranking_a_loaded_window_equals_ranking_from_the_store(demo_store, since):
    embedder = WordHashEmbedder()
    window = load_collection(demo_store, since, embedder)
    from_store = recommend(demo_store, embedder, k=15, since=since)
    from_window = recommend(demo_store, embedder, k=15, since=since, collection=window)
    assert len(from_store.items) == 15
    assert (from_window.candidates, from_window.start, from_window.end) == (
        from_store.candidates,
        from_store.start,
        from_store.end,
    )
    assert [(r.id, r.strong, r.reasons) for r in from_window.items] == [
        (r.id, r.strong, r.reasons) for r in from_store.items
    ]
    # Two rankings from the store alone differ in the last digits too: compare to 1e-6.
    assert [r.score for r in from_window.items] == pytest.approx(
        [r.score for r in from_store.items], rel=1e-6
    )
