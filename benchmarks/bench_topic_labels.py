"""Topic labels on real arXiv listing days: the noun-phrase labels against the c-TF-IDF labels
they replaced and a plain c-TF-IDF unigram baseline, on the same clusters in the same run.

Data: ../shared/datasets/arxiv-daily (real listings with arXiv categories, see its SOURCES.md),
read by path. Listing days are split in two fixed sets: the tune days (every 50th day from the
10th), on which `topics.labels`' constants were chosen with --tune, and the report days (every
50th from the 35th), whose numbers go to docs/benchmarks.md#topic-labels. Each day is embedded
with the fast model (cached under ~/.cache/papersift/bench), clustered by `find_topics`, and the
three labellers name the same clusters. The measures are defined in `topics.label_quality`.

    python benchmarks/bench_topic_labels.py            # report days, examples
    python benchmarks/bench_topic_labels.py --tune     # grid over the constants, tune days
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import math
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realdata import arxiv_daily, available, embed_cached  # noqa: E402

from papersift.embed import load_embedder, paper_text  # noqa: E402
from papersift.topics import labels as new_labels  # noqa: E402
from papersift.topics.clusters import find_topics  # noqa: E402
from papersift.topics.label_quality import HEADER, LabelQuality, measure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# The c-TF-IDF labeller as it was before the noun-phrase labels (read from git, not copied).
OLD_COMMIT = "fa8be8b"
Labeller = Callable[[Sequence[str], np.ndarray, Sequence[int]], dict[int, tuple[str, ...]]]


@dataclass(frozen=True)
class Day:
    date: str
    texts: list[str]
    categories: list[list[str]]
    labels: np.ndarray  # cluster per paper, -1 for "other"
    clusters: list[int]


def split_days() -> tuple[list[str], list[str]]:
    days = sorted({row["listing_date"] for row in arxiv_daily()})
    return days[10::50], days[35::50]


def load_days(dates: Sequence[str]) -> list[Day]:
    wanted = set(dates)
    rows_by_day: dict[str, list[dict]] = defaultdict(list)
    for row in arxiv_daily():
        if row["listing_date"] in wanted:
            rows_by_day[row["listing_date"]].append(row)
    embedder = load_embedder("fast")
    days = []
    for date in dates:
        rows = rows_by_day[date]
        texts = [paper_text(r["title"], r["abstract"]) for r in rows]
        vectors = embed_cached(embedder, texts, f"arxiv-daily-{date}")
        topics = find_topics(vectors, texts, [r["id"] for r in rows])
        row_of = {r["id"]: i for i, r in enumerate(rows)}
        labels = np.full(len(rows), -1, dtype=np.int64)
        named = [t for t in topics if not t.is_other]
        for c, topic in enumerate(named):
            labels[[row_of[key] for key in topic.members]] = c
        days.append(
            Day(date, texts, [r["categories"] for r in rows], labels, list(range(len(named))))
        )
    return days


def old_labeller() -> Labeller:
    source = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:src/papersift/topics/labels.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    spec = importlib.util.spec_from_loader("papersift_labels_before", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"{OLD_COMMIT}:labels.py", "exec"), module.__dict__)
    return module.label_clusters  # type: ignore[no-any-return]


def unigram_labeller(
    texts: Sequence[str], labels: np.ndarray, clusters: Sequence[int]
) -> dict[int, tuple[str, ...]]:
    """Baseline: BERTopic's c-TF-IDF over plain unigrams (scikit-learn's English stopwords)."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[A-Za-z][\w-]+\b")
    counts = vectorizer.fit_transform(texts)
    words = vectorizer.get_feature_names_out()
    classes = sorted(set(labels.tolist()))
    per_class = np.vstack([np.asarray(counts[labels == c].sum(axis=0)) for c in classes])
    tf = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), 1)
    idf = np.log1p(per_class.sum(axis=1).mean() / np.maximum(per_class.sum(axis=0), 1))
    scores = tf * idf
    return {
        c: tuple(words[j] for j in np.argsort(-scores[classes.index(c)], kind="stable")[:3])
        for c in clusters
    }


def score(days: Sequence[Day], labeller: Labeller) -> tuple[LabelQuality, dict[str, list[str]]]:
    """Quality over all the days' clusters (as one pool), and each day's labels."""
    shown: dict[str, list[str]] = {}
    results = []
    for day in days:
        named = labeller(day.texts, day.labels, day.clusters)
        rows = [np.flatnonzero(day.labels == c).tolist() for c in day.clusters]
        results.append(measure(day.texts, rows, [named[c] for c in day.clusters], day.categories))
        shown[day.date] = [" · ".join(named[c]) for c in day.clusters]
    return _pool(results), shown


