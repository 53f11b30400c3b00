from hypothesis import given
from hypothesis import strategies as st

from papersift.fusion import fts_match_expression, fuse_rankings, query_terms


def test_rrf_prefers_items_ranked_well_in_both_lists():
    fused = fuse_rankings([["a", "b", "c"], ["d", "b", "c"]])
    keys = [k for k, _ in fused]
    assert keys[:2] == ["b", "c"]  # in both lists beats rank 1 in only one
    assert set(keys) == {"a", "b", "c", "d"}
    assert keys.index("a") < keys.index("d")  # tie broken by first appearance


def test_rrf_weights_shift_the_balance():
    fused = fuse_rankings([["a"], ["b"]], weights=[1.0, 2.0])
    assert [k for k, _ in fused] == ["b", "a"]


rankings = st.lists(st.lists(st.integers(0, 30), unique=True, max_size=15), min_size=1, max_size=4)


@given(rankings)
def test_rrf_is_independent_of_list_order(lists):
    forward = dict(fuse_rankings(lists))
    backward = dict(fuse_rankings(list(reversed(lists))))
    assert forward.keys() == backward.keys()
    for key, score in forward.items():
        assert abs(score - backward[key]) < 1e-12


@given(rankings)
def test_rrf_scores_are_sorted_and_cover_every_item(lists):
    fused = fuse_rankings(lists)
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)
    assert {k for k, _ in fused} == {k for ranking in lists for k in ranking}


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
