"""Personalized ranking on small corpora with planted topics (random vectors, no model)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import papersift.rank.signals as signals_module
from papersift.errors import ColdStart, PapersiftError
from papersift.rank.diversify import diversify
from papersift.rank.model import rank, rank_with_times
from papersift.rank.signals import GENERIC_WORDS, STRONG_LIKE_COSINE
from papersift.rank.types import Corpus, Interest, LibraryEntry, Profile, profile_keys

TODAY = dt.date(2025, 3, 1)
DIM = 32
TOPIC_WORDS = {
    "bandits": "bandit regret exploration arm reward policy confidence",
    "vision": "image pixel segmentation convolution mask detection camera",
    "graphs": "graph node edge message passing molecule neighbourhood",
    "speech": "speech audio acoustic speaker phoneme waveform recognition",
}
GENERIC = "method results benchmark model propose study show data".split()
TOPIC_CENTERS = {
    topic: center / np.linalg.norm(center)
    for topic, center in zip(
        TOPIC_WORDS, np.random.default_rng(1234).standard_normal((len(TOPIC_WORDS), DIM))
    )
}


def unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.atleast_2d(vectors).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def planted_corpus(
    per_topic: int = 10, seed: int = 0, first_key: int = 0, noise: float = 0.12
) -> tuple[Corpus, list[str]]:
    """Papers whose vector is their topic's center plus noise and whose text uses its words."""
    rng = np.random.default_rng(seed)
    topics = [topic for topic in TOPIC_WORDS for _ in range(per_topic)]
    vectors = unit(np.stack([TOPIC_CENTERS[t] + noise * rng.standard_normal(DIM) for t in topics]))
    texts = []
    for topic in topics:
        words = rng.choice(TOPIC_WORDS[topic].split(), 4, replace=False).tolist()
        texts.append(" ".join(words + rng.choice(GENERIC, 3).tolist()))
    keys = np.arange(first_key, first_key + len(topics), dtype=np.int64)
    corpus = Corpus(
        keys=keys,
        ids=[f"2501.{key:05d}" for key in keys],
        titles=[f"{topic.title()} paper {key}" for topic, key in zip(topics, keys)],
        texts=texts,
        vectors=vectors,
        published=np.full(len(topics), TODAY.toordinal() - 10.0),
    )
    return corpus, topics


def rows_of(topics: list[str], topic: str) -> np.ndarray:
    return np.array([i for i, t in enumerate(topics) if t == topic])


@pytest.fixture(scope="module")
def library() -> tuple[Corpus, list[str]]:
    return planted_corpus(per_topic=6, seed=1, first_key=10_000)


@pytest.fixture(scope="module")
def store() -> tuple[Corpus, list[str]]:
    return planted_corpus(per_topic=15, seed=2)


@pytest.fixture(scope="module")
def background() -> Corpus:
    return planted_corpus(per_topic=20, seed=3, first_key=50_000)[0]


def profile_liking(library: tuple[Corpus, list[str]], *topics: str, **kwargs) -> Profile:
    papers, labels = library
    liked = np.concatenate([rows_of(labels, t)[:3] for t in topics])
    other = [t for t in TOPIC_WORDS if t not in topics][0]
    return Profile(
        liked=papers.take(liked), disliked=papers.take(rows_of(labels, other)[:2]), **kwargs
    )


def topics_of(recommendations, store) -> list[str]:
    corpus, labels = store
    row_of = {int(key): row for row, key in enumerate(corpus.keys)}
    return [labels[row_of[r.key]] for r in recommendations]


# -- what gets recommended -------------------------------------------------------------------


def test_likes_pull_their_topic_to_the_top(library, store, background):
    found = rank(profile_liking(library, "graphs"), store[0], background, 5, TODAY)
    assert topics_of(found, store) == ["graphs"] * 5
    assert all(np.isfinite(r.score) for r in found)


def test_liked_disliked_and_seen_papers_are_never_recommended(library, store, background):
    corpus, labels = store
    papers, _ = library
    profile = Profile(
        liked=corpus.take(rows_of(labels, "vision")[:4]),
        disliked=corpus.take(rows_of(labels, "speech")[:3]),
        seen=corpus.keys[rows_of(labels, "vision")[4:6]],
    )
    found = rank(profile, corpus, background, len(corpus), TODAY)
    shown = {r.key for r in found}
    assert shown.isdisjoint(profile.excluded_keys.tolist())
    assert len(found) == len(corpus) - 4 - 3 - 2
    assert papers is not None


