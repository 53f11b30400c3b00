"""`embed --ray`: the back catalogue embedded by Ray Data on a real local cluster (2 CPUs).

The vectors must equal what plain `embed` stores, a second run must embed nothing, and a job
that dies mid-way (a worker's error, a killed driver, a killed actor) must, once rerun or
recovered, leave every paper embedded exactly once. A wrong cluster address fails in seconds,
in one line.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from papersift.errors import ClusterError
from papersift.index.sync import embed_missing
from papersift.store import open_store
from tests.helpers import make_paper

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'papersift[cluster]'")
pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install 'ray[data]'")

from papersift.index import ray_embed  # noqa: E402
from papersift.index.ray_embed import embed_on_ray, probe_address  # noqa: E402

PAPERS = 200
MODEL = "test-word-hash"
WORDS = "sparse attention graph kernel diffusion policy reward token vision speech".split()


class WordHashEmbedder:
    """Bag of hashed words: deterministic, instant, offline; what a real model is to Ray."""

    model_id = MODEL
    dim = 32

    def __init__(self, fail_after: int | None = None, flag: str | None = None) -> None:
        self.calls = 0
        self.fail_after = fail_after
        self.flag = flag

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: object = None
    ) -> np.ndarray:
        self.calls += 1
        # A worker that dies mid-job, but only while the test's flag file exists: the rerun
        # (flag removed) runs clean, like a cluster whose lost node came back.
        failing = self.fail_after is not None and self.calls > self.fail_after
        if failing and self.flag and os.path.exists(self.flag):
            raise RuntimeError("worker lost mid-batch")
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]{4,}", text.lower()):
                rows[i, hashlib.blake2b(word.encode(), digest_size=2).digest()[0] % self.dim] += 1
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms == 0, 1, norms)


def make_embedder() -> WordHashEmbedder:
    return WordHashEmbedder()


class FailingFactory:
    def __init__(self, fail_after: int, flag: str) -> None:
        self.fail_after = fail_after
        self.flag = flag

    def __call__(self) -> WordHashEmbedder:
        return WordHashEmbedder(self.fail_after, self.flag)


class SlowFactory:
    """Word-hash embedders that take `delay` seconds a batch: a job long enough to interrupt."""

    def __init__(self, delay: float) -> None:
        self.delay = delay

    def __call__(self) -> WordHashEmbedder:
        embedder = WordHashEmbedder()
        encode = embedder.encode

        def slow_encode(texts: Sequence[str], *args: object, **kwargs: object) -> np.ndarray:
            time.sleep(self.delay)
            return encode(texts)

        embedder.encode = slow_encode  # type: ignore[method-assign]
        return embedder


class KillOnceFactory:
    """Word-hash embedders whose process is SIGKILLed mid-batch once, by whichever actor first
    takes the flag file away after `after` batches: a worker lost as a node's OOM killer would
    lose it, with no exception for Ray to see."""

    def __init__(self, flag: str, after: int) -> None:
        self.flag = flag
        self.after = after

    def __call__(self) -> WordHashEmbedder:
        embedder = WordHashEmbedder()
        encode = embedder.encode
        calls = [0]

        def encode_or_die(texts: Sequence[str], *args: object, **kwargs: object) -> np.ndarray:
            calls[0] += 1
            vectors = encode(texts)
            if calls[0] > self.after:
                try:
                    os.unlink(self.flag)  # only one actor wins it
                except FileNotFoundError:
                    pass
                else:
                    os.kill(os.getpid(), signal.SIGKILL)
            return vectors

        embedder.encode = encode_or_die  # type: ignore[method-assign]
        return embedder


def start_cluster() -> None:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    # The workers cannot import this test module: ship its classes by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    start_cluster()
    yield
    ray.shutdown()


def fill(path: Path, count: int = PAPERS):
    store = open_store(path)
    rng = np.random.default_rng(7)
    store.upsert(
        make_paper(
            f"2301.{i:05d}",
            f"Paper {i} on " + " ".join(rng.choice(WORDS, 3)),
            abstract="We study " + " ".join(rng.choice(WORDS, 12)) + f" number{i}.",
        )
        for i in range(count)
    )
    return store


def per_paper_counts(store) -> dict[int, int]:
    keys = store.embedding_rowids(MODEL)
    counts: dict[int, int] = {}
    for key in keys.tolist():
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_ray_vectors_equal_plain_embed_and_a_second_run_embeds_nothing(cluster, tmp_path):
    plain = fill(tmp_path / "plain.db")
    on_ray = fill(tmp_path / "ray.db")
    embed_missing(plain, WordHashEmbedder())
    seen: list[int] = []
    report = embed_on_ray(
        on_ray,
        MODEL,
        model_id=MODEL,
        factory=make_embedder,
        actors=2,
        batch_size=32,
        progress=seen.append,
    )
    assert report.embedded == PAPERS and report.already == 0 and sum(seen) == PAPERS
    plain_keys, plain_vectors = plain.load_embeddings(MODEL)
    ray_keys, ray_vectors = on_ray.load_embeddings(MODEL)
    assert len(ray_keys) == PAPERS
    np.testing.assert_array_equal(ray_keys, plain_keys)
    np.testing.assert_allclose(ray_vectors, plain_vectors, atol=1e-5)
    assert ray_vectors.any()

    again = embed_on_ray(on_ray, MODEL, model_id=MODEL, factory=make_embedder, actors=2)
    assert (again.embedded, again.already) == (0, PAPERS)


def test_a_changed_abstract_is_embedded_again_and_only_it(cluster, tmp_path):
    store = fill(tmp_path / "s.db", 40)
    embed_on_ray(store, MODEL, model_id=MODEL, factory=make_embedder, actors=1)
    store.upsert(
        [make_paper("2301.00003", "A new title about reward", abstract="Rewritten.", version=2)]
    )
    report = embed_on_ray(store, MODEL, model_id=MODEL, factory=make_embedder, actors=1)
    assert report.embedded == 1 and report.already == 39
    assert report.changed_rowids == [store.rowid_of("2301.00003")]


def test_a_job_killed_mid_way_resumes_and_embeds_every_paper_once(cluster, tmp_path):
    store = fill(tmp_path / "s.db")
    flag = tmp_path / "workers-fail"
    flag.touch()
    with pytest.raises(ClusterError, match="run it again") as stopped:
        embed_on_ray(
            store,
            MODEL,
            model_id=MODEL,
            factory=FailingFactory(2, str(flag)),
            actors=2,
            batch_size=16,
        )
    assert "worker lost mid-batch" in str(stopped.value)
    assert "\n" not in str(stopped.value)
    done = store.embedding_count(MODEL)
    assert done < PAPERS  # it did stop part-way

    flag.unlink()
    # A rerun is a new driver, as from the command line: the failed job's actors (which Ray
    # keeps restarting while their job lives, holding the CPUs) go with the old one.
    ray.shutdown()
    start_cluster()
    report = embed_on_ray(
        store,
        MODEL,
        model_id=MODEL,
        factory=FailingFactory(2, str(flag)),
        actors=2,
        batch_size=16,
    )
    assert report.already == done and report.embedded == PAPERS - done
    counts = per_paper_counts(store)
    assert len(counts) == PAPERS and set(counts.values()) == {1}
    assert store.embedding_count(MODEL) == PAPERS
    keys, vectors = store.load_embeddings(MODEL)
    plain = fill(tmp_path / "plain.db")
    embed_missing(plain, WordHashEmbedder())
    np.testing.assert_allclose(vectors, plain.load_embeddings(MODEL)[1], atol=1e-5)


def assert_each_paper_once_as_plain(store, tmp_path: Path, count: int = PAPERS) -> None:
    counts = per_paper_counts(store)
    assert len(counts) == count and set(counts.values()) == {1}
    plain = fill(tmp_path / "plain.db", count)
    embed_missing(plain, WordHashEmbedder())
    keys, vectors = store.load_embeddings(MODEL)
    plain_keys, plain_vectors = plain.load_embeddings(MODEL)
    np.testing.assert_array_equal(keys, plain_keys)
    # Both are stored as float16: the same float32 vectors round to the same halves.
    np.testing.assert_allclose(vectors, plain_vectors, atol=1e-3)


def test_the_driver_holds_one_wave_of_texts_at_a_time(cluster, tmp_path, monkeypatch):
    store = fill(tmp_path / "s.db")
    asked: list[int] = []
    pending_texts = ray_embed.pending_texts

    def recording(store, model_id, only=None):
        asked.append(len(only))
        return pending_texts(store, model_id, only)

    monkeypatch.setattr(ray_embed, "pending_texts", recording)
    report = embed_on_ray(
        store, MODEL, model_id=MODEL, factory=make_embedder, actors=2, batch_size=16, wave=64
    )
    assert asked == [64, 64, 64, 8] and report.embedded == PAPERS
    assert_each_paper_once_as_plain(store, tmp_path)


# What `papersift embed --ray local` runs (pipelines.embed_on_ray: connect, then embed_on_ray),
# with the test's slow word-hash model in place of a real one, which would need minutes of export.
DRIVER = """
import sys
from pathlib import Path

