"""A static (lookup-table) embedder distilled from a transformer, model2vec-style, by our own code.

Distillation, once per model (cached): every vocabulary token is run through the transformer
alone (`[CLS] token [SEP]`, mean-pooled like the sentence model pools), the vectors are reduced
by PCA, and each is scaled by a SIF weight `a / (a + p(token))` where `p` follows Zipf's law
over the token's rank (WordPiece vocabularies list frequent tokens first), so "the" and "of"
barely count. A text's embedding is then the normalized sum of its tokens' rows: no neural
network at query time, over ten thousand abstracts a second on two cores.

Inference needs only numpy, scipy and `tokenizers`; distillation needs torch once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from papersift.embed import cache
from papersift.embed.base import DEFAULT_BATCH_SIZE, Progress, empty_matrix, normalize_rows
from papersift.embed.models import DEFAULT_STATIC_DIM, ModelSource
from papersift.errors import UsageError

log = logging.getLogger(__name__)

RECIPE = 1  # bump when distillation changes: older cached tables are rebuilt
VECTORS_FILE = "vectors.npy"
EMPTY_FILE = "empty.npy"
TOKENIZER_FILE = "tokenizer.json"
SIF_COEFFICIENT = 1e-4  # model2vec's default; tuned there on MTEB
_DISTILL_BATCH = 1024
# Texts tokenized and summed per step: bounds memory (a sparse chunk, not a dense gather).
_ENCODE_CHUNK = 2048
# Words whose token ids are remembered; past this the memo starts afresh (bounded memory).
_WORD_MEMO_LIMIT = 500_000


def static_model_id(base_model_id: str, dim: int, vocab_limit: int | None = None) -> str:
    suffix = f"-top{vocab_limit}" if vocab_limit else ""
    return f"{base_model_id}@static-{dim}{suffix}"


def load_static_embedder(
    source: ModelSource, *, dim: int = DEFAULT_STATIC_DIM, vocab_limit: int | None = None
) -> StaticEmbedder:
    """The static embedder for `source`, distilling it into the cache on first use."""
    return StaticEmbedder(ensure_distilled(source, dim=dim, vocab_limit=vocab_limit))


def ensure_distilled(
    source: ModelSource, *, dim: int = DEFAULT_STATIC_DIM, vocab_limit: int | None = None
) -> Path:
    """The cache folder of the distilled table, built now if missing or from an old recipe.

    `vocab_limit` keeps only the most frequent N tokens (the rest embed as nothing): a quick
    build for tests, under its own model id so it can never be mistaken for the full table.
    """
    model_id = static_model_id(source.model_id, dim, vocab_limit)
    folder = cache.model_folder(model_id)
    meta = cache.read_meta(folder)
    if meta and meta.get("recipe") == RECIPE and (folder / VECTORS_FILE).is_file():
        return folder
    log.info("distilling %s into a static table (once; cached in %s)", source.model_id, folder)
    return cache.build_folder(
        folder, lambda scratch: distill(source, scratch, dim=dim, vocab_limit=vocab_limit)
    )


def distill(
    source: ModelSource,
    folder: Path,
    *,
    dim: int = DEFAULT_STATIC_DIM,
    vocab_limit: int | None = None,
) -> dict[str, Any]:
    """Distill `source` into `folder` (vectors, tokenizer, meta.json); returns the meta."""
    from papersift.embed.transformer import load_sentence_transformer

    started = time.perf_counter()
    st = load_sentence_transformer(source)
    tokenizer = st.tokenizer
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise UsageError(
            f"{source.model_id}: distillation needs a model with a fast (Rust) tokenizer"
        )
    vocab_size = int(backend.get_vocab_size(with_added_tokens=True))
    ranked = ranked_token_ids(
        backend.get_vocab(with_added_tokens=True), set(tokenizer.all_special_ids)
    )
    chosen = ranked[:vocab_limit] if vocab_limit else ranked
    if len(chosen) <= dim:
        raise UsageError(
            f"distilling to {dim} dimensions needs more than {dim} tokens, not {len(chosen)}"
        )
    cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
    if cls_id is None or sep_id is None:
        raise UsageError(
            f"{source.model_id}: distillation expects a BERT-style [CLS] ... [SEP] tokenizer"
        )

    model = st[0].auto_model
    token_vectors = embed_single_tokens(model, chosen, cls_id, sep_id)
    empty_vector = embed_single_tokens(model, [], cls_id, sep_id)
    embedded_s = time.perf_counter() - started

    mean, components = pca(token_vectors, dim)
    weights = sif_weights(np.arange(len(chosen)), len(ranked))
    table = np.zeros((vocab_size, dim), dtype=np.float32)
    table[chosen] = ((token_vectors - mean) @ components.T) * weights[:, None]
    empty = ((empty_vector - mean) @ components.T)[0]

    np.save(folder / VECTORS_FILE, table)
    np.save(folder / EMPTY_FILE, empty.astype(np.float32))
    backend.save(str(folder / TOKENIZER_FILE))
    meta = {
        "model_id": static_model_id(source.model_id, dim, vocab_limit),
        "base_model_id": source.model_id,
        "recipe": RECIPE,
        "dim": dim,
        "vocab_size": vocab_size,
        "tokens_embedded": len(chosen),
        "vocab_limit": vocab_limit,
        "sif_coefficient": SIF_COEFFICIENT,
        "embed_seconds": round(embedded_s, 2),
        "total_seconds": round(time.perf_counter() - started, 2),
    }
    cache.write_meta(folder, meta)
    return meta


def ranked_token_ids(vocab: dict[str, int], special_ids: set[int]) -> list[int]:
    """Token ids most frequent first, without special and never-produced placeholder tokens.

    WordPiece and BPE vocabularies are built most-frequent-first, so the id is the rank.
    """
    return sorted(
        i for token, i in vocab.items() if i not in special_ids and not token.startswith("[unused")
    )


def embed_single_tokens(model: Any, token_ids: list[int], cls_id: int, sep_id: int) -> np.ndarray:
    """Mean-pooled transformer output of `[CLS] t [SEP]` per token (of `[CLS] [SEP]` if none)."""
    import torch

    if not token_ids:
        batch = torch.tensor([[cls_id, sep_id]])
        with torch.inference_mode():
            return model(input_ids=batch).last_hidden_state.mean(dim=1).float().numpy()
    rows = []
    ids = torch.tensor(token_ids, dtype=torch.long)[:, None]
    with torch.inference_mode():
        for start in range(0, len(token_ids), _DISTILL_BATCH):
            middle = ids[start : start + _DISTILL_BATCH]
            batch = torch.cat(
                [torch.full_like(middle, cls_id), middle, torch.full_like(middle, sep_id)], dim=1
            )
            hidden = model(input_ids=batch, attention_mask=torch.ones_like(batch)).last_hidden_state
            rows.append(hidden.mean(dim=1).float().numpy())
    return np.concatenate(rows)


def pca(vectors: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and the top `dim` principal axes (rows) of `vectors`."""
    vectors = vectors.astype(np.float64)
    mean = vectors.mean(axis=0)
    centered = vectors - mean
    eigenvalues, eigenvectors = np.linalg.eigh(centered.T @ centered)
    top = np.argsort(eigenvalues)[::-1][:dim]
    return mean.astype(np.float32), eigenvectors[:, top].T.astype(np.float32)


