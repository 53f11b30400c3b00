"""What every embedder shares: the interface, the text we embed, and pure array helpers.

No heavy imports here: `import papersift.embed` must stay instant (no torch, no onnxruntime).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

Progress = Callable[[int], None]
"""Called with the number of texts just finished (an increment, not a running total)."""

DEFAULT_BATCH_SIZE = 32


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into float32, L2-normalized rows of width `dim`.

    `model_id` is the key under which the store keeps the vectors: two embedders with the same
    id must produce interchangeable vectors, so every variant (quantized, static) has its own.
    """

    model_id: str
    dim: int

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Progress | None = None,
    ) -> np.ndarray: ...


def paper_text(title: str | None, abstract: str | None) -> str:
    """What we embed for a paper: `title. abstract` (either may be missing)."""
    title = (title or "").strip()
    abstract = (abstract or "").strip()
    if not title or not abstract:
        return title or abstract
    # "Why X?. We ..." would feed the model a stray token; keep the title's own punctuation.
    separator = " " if title[-1] in ".?!" else ". "
    return title + separator + abstract


def text_hash(text: str) -> str:
    """A short stable digest of `text`; a changed hash means the paper must be embedded again."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to unit length (rows of zeros stay zero) and return float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, np.float32(1e-12))


def empty_matrix(dim: int) -> np.ndarray:
    return np.zeros((0, dim), dtype=np.float32)