import ray
import tests.test_ray_embed as t
from papersift.index.ray_embed import connect, embed_on_ray
from papersift.store import open_store

ray.cloudpickle.register_pickle_by_value(t)
connect("local")
embed_on_ray(open_store(Path(sys.argv[1])), t.MODEL, model_id=t.MODEL, factory=t.SlowFactory(0.4),
             actors=2, batch_size=16)
"""


def test_a_driver_killed_mid_job_resumes_with_every_paper_embedded_once(cluster, tmp_path):
    psutil = pytest.importorskip("psutil")
    count = 300
    path = tmp_path / "s.db"
    store = fill(path, count)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    with open(tmp_path / "driver.log", "wb") as log:
        driver = subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(path)], cwd=root, env=env, stdout=log, stderr=log
        )
    started = psutil.Process(driver.pid)
    spawned: list = []
    try:
        deadline = time.monotonic() + 45
        while store.embedding_count(MODEL) < 32:
            assert driver.poll() is None, (tmp_path / "driver.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the driver stored nothing in 45 s"
            spawned = started.children(recursive=True) or spawned
            time.sleep(0.05)
        spawned = started.children(recursive=True) or spawned
        driver.send_signal(signal.SIGKILL)
        driver.wait(10)
    finally:
        # Whatever of the killed driver's local cluster outlives it (GCS, raylet, workers)
        # ends here, by pid.
        for process in [started, *spawned]:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
    done = store.embedding_count(MODEL)
    assert 32 <= done < count  # killed part-way, after the first batches were written

    report = embed_on_ray(store, MODEL, model_id=MODEL, factory=make_embedder, actors=2)
    assert report.already == done and report.embedded == count - done
    assert_each_paper_once_as_plain(store, tmp_path, count)


def test_a_killed_actor_is_replaced_and_the_job_finishes(cluster, tmp_path):
    store = fill(tmp_path / "s.db")
    flag = tmp_path / "kill-one-actor"
    flag.touch()
    report = embed_on_ray(
        store,
        MODEL,
        model_id=MODEL,
        factory=KillOnceFactory(str(flag), after=2),
        actors=2,
        batch_size=16,
    )
    assert not flag.exists()  # an actor process did die mid-batch
    assert report.embedded == PAPERS
    assert_each_paper_once_as_plain(store, tmp_path)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def embed_on_ray_cli(db: Path, address: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """`papersift --db DB embed --ray ADDRESS` in a new process; its result and seconds taken."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "HF_HUB_OFFLINE": "1"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "papersift.cli", "--db", str(db), "embed", "--ray", address],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return result, time.monotonic() - started