def sif_weights(ranks: np.ndarray, vocab_size: int, a: float = SIF_COEFFICIENT) -> np.ndarray:
    """SIF weight a / (a + p) with p(rank) from Zipf's law over a vocabulary of `vocab_size`."""
    harmonic = np.sum(1.0 / np.arange(2, vocab_size + 2))
    probability = 1.0 / (np.asarray(ranks, dtype=np.float64) + 2) / harmonic
    return (a / (a + probability)).astype(np.float32)


class StaticEmbedder:
    """Sums table rows of a text's tokens; texts with no known token get the empty-text vector."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        meta = cache.read_meta(folder)
        if meta is None:
            raise UsageError(f"{folder} holds no finished static model (no {cache.META_FILE})")
        self.folder = folder
        self.meta = meta
        self.model_id: str = meta["model_id"]
        self.table = np.load(folder / VECTORS_FILE)
        self.dim: int = int(self.table.shape[1])
        self.empty = normalize_rows(np.load(folder / EMPTY_FILE)[None, :])[0]
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        # A lookup table has no length limit: every token of a long abstract counts.
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self.tokenizer = tokenizer
        self._word_ids = WordMemo(tokenizer) if WordMemo.fits(tokenizer) else None

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """Embed `texts`; `batch_size` is accepted for the common interface (chunks are larger)."""
        if not len(texts):
            return empty_matrix(self.dim)
        texts = list(texts)
        parts = []
        for start in range(0, len(texts), _ENCODE_CHUNK):
            chunk = texts[start : start + _ENCODE_CHUNK]
            parts.append(self._encode_chunk(chunk))
            if progress is not None:
                progress(len(chunk))
        return np.concatenate(parts)

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids, without special tokens."""
        flat, indptr = self._flat_token_ids(texts)
        return [row.tolist() for row in np.split(flat, indptr[1:-1])]

    def _flat_token_ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """All texts' token ids end to end, and where each text starts (CSR layout)."""
        if self._word_ids is not None:
            return self._word_ids.flat_token_ids(texts)
        rows = [e.ids for e in self.tokenizer.encode_batch_fast(texts, add_special_tokens=False)]
        indptr = np.concatenate(([0], np.cumsum([len(row) for row in rows], dtype=np.int64)))
        return np.fromiter(chain.from_iterable(rows), np.int32, int(indptr[-1])), indptr

    def _encode_chunk(self, texts: list[str]) -> np.ndarray:
        from scipy.sparse import csr_matrix

        indices, indptr = self._flat_token_ids(texts)
        # One row per text counting its tokens: the product sums table rows without ever
        # materialising the (tokens x dim) gather.
        counts = csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, indptr),
            shape=(len(texts), self.table.shape[0]),
        )
        summed = np.asarray(counts @ self.table, dtype=np.float32)
        vectors = normalize_rows(summed)
        vectors[~summed.any(axis=1)] = self.empty
        return vectors