def test_no_likes_and_no_interests_is_a_cold_start_that_says_how_to_begin(store, background):
    empty = Corpus.empty(DIM)
    with pytest.raises(ColdStart) as raised:
        rank(Profile(liked=empty, disliked=empty), store[0], background, 5, TODAY)
    assert isinstance(raised.value, PapersiftError)
    assert "papersift like ID" in str(raised.value)
    assert "papersift interest add" in str(raised.value)
    with pytest.raises(ColdStart, match="papersift tag ID rl"):
        rank(Profile(liked=empty, disliked=empty, tag="rl"), store[0], background, 5, TODAY)


def test_interests_alone_rank_their_topic_first(store, background):
    empty = Corpus.empty(DIM)
    interest = Interest("speech recognition from raw audio", TOPIC_CENTERS["speech"])
    profile = Profile(liked=empty, disliked=empty, interests=(interest,))
    found = rank(profile, store[0], background, 5, TODAY)
    assert topics_of(found, store) == ["speech"] * 5
    for recommendation in found:
        kinds = {reason.kind for reason in recommendation.reasons}
        assert "matches_interest" in kinds
        assert "similar_to_liked" not in kinds
        matched = next(r for r in recommendation.reasons if r.kind == "matches_interest")
        assert matched.interest == interest.text


def test_interest_only_reasons_name_words_shared_with_the_interest(store, background):
    empty = Corpus.empty(DIM)
    interest = Interest("speaker phoneme waveform", TOPIC_CENTERS["speech"])
    profile = Profile(liked=empty, disliked=empty, interests=(interest,))
    found = rank(profile, store[0], background, 5, TODAY)
    text_of = dict(zip(store[0].keys.tolist(), store[0].texts))
    matched = [(rec, r) for rec in found for r in rec.reasons if r.kind == "matches_interest"]
    assert any(reason.words for _, reason in matched), "some speech paper shares a word"
    for recommendation, reason in matched:
        for term in reason.words:  # a word or a two-word phrase of both texts
            assert term in interest.text
            assert term in text_of[recommendation.key]
            assert term in reason.text
    assert not any(r.kind == "shares_words" for rec in found for r in rec.reasons)


def test_an_interest_unrelated_to_the_likes_still_reaches_the_page(library, store, background):
    interest = Interest("speech recognition", TOPIC_CENTERS["speech"])
    with_interest = profile_liking(library, "bandits", interests=(interest,))
    found = topics_of(rank(with_interest, store[0], background, 6, TODAY), store)
    assert found.count("speech") >= 2
    assert found.count("bandits") >= 2
    without = topics_of(
        rank(profile_liking(library, "bandits"), store[0], background, 6, TODAY), store
    )
    assert "speech" not in without


def test_an_empty_candidate_list_or_k_zero_gives_nothing(library, store, background):
    profile = profile_liking(library, "vision")
    assert rank(profile, Corpus.empty(DIM), background, 5, TODAY) == []
    assert rank(profile, store[0], background, 0, TODAY) == []


def test_bad_arguments_are_refused(library, store, background):
    profile = profile_liking(library, "vision")
    with pytest.raises(ValueError, match="diversity"):
        rank(profile, store[0], background, 5, TODAY, diversity=1.5)
    with pytest.raises(ValueError, match="sizes"):
        rank(profile, planted_corpus()[0].take(np.arange(3)), Corpus.empty(DIM + 1), 5, TODAY)
    with pytest.raises(ValueError, match="disagree"):
        Corpus(np.arange(2), ["a"], ["a"], ["a"], np.zeros((2, 3)), np.zeros(2))


def test_no_background_falls_back_to_candidates_as_negatives(library, store):
    found = rank(profile_liking(library, "bandits"), store[0], Corpus.empty(DIM), 5, TODAY)
    assert topics_of(found, store) == ["bandits"] * 5


# -- diversity and recency -------------------------------------------------------------------


