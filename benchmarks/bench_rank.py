"""Personalized ranking speed: `rank` on 100k candidates, end to end and per stage.

One reader (20 likes, 5 dislikes, 2 written interests), 100k synthetic candidates (random unit
384-d vectors, ~1,000-character texts) and a 3,000-paper background; prints the median time
of `rank` over a few runs and of each of its stages. Target: <= 1 s on 2 cores.

The candidates are invented, so this measures time only. Ranking quality is measured on real
readers and real papers: benchmarks/bench_relevance.py.

    python benchmarks/bench_rank.py [--candidates 100000] [--runs 5]
    python benchmarks/bench_rank.py --only speed    # the same (speed is the only measurement)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

import numpy as np

from papersift.rank.model import rank, rank_with_times
from papersift.rank.types import Corpus, Interest, Profile

TODAY = dt.date(2025, 6, 1)

SPEED_WORDS = (
    "transformer attention sparse quantization diffusion graph neural network retrieval "
    "augmented generation policy gradient reinforcement learning language model benchmark "
    "federated privacy robust adversarial contrastive representation embedding latent "
    "variational inference bayesian optimization kernel convex stochastic gradient descent "
    "convergence bound empirical evaluation dataset efficient scalable training fine-tuning "
    "low-rank adaptation pruning distillation segmentation detection speech audio causal "
    "treatment robot manipulation locomotion molecule protein theorem proof"
).split()
FILLER = "we the of a and to in for on with that is are this our by from as an".split()


def synthetic_candidates(n: int, dim: int, rng: np.random.Generator, first_key: int) -> Corpus:
    vocabulary = np.array(SPEED_WORDS + [f"term{i}" for i in range(3000)])
    filler = np.array(FILLER)
    texts = []
    for _ in range(n):
        length = int(rng.integers(90, 200))
        content = vocabulary[rng.zipf(1.3, length) % len(vocabulary)]
        glue = filler[rng.integers(0, len(filler), length)]
        words = np.where(rng.random(length) < 0.55, content, glue)
        texts.append(" ".join(words.tolist()))
    vectors = rng.standard_normal((n, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return Corpus(
        keys=np.arange(first_key, first_key + n, dtype=np.int64),
        ids=[f"synthetic:{first_key + i}" for i in range(n)],
        titles=[text[:60] for text in texts],
        texts=texts,
        vectors=vectors,
        published=TODAY.toordinal() - rng.integers(0, 365, n).astype(np.float64),
    )


def speed(n_candidates: int, runs: int) -> None:
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    candidates = synthetic_candidates(n_candidates, 384, rng, 0)
    background = synthetic_candidates(3000, 384, rng, n_candidates)
    library = synthetic_candidates(25, 384, rng, n_candidates + 3000)
    interests = tuple(
        Interest(f"interest {i}", library.vectors[i] * 0.5 + rng.standard_normal(384) * 0.05)
        for i in range(2)
    )
    profile = Profile(
        liked=library.take(np.arange(20)),
        disliked=library.take(np.arange(20, 25)),
        interests=interests,
    )
    print(
        f"speed: {n_candidates:,} candidates, 3,000 background, 20 likes, 5 dislikes, "
        f"2 interests (generated in {time.perf_counter() - started:.0f} s)"
    )
    rank(profile, candidates, background, 20, TODAY)  # warm-up: sklearn imports, BLAS threads
    times = [rank_with_times(profile, candidates, background, 20, TODAY)[1] for _ in range(runs)]
    totals = [t.total for t in times]

    def median_ms(stage: str) -> str:
        return f"{1000 * statistics.median(getattr(t, stage) for t in times):.0f} ms"

    print(
        f"rank end to end: median {1000 * statistics.median(totals):.0f} ms "
        f"(min {1000 * min(totals):.0f}, max {1000 * max(totals):.0f}) over {runs} runs"
    )
    print(
        f"  stage 1 (embedding model, all candidates): {median_ms('stage1')}; "
        f"tf-idf fit + model on the pool: {median_ms('lexical')}; "
        f"other stage-2 signals + fusion: {median_ms('stage2')}; "
        f"MMR: {median_ms('diversify')}; reasons: {median_ms('reasons')}"
    )
    print(f"cpu count: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=("speed",), default="speed", help="speed is the only measurement"
    )
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    speed(args.candidates, args.runs)


if __name__ == "__main__":
    main()
