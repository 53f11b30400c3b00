"""The fast path: the transformer exported to ONNX, fused, int8-quantized, run by ONNX Runtime.

Each step is kept because it made the model faster while its vectors stay close to the
reference's (docs/benchmarks.md#fast-path-how-the-speed-up-was-found
has the numbers): attention/GELU fusion (the onnxruntime.transformers optimizer, which needs the
*eager* attention graph to match its patterns); int8 dynamic quantization with per-channel
weights; one single-threaded session run per core instead of one run split over the cores;
SkipLayerNormalization left unfused, because ONNX Runtime's CPU kernel for it is slower than the
Add + LayerNormalization it would replace; and one text per run (no padding, activations stay in
cache). Per-tensor weights and inputs truncated below the model's 256 tokens lost too much
agreement with the reference, so neither is used.

The export needs torch once; afterwards the model loads from the cache with only onnxruntime,
tokenizers and numpy, so start-up skips importing torch.
"""

from __future__ import annotations

import json
import logging
import os
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from papersift.embed import cache
from papersift.embed.base import (
    DEFAULT_BATCH_SIZE,
    Progress,
    empty_matrix,
    normalize_rows,
)
from papersift.embed.models import FAST_SUFFIX, ModelSource
from papersift.errors import UsageError

log = logging.getLogger(__name__)

# Bump when the export recipe changes: cached exports with another number are rebuilt.
RECIPE = 4  # 4: 7-bit weights (reduce_range)
MODEL_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
ONNX_OPSET = 17
_POOLINGS = ("mean", "cls")
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Model families whose graphs the onnxruntime BERT fuser understands.
_FUSABLE = {"bert", "roberta", "xlm-roberta", "distilbert", "mpnet", "electra", "camembert"}
# ONNX Runtime's CPU SkipLayerNormalization kernel is slower than the Add + LayerNormalization it
# replaces, and its optimizer re-fuses the pair at load: turned off at export and at load, the
# model is faster with identical arithmetic (docs/benchmarks.md#fast-path-how-the-speed-up-was-found).
_DISABLED_OPTIMIZERS = ["SkipLayerNormFusion"]


def fast_model_id(base_model_id: str) -> str:
    return base_model_id + FAST_SUFFIX


def load_fast_embedder(source: ModelSource, *, threads: int | None = None) -> OnnxEmbedder:
    """The int8 ONNX embedder for `source`, exporting it into the cache on first use."""
    folder = ensure_exported(source)
    return OnnxEmbedder(folder, threads=threads)


def ensure_exported(source: ModelSource) -> Path:
    """The cache folder holding the exported model, built now if missing or from an old recipe."""
    model_id = fast_model_id(source.model_id)
    folder = cache.model_folder(model_id)
    meta = cache.read_meta(folder)
    if meta and meta.get("recipe") == RECIPE and (folder / MODEL_FILE).is_file():
        return folder
    log.info("exporting %s to ONNX int8 (once; cached in %s)", source.model_id, folder)
    return cache.build_folder(folder, lambda scratch: export_model(source, scratch))


def export_model(source: ModelSource, folder: Path) -> dict[str, Any]:
    """Export, fuse and quantize `source` into `folder`; returns (and writes) its meta.json."""
    started = time.perf_counter()
    st, pooling = _load_for_export(source)
    transformer = st[0]
    tokenizer = st.tokenizer
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise UsageError(
            f"{source.model_id}: the fast path needs a model with a fast (Rust) tokenizer"
        )
    backend.save(str(folder / TOKENIZER_FILE))
    inputs = [name for name in _INPUTS if name in tokenizer.model_input_names]
    raw = folder / "model.fp32.onnx"
    _export_graph(transformer.auto_model, inputs, raw)
    exported_s = time.perf_counter() - started
    fused = folder / "model.fused.onnx"
    fusion = _fuse(raw, fused, transformer.auto_model.config)
    _quantize(fused if fusion else raw, folder / MODEL_FILE)
    for scratch in (raw, fused):
        scratch.unlink(missing_ok=True)
    meta = {
        "model_id": fast_model_id(source.model_id),
        "base_model_id": source.model_id,
        "recipe": RECIPE,
        "dim": int(st.get_embedding_dimension() or 0),
        "max_seq_length": int(st.max_seq_length),
        "pooling": pooling,
        "inputs": inputs,
        "pad_id": int(tokenizer.pad_token_id or 0),
        "fused_ops": fusion,
        "export_seconds": round(exported_s, 2),
        "total_seconds": round(time.perf_counter() - started, 2),
    }
    cache.write_meta(folder, meta)
    return meta


