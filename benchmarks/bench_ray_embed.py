"""`embed --ray local` against plain `embed`: same model, same real papers, same machine, same run.

Papers: `--n` real arXiv abstracts spread over arxiv-daily (../shared/datasets/arxiv-daily, read
by path), upserted once into a template store; every timed run embeds a fresh copy of it, so each
run embeds all `--n` papers and writes them back through the store, as the command does.

Paths, interleaved each round (plain, ray 1 actor, ray 2 actors, repeat) so that the machine's
drifting speed hits each alike; medians over `--rounds`:
- plain: `load_embedder` + `embed_missing` in this process (what `papersift embed` runs);
- ray-1 / ray-2: `embed_on_ray` with 1 / 2 actors on a local cluster of this machine's CPUs,
  started once before the rounds (its start-up is printed apart: a long job pays it once).

Printed: papers/s per path and round with that round's ray/plain ratios, medians, and the median
of the per-round ratios (Ray's overhead must keep ray-1/plain >= 0.85); the rate per CPU of the
2-actor pool (the per-worker rate docs/deploying.md scales to all of arXiv); the largest difference
of Ray's stored vectors from plain's (both stored as float16).

    python benchmarks/bench_ray_embed.py                    # 3,000 papers, 3 rounds, 'fast'
    python benchmarks/bench_ray_embed.py --n 2000 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realdata import ARXIV_DAILY, arxiv_daily  # noqa: E402

from papersift.sources.common import build_paper  # noqa: E402
from papersift.store import open_store  # noqa: E402

DATASET_ROWS = 74_728  # SOURCES.md


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def template_store(folder: Path, n: int) -> Path:
    """A store holding `n` arxiv-daily papers taken evenly over the whole file (all dates)."""
    step = max(1, DATASET_ROWS // n)
    rows = [row for i, row in enumerate(arxiv_daily()) if i % step == 0][:n]
    papers = [
        build_paper(
            "arxiv-daily",
            row["id"],
            id=row["id"],
            title=row["title"],
            abstract=row["abstract"],
            source="arxiv-api",
            authors=row["authors"],
            categories=row["categories"],
            arxiv_id=row["id"],
        )
        for row in rows
    ]
    path = folder / "template.db"
    store = open_store(path)
    store.upsert(papers)
    store.close()
    return path


def fresh_copy(template: Path, folder: Path, name: str) -> Path:
    target = folder / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="papers embedded by every run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three paths")
    parser.add_argument("--model", default="fast", help="embedding model (default: fast)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import ray

    from papersift.embed import load_embedder
    from papersift.index.ray_embed import embed_on_ray
    from papersift.index.sync import embed_missing

    print(f"start: {load_text()}")
    with tempfile.TemporaryDirectory(prefix="papersift-ray-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        template = template_store(folder, args.n)
        probe = open_store(template)
        count = probe.count()
        model_id = load_embedder(args.model).model_id
        texts = [f"{t or ''} {a or ''}" for _, t, a, _ in probe.embedding_inputs(model_id)]
        probe.close()
        words = [len(t.split()) for t in texts]
        print(
            f"{count:,} papers of {ARXIV_DAILY.name}, {np.mean(words):.0f} words on average; "
            f"store built in {time.perf_counter() - started:.1f} s; model {model_id}"
        )

        started = time.perf_counter()
        ray.init(
            num_cpus=os.cpu_count(),
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
        print(f"local Ray cluster started in {time.perf_counter() - started:.1f} s (paid once)")

        def plain(path: Path) -> None:
            store = open_store(path)
            embed_missing(store, load_embedder(args.model))
            store.close()

        def on_ray(actors: int):
            def run(path: Path) -> None:
                store = open_store(path)
                model = load_embedder(args.model)  # the command loads it to learn its id
                embed_on_ray(store, args.model, model_id=model.model_id, actors=actors)
                store.close()

            return run

        paths = {"plain": plain, "ray-1": on_ray(1), "ray-2": on_ray(2)}
        rates: dict[str, list[float]] = {name: [] for name in paths}
        vectors: dict[str, np.ndarray] = {}
        for round_no in range(1, args.rounds + 1):
            line = []
            for name, run in paths.items():
                path = fresh_copy(template, folder, f"{name}.db")
                started = time.perf_counter()
                run(path)
                seconds = time.perf_counter() - started
                store = open_store(path)
                keys, stored = store.load_embeddings(model_id)
                store.close()
                assert len(keys) == count, f"{name} stored {len(keys)} of {count} vectors"
                vectors[name] = stored
                rates[name].append(count / seconds)
                line.append(f"{name} {count / seconds:6.1f}")
            ratios = [rates[name][-1] / rates["plain"][-1] for name in ("ray-1", "ray-2")]
            print(
                f"round {round_no}: "
                + "  ".join(line)
                + "  papers/s;  ray/plain "
                + " ".join(f"x{r:.2f}" for r in ratios)
            )
        ray.shutdown()

        median = {name: statistics.median(values) for name, values in rates.items()}
        print(f"\nmedians over {args.rounds} rounds, {count:,} papers each (x: vs plain):")
        for name, rate in median.items():
            print(f"  {name:6s} {rate:7.1f} papers/s  x{rate / median['plain']:.3f}")
        # The same round's runs met the same load: the median of their ratios is the steadier
        # number when the machine's speed drifts between rounds.
        paired = {
            name: statistics.median(r / p for r, p in zip(rates[name], rates["plain"]))
            for name in ("ray-1", "ray-2")
        }
        print(
            "median of each round's ratio to plain: "
            + "  ".join(f"{name} x{ratio:.3f}" for name, ratio in paired.items())
        )
        verdict = "ok" if paired["ray-1"] >= 0.85 else "OVER the 15% budget"
        print(
            f"Ray's overhead with 1 actor: {1 - paired['ray-1']:+.1%} of plain's rate ({verdict})"
        )
        cpus = os.cpu_count() or 1
        print(
            f"per worker (1 CPU, 2-actor pool): {median['ray-2'] / 2:.1f} papers/s; "
            f"per {cpus}-CPU node: {median['ray-2']:.1f} papers/s"
        )
        for name in ("ray-1", "ray-2"):
            diff = np.abs(vectors[name].astype(np.float32) - vectors["plain"].astype(np.float32))
            print(f"  {name} vectors vs plain: max abs difference {diff.max():.2e}")
    print(f"end: {load_text()}")


if __name__ == "__main__":
    main()
