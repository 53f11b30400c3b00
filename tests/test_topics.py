"""Topics on small literal corpora: planted clusters must come back, labelled by their phrases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papersift.topics.clusters import (
    MIN_PAPERS_TO_GROUP,
    OTHER_LABEL,
    default_topic_count,
    find_topics,
    silhouette,
    too_few_label,
    topic_count_range,
    topic_of,
)
from papersift.topics.labels import extract_terms, label_clusters, title_case

# Three invented subfields; each abstract mixes its subfield's phrases with the boilerplate every
# abstract has ("we propose a novel method ... results show ... performance of the model").
SUBFIELDS = {
    "quant": [
        "We quantize LLM weights to int8 for faster LLM inference on commodity GPUs.",
        "Post-training quantization to int8 keeps accuracy while cutting LLM inference cost.",
        "Our int8 quantization kernel speeds up LLM inference with outlier channels.",
        "Mixed int8 quantization of activations for LLM inference at long context.",
        "Quantization-aware calibration makes int8 LLM inference robust to outliers.",
        "A study of int8 and int4 quantization error during LLM inference.",
        "Weight-only quantization with int8 scales for LLM inference servers.",
        "Int8 quantization of the KV cache halves memory during LLM inference.",
    ],
    "protein": [
        "We predict protein structure from sequence with an equivariant graph network.",
        "Protein structure prediction benefits from multiple sequence alignment features.",
        "An equivariant model for protein structure refinement from noisy coordinates.",
        "Protein design by inverting a protein structure predictor.",
        "Contact maps as intermediate targets for protein structure prediction.",
        "Protein language embeddings improve protein structure prediction for orphans.",
        "Side-chain packing for protein structure with diffusion over torsion angles.",
        "We benchmark protein structure predictors on membrane proteins.",
    ],
    "rl": [
        "Offline reinforcement learning from logged robot trajectories with a reward model.",
        "We study policy gradient variance in offline reinforcement learning.",
        "Conservative value estimates stabilize offline reinforcement learning on robots.",
        "Reward shaping for sparse-reward offline reinforcement learning benchmarks.",
        "Offline reinforcement learning with diffusion policies for robot manipulation.",
        "Model-based offline reinforcement learning with uncertainty penalties.",
        "Policy gradient with trajectory stitching for offline reinforcement learning.",
        "A benchmark of offline reinforcement learning from human demonstrations.",
    ],
}
BOILERPLATE = (
    " We propose a novel method and show that the model achieves strong performance."
    " Extensive results show the approach outperforms existing methods."
)


def planted_corpus(
    sizes: dict[str, int] | None = None, *, seed: int = 0, noise: float = 0.25
) -> tuple[np.ndarray, list[str], list[str], list[str]]:
    """Vectors near one random direction per subfield, texts from that subfield, true labels."""
    rng = np.random.default_rng(seed)
    sizes = sizes or {name: len(texts) for name, texts in SUBFIELDS.items()}
    vectors, texts, keys, truth = [], [], [], []
    for name, count in sizes.items():
        centre = rng.normal(size=32)
        centre /= np.linalg.norm(centre)
        for i in range(count):
            vector = centre + noise * rng.normal(size=32) / np.sqrt(32)
            vectors.append(vector / np.linalg.norm(vector))
            texts.append(SUBFIELDS[name][i % len(SUBFIELDS[name])] + BOILERPLATE)
            keys.append(f"{name}-{i}")
            truth.append(name)
    return np.array(vectors, dtype=np.float32), texts, keys, truth


def test_planted_subfields_come_back_as_topics_with_their_phrases() -> None:
    vectors, texts, keys, truth = planted_corpus()
    topics = find_topics(vectors, texts, keys)
    assert len(topics) == 3
    assert not any(topic.is_other for topic in topics)
    by_field = {topic.members[0].split("-")[0]: topic for topic in topics}
    for name, topic in by_field.items():
        assert {key.split("-")[0] for key in topic.members} == {name}
        assert topic.size == len(topic.members) == 8
    # Title-cased like section titles since the noun-phrase labels; "LLM" as the papers write it.
    assert any("Int8" in phrase for phrase in by_field["quant"].keyphrases)
    assert "LLM Inference" in by_field["quant"].keyphrases
    assert any("Protein Structure" in phrase for phrase in by_field["protein"].keyphrases)
    assert any("Reinforcement" in phrase for phrase in by_field["rl"].keyphrases)
    for topic in topics:
        assert topic.label == " · ".join(topic.keyphrases)
        assert 2 <= len(topic.keyphrases) <= 3


def test_boilerplate_and_generic_words_never_label_a_topic() -> None:
    vectors, texts, keys, _ = planted_corpus()
    banned = {"model", "method", "propose", "results", "approach", "performance", "show", "novel"}
    for topic in find_topics(vectors, texts, keys):
        for phrase in topic.keyphrases:
            assert not set(phrase.lower().split()) <= banned, phrase


def test_members_start_with_the_papers_nearest_the_centre() -> None:
    vectors, texts, keys, _ = planted_corpus(noise=0.6)
    for topic in find_topics(vectors, texts, keys, n_representatives=2):
        rows = [keys.index(key) for key in topic.members]
        centre = vectors[rows].mean(axis=0)
        similarity = vectors[rows] @ centre
        assert list(similarity) == sorted(similarity, reverse=True)
        assert topic.representatives == topic.members[:2]


def test_small_clusters_go_to_the_other_bucket_last() -> None:
    vectors, texts, keys, _ = planted_corpus({"quant": 8, "protein": 8, "rl": 2})
    topics = find_topics(vectors, texts, keys, n_topics=3, min_size=3)  # 18 papers: grouped
    assert [topic.is_other for topic in topics] == [False, False, True]
    other = topics[-1]
    assert other.label == OTHER_LABEL and other.keyphrases == ()
    assert set(other.members) == {"rl-0", "rl-1"}


def test_every_paper_is_in_exactly_one_topic_and_the_index_agrees() -> None:
    vectors, texts, keys, _ = planted_corpus({"quant": 9, "protein": 5, "rl": 3}, noise=0.9)
    topics = find_topics(vectors, texts, keys, n_topics=4)
    members = [key for topic in topics for key in topic.members]
    assert sorted(members) == sorted(keys)
    assert sum(topic.size for topic in topics) == len(keys)
    index = topic_of(topics)
    assert all(key in topics[index[key]].members for key in keys)


def test_topics_are_deterministic() -> None:
    vectors, texts, keys, _ = planted_corpus(noise=0.8)
    assert find_topics(vectors, texts, keys) == find_topics(vectors, texts, keys)


def test_sizes_are_in_decreasing_order_and_labels_read_as_written() -> None:
    vectors, texts, keys, _ = planted_corpus({"quant": 12, "protein": 8, "rl": 5})
    topics = find_topics(vectors, texts, keys, n_topics=3)
    assert [topic.size for topic in topics] == [12, 8, 5]
    # "LLM" keeps its capitals, as the papers write it; the rest is title-cased (before the
    # noun-phrase labels, words were lower-cased: "protein structure").
    assert "LLM Inference" in topics[0].label
    assert "Protein Structure" in topics[1].label


def test_no_papers_no_topics() -> None:
    assert find_topics(np.zeros((0, 32), np.float32), [], []) == []


@pytest.mark.parametrize("n", [1, 2, 12, MIN_PAPERS_TO_GROUP - 1])
def test_a_window_too_small_to_group_says_so(n: int) -> None:
    # Before: one or two papers made a named topic, and twelve could come back as "other".
    vectors, texts, keys, _ = planted_corpus({"quant": n})
    (topic,) = find_topics(vectors, texts, keys)
    assert topic.label == too_few_label(n)
    assert topic.size == n and topic.is_other and topic.keyphrases == ()
    assert sorted(topic.members) == sorted(keys)


def test_too_few_label_reads_as_a_sentence() -> None:
    assert too_few_label(12) == "12 papers: too few to group into topics"
    assert too_few_label(1) == "1 paper: too few to group into topics"


def test_a_window_just_big_enough_is_grouped() -> None:
    vectors, texts, keys, _ = planted_corpus({"quant": 8, "protein": 8})
    assert len(keys) == MIN_PAPERS_TO_GROUP
    topics = find_topics(vectors, texts, keys)
    assert len(topics) == 2 and not any(topic.is_other for topic in topics)


def test_asking_for_a_topic_count_groups_even_a_small_window() -> None:
    vectors, texts, keys, _ = planted_corpus({"quant": 4, "protein": 4})
    topics = find_topics(vectors, texts, keys, n_topics=2, min_size=2)
    assert [topic.size for topic in topics] == [4, 4]


def test_mismatched_inputs_are_refused() -> None:
    vectors, texts, keys, _ = planted_corpus()
    with pytest.raises(ValueError, match="must be equal"):
        find_topics(vectors, texts[:-1], keys)


@given(
    n=st.integers(min_value=1, max_value=40),
    k=st.one_of(st.none(), st.integers(min_value=1, max_value=8)),
    seed=st.integers(min_value=0, max_value=10_000),
)
@settings(max_examples=25, deadline=None)
def test_any_input_is_partitioned_completely(n: int, k: int | None, seed: int) -> None:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    words = ["alpha", "beta", "gamma", "delta", "epsilon"]
    texts = [" ".join(rng.choice(words, size=6)) for _ in range(n)]
    keys = [f"k{i}" for i in range(n)]
    topics = find_topics(vectors, texts, keys, n_topics=k)
    assert sorted(key for topic in topics for key in topic.members) == sorted(keys)
    assert sum(topic.is_other for topic in topics) <= 1
    assert all(topic.size > 0 for topic in topics)


# --- phrases and labels -------------------------------------------------------------------------


def terms_of(text: str) -> list[str]:
    return [term for term, _ in extract_terms(text)]


def test_phrases_are_singular_lower_case_keys_that_keep_their_written_form() -> None:
    assert extract_terms("LLMs") == [("llm", "LLMs")]
    assert terms_of("Transformers for graphs") == ["transformer", "graph"]
    assert terms_of("Studies of policies") == ["policy"]  # "study" is a stopword
    assert terms_of("physics series") == ["physics", "physics series", "series"]


def test_phrases_are_runs_of_up_to_three_words_ending_on_a_noun() -> None:
    assert terms_of("graph neural networks") == ["graph", "graph neural network"]
    assert "speculative decoding" in terms_of("speculative decoding for LLM inference")
    assert "llm inference" in terms_of("speculative decoding for LLM inference")
    assert "a b c d" not in terms_of("alpha beta gamma delta")
    assert max(len(term.split()) for term in terms_of("alpha beta gamma delta epsilon")) == 3


@pytest.mark.parametrize(
    "adjective",
    ["young", "cool", "defined", "robust", "generative", "visual", "efficient", "large"],
)
def test_an_adjective_alone_is_never_a_phrase(adjective: str) -> None:
    # The labels of issue 19: "young · fibonacci · defined", "cool · second-order optimization".
    assert adjective not in terms_of(f"{adjective} children and {adjective}, then {adjective}")
    assert terms_of(adjective) == []


def test_adjectives_may_start_a_phrase() -> None:
    assert "young children" in terms_of("young children")
    assert "large language model" in terms_of("large language models")
    assert "generative model" in terms_of("generative models")


def test_nouns_with_adjective_endings_are_nouns() -> None:
    for noun in ["signal", "retrieval", "metric", "objective", "gradient", "vocabulary"]:
        assert noun in terms_of(f"the {noun} of it"), noun


def test_phrases_do_not_cross_stopwords_punctuation_numbers_or_math() -> None:
    assert terms_of("learning of graphs") == ["graph"]  # "learning" is too broad alone
    assert "sparse attention" not in terms_of("sparse, attention")
    assert "token pruning" not in terms_of("token 42 pruning")
    assert "kernel bandwidth" not in terms_of("kernel $h$ bandwidth")
    assert "sparse attention" in terms_of("sparse attention")


def test_generic_words_count_only_inside_a_phrase() -> None:
    terms = terms_of("diffusion model")
    assert "model" not in terms
    assert "diffusion model" in terms
    assert terms_of("proposed method") == []  # both too broad, and "proposed" is a stopword
    assert terms_of("neural network") == []


def test_clauses_adverbs_and_participles_do_not_make_phrases() -> None:
    assert terms_of("the analysis yields speedups") == ["speedup"]  # not "analysis yield"
    assert "policy trained" not in terms_of("policies trained on video")
    assert "trained policy" not in terms_of("trained policies")
    assert terms_of("consistently strong") == []
    assert terms_of("anomaly detection") == ["anomaly", "anomaly detection", "detection"]
    assert terms_of("inference speed") == ["inference", "inference speed", "speed"]  # not "-ed"


def test_number_led_terms_stay_whole() -> None:
    assert terms_of("4-bit weights") == ["4-bit", "4-bit weight", "weight"]
    assert terms_of("3D scenes") == ["3d", "3d scene", "scene"]
    assert terms_of("in 2024 we") == []


def test_title_case_keeps_acronyms_and_small_words_inside_compounds() -> None:
    assert title_case("speculative") == "Speculative"
    assert title_case("chain-of-thought") == "Chain-of-Thought"
    assert title_case("LoRA") == "LoRA" and title_case("LLMs") == "LLMs"
    assert title_case("4-bit") == "4-Bit"


def test_a_phrase_in_every_cluster_does_not_label_any() -> None:
    texts = [
        "quantization int8 in a transformer",
        "quantization int8 for the transformer",
        "transformer, quantization int8",
        "protein folding with a transformer",
        "transformer for protein folding",
        "protein folding, transformer",
    ]
    labels = np.array([0, 0, 0, 1, 1, 1])
    phrases = label_clusters(texts, labels, [0, 1], max_keyphrases=2)
    assert phrases == {0: ("Quantization Int8",), 1: ("Protein Folding",)}


def test_one_paper_repeating_its_name_does_not_name_the_cluster() -> None:
    texts = ["sparse routing"] * 3 + ["sparse routing " + "Zephyrnet " * 30]
    phrases = label_clusters(texts + ["unrelated words"] * 4, np.array([0] * 4 + [1] * 4), [0])
    assert not any("zephyrnet" in phrase.lower() for phrase in phrases[0])


def test_a_phrase_replaces_its_own_words() -> None:
    texts = ["image generation"] * 4 + ["speech recognition"] * 4
    phrases = label_clusters(texts, np.array([0] * 4 + [1] * 4), [0, 1])
    assert phrases[0] == ("Image Generation",)
    assert phrases[1] == ("Speech Recognition",)


def test_a_fragment_of_a_longer_phrase_is_not_a_label() -> None:
    # "large language" always comes before "model": shown alone it reads cut off.
    texts = [f"large language models for {topic}" for topic in ("law", "code", "math", "chess")]
    texts += ["image segmentation of cells"] * 4
    phrases = label_clusters(texts, np.array([0] * 4 + [1] * 4), [0])
    assert "Large Language Models" in phrases[0]
    assert not any(phrase.lower() == "large language" for phrase in phrases[0])


def test_labels_occur_verbatim_in_their_papers() -> None:
    from papersift.topics.label_quality import occurs_verbatim

    vectors, texts, keys, _ = planted_corpus()
    for topic in find_topics(vectors, texts, keys):
        member_texts = [texts[keys.index(key)] for key in topic.members]
        for phrase in topic.keyphrases:
            assert any(occurs_verbatim(phrase, text) for text in member_texts), phrase


def test_topic_count_range_is_around_sqrt_half_n_and_capped() -> None:
    assert default_topic_count(24) == 3
    assert default_topic_count(1_500) == 27
    assert topic_count_range(1_500) == range(14, 35)
    assert topic_count_range(100_000) == range(20, 41)
    assert topic_count_range(7) == range(2, 3)
    highs = [topic_count_range(n)[-1] for n in range(3, 5_000, 50)]
    assert highs == sorted(highs)


def test_the_topic_count_comes_from_the_data() -> None:
    # Seven tight clusters of nine: sqrt(63 / 2) would say 6, the silhouette finds 7.
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(7, 32))
    vectors = np.repeat(centres, 9, axis=0) + 0.15 * rng.normal(size=(63, 32))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    keys = [f"p{i}" for i in range(63)]
    topics = find_topics(vectors, ["some words here"] * 63, keys, min_size=2)
    assert default_topic_count(63) == 6 and 7 in topic_count_range(63)
    assert len(topics) == 7
    assert sorted(topic.size for topic in topics) == [9] * 7


@given(
    n=st.integers(min_value=2, max_value=60),
    k=st.integers(min_value=1, max_value=8),
    seed=st.integers(min_value=0, max_value=10_000),
)
@settings(max_examples=40, deadline=None)
def test_silhouette_matches_scikit_learn(n: int, k: int, seed: int) -> None:
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(seed)
    points = rng.normal(size=(n, 5))
    labels = rng.integers(0, k, size=n)
    distances = np.linalg.norm(points[:, None] - points[None], axis=2)
    if not 2 <= len(set(labels.tolist())) <= n - 1:
        return  # sklearn refuses these; ours says -1 or 0 without raising
    expected = silhouette_score(distances, labels, metric="precomputed")
    assert silhouette(distances, labels) == pytest.approx(expected, abs=1e-9)