def test_an_unreachable_cluster_fails_in_seconds_with_one_line(tmp_path):
    result, seconds = embed_on_ray_cli(tmp_path / "s.db", f"127.0.0.1:{closed_port()}")
    assert seconds < 30
    assert result.returncode != 0
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output and len(output.splitlines()) == 1, output
    assert "no Ray cluster answers at 127.0.0.1" in output and "ray start --head" in output


def test_a_port_that_is_not_ray_fails_in_bounded_time(tmp_path):
    with socket.socket() as listener:  # accepts the TCP probe, never speaks Ray
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        address = f"127.0.0.1:{listener.getsockname()[1]}"
        result, seconds = embed_on_ray_cli(tmp_path / "s.db", address)
    assert seconds < 30
    assert result.returncode != 0
    output = (result.stdout + result.stderr).strip()
    # Ray's own C++ warnings may precede it; the command's error is one line at the end.
    assert "Traceback" not in output, output
    assert output.splitlines()[-1].count("cannot join the Ray cluster at 127.0.0.1") == 1


def test_an_address_that_never_answers_times_out(monkeypatch):
    monkeypatch.setattr(ray_embed, "CONNECT_TIMEOUT", 1.0)
    started = time.monotonic()
    # TEST-NET-1 (RFC 5737): never routed, so the connection times out or is refused at once.
    with pytest.raises(ClusterError, match="no Ray cluster answers at 192.0.2.1:6379"):
        probe_address("192.0.2.1")
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("address", ["host:port", ":6379", "ray://"])
def test_a_malformed_address_is_a_usage_error(address):
    from papersift.errors import UsageError

    with pytest.raises(UsageError, match="HOST:PORT"):
        probe_address(address)


def test_the_pool_puts_the_reference_model_on_gpus_and_the_fast_one_on_cpus():
    """GPU actors only where the model can use them: the reference transformer on "cuda",
    one actor per GPU; the int8 ONNX and static variants on CPU shares, GPUs or not."""
    from papersift.index.ray_embed import PoolPlan, plan_pool

    gpu_node = {"CPU": 16.0, "GPU": 2.0}
    assert plan_pool(gpu_node, "all-MiniLM-L6-v2") == PoolPlan(2, 1, gpus=True, device="cuda")
    assert plan_pool(gpu_node, "fast") == PoolPlan(16, 1, gpus=False, device="cpu")
    assert plan_pool(gpu_node, "static") == PoolPlan(16, 1, gpus=False, device="cpu")
    cpu_node = {"CPU": 8.0}
    assert plan_pool(cpu_node, "all-MiniLM-L6-v2") == PoolPlan(8, 1, gpus=False, device="cpu")
    assert plan_pool(cpu_node, "fast", actors=2) == PoolPlan(2, 4, gpus=False, device="cpu")
