"""The reference embedder: any sentence-transformers model, run by PyTorch in float32."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from papersift.embed.base import DEFAULT_BATCH_SIZE, Progress, empty_matrix, normalize_rows
from papersift.embed.models import ModelSource, available_models
from papersift.errors import ModelNotFound

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Texts handed to sentence-transformers per call when progress is reported: large enough that
# its own length sorting still groups similar texts, small enough for a lively progress bar.
_PROGRESS_CHUNK = 512


def load_sentence_transformer(
    source: ModelSource, device: str = "cpu", **model_kwargs: Any
) -> SentenceTransformer:
    """Load `source` on `device` (the CPU unless a GPU is given, e.g. "cuda"); a local model
    never touches the network."""
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(
            source.location,
            device=device,
            local_files_only=source.local,
            model_kwargs=model_kwargs or None,
        )
    except OSError as exc:
        raise ModelNotFound(
            source.location, f"could not be loaded ({exc})", available_models()
        ) from exc


class TransformerEmbedder:
    """sentence-transformers `encode`, as a user would call it, normalized to unit rows."""

    def __init__(
        self, source: ModelSource, *, threads: int | None = None, device: str = "cpu"
    ) -> None:
        if threads:
            import torch

            # Process-wide: meant for a worker process that runs only this model.
            torch.set_num_threads(threads)
        self.model_id = source.model_id
        self.source = source
        self.model = load_sentence_transformer(source, device)
        dim = self.model.get_embedding_dimension()
        if dim is None:
            raise ModelNotFound(
                source.location, "the model does not say its embedding size", available_models()
            )
        self.dim = int(dim)
        self.max_seq_length = int(self.model.max_seq_length or 0)

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Progress | None = None,
    ) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return empty_matrix(self.dim)
        chunk = len(texts) if progress is None else _PROGRESS_CHUNK
        parts = []
        for start in range(0, len(texts), chunk):
            part = texts[start : start + chunk]
            parts.append(
                self.model.encode(
                    part,
                    batch_size=batch_size,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
            )
            if progress is not None:
                progress(len(part))
        return normalize_rows(np.concatenate(parts))
