"""The static lookup table: distilled (from a small vocabulary here) into the tmp cache."""

from __future__ import annotations

import numpy as np
import pytest
from tests.embed.samples import ABSTRACTS, SMALL_VOCAB

from papersift.embed import DEFAULT_MODEL, Embedder, load_embedder
from papersift.embed.static import WordMemo, sif_weights

pytestmark = pytest.mark.slow


def test_static_table_is_distilled_under_its_own_id(static) -> None:
    assert isinstance(static, Embedder)
    assert static.model_id == f"{DEFAULT_MODEL}@static-256-top{SMALL_VOCAB}"
    assert static.dim == 256
    assert static.meta["tokens_embedded"] == SMALL_VOCAB
    assert static.table.shape == (30522, 256)
    assert np.count_nonzero(static.table.any(axis=1)) == SMALL_VOCAB


def test_static_vectors_are_unit_rows_and_empty_text_gets_a_vector(static) -> None:
    vectors = static.encode(["", "\u2603\u2603", *ABSTRACTS])  # snowmen: no known token
    assert vectors.dtype == np.float32 and vectors.shape == (len(ABSTRACTS) + 2, 256)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[1])
    assert static.encode([]).shape == (0, 256)


def test_static_puts_related_texts_closer(static) -> None:
    papers = static.encode(
        [
            "music and songs played by a band on stage",
            "the court ruled on the law and the judge",
            "the team won the football game in the final",
        ]
    )
    queries = static.encode(["the band played a song", "a judge and a court", "a football team"])
    assert list(np.argmax(queries @ papers.T, axis=1)) == [0, 1, 2]


def test_static_tokenization_matches_the_rust_tokenizer(static) -> None:
    memo = WordMemo(static.tokenizer)
    texts = [
        *ABSTRACTS,
        "Über-fast \tNaïve-Bayes, 3.5x±0.1!! (see [12]);\nCO₂/H₂O @ 300K 東京.",
        "",
    ]
    expected = [e.ids for e in static.tokenizer.encode_batch(texts, add_special_tokens=False)]
    for _ in range(2):  # learning the words, then from the memo
        flat, starts = memo.flat_token_ids(texts)
        assert [flat[a:b].tolist() for a, b in zip(starts[:-1], starts[1:])] == expected
    assert static.token_ids(texts) == expected


def test_static_results_do_not_depend_on_chunking(static) -> None:
    texts = ABSTRACTS * 3
    done: list[int] = []
    np.testing.assert_allclose(
        static.encode(texts, progress=done.append),
        np.vstack([static.encode([t]) for t in texts]),
        atol=1e-6,
    )
    assert sum(done) == len(texts)


def test_sif_weights_discount_frequent_tokens() -> None:
    weights = sif_weights(np.arange(30000), 30000)
    assert np.all(np.diff(weights) >= 0)
    assert weights[0] < 0.01 and weights[-1] > 0.95


def test_loading_the_same_table_again_reuses_the_cache(static) -> None:
    again = load_embedder(static.model_id)
    assert again.folder == static.folder
    np.testing.assert_allclose(again.encode(ABSTRACTS), static.encode(ABSTRACTS))
