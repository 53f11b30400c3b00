"""The reference embedder: the bundled model through sentence-transformers."""

from __future__ import annotations

import numpy as np
import pytest
from tests.embed.samples import ABSTRACTS

from papersift.embed import DEFAULT_MODEL, Embedder

pytestmark = pytest.mark.slow


def test_reference_vectors_are_unit_float32_rows(reference) -> None:
    assert isinstance(reference, Embedder)
    assert reference.model_id == DEFAULT_MODEL
    assert reference.dim == 384
    vectors = reference.encode(ABSTRACTS)
    assert vectors.shape == (len(ABSTRACTS), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_reference_puts_related_papers_closer(reference) -> None:
    query = reference.encode(["linear-time attention for long sequences"])[0]
    scores = reference.encode(ABSTRACTS) @ query
    assert int(np.argmax(scores)) == 0


def test_empty_and_overlong_texts_embed(reference) -> None:
    long_text = " ".join(["transformers"] * 5000)  # far past the 256-token limit: truncated
    vectors = reference.encode(["", "   ", long_text])
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert reference.encode([]).shape == (0, 384)


def test_progress_counts_every_text(reference) -> None:
    done: list[int] = []
    reference.encode(ABSTRACTS * 2, batch_size=4, progress=done.append)
    assert sum(done) == 2 * len(ABSTRACTS)