def _load_for_export(source: ModelSource) -> tuple[Any, str]:
    from papersift.embed.transformer import load_sentence_transformer

    # Eager attention exports as plain MatMul/Softmax, the pattern the ONNX Runtime fuser
    # recognises; the SDPA graph is left unfused and runs slower.
    st = load_sentence_transformer(source, attn_implementation="eager")
    names = [type(module).__name__ for module in st]
    if names[:2] != ["Transformer", "Pooling"] or any(n != "Normalize" for n in names[2:]):
        raise UsageError(
            f"{source.model_id}: the fast path supports Transformer + Pooling (+ Normalize) "
            f"models, not {' + '.join(names)}; use --kind transformer"
        )
    pooling = st[1].get_config_dict().get("pooling_mode", "mean")  # type: ignore[operator]
    if pooling not in _POOLINGS:
        raise UsageError(
            f"{source.model_id}: the fast path supports mean or cls pooling, not {pooling}"
        )
    return st, pooling


def _export_graph(model: Any, inputs: list[str], path: Path) -> None:
    import torch

    class LastHiddenState(torch.nn.Module):
        # Newer transformers take some arguments by keyword only; name every input.
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(inputs, tensors, strict=True))).last_hidden_state

    sample = {
        "input_ids": torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]]),
        "attention_mask": torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]]),
        "token_type_ids": torch.zeros((2, 4), dtype=torch.long),
    }
    axes = {name: {0: "batch", 1: "tokens"} for name in [*inputs, "last_hidden_state"]}
    # The tracer warns about the legacy exporter and traced shape checks; both are expected
    # here (dynamo export is not used) and would only alarm a user running `papersift embed`.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState().eval(),
            tuple(sample[name] for name in inputs),
            str(path),
            input_names=inputs,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=ONNX_OPSET,
            dynamo=False,
            do_constant_folding=True,
        )


def _fuse(src: Path, dst: Path, config: Any) -> dict[str, int]:
    """Fuse attention, LayerNorm and GELU; returns the fused-op counts ({} when not fusable)."""
    model_type = getattr(config, "model_type", "")
    if model_type not in _FUSABLE:
        return {}
    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions

    options = FusionOptions("bert")
    options.enable_skip_layer_norm = False
    options.enable_bias_skip_layer_norm = False
    # MultiHeadAttention (Q, K, V from separate MatMuls) without a mask lets ONNX Runtime use its
    # CPU flash-attention kernel, faster than the packed Attention op on one text per run
    # (docs/benchmarks.md#fast-path-how-the-speed-up-was-found).
    options.use_multi_head_attention = True
    try:
        optimized = optimizer.optimize_model(
            str(src),
            model_type="bert",
            num_heads=int(config.num_attention_heads),
            hidden_size=int(config.hidden_size),
            optimization_options=options,
            opt_level=1,
        )
    except Exception as exc:  # an unfamiliar graph: the unfused model is still correct
        log.warning("ONNX fusion failed for %s (%s); using the unfused graph", model_type, exc)
        return {}
    _drop_attention_masks(optimized.model)
    optimized.save_model_to_file(str(dst))
    stats = optimized.get_fused_operator_statistics()
    return {op: int(count) for op, count in stats.items() if count}


def _drop_attention_masks(model: Any) -> None:
    """Remove the padding mask from fused attention, and what only fed it.

    The embedder runs one text per call (see OnnxEmbedder._encode_one), so nothing is ever
    padded and the mask is all ones; without it the attention can take the flash-attention path.
    """
    graph = model.graph
    for node in graph.node:
        if node.op_type == "MultiHeadAttention" and len(node.input) > 4:
            del node.input[4:]
    while True:  # prune nodes whose outputs nobody reads any more (the mask's ReduceSum, Casts)
        read = {name for node in graph.node for name in node.input}
        read |= {output.name for output in graph.output}
        dead = [n for n in graph.node if not any(out in read for out in n.output if out)]
        if not dead:
            break
        for node in dead:
            graph.node.remove(node)
    read = {name for node in graph.node for name in node.input}
    for graph_input in [i for i in graph.input if i.name not in read]:
        graph.input.remove(graph_input)


