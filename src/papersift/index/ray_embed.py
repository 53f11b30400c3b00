"""Embed the back catalogue on a Ray cluster: Ray Data over an actor pool, written through the store.

The papers to embed are chosen exactly as `embed_missing` chooses them (no vector for the model,
or a vector of another text: keyed by model and text hash). The driver first lists their rowids
(one pass over the store, keeping no text), then feeds them in waves (see `WAVE`): each wave's
texts become a Ray dataset of (rowid, text hash, text); `map_batches` runs them through a pool of
actors that each load the embedder once; the driver writes every finished batch back through the
store in its own transaction as it arrives. So the driver never holds more than one wave's texts
(all of arXiv is millions), and a killed driver, a lost worker or a second run redoes at most the
batches that were in flight: the store's (model, paper) key keeps each paper embedded once.

An actor that dies (its process killed, its node lost) is restarted and its batch retried: Ray
Data's actor pools do that by default, without limit (bounding it takes map_batches' free
`max_restarts` keyword, which Ray deprecates for removal in 2.64), so a batch that crashed every
process it reached would be retried until the job is stopped.

Each actor is given its share of a node's CPUs and runs its model on exactly that many threads, so
one actor per node or one per CPU both fill the cores without oversubscribing them
(docs/benchmarks.md#ray-back-catalogue-embedding).

Ray is an optional dependency (`pip install 'papersift[cluster]'`): it is imported only here and
only when a job runs.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import socket
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from papersift.embed.base import paper_text, text_hash
from papersift.errors import ClusterError, UsageError
from papersift.index.sync import EmbedReport, pending_texts

if TYPE_CHECKING:
    from papersift.embed.base import Embedder
    from papersift.store.base import Store

INSTALL_HINT = "--ray needs Ray: pip install 'papersift[cluster]'"
# Texts per map_batches call: big enough that Ray's per-batch overhead is small against the
# model's work, small enough that a lost worker redoes little and progress moves often.
BATCH = 256
# Papers whose texts the driver holds at once, one Ray Data pass each: at least 50,000 (~75 MB
# of abstracts), and at least 40 batches per actor, because each pass pays its pool's start and
# the drained tail of its last batches (seconds: docs/benchmarks.md#ray-back-catalogue-embedding)
# and those must stay small against the pass.
WAVE = 50_000
WAVE_BATCHES_PER_ACTOR = 40
# Seconds to wait for the cluster's address to answer before giving up, so that a wrong
# address fails at once rather than after Ray's own minute-long retries.
CONNECT_TIMEOUT = 5.0
# The ports `ray start --head` listens on: the GCS (plain address) and the Ray Client server.
GCS_PORT = 6379
CLIENT_PORT = 10001
# Ray's handshake with the GCS: one attempt (default 20) of 5 s (default 30); about 16 s in all
# against a port that is not Ray's.
_HANDSHAKE_LIMITS = {"RAY_gcs_server_port_wait_time_s": "1", "RAY_py_gcs_connect_timeout_s": "5"}

EmbedderFactory = Callable[[], "Embedder"]


@dataclass
class RayEmbedReport(EmbedReport):
    actors: int = 0
    gpus: bool = False
    # The model's vector width, known when the driver loaded the model to learn its id.
    dim: int | None = None


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
        # float16, as the store keeps them: half the bytes back to the driver, same values.
        vectors = np.asarray(self.embedder.encode(texts), dtype=np.float32).astype(np.float16)
        # The text stays behind: only keys and vectors travel back to the driver.
        return {"rowid": batch["rowid"], "hash": batch["hash"], "vector": vectors}


def connect(address: str | None) -> Callable[[], None]:
    """Join the cluster at `address` ("local" or None: start one here); returns the disconnect.

    Joins nothing when Ray is already initialised in this process (a test's or a notebook's
    cluster), and then leaves it running. An address that does not answer within
    `CONNECT_TIMEOUT` seconds is a one-line `ClusterError`.
    """
    local = address in (None, "", "local")
    if not local and address != "auto":
        probe_address(str(address))
        # Something answers there, but it may not be Ray: Ray would then retry its handshake
        # for minutes. One try of a few seconds (an operator's own settings win); Ray reads
        # these when it is first imported.
        for name, value in _HANDSHAKE_LIMITS.items():
            os.environ.setdefault(name, value)
    ray = _import_ray()
    if ray.is_initialized():
        return lambda: None
    try:
        if local:
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ClusterError(f"cannot join the Ray cluster at {address}: {first}") from None
    return ray.shutdown


def probe_address(address: str) -> None:
    """Raise `ClusterError` unless something accepts a TCP connection at the address's port.

    Ray itself retries an unreachable GCS for about a minute, then prints pages of log; this
    answers in `CONNECT_TIMEOUT` seconds with one line.
    """
    client = address.startswith("ray://")
    rest = address.removeprefix("ray://")
    host, _, port_text = rest.rpartition(":") if ":" in rest else (rest, "", "")
    host = host.strip("[]")  # [::1]:6379
    try:
        port = int(port_text) if port_text else (CLIENT_PORT if client else GCS_PORT)
    except ValueError:
        raise UsageError(f"--ray {address}: expected HOST:PORT, `auto` or `local`") from None
    if not host:
        raise UsageError(f"--ray {address}: expected HOST:PORT, `auto` or `local`")
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as error:
        reason = "timed out" if isinstance(error, TimeoutError) else (error.strerror or error)
        raise ClusterError(
            f"no Ray cluster answers at {host}:{port} ({reason}); start one there with "
            f"`ray start --head`, or use --ray local"
        ) from None


def _pending_rowids(store: Store, model_id: str) -> tuple[array, int]:
    """Rowids of papers lacking a current vector (ascending), and how many are current.

    One pass over the store that keeps 8 bytes per pending paper, not its text.
    """
    pending = array("q")
    current = 0
    for rowid, title, abstract, stored_hash in store.embedding_inputs(model_id):
        if stored_hash is not None and text_hash(paper_text(title, abstract)) == stored_hash:
            current += 1
        else:
            pending.append(rowid)
    return pending, current


def _waves(pending: array, size: int) -> Iterator[list[int]]:
    for start in range(0, len(pending), size):
        yield pending[start : start + size].tolist()


@dataclass(frozen=True)
class PoolPlan:
    actors: int
    threads: int  # CPU threads per actor
    gpus: bool  # one GPU per actor
    device: str  # where each actor's model runs


def plan_pool(resources: dict[str, float], model: str, actors: int | None = None) -> PoolPlan:
    """The actor pool for a cluster's resources and a model.

    The reference transformer runs one actor per GPU when the cluster has GPUs, on "cuda".
    The fast (int8 ONNX) and static variants run on CPUs only, whatever the cluster has (their
    vectors are what the store keys by that model; a GPU would sit idle): one actor per CPU,
    or `actors` actors, each asking for an equal share of the CPUs and running that many
    threads, so the pool fills the cores without oversubscribing them.
    """
    from papersift.embed.models import parse_model_name

    gpus = int(resources.get("GPU", 0))
    cpus = max(1, int(resources.get("CPU", 1)))
    if gpus and parse_model_name(model).kind == "transformer":
        return PoolPlan(actors or gpus, threads=1, gpus=True, device="cuda")
    size = actors or cpus
    return PoolPlan(size, threads=max(1, cpus // size), gpus=False, device="cpu")


def embed_on_ray(
    store: Store,
    model: str,
    *,
    model_id: str | None = None,
    factory: EmbedderFactory | None = None,
    actors: int | None = None,
    batch_size: int = BATCH,
    wave: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> RayEmbedReport:
    """Embed every paper lacking a current vector for `model` on the connected Ray cluster.

    `factory` builds the embedder inside each actor (default: `load_embedder(model)` on the
    actor's share of CPU threads; it must be picklable); `model_id` is its id, needed to select
    the papers without loading the model on the driver (default: load it once here to learn
    it). `actors` defaults to what `plan_pool` says: one per GPU for the reference transformer
    on a cluster with GPUs, else one per CPU. `wave`: papers per Ray Data pass (default: see
    `WAVE`). Ray must be initialised (`connect`).
    """
    ray = _import_ray()
    plan = plan_pool(ray.cluster_resources(), model, actors)
    size, threads = plan.actors, plan.threads
    wave = wave or max(WAVE, size * batch_size * WAVE_BATCHES_PER_ACTOR)
    if factory is None:
        from papersift.embed import load_embedder

        factory = functools.partial(load_embedder, model, threads=threads, device=plan.device)
    dim = None
    if model_id is None:
        embedder = factory()
        model_id, dim = embedder.model_id, embedder.dim
        del embedder
    pending, current = _pending_rowids(store, model_id)
    report = RayEmbedReport(model_id, already=current, actors=size, gpus=plan.gpus, dim=dim)
    if on_total:
        on_total(len(pending))
    if not pending:
        return report
    from ray.data import ActorPoolStrategy, DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    # Ray Data logs every execution's start and end at INFO: the command prints its own lines.
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    try:
        for rowids in _waves(pending, wave):
            rowids, texts, hashes, now_current = pending_texts(store, model_id, rowids)
            report.already += now_current  # embedded meanwhile by another job
            if not texts:
                continue
            dataset = ray.data.from_items(
                [
                    {"rowid": r, "hash": h, "text": t}
                    for r, h, t in zip(rowids, hashes, texts, strict=True)
                ],
                override_num_blocks=max(size, -(-len(texts) // batch_size)),
            ).map_batches(
                _EmbedActor,
                fn_constructor_args=(factory,),
                batch_size=batch_size,
                batch_format="numpy",
                compute=ActorPoolStrategy(size=size),
                num_gpus=1 if plan.gpus else 0,
                num_cpus=0 if plan.gpus else threads,
            )
            del texts  # the dataset holds them now, in the object store
            for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                keys = [int(r) for r in batch["rowid"]]
                # One transaction per batch as it arrives: what is written stays written.
                store.save_embeddings(
                    model_id, keys, [str(h) for h in batch["hash"]], batch["vector"]
                )
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
