"""Topic labels on a real arXiv listing day (../shared/datasets/arxiv-daily): the measured
properties of docs/benchmarks.md#topic-labels hold, with margin, on a day the labeller's constants
were not tuned on. Vectors are TF-IDF + SVD here (no model to load); the benchmark uses the
embedding model."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from papersift.embed.base import paper_text
from papersift.topics.clusters import find_topics
from papersift.topics.label_quality import is_modifier_alone, measure, occurs_verbatim

DATASET = (
    Path(__file__).resolve().parents[1].parent
    / "shared/datasets/arxiv-daily/arxiv_cs_daily_2025-03-18_2026-07-01.jsonl.gz"
)
DAY = "2026-05-13"  # a report day of benchmarks/bench_topic_labels.py, not a tune day

pytestmark = pytest.mark.skipif(not DATASET.exists(), reason="needs ../shared/datasets")


@pytest.fixture(scope="module")
def day() -> tuple[list[str], list[list[str]], list[list[int]], list[tuple[str, ...]]]:
    rows = []
    with gzip.open(DATASET, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["listing_date"] == DAY:
                rows.append(row)
            elif row["listing_date"] > DAY:
                break  # sorted by listing date
    assert len(rows) > 100, f"{DAY}: {len(rows)} papers"
    texts = [paper_text(row["title"], row["abstract"]) for row in rows]
    topics = find_topics(_lsa_vectors(texts), texts, [row["id"] for row in rows])
    row_of = {row["id"]: i for i, row in enumerate(rows)}
    named = [topic for topic in topics if not topic.is_other]
    return (
        texts,
        [row["categories"] for row in rows],
        [[row_of[key] for key in topic.members] for topic in named],
        [topic.keyphrases for topic in named],
    )


def _lsa_vectors(texts: list[str]) -> np.ndarray:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(stop_words="english", min_df=2, sublinear_tf=True).fit_transform(texts)
    vectors = TruncatedSVD(64, random_state=0).fit_transform(tfidf)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_a_real_day_is_grouped_into_named_topics(day) -> None:  # type: ignore[no-untyped-def]
    texts, _, clusters, phrases = day
    assert len(clusters) >= 4
    assert all(2 <= len(label) <= 3 for label in phrases), phrases


def test_every_label_phrase_is_in_its_papers(day) -> None:  # type: ignore[no-untyped-def]
    texts, _, clusters, phrases = day
    for rows, label in zip(clusters, phrases):
        for phrase in label:
            assert any(occurs_verbatim(phrase, texts[r]) for r in rows), phrase


def test_few_phrases_are_a_modifier_alone(day) -> None:  # type: ignore[no-untyped-def]
    # The measure counts any following word outside scikit-learn's stopwords ("modality gap",
    # "modality remains"), so an occasional noun is caught too: a share, not none.
    texts, _, _, phrases = day
    alone = [phrase for label in phrases for phrase in label if is_modifier_alone(phrase, texts)]
    assert len(alone) <= 0.1 * sum(len(label) for label in phrases), alone


def test_labels_are_distinctive_and_agree_with_arxiv_categories(day) -> None:  # type: ignore[no-untyped-def]
    texts, categories, clusters, phrases = day
    quality = measure(texts, clusters, phrases, categories)
    assert quality.distinctive >= 0.5, quality
    assert quality.share_in >= 3 * quality.share_out, quality
    assert quality.category_agreement >= 0.6, quality