def _quantize(src: Path, dst: Path) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantizer logs advice meant for static (calibrated) quantization to the root logger.
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(
            str(src),
            str(dst),
            # Per-tensor scales drift too far from the reference; a scale per output channel
            # keeps the vectors close (docs/benchmarks.md#fast-path-how-the-speed-up-was-found).
            per_channel=True,
            # 7-bit weights: without VNNI the x86 u8 x s8 kernel adds pairs of products into
            # 16 bits, which saturate at full range (ONNX Runtime's own advice for AVX2); 7
            # bits bring the vectors closer to the reference at the same speed
            # (docs/benchmarks.md#fast-path-how-the-speed-up-was-found).
            reduce_range=True,
            weight_type=QuantType.QInt8,
            # Fused ops (Attention, BiasGelu) are in the com.microsoft domain, where shape
            # inference cannot tell the quantizer their float type.
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        logging.disable(previous)


def _worker_count(threads: int | None) -> int:
    if threads:
        return threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


class OnnxEmbedder:
    """Runs an exported model folder: tokenize, batch by length, ONNX Runtime, pool, normalize."""

    def __init__(self, folder: Path, *, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = cache.read_meta(folder)
        if meta is None:
            raise UsageError(f"{folder} holds no finished ONNX export (no {cache.META_FILE})")
        self.folder = folder
        self.model_id: str = meta["model_id"]
        self.dim: int = int(meta["dim"])
        self.max_seq_length: int = int(meta["max_seq_length"])
        self.pooling: str = meta["pooling"]
        self.pad_id: int = int(meta.get("pad_id", 0))
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)
        # One single-threaded run per core, on different batches, instead of one run split over
        # the cores: no thread spinning or per-op synchronisation, so the same work takes less
        # CPU time (docs/benchmarks.md#fast-path-how-the-speed-up-was-found).
        # Session.run is thread-safe and releases the GIL.
        self.workers = _worker_count(threads)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # quantized graphs warn about harmless shape hints
        self.session = ort.InferenceSession(
            str(folder / MODEL_FILE),
            options,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=_DISABLED_OPTIMIZERS,
        )
        self.inputs = [i.name for i in self.session.get_inputs()]

    @property
    def meta(self) -> dict[str, Any]:
        return json.loads((self.folder / cache.META_FILE).read_text(encoding="utf-8"))

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with special tokens, truncated to the model's maximum like the reference."""
        return [encoding.ids for encoding in self.tokenizer.encode_batch_fast(list(texts))]

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """Embed `texts`; `batch_size` is accepted for the common interface (see _encode_one)."""
        if not len(texts):
            return empty_matrix(self.dim)
        ids = self.token_ids(texts)
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        # Longest first, so that the workers run out of work at about the same time.
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        with ThreadPoolExecutor(max_workers=self.workers) as workers:
            for index, vector in zip(order, workers.map(lambda i: self._encode_one(ids[i]), order)):
                out[index] = vector
                if progress is not None:
                    progress(1)
        return out

    def _encode_one(self, row: list[int]) -> np.ndarray:
        """One text per ONNX Runtime run, always: the exported graph has no padding mask (see
        _drop_attention_masks). Dynamic int8 picks activation scales per run, so a text's vector
        does not depend on what else is embedded with it (in batches it moved with its
        neighbours). Single runs are also faster than batches, as each op's activations stay in
        cache (docs/benchmarks.md#fast-path-how-the-speed-up-was-found).
        """
        input_ids = np.asarray([row], dtype=np.int64)
        mask = np.ones_like(input_ids)
        feed = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": mask * 0}
        (hidden,) = self.session.run(None, {name: feed[name] for name in self.inputs})
        return pool(hidden, mask, self.pooling)[0]


def pool(hidden: np.ndarray, mask: np.ndarray, pooling: str) -> np.ndarray:
    """Sentence vectors from token states, as sentence-transformers' Pooling does, normalized."""
    if pooling == "cls":
        return normalize_rows(hidden[:, 0])
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    return normalize_rows(summed / np.maximum(weights.sum(axis=1), 1.0))
