"""`papersift eval` ends with one verdict line: does the profile beat reading in order?"""

from __future__ import annotations

from types import SimpleNamespace

from papersift.cli.ranking import eval_verdict as _eval_verdict


def rows(ours, in_order):
    return [
        SimpleNamespace(method="papersift", ndcg_at_10=ours),
        SimpleNamespace(method="newest first", ndcg_at_10=in_order),
        SimpleNamespace(method="tf-idf SVM (arxiv-sanity)", ndcg_at_10=0.9),
    ]


def test_a_profile_that_ranks_held_out_likes_higher_beats_reading_in_order():
    assert _eval_verdict(rows(0.42, 0.05)) == (
        "Your profile beats reading in order (nDCG@10 0.420 vs 0.050)."
    )


def test_a_tie_or_a_loss_says_not_yet_and_what_to_do():
    for ours, in_order in ((0.0, 0.0), (0.1, 0.3)):
        verdict = _eval_verdict(rows(ours, in_order))
        assert verdict.startswith("Your profile does not yet beat reading in order")
        assert "like or tag more" in verdict


def test_no_verdict_without_a_score():
    assert _eval_verdict(rows(None, None)).startswith("No verdict")