def _pool(results: Sequence[LabelQuality]) -> LabelQuality:
    """Per-phrase measures weighted by phrases, per-cluster ones by clusters."""
    phrases = sum(r.phrases for r in results) or 1
    clusters = sum(r.clusters for r in results) or 1

    def by_phrase(field: str) -> float:
        return sum(getattr(r, field) * r.phrases for r in results) / phrases

    def by_cluster(field: str) -> float:
        return sum(getattr(r, field) * r.clusters for r in results) / clusters

    return LabelQuality(
        clusters=clusters,
        phrases=phrases,
        modifier_alone=by_phrase("modifier_alone"),
        not_verbatim=by_phrase("not_verbatim"),
        distinctive=by_phrase("distinctive"),
        share_in=by_phrase("share_in"),
        share_out=by_phrase("share_out"),
        category_agreement=by_cluster("category_agreement"),
        short_labels=by_cluster("short_labels"),
    )


def objective(quality: LabelQuality) -> float:
    """What --tune maximizes: distinctive phrases and agreeing clusters, with phrases that fail
    (a modifier alone, not in the papers) and labels of fewer than two phrases costing double."""
    return (
        quality.distinctive
        + quality.category_agreement
        - 2 * (quality.modifier_alone + quality.not_verbatim + quality.short_labels)
    )


def table(rows: Sequence[tuple[str, LabelQuality]]) -> str:
    lines = [" | ".join(["labels", "clusters", "phrases", *HEADER])]
    for name, quality in rows:
        lines.append(
            " | ".join([name, str(quality.clusters), str(quality.phrases), *quality.row()])
        )
    return "\n".join(lines)


def tune(days: Sequence[Day]) -> None:
    grid = {
        "MIN_SHARE": [0.05, 0.08, 0.12],
        "MIN_LIFT": [2.0, 3.0],
        "PHRASE_BONUS": [1.3, 1.7, 2.2],
        "FRAGMENT_SHARE": [0.4, 0.5, 0.6],
    }
    original = {name: getattr(new_labels, name) for name in grid}
    results = []
    for values in itertools.product(*grid.values()):
        for name, value in zip(grid, values):
            setattr(new_labels, name, value)
        quality, _ = score(days, new_labels.label_clusters)
        results.append((objective(quality), dict(zip(grid, values)), quality))
    for name, value in original.items():
        setattr(new_labels, name, value)
    results.sort(key=lambda item: -item[0])
    print("best settings on the tune days (objective, constants):")
    for value, settings, quality in results[:8]:
        print(f"{value:.3f} {settings} " + " ".join(quality.row()))
    print(f"current {original}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tune", action="store_true", help="grid-search on the tune days")
    parser.add_argument("--examples", type=int, default=8, help="labels shown per labeller")
    args = parser.parse_args()
    if not available():
        sys.exit("../shared/datasets is missing: this benchmark needs the real arxiv-daily data")
    tune_dates, report_dates = split_days()
    started = time.perf_counter()
    days = load_days(tune_dates if args.tune else report_dates)
    papers = sum(len(d.texts) for d in days)
    print(
        f"{len(days)} days, {papers} papers, {sum(len(d.clusters) for d in days)} topics, "
        f"loaded and clustered in {time.perf_counter() - started:.0f} s"
    )
    print("days: " + ", ".join(d.date for d in days))
    if args.tune:
        tune(days)
        return
    labellers: list[tuple[str, Labeller]] = [
        ("c-TF-IDF unigrams (baseline)", unigram_labeller),
        (f"c-TF-IDF 1-2 grams (before, {OLD_COMMIT})", old_labeller()),
        ("noun phrases (now)", new_labels.label_clusters),
    ]
    rows, examples = [], {}
    for name, labeller in labellers:
        started = time.perf_counter()
        quality, shown = score(days, labeller)
        per_day = (time.perf_counter() - started) / len(days)
        rows.append((name, quality))
        examples[name] = shown
        print(f"{name}: {per_day:.2f} s per day (labels and measures)")
    print()
    print(table(rows))
    first = days[0].date
    for name, _ in labellers:
        print(f"\n{name}, {first}:")
        for label in examples[name][first][: args.examples]:
            print(f"  {label}")
    assert not math.isnan(rows[-1][1].distinctive)


if __name__ == "__main__":
    main()
