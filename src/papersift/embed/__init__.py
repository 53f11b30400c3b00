"""Embedders: texts -> unit vectors, keyed in the store by `model_id`.

Three kinds behind one `Embedder` interface:
- `transformer`: a sentence-transformers model in PyTorch float32, the reference;
- `fast`: the same model exported to ONNX and int8-quantized, several times faster with nearly
  the same vectors (docs/benchmarks.md#embeddings-papersiftembed);
- `static`: a lookup table distilled from the model (thousands of abstracts a second).

Importing this package is cheap: torch, sentence-transformers and onnxruntime are imported by
the function that needs them.
"""

from __future__ import annotations

from papersift.embed.base import (
    DEFAULT_BATCH_SIZE,
    Embedder,
    Progress,
    normalize_rows,
    paper_text,
    text_hash,
)
from papersift.embed.models import (
    DEFAULT_MODEL,
    DEFAULT_STATIC_DIM,
    Kind,
    ModelSource,
    available_models,
    parse_model_name,
    resolve_model,
)
from papersift.errors import ModelNotFound

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_MODEL",
    "DEFAULT_STATIC_DIM",
    "Embedder",
    "Kind",
    "ModelNotFound",
    "ModelSource",
    "Progress",
    "available_models",
    "load_embedder",
    "normalize_rows",
    "paper_text",
    "parse_model_name",
    "resolve_model",
    "text_hash",
]


def load_embedder(
    name: str | None = None,
    kind: Kind = "auto",
    *,
    allow_download: bool | None = None,
    static_vocab_limit: int | None = None,
    threads: int | None = None,
    device: str = "cpu",
) -> Embedder:
    """The embedder `name` asks for (None: the bundled all-MiniLM-L6-v2).

    `kind="auto"` reads the name: `static`, `fast`, `<model>@static-256` and `<model>@onnx-int8`
    pick those variants, anything else is the reference transformer. The fast and static variants
    are built into the cache on first use (seconds to a few minutes, once). `allow_download`
    None follows the environment (PAPERSIFT_OFFLINE / HF_HUB_OFFLINE mean no network).
    Raises `ModelNotFound` (listing what is available) for a name no model answers to.
    `threads` caps the CPU threads the model runs on (None: all this process may use), for a
    worker that shares its machine with others (a Ray actor on its share of a node).
    `device` places the reference transformer (e.g. "cuda" on a GPU worker); the fast and
    static variants run on the CPU.
    """
    request = parse_model_name(name, kind)
    source = resolve_model(request.base, allow_download=allow_download)
    if request.kind == "fast":
        from papersift.embed.fast import load_fast_embedder

        return load_fast_embedder(source, threads=threads)
    if request.kind == "static":
        from papersift.embed.static import load_static_embedder

        limit = static_vocab_limit or request.static_vocab_limit
        return load_static_embedder(source, dim=request.static_dim, vocab_limit=limit)
    from papersift.embed.transformer import TransformerEmbedder

    return TransformerEmbedder(source, threads=threads, device=device)
