"""Self-evaluation: metrics on hand-computed cases, baselines, and the protocol end to end."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from papersift.errors import NothingToEvaluate
from papersift.rank.evaluate import (
    evaluate,
    keyword_match,
    ndcg_at,
    newest_first,
    recall_at,
    tfidf_svm_scores,
)
from papersift.rank.types import Corpus, Interest
from tests.test_rank import DIM, TODAY, TOPIC_CENTERS, planted_corpus, rows_of

# -- metrics ---------------------------------------------------------------------------------


def test_ndcg_of_one_relevant_paper_at_rank_two():
    assert ndcg_at([7, 3, 9], {3}) == pytest.approx(1 / math.log2(3))


def test_ndcg_of_two_relevant_papers_at_ranks_one_and_three():
    # DCG = 1 + 1/log2(4) = 1.5; ideal DCG = 1 + 1/log2(3) = 1.6309
    assert ndcg_at([1, 5, 2], {1, 2}) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))


def test_ndcg_ignores_papers_past_the_cutoff_and_is_1_for_a_perfect_ranking():
    ranked = list(range(20))
    assert ndcg_at(ranked, {10}) == 0.0  # 11th place, outside the top 10
    assert ndcg_at(ranked, {0, 1, 2}) == pytest.approx(1.0)
    assert ndcg_at(ranked, set()) == 0.0


def test_ideal_dcg_is_capped_at_k_relevant_papers():
    relevant = set(range(15))  # more relevant papers than slots: a full top 10 is perfect
    assert ndcg_at(list(range(10)), relevant) == pytest.approx(1.0)


def test_recall_counts_relevant_papers_in_the_first_k():
    ranked = [1, 2, 3, *range(100, 117), 4]  # 4 sits at place 21
    assert recall_at(ranked, {1, 3, 4, 99}) == pytest.approx(0.5)
    assert recall_at(ranked, {4}) == 0.0
    assert recall_at(ranked, {4}, k=21) == 1.0


@given(
    st.lists(st.integers(0, 40), unique=True, max_size=30),
    st.sets(st.integers(0, 40), min_size=1, max_size=10),
)
def test_metrics_stay_between_0_and_1(ranked, relevant):
    assert 0.0 <= ndcg_at(ranked, relevant) <= 1.0 + 1e-12
    assert 0.0 <= recall_at(ranked, relevant) <= 1.0


# -- baselines -------------------------------------------------------------------------------


def small_corpus(texts: list[str], published: list[float]) -> Corpus:
    n = len(texts)
    return Corpus(
        keys=np.arange(n, dtype=np.int64),
        ids=[f"p{i}" for i in range(n)],
        titles=texts,
        texts=texts,
        vectors=np.zeros((n, 2), dtype=np.float32),
        published=np.array(published, dtype=np.float64),
    )


def test_newest_first_puts_unknown_dates_last():
    corpus = small_corpus(["a", "b", "c", "d"], [10.0, math.nan, 30.0, 20.0])
    assert newest_first(corpus).tolist() == [2, 3, 0, 1]


def test_keyword_match_counts_interest_words_and_breaks_ties_by_date():
    corpus = small_corpus(
        [
            "sparse attention for long documents",
            "attention in vision transformers",
            "long context with sparse attention kernels",
            "protein folding",
        ],
        [1.0, 2.0, 3.0, 4.0],
    )
    order = keyword_match(corpus, ["sparse attention", "long context"]).tolist()
    assert order == [2, 0, 1, 3]  # 4 words, 3 words, 1 word, none (newest of the rest)


def test_tfidf_svm_prefers_papers_with_the_liked_words():
    liked = ["policy gradient reward agent", "reward shaping for agents in bandits"]
    negatives = ["image segmentation masks", "speech recognition acoustic", "graph nodes edges"]
    candidates = ["a new reward model for agent policy", "segmenting images with masks"]
    scores = tfidf_svm_scores(liked, negatives, candidates)
    assert scores[0] > scores[1]


# -- the evaluation --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reader_library():
    """A reader who likes 'graphs' papers, and a store of the other topics to hide them in."""
    library, labels = planted_corpus(per_topic=12, seed=21, first_key=5_000)
    liked = library.take(rows_of(labels, "graphs"))
    disliked = library.take(rows_of(labels, "speech")[:2])
    store, store_labels = planted_corpus(per_topic=40, seed=22)
    others = np.array([i for i, topic in enumerate(store_labels) if topic != "graphs"])
    return liked, disliked, store.take(others)


def test_time_split_when_enough_likes_are_dated(reader_library):
    liked, disliked, store = reader_library
    liked_at = np.arange(len(liked), dtype=np.float64) + TODAY.toordinal() - 100
    result = evaluate(liked, liked_at, disliked, (), store, TODAY)
    assert result.protocol == "time split"
    assert result.queries == 1
    assert result.held_out == round(0.2 * len(liked))  # the newest fifth
    assert result.train_likes == len(liked) - result.held_out
    assert result.candidates == result.held_out + min(1000, len(store) // 2)
    rows = {row.method: row for row in result.rows}
    assert set(rows) == {
        "papersift",
        "newest first",
        "interest keywords",
        "tf-idf SVM (arxiv-sanity)",
    }
    assert rows["interest keywords"].ndcg_at_10 is None  # no interests written
    assert rows["interest keywords"].note == "no interests written"
    # Planted topics: a learned profile finds the held-out graph papers, dates cannot.
    assert rows["papersift"].ndcg_at_10 > 0.9
    assert rows["papersift"].recall_at_20 == 1.0
    assert rows["papersift"].ndcg_at_10 > rows["newest first"].ndcg_at_10


def test_leave_one_out_with_few_or_undated_likes(reader_library):
    liked, disliked, store = reader_library
    few = liked.take(np.arange(4))
    interests = (Interest("graph message passing", TOPIC_CENTERS["graphs"]),)
    result = evaluate(few, np.full(4, np.nan), disliked, interests, store, TODAY)
    assert result.protocol == "leave-one-out"
    assert result.queries == 4
    assert result.held_out == 4
    assert result.train_likes == 3
    rows = {row.method: row for row in result.rows}
    assert rows["interest keywords"].ndcg_at_10 is not None
    for row in result.rows:
        assert 0.0 <= row.ndcg_at_10 <= 1.0
        assert 0.0 <= row.recall_at_20 <= 1.0
    assert rows["papersift"].recall_at_20 == 1.0


def test_a_rated_paper_in_the_store_sample_is_never_a_distractor(reader_library):
    liked, disliked, store = reader_library
    # The store sample may include the reader's own papers; they must not count as negatives.
    sample = Corpus.join(store, liked, disliked)
    result = evaluate(liked, np.full(len(liked), np.nan), disliked, (), sample, TODAY)
    unrated = len(sample) - len(liked) - len(disliked)
    assert result.candidates == 1 + min(1000, unrated - unrated // 2)


def test_evaluation_is_deterministic_for_a_seed(reader_library):
    liked, disliked, store = reader_library
    dates = np.full(len(liked), np.nan)
    first = evaluate(liked.take(np.arange(3)), dates[:3], disliked, (), store, TODAY, seed=3)
    again = evaluate(liked.take(np.arange(3)), dates[:3], disliked, (), store, TODAY, seed=3)
    assert first == again


def test_fewer_than_two_likes_cannot_be_evaluated(reader_library):
    liked, disliked, store = reader_library
    with pytest.raises(NothingToEvaluate, match="papersift like ID"):
        evaluate(liked.take(np.arange(1)), np.array([1.0]), disliked, (), store, TODAY)
    with pytest.raises(NothingToEvaluate):
        evaluate(Corpus.empty(DIM), np.array([]), disliked, (), store, TODAY)
