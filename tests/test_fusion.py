import pytest
from hypothesis import given
from hypothesis import strategies as st

from papersift.fusion import fts_match_expression, fuse_scores, query_terms

rankings = st.lists(st.lists(st.integers(0, 30), unique=True, max_size=15), min_size=1, max_size=4)


def _scored(lists):
    return [[(key, float(len(ranking) - i)) for i, key in enumerate(ranking)] for ranking in lists]


@given(rankings)
def test_score_fusion_is_independent_of_list_order(lists):
    forward = dict(fuse_scores(_scored(lists), [1.0] * len(lists)))
    backward = dict(fuse_scores(_scored(list(reversed(lists))), [1.0] * len(lists)))
    assert forward.keys() == backward.keys()
    for key, score in forward.items():
        assert abs(score - backward[key]) < 1e-9


def test_query_terms_drop_stopwords_but_never_everything():
    assert query_terms("papers about Sparse attention for LLMs") == ["sparse", "attention", "llms"]
    assert query_terms("the of") == ["the", "of"]


@given(st.text(max_size=200))
def test_match_expression_never_contains_bare_operators(text):
    expr = fts_match_expression(text)
    if expr is None:
        return
    for part in expr.split(" OR "):
        assert part.startswith('"') and part.endswith('"')


# -- score fusion (z-standardized, convex) ---------------------------------------------------


def test_score_fusion_prefers_a_key_high_in_both_lists():
    bm25 = [("a", 10.0), ("b", 8.0), ("c", 1.0), ("d", 0.0)]
    cosine = [("d", 0.9), ("b", 0.8), ("c", 0.1), ("a", 0.0)]
    fused = fuse_scores([bm25, cosine], [0.5, 0.5])
    keys = [k for k, _ in fused]
    assert keys[0] == "b"  # second in both beats first in one and last in the other
    assert set(keys) == {"a", "b", "c", "d"}
    assert keys[-1] == "c"
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)


def test_score_fusion_gives_a_missing_key_the_lists_lowest_z():
    first = [("a", 3.0), ("b", 2.0), ("c", 1.0)]  # z: +1.22, 0, -1.22
    second = [("b", 5.0), ("c", 4.0)]  # z: +1, -1; "a" is missing and takes -1
    fused = dict(fuse_scores([first, second], [1.0, 1.0]))
    assert fused["a"] == pytest.approx(1.5**0.5 - 1.0)
    assert fused["b"] == pytest.approx(1.0)
    assert fused["c"] == pytest.approx(-(1.5**0.5) - 1.0)
    # Only the second list counting: the missing key scores as the list's worst, not as 0.
    only_second = dict(fuse_scores([first, second], [0.0, 1.0]))
    assert only_second["a"] == pytest.approx(only_second["c"])
    assert only_second["a"] < only_second["b"]


def test_score_fusion_depth_keeps_the_top_independent_of_the_tail():
    bm25 = [("a", 10.0), ("b", 9.0), ("c", 5.0), ("d", 4.0)]
    cosine = [("c", 0.9), ("b", 0.8), ("a", 0.5), ("d", 0.45)]
    longer = bm25 + [(f"tail{i}", 0.0) for i in range(40)]
    short = fuse_scores([bm25, cosine], [0.5, 0.5], depth=4)
    long = fuse_scores([longer, cosine], [0.5, 0.5], depth=4)
    assert [k for k, _ in long[:4]] == [k for k, _ in short] == ["b", "c", "a", "d"]
    for (key, score), (same_key, same_score) in zip(short, long[:4]):
        assert key == same_key and score == pytest.approx(same_score)
    # Without a depth the tail changes the first list's scale, and with it the order.
    unbounded = fuse_scores([longer, cosine], [0.5, 0.5])
    assert [k for k, _ in unbounded[:4]] != ["b", "c", "a", "d"]


def test_score_fusion_breaks_ties_on_first_appearance():
    first = [("a", 2.0), ("b", 1.0)]
    second = [("b", 2.0), ("a", 1.0)]
    assert [k for k, _ in fuse_scores([first, second], [1.0, 1.0])] == ["a", "b"]
    assert [k for k, _ in fuse_scores([second, first], [1.0, 1.0])] == ["b", "a"]
    flat = fuse_scores([[("x", 1.0), ("y", 1.0), ("z", 1.0)]], [1.0])  # no spread: all z = 0
    assert flat == [("x", 0.0), ("y", 0.0), ("z", 0.0)]


def test_score_fusion_ignores_an_empty_list():
    cosine = [("a", 0.9), ("b", 0.5), ("c", 0.1)]
    with_empty = fuse_scores([[], cosine], [0.6, 0.4])
    assert [k for k, _ in with_empty] == ["a", "b", "c"]
    alone = fuse_scores([cosine], [0.4])
    assert [k for k, _ in alone] == ["a", "b", "c"]
    assert [s for _, s in with_empty] == pytest.approx([s for _, s in alone])
    assert fuse_scores([[], []], [0.5, 0.5]) == []


@given(rankings, st.integers(1, 20))
def test_score_fusion_covers_every_key_once_best_first(lists, depth):
    fused = fuse_scores(_scored(lists), [1.0] * len(lists), depth)
    keys = [k for k, _ in fused]
    assert len(keys) == len(set(keys))
    assert set(keys) == {k for ranking in lists for k in ranking}
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)
