"""The ONNX int8 path: exported once into the tmp cache, close to the reference, torch-free."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from tests.embed.samples import ABSTRACTS

from papersift.embed import DEFAULT_MODEL, Embedder, load_embedder
from papersift.embed.cache import CACHE_ENV, model_folder

pytestmark = pytest.mark.slow


def test_fast_path_agrees_with_the_reference(fast, reference) -> None:
    assert isinstance(fast, Embedder)
    assert fast.model_id == f"{DEFAULT_MODEL}@onnx-int8"
    assert fast.dim == reference.dim
    texts = [*ABSTRACTS, "", "Short title only"]
    ours, theirs = fast.encode(texts, batch_size=3), reference.encode(texts)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.mean() >= 0.99, cosines
    assert cosines.min() >= 0.98, cosines


def test_fast_path_vectors_do_not_depend_on_batch_neighbours(fast) -> None:
    texts = ["a", ABSTRACTS[0], "b c", ABSTRACTS[1], ABSTRACTS[2]]
    together = fast.encode(texts, batch_size=2)
    alone = np.vstack([fast.encode([t]) for t in texts])
    # Each text runs alone (dynamic int8 scales are per run), in input order after sorting.
    np.testing.assert_allclose(together, alone, atol=1e-6)


def test_fast_path_truncates_overlong_text_and_reports_progress(fast) -> None:
    done: list[int] = []
    vectors = fast.encode([" ".join(["graph"] * 3000), ""], progress=done.append)
    assert vectors.shape == (2, 384) and sum(done) == 2
    assert fast.encode([]).shape == (0, 384)


def test_export_is_cached_and_reused(fast, embed_cache) -> None:
    folder = model_folder(fast.model_id)
    assert folder.parent.parent == embed_cache
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["fused_ops"].get("MultiHeadAttention") == 6  # fusion really happened
    before = (folder / "model.int8.onnx").stat().st_mtime_ns
    again = load_embedder(f"{DEFAULT_MODEL}@onnx-int8")
    assert (folder / "model.int8.onnx").stat().st_mtime_ns == before
    np.testing.assert_allclose(again.encode(ABSTRACTS[:2]), fast.encode(ABSTRACTS[:2]), atol=1e-6)


def test_cached_fast_path_runs_without_torch(fast, embed_cache) -> None:
    code = (
        "import sys; from papersift.embed import load_embedder; "
        "e = load_embedder('fast'); v = e.encode(['hello world']); "
        "print(v.shape, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    env = {CACHE_ENV: str(embed_cache), "HF_HUB_OFFLINE": "1", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "(1, 384) False False"