class WordMemo:
    """Token ids per whitespace-separated word, remembered.

    Abstracts reuse their words: tokenizing each distinct word once and gathering the rest with
    numpy beats the Rust tokenizer's batch call on whole texts, which dominated the static
    embedder's time (docs/benchmarks.md#static-embedder-distillation-recipe). Only for
    lower-casing BERT tokenizers: their pre-tokenizer splits on whitespace first, so a word's
    tokens never depend on its neighbours; any other tokenizer is called directly.
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self._forget()

    def _forget(self) -> None:
        self.word_index: dict[str, int] = {}
        # Word i's token ids are tokens[starts[i] : starts[i] + lengths[i]].
        self.tokens = np.zeros(0, dtype=np.int32)
        self.starts = np.zeros(0, dtype=np.int64)
        self.lengths = np.zeros(0, dtype=np.int64)

    @staticmethod
    def fits(tokenizer: Any) -> bool:
        from tokenizers.normalizers import BertNormalizer
        from tokenizers.pre_tokenizers import BertPreTokenizer

        normalizer = tokenizer.normalizer
        return (
            isinstance(normalizer, BertNormalizer)
            and bool(getattr(normalizer, "lowercase", False))
            and isinstance(tokenizer.pre_tokenizer, BertPreTokenizer)
        )

    def flat_token_ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """All texts' token ids end to end, and where each text starts (CSR layout)."""
        words = [text.lower().split() for text in texts]
        all_words = list(chain.from_iterable(words))
        self._learn(set(all_words))
        word_ids = np.fromiter(
            map(self.word_index.__getitem__, all_words), np.int64, len(all_words)
        )
        lengths = self.lengths[word_ids]
        ends = np.cumsum(lengths)
        # Offsets of every token inside self.tokens: each word's start, then +1, +2, ...
        offsets = np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(
            self.starts[word_ids] - (ends - lengths), lengths
        )
        words_before = np.concatenate(([0], np.cumsum([len(w) for w in words])))
        token_ends = np.concatenate(([0], ends))
        return self.tokens[offsets], token_ends[words_before]

    def _learn(self, needed: set[str]) -> None:
        missing = needed.difference(self.word_index)
        if len(self.word_index) + len(missing) > _WORD_MEMO_LIMIT:
            self._forget()
            missing = needed
        if not missing:
            return
        ordered = list(missing)
        pieces = [
            e.ids for e in self.tokenizer.encode_batch_fast(ordered, add_special_tokens=False)
        ]
        new_lengths = np.fromiter(map(len, pieces), np.int64, len(pieces))
        new_starts = len(self.tokens) + np.concatenate(([0], np.cumsum(new_lengths)[:-1]))
        self.word_index.update(
            zip(ordered, range(len(self.word_index), len(self.word_index) + len(ordered)))
        )
        self.tokens = np.concatenate(
            (self.tokens, np.fromiter(chain.from_iterable(pieces), np.int32))
        )
        self.starts = np.concatenate((self.starts, new_starts))
        self.lengths = np.concatenate((self.lengths, new_lengths))