def test_mmr_keeps_near_duplicates_from_filling_the_top(library, background):
    rng = np.random.default_rng(5)
    original = planted_corpus(per_topic=1, seed=9, first_key=900)[0]
    graph_row = 2  # planted_corpus orders topics as TOPIC_WORDS: bandits, vision, graphs, ...
    copies = original.take(np.full(5, graph_row))
    copies = Corpus(
        keys=np.arange(700, 705, dtype=np.int64),
        ids=[f"dup{i}" for i in range(5)],
        titles=list(copies.titles),
        texts=[TOPIC_WORDS["graphs"]] * 5,
        vectors=unit(copies.vectors + 0.01 * rng.standard_normal(copies.vectors.shape)),
        published=copies.published,
    )
    graphs, _ = planted_corpus(per_topic=6, seed=11, first_key=800)
    candidates = Corpus.join(copies, graphs)
    # The reader liked graph papers right next to the duplicated one: the copies are the most
    # relevant, the other graph papers a close second.
    liked = Corpus(
        keys=np.array([1, 2], dtype=np.int64),
        ids=["l1", "l2"],
        titles=["l1", "l2"],
        texts=[TOPIC_WORDS["graphs"], TOPIC_WORDS["graphs"]],
        vectors=unit(copies.vectors[:2] + 0.02 * rng.standard_normal((2, DIM))),
        published=np.full(2, np.nan),
    )
    profile = Profile(liked=liked, disliked=Corpus.empty(DIM))
    plain = rank(profile, candidates, background, 5, TODAY, diversity=0.0)
    varied = rank(profile, candidates, background, 5, TODAY, diversity=0.5)
    duplicates = {700, 701, 702, 703, 704}
    assert sum(r.key in duplicates for r in plain) == 5
    assert sum(r.key in duplicates for r in varied) <= 2


def test_diversify_without_diversity_is_relevance_order():
    relevance = np.array([0.1, 0.9, 0.5, 0.7])
    vectors = unit(np.eye(4))
    assert diversify(relevance, vectors, 3, 0.0).tolist() == [1, 3, 2]


