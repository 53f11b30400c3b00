"""Why a paper was recommended: reasons a reader can check, each from a signal that moved it up.

The liked (or tagged) papers it is close to, the words it shares with the profile's word model,
the written interest it matches (with the words in common), and the tag whose model ranked it.
Pure: the pool, the profile and the fitted signals in, `Reason` records out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from papersift.rank.signals import INTEREST_MIN, STRONG_LIKE_COSINE, Lexical
from papersift.rank.types import Corpus, Interest, Profile, Reason

REASON_LIKED_PAPERS = 2
SECOND_LIKED_MARGIN = 0.1
REASON_WORDS = 5


def reasons_for(
    row: int,
    profile: Profile,
    pool: Corpus,
    interest_matrix: np.ndarray,
    lexical: Lexical | None,
    signals: dict[str, np.ndarray],
) -> tuple[Reason, ...]:
    """The checkable reasons for one pick, each from a signal that moved it up."""
    vector = pool.vectors[row]
    evidence: list[Reason] = [*_similar_liked_reasons(vector, profile)]
    # Words are a reason only when the word model ranked this paper above the pool's average.
    lexical_pull = signals.get("lexical_model")
    pulled_up = lexical_pull is not None and lexical_pull[row] > lexical_pull.mean()
    words = _profile_words(row, lexical) if pulled_up else ()
    if words:
        evidence.append(
            Reason(
                kind="shares_words",
                text="shares words with your profile: " + ", ".join(words),
                words=words,
            )
        )
    interest = _interest_reason(row, vector, profile.interests, interest_matrix, lexical)
    if interest is not None:
        evidence.append(interest)
    if not evidence:
        # Nothing clears a threshold: still name the nearest like (or interest) with its
        # cosine, so the reader can see how weak the link is.
        evidence = _similar_liked_reasons(vector, profile, minimum=-1.0)[:1]
        weakest_interest = _interest_reason(
            row, vector, profile.interests, interest_matrix, lexical, minimum=-1.0
        )
        if not evidence and weakest_interest is not None:
            evidence = [weakest_interest]
    if profile.tag is None:
        return tuple(evidence)
    tag = Reason(
        kind="matches_tag",
        text=f'ranked by the model of your papers tagged "{profile.tag}"',
        tag=profile.tag,
    )
    return (tag, *evidence)


def _similar_liked_reasons(
    vector: np.ndarray, profile: Profile, minimum: float = STRONG_LIKE_COSINE
) -> list[Reason]:
    liked = profile.liked
    if not len(liked):
        return []
    similarity = liked.vectors @ vector
    nearest = np.argsort(-similarity, kind="stable")[:REASON_LIKED_PAPERS]
    # A second like is named only if about as close as the first: "close to X (0.84) and to
    # Y (0.53)" would present a chance resemblance as a reason.
    minimum = max(minimum, float(similarity[nearest[0]]) - SECOND_LIKED_MARGIN)
    tagged = set(profile.tagged_only.tolist())
    return [
        Reason(
            kind="similar_to_liked",
            text=f"close to {liked.ids[i]} “{liked.titles[i]}” that you "
            f"{'tagged' if int(liked.keys[i]) in tagged else 'liked'} "
            f"(cosine {similarity[i]:.2f})",
            paper_id=liked.ids[i],
            paper_title=liked.titles[i],
            similarity=round(float(similarity[i]), 4),
        )
        for i in nearest
        if similarity[i] >= minimum
    ]


def _profile_words(row: int, lexical: Lexical | None) -> tuple[str, ...]:
    """The paper's terms among the lexical model's strongest positive ones, biggest pull first.

    Only the model's top PROFILE_TERMS count (arxiv-sanity shows its top 40): every term has
    some weight, and "helps, simpler" is not why anyone reads a paper.
    """
    if lexical is None or lexical.model is None:
        return ()
    paper = lexical.pool_matrix[row]
    columns = paper.indices
    contribution = np.where(
        lexical.profile_terms[columns], lexical.model.coef[columns] * paper.data, 0.0
    )
    return _distinct_terms(lexical.vocabulary[columns], contribution)


def _interest_words(row: int, lexical: Lexical | None, interest: int) -> tuple[str, ...]:
    """The paper's terms that also occur in the interest's text."""
    if lexical is None or lexical.interest_matrix is None:
        return ()
    paper = lexical.pool_matrix[row]
    columns = paper.indices
    in_interest = np.asarray(lexical.interest_matrix[interest, columns].todense()).ravel()
    return _distinct_terms(lexical.vocabulary[columns], in_interest * paper.data)


def _distinct_terms(terms: np.ndarray, contribution: np.ndarray) -> tuple[str, ...]:
    """Up to REASON_WORDS positive-contribution terms, best first, no word named twice."""
    chosen: list[str] = []
    covered: set[str] = set()
    for i in np.argsort(-contribution, kind="stable"):
        if contribution[i] <= 0 or len(chosen) == REASON_WORDS:
            break
        words = str(terms[i]).split()
        if covered.isdisjoint(words):  # "message passing", then not "passing" again
            chosen.append(str(terms[i]))
            covered.update(words)
    return tuple(chosen)


def _interest_reason(
    row: int,
    vector: np.ndarray,
    interests: Sequence[Interest],
    interest_matrix: np.ndarray,
    lexical: Lexical | None,
    minimum: float = INTEREST_MIN,
) -> Reason | None:
    if not interests:
        return None
    similarity = vector @ interest_matrix
    best = int(np.argmax(similarity))
    if similarity[best] < minimum:
        return None
    words = _interest_words(row, lexical, best)
    shared = f"; shares: {', '.join(words)}" if words else ""
    return Reason(
        kind="matches_interest",
        text=f"matches your interest “{interests[best].text}” "
        f"(cosine {similarity[best]:.2f}{shared})",
        similarity=round(float(similarity[best]), 4),
        words=words,
        interest=interests[best].text,
    )
