"""Embed the back catalogue on a Ray cluster: Ray Data over an actor pool, written through the store.

The papers to embed are chosen exactly as `embed_missing` chooses them (no vector for the model,
or a vector of another text: keyed by model and text hash). The driver turns them into a Ray
dataset of (rowid, text hash, text); `map_batches` runs them through a pool of actors that each
load the embedder once; the driver writes every finished batch back through the store in its own
transaction as it arrives. So a killed driver, a lost worker or a second run redoes at most the
batches that were in flight, and the store's (model, paper) key keeps each paper embedded once.

Ray is an optional dependency (`pip install 'papersift[cluster]'`): it is imported only here and
only when a job runs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from papersift.errors import ClusterError, UsageError
from papersift.index.sync import EmbedReport, pending_texts

if TYPE_CHECKING:
    from papersift.embed.base import Embedder
    from papersift.store.base import Store

INSTALL_HINT = "--ray needs Ray: pip install 'papersift[cluster]'"
# Texts per map_batches call: big enough that Ray's per-batch overhead is small against the
# model's work, small enough that a lost worker redoes little and progress moves often.
BATCH = 256

EmbedderFactory = Callable[[], "Embedder"]


@dataclass
class RayEmbedReport(EmbedReport):
    actors: int = 0
    gpus: bool = False


def _import_ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401  (the `data` extra is what we need, not just the core)
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return ray


class _EmbedActor:
    """One actor of the pool: loads the embedder once, then embeds every batch it is given."""

    def __init__(self, factory: EmbedderFactory) -> None:
        self.embedder = factory()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(t) for t in batch["text"]]
        vectors = np.asarray(self.embedder.encode(texts), dtype=np.float32)
        # The text stays behind: only keys and vectors travel back to the driver.
        return {"rowid": batch["rowid"], "hash": batch["hash"], "vector": vectors}


def connect(address: str | None) -> Callable[[], None]:
    """Join the cluster at `address` ("local" or None: start one here); returns the disconnect.

    Joins nothing when Ray is already initialised in this process (a test's or a notebook's
    cluster), and then leaves it running.
    """
    ray = _import_ray()
    if ray.is_initialized():
        return lambda: None
    try:
        if address in (None, "", "local"):
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ClusterError(f"cannot join the Ray cluster at {address}: {first}") from None
    return ray.shutdown


def embed_on_ray(
    store: Store,
    model: str,
    *,
    model_id: str | None = None,
    factory: EmbedderFactory | None = None,
    actors: int | None = None,
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> RayEmbedReport:
    """Embed every paper lacking a current vector for `model` on the connected Ray cluster.

    `factory` builds the embedder inside each actor (default: `load_embedder(model)`; it must be
    picklable); `model_id` is its id, needed to select the papers without loading the model on
    the driver (default: load it once here to learn it). `actors` defaults to one per GPU when
    the cluster has GPUs, else one per CPU. Ray must be initialised (`connect`).
    """
    ray = _import_ray()
    if factory is None:
        from papersift.embed import load_embedder

        factory = functools.partial(load_embedder, model)
    if model_id is None:
        model_id = factory().model_id
    rowids, texts, hashes, current = pending_texts(store, model_id)
    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    size = actors or gpus or max(1, int(resources.get("CPU", 1)))
    report = RayEmbedReport(model_id, already=current, actors=size, gpus=gpus > 0)
    if on_total:
        on_total(len(texts))
    if not texts:
        return report
    from ray.data import ActorPoolStrategy, DataContext

    DataContext.get_current().enable_progress_bars = False
    blocks = max(size, -(-len(texts) // batch_size))
    dataset = ray.data.from_items(
        [{"rowid": r, "hash": h, "text": t} for r, h, t in zip(rowids, hashes, texts, strict=True)],
        override_num_blocks=blocks,
    ).map_batches(
        _EmbedActor,
        fn_constructor_args=(factory,),
        batch_size=batch_size,
        batch_format="numpy",
        compute=ActorPoolStrategy(size=size),
        num_gpus=1 if gpus else 0,
        num_cpus=0 if gpus else 1,
    )
    try:
        for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
            keys = [int(r) for r in batch["rowid"]]
            # One transaction per batch as it arrives: what is written stays written.
            store.save_embeddings(model_id, keys, [str(h) for h in batch["hash"]], batch["vector"])
            report.embedded += len(keys)
            report.changed_rowids.extend(keys)
            if progress:
                progress(len(keys))
    except Exception as error:
        if isinstance(error, (UsageError, ClusterError)) or not _is_ray_error(ray, error):
            raise
        raise ClusterError(
            f"the Ray job stopped after {report.embedded:,} papers were stored "
            f"({_first_line(error)}); run it again to embed the rest"
        ) from None
    return report


def _is_ray_error(ray: Any, error: BaseException) -> bool:
    return isinstance(error, ray.exceptions.RayError) or type(error).__module__.startswith("ray")


# "RuntimeError: worker lost" in the traceback text Ray carries back from the worker.
_RAISED = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception)): (.+)$", re.MULTILINE)


def _first_line(error: BaseException) -> str:
    """The worker's own error in one line; Ray wraps it in pages of traceback and advice.

    The worker's exception reaches the driver only as text inside Ray's (the object stays on
    the worker), so it is read from there: the first raised line that is not Ray's own.
    """
    for name, message in _RAISED.findall(str(error)):
        if not name.startswith("ray."):
            return f"{name}: {message.strip()}"
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