def test_diversify_skips_a_copy_of_what_it_already_picked():
    relevance = np.array([1.0, 0.99, 0.8, 0.1, 0.0])
    vectors = unit(
        np.array([[1, 0, 0, 0], [1, 0.001, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    )
    assert diversify(relevance, vectors, 3, 0.5).tolist() == [0, 2, 3]
    assert diversify(relevance, vectors, 5, 0.5).tolist() == [0, 2, 3, 4, 1]  # the copy last
    assert diversify(relevance, vectors, 5, 0.0).tolist() == [0, 1, 2, 3, 4]


def test_diversify_does_not_promote_the_weak_half_of_the_window():
    relevance = np.array([1.0, 0.99, 0.98, 0.97, 0.1, 0.05, 0.0, 0.0, 0.0])
    basis = np.eye(10)
    # Four relevant papers of one topic (pairwise cosine 0.7), five weak ones unlike anything.
    topic = [basis[0] + 0.65 * basis[1 + i] for i in range(4)]
    vectors = unit(np.array(topic + [basis[5 + i] for i in range(5)]))
    assert diversify(relevance, vectors, 4, 0.3).tolist() == [0, 1, 2, 3]


def test_diversify_never_puts_a_weak_row_before_a_strong_one():
    relevance = np.array([1.0, 0.9, 0.8, 0.7, 0.6, 0.5])
    strong = np.array([False, True, False, True, True, False])
    vectors = unit(np.eye(6) + 0.3)  # all alike: MMR would like to mix them up
    for diversity in (0.0, 0.3, 0.5, 1.0):
        order = diversify(relevance, vectors, 6, diversity, strong).tolist()
        assert sorted(order[:3]) == [1, 3, 4], diversity
        assert order[3:] == [0, 2, 5], diversity  # the rest in relevance order
    assert diversify(relevance, vectors, 2, 0.3, strong).tolist() == [1, 3]
    nothing_strong = np.zeros(6, dtype=bool)
    assert diversify(relevance, vectors, 4, 0.7, nothing_strong).tolist() == [0, 1, 2, 3]


def test_diversify_still_reorders_the_strong_rows():
    relevance = np.array([1.0, 0.99, 0.8, 0.95, 0.1])
    vectors = unit(
        np.array([[1, 0, 0, 0], [1, 0.001, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    )
    strong = np.array([True, True, True, False, False])  # row 1 is a copy of row 0
    assert diversify(relevance, vectors, 5, 0.5, strong).tolist() == [0, 2, 1, 3, 4]
    assert diversify(relevance, vectors, 5, 0.0, strong).tolist() == [0, 1, 2, 3, 4]
    assert diversify(relevance, vectors, 2, 0.5, strong).tolist() == [0, 2]


@settings(max_examples=50, deadline=None)
@given(
    n=st.integers(1, 25),
    k=st.integers(0, 30),
    diversity=st.floats(0.0, 1.0),
    seed=st.integers(0, 10_000),
)
def test_diversify_with_a_mask_puts_every_strong_row_first(n, k, diversity, seed):
    rng = np.random.default_rng(seed)
    relevance = rng.standard_normal(n)
    vectors = unit(rng.standard_normal((n, 6)))
    strong = rng.random(n) < 0.5
    order = diversify(relevance, vectors, k, diversity, strong).tolist()
    assert len(order) == min(k, n) == len(set(order))
    flags = strong[order].tolist()
    assert flags == sorted(flags, reverse=True)  # no weak row before a strong one
    weak = [row for row in order if not strong[row]]
    assert weak == sorted(weak, key=lambda row: -relevance[row])


def test_recency_prior_prefers_the_newer_of_two_equal_papers(library, background):
    base, _ = planted_corpus(per_topic=1, seed=4, first_key=300)
    twins = base.take(np.array([1, 1]))
    twins = Corpus(
        keys=np.array([301, 302], dtype=np.int64),
        ids=["old", "new"],
        titles=list(twins.titles),
        texts=list(twins.texts),
        vectors=twins.vectors,
        published=np.array([TODAY.toordinal() - 200.0, TODAY.toordinal() - 2.0]),
    )
    profile = profile_liking(library, "vision")
    with_prior = rank(profile, twins, background, 2, TODAY, diversity=0.0)
    assert [r.id for r in with_prior] == ["new", "old"]
    assert with_prior[0].score > with_prior[1].score
    without = rank(profile, twins, background, 2, TODAY, diversity=0.0, recency_half_life_days=None)
    assert without[0].score == pytest.approx(without[1].score)


# -- reasons ---------------------------------------------------------------------------------


def test_reasons_name_real_liked_papers_words_and_interests(library, store, background):
    interest = Interest("graph message passing", TOPIC_CENTERS["graphs"])
    profile = profile_liking(library, "graphs", interests=(interest,))
    found = rank(profile, store[0], background, 5, TODAY)
    liked = dict(zip(profile.liked.ids, profile.liked.titles))
    liked_words = {w for text in profile.liked.texts for w in text.split()}
    text_of = dict(zip(store[0].keys.tolist(), store[0].texts))
    for recommendation in found:
        assert recommendation.reasons
        for reason in recommendation.reasons:
            assert reason.text
            if reason.kind == "similar_to_liked":
                assert liked[reason.paper_id] == reason.paper_title
                assert reason.paper_id in reason.text
                assert -1.0 <= reason.similarity <= 1.0
            elif reason.kind == "shares_words":
                assert reason.words
                for term in reason.words:
                    assert term in text_of[recommendation.key]
                    assert any(term in text for text in profile.liked.texts)
                words = [w for term in reason.words for w in term.split()]
                assert set(words) <= liked_words
            elif reason.kind == "matches_interest":
                assert reason.interest == interest.text
                assert interest.text in reason.text
        kinds = [reason.kind for reason in recommendation.reasons]
        assert "similar_to_liked" in kinds
        assert "matches_tag" not in kinds


def test_similar_liked_reasons_point_at_the_nearest_likes(library, store, background):
    profile = profile_liking(library, "bandits", "speech")
    found = rank(profile, store[0], background, 8, TODAY)
    liked_topic = {
        pid: title.split()[0].lower() for pid, title in zip(profile.liked.ids, profile.liked.titles)
    }
    for recommendation, topic in zip(found, topics_of(found, store)):
        nearest = next(r for r in recommendation.reasons if r.kind == "similar_to_liked")
        assert liked_topic[nearest.paper_id] == topic


def two_likes(tagged_only: tuple[int, ...] = ()) -> Profile:
    """Likes along the first two axes: a bandit paper (key 1) and a vision paper (key 2)."""
    likes = Corpus(
        keys=np.array([1, 2], dtype=np.int64),
        ids=["like-bandits", "like-vision"],
        titles=["Regret bounds for bandits", "Masks for segmentation"],
        texts=[TOPIC_WORDS["bandits"], TOPIC_WORDS["vision"]],
        vectors=np.eye(2, DIM, dtype=np.float32),
        published=np.full(2, np.nan),
    )
    return Profile(
        liked=likes,
        disliked=Corpus.empty(DIM),
        tagged_only=np.array(tagged_only, dtype=np.int64),
    )


def at_cosines(plan: list[tuple[int, float, int]], first_key: int = 100) -> Corpus:
    """One candidate per (like row, cosine to that like, age in days), each orthogonal to the
    other like and to every other candidate's own direction."""
    basis = np.eye(DIM, dtype=np.float32)
    vectors = [
        cosine * basis[like] + np.sqrt(1 - cosine**2) * basis[2 + j]
        for j, (like, cosine, _) in enumerate(plan)
    ]
    topic = ("bandits", "vision")
    return Corpus(
        keys=np.arange(first_key, first_key + len(plan), dtype=np.int64),
        ids=[f"c{j}" for j in range(len(plan))],
        titles=[f"candidate {j}" for j in range(len(plan))],
        texts=[" ".join(TOPIC_WORDS[topic[like]].split()[:3]) for like, _, _ in plan],
        vectors=unit(np.array(vectors)),
        published=np.array([TODAY.toordinal() - age for _, _, age in plan], dtype=np.float64),
    )


def test_strong_means_close_to_a_like_and_strong_picks_come_first(background):
    # Cosines around the threshold S: the paper just below it is new and the ones just above
    # it old, so by score alone the weaker match would come first.
    s = STRONG_LIKE_COSINE
    plan = [
        (0, 0.95, 60),
        (0, 0.85, 60),
        (0, s + 0.04, 60),
        (0, s + 0.01, 300),
        (0, s - 0.01, 0),
        (0, s - 0.05, 60),
        (0, 0.30, 60),
        (0, 0.10, 60),
        (1, s + 0.10, 60),
        (1, s - 0.10, 0),
    ]
    candidates = at_cosines(plan)
    nearest = (candidates.vectors @ two_likes().liked.vectors.T).max(axis=1)
    expected = {int(key) for key, c in zip(candidates.keys, nearest) if c >= STRONG_LIKE_COSINE}
    assert expected == {100, 101, 102, 103, 108}
    for diversity in (0.0, 0.3, 1.0):
        found = rank(two_likes(), candidates, background, len(plan), TODAY, diversity=diversity)
        assert {r.key for r in found if r.strong} == expected, diversity
        flags = [r.strong for r in found]
        assert flags == [True] * len(expected) + [False] * (len(plan) - len(expected))
    weakest_strong = min(r.score for r in found if r.strong)
    assert max(r.score for r in found if not r.strong) > weakest_strong  # the order did work


def test_reasons_say_tagged_for_a_tagged_paper_and_liked_for_a_liked_one(background):
    candidates = at_cosines([(0, 0.9, 5), (1, 0.9, 5)])
    found = rank(two_likes(tagged_only=(2,)), candidates, background, 2, TODAY)
    reasons = {
        r.key: [reason for reason in r.reasons if reason.kind == "similar_to_liked"] for r in found
    }
    [near_liked] = reasons[100]
    assert near_liked.paper_id == "like-bandits"
    assert "that you liked" in near_liked.text and "that you tagged" not in near_liked.text
    [near_tagged] = reasons[101]
    assert near_tagged.paper_id == "like-vision"
    assert "that you tagged" in near_tagged.text and "that you liked" not in near_tagged.text
    untagged = rank(two_likes(), candidates, background, 2, TODAY)
    texts = [x.text for r in untagged for x in r.reasons if x.kind == "similar_to_liked"]
    assert len(texts) == 2 and all("that you liked" in text for text in texts)


def with_words(corpus: Corpus, rows: np.ndarray, words: str) -> Corpus:
    texts = list(corpus.texts)
    for row in rows:
        texts[row] = f"{texts[row]} {words}"
    return Corpus(corpus.keys, corpus.ids, corpus.titles, texts, corpus.vectors, corpus.published)


def shared_words(found) -> list[tuple[str, ...]]:
    return [reason.words for r in found for reason in r.reasons if reason.kind == "shares_words"]


def test_shares_words_never_names_generic_words(library, store, background, monkeypatch):
    # Every liked graph paper and every graph candidate says "especially methods rely", and no
    # negative does: the word model weighs them up, but they say nothing about the topic.
    papers, labels = library
    liked_rows = rows_of(labels, "graphs")[:3]
    liked = with_words(papers, liked_rows, "especially methods rely").take(liked_rows)
    candidates = with_words(store[0], rows_of(store[1], "graphs"), "especially methods rely")
    profile = Profile(liked=liked, disliked=Corpus.empty(DIM))
    named = shared_words(rank(profile, candidates, background, 8, TODAY))
    assert named, "graph candidates share topic words with the likes"
    for terms in named:
        for term in terms:
            assert not GENERIC_WORDS.issuperset(term.split()), term
            assert any(term in text for text in liked.texts), term
    assert {"especially", "methods", "rely"} <= GENERIC_WORDS
    # Without the list the same words would be named: the filter is what keeps them out.
    monkeypatch.setattr(signals_module, "GENERIC_WORDS", frozenset())
    unfiltered = shared_words(rank(profile, candidates, background, 8, TODAY))
    assert any("especially" in terms for terms in unfiltered)


def test_strongest_terms_keep_only_telling_terms_of_the_likes(monkeypatch):
    from scipy.sparse import csr_matrix

    vocabulary = np.array(
        ["especially", "graph", "methods rely", "graph methods", "absent", "node"]
    )
    model = signals_module._LinearModel(
        coef=np.array([5.0, 1.0, 4.0, 3.0, 6.0, -2.0], dtype=np.float32), intercept=0.0
    )
    # Two liked texts; "absent" (the heaviest term) occurs in neither.
    liked = csr_matrix(np.array([[1, 1, 1, 0, 0, 0], [0, 1, 0, 1, 0, 1]], dtype=np.float32))
    mask = signals_module._strongest_terms(model, vocabulary, liked)
    assert vocabulary[mask].tolist() == ["graph", "graph methods"]
    monkeypatch.setattr(signals_module, "PROFILE_TERMS", 1)
    mask = signals_module._strongest_terms(model, vocabulary, liked)
    assert vocabulary[mask].tolist() == ["graph methods"]
    assert not signals_module._strongest_terms(None, vocabulary, liked).any()


# -- per-tag models --------------------------------------------------------------------------


def test_profile_keys_split_the_library_per_tag():
    entries = [
        LibraryEntry(1, 1, frozenset({"rl"})),
        LibraryEntry(2, 1),
        LibraryEntry(3, None, frozenset({"rl"})),
        LibraryEntry(4, -1, frozenset({"rl"})),
        LibraryEntry(5, -1),
    ]
    reader = profile_keys(entries)
    assert reader.liked.tolist() == [1, 2, 3]
    assert reader.disliked.tolist() == [4, 5]
    assert reader.seen.tolist() == []
    rl = profile_keys(entries, "rl")
    assert rl.liked.tolist() == [1, 3]
    assert rl.disliked.tolist() == [4, 5]
    assert rl.seen.tolist() == [2]


def test_profile_keys_tagged_only_are_the_tagged_but_unrated_positives():
    entries = [
        LibraryEntry(1, 1, frozenset({"rl"})),  # liked and tagged: liked
        LibraryEntry(2, 1),
        LibraryEntry(3, None, frozenset({"rl"})),
        LibraryEntry(4, -1, frozenset({"rl"})),  # disliked, tag or not
        LibraryEntry(5, None, frozenset({"vision"})),
    ]
    reader = profile_keys(entries)
    assert reader.liked.tolist() == [1, 2, 3, 5]
    assert reader.tagged_only.tolist() == [3, 5]
    rl = profile_keys(entries, "rl")
    assert rl.liked.tolist() == [1, 3]
    assert rl.tagged_only.tolist() == [3]
    assert rl.seen.tolist() == [2, 5]  # tagged with another tag: not a positive for this one
    assert profile_keys([]).tagged_only.dtype == np.int64


def test_a_tag_model_learns_only_from_that_tags_papers(library, store, background):
    papers, labels = library
    bandit_rows = rows_of(labels, "bandits")[:3]
    vision_rows = rows_of(labels, "vision")[:3]
    entries = [LibraryEntry(int(papers.keys[r]), 1, frozenset({"rl"})) for r in bandit_rows]
    entries += [LibraryEntry(int(papers.keys[r]), 1) for r in vision_rows]
    keys = profile_keys(entries, "rl")
    row_of = {int(key): row for row, key in enumerate(papers.keys)}
    profile = Profile(
        liked=papers.take(np.array([row_of[k] for k in keys.liked])),
        disliked=Corpus.empty(DIM),
        tag="rl",
        seen=keys.seen,
    )
    candidates = Corpus.join(store[0], papers.take(vision_rows))
    found = rank(profile, candidates, background, 6, TODAY, diversity=0.0)
    assert topics_of(found, store) == ["bandits"] * 6
    tagged_ids = {papers.ids[r] for r in bandit_rows}
    for recommendation in found:
        assert recommendation.reasons[0].kind == "matches_tag"
        assert recommendation.reasons[0].tag == "rl"
        named = {r.paper_id for r in recommendation.reasons if r.kind == "similar_to_liked"}
        assert named <= tagged_ids
    assert not {r.key for r in found} & set(keys.seen.tolist())


# -- the two stages at scale -----------------------------------------------------------------


def test_planted_papers_survive_stage_one_among_thousands(library):
    rng = np.random.default_rng(8)
    n = 3000
    filler = Corpus(
        keys=np.arange(100_000, 100_000 + n, dtype=np.int64),
        ids=[f"f{i}" for i in range(n)],
        titles=[f"filler {i}" for i in range(n)],
        texts=[" ".join(rng.choice(GENERIC, 6)) for _ in range(n)],
        vectors=unit(rng.standard_normal((n, DIM))),
        published=np.full(n, TODAY.toordinal() - 30.0),
    )
    planted, labels = planted_corpus(per_topic=5, seed=12, first_key=200_000)
    candidates = Corpus.join(filler, planted)
    # As in use, the background is a sample of the same store the candidates come from.
    store_sample = candidates.take(rng.choice(len(candidates), 1000, replace=False))
    found, times = rank_with_times(
        profile_liking(library, "speech"), candidates, store_sample, 5, TODAY, diversity=0.0
    )
    planted_speech = {int(planted.keys[r]) for r in rows_of(labels, "speech")}
    assert {r.key for r in found} == planted_speech
    assert times.total > 0 and times.stage1 > 0


# -- invariants ------------------------------------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n_candidates=st.integers(0, 30),
    n_liked=st.integers(0, 4),
    n_disliked=st.integers(0, 3),
    k=st.integers(0, 40),
    diversity=st.floats(0.0, 1.0),
    duplicate_keys=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_rank_invariants(n_candidates, n_liked, n_disliked, k, diversity, duplicate_keys, seed):
    corpus, _ = planted_corpus(per_topic=10, seed=seed)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(corpus))
    liked = corpus.take(order[:n_liked])
    disliked = corpus.take(order[n_liked : n_liked + n_disliked])
    candidates = corpus.take(order[:n_candidates])
    if duplicate_keys and n_candidates:
        candidates = Corpus.join(candidates, candidates.take(np.arange(min(3, n_candidates))))
    interests = () if n_liked else (Interest("graph", TOPIC_CENTERS["graphs"]),)
    profile = Profile(liked=liked, disliked=disliked, interests=interests)
    found = rank(profile, candidates, corpus, k, TODAY, diversity=diversity)
    eligible = set(candidates.keys.tolist()) - set(profile.excluded_keys.tolist())
    assert len(found) == min(k, len(eligible))
    keys = [r.key for r in found]
    assert len(set(keys)) == len(keys)
    assert set(keys) <= eligible
    assert all(np.isfinite(r.score) for r in found)
    assert all(r.reasons for r in found)
    for r in found:
        assert re.fullmatch(r"2501\.\d{5}", r.id)
