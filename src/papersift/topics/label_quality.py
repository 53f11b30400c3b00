"""How good a window's topic labels are, measured on the papers themselves.

Used by benchmarks/bench_topic_labels.py (old labels, new labels and a baseline side by side)
and by the real-day test. Each measure is defined so that it does not reuse the chunker's own
word lists: a labeller cannot pass by agreeing with itself. Results: docs/benchmarks.md#topic-labels.

- modifier alone: a one-word phrase that the window's papers mostly write in front of another
  word ("young" children, "cool" roofs, "diffusion" models): an adjective or a cut-off name.
- not verbatim: the phrase (case aside) is in none of its cluster's titles and abstracts.
- distinctive: the phrase is in at least `DISTINCT_IN` of its cluster's papers and in under
  `DISTINCT_OUT` of the window's other papers (plural or singular alike).
- category agreement: arXiv categories are real labels; a cluster agrees when its phrases are
  more frequent among the window's papers of the cluster's majority category than among the rest.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

DISTINCT_IN = 0.15
DISTINCT_OUT = 0.05
MODIFIER_SHARE = 0.6  # "mostly": in front of another word in 60% of its occurrences

_WORD_AFTER = re.compile(r"\s+([A-Za-z][A-Za-z0-9-]*)")


@dataclass(frozen=True)
class LabelQuality:
    clusters: int
    phrases: int
    modifier_alone: float  # shares of all label phrases
    not_verbatim: float
    distinctive: float
    share_in: float  # mean share of the cluster's papers with the phrase
    share_out: float  # mean share of the other papers with it
    category_agreement: float  # share of clusters
    short_labels: float  # share of clusters with fewer than two phrases

    def row(self) -> list[str]:
        return [
            f"{self.modifier_alone:.1%}",
            f"{self.not_verbatim:.1%}",
            f"{self.distinctive:.1%}",
            f"{self.share_in:.1%}",
            f"{self.share_out:.1%}",
            f"{self.category_agreement:.1%}",
            f"{self.short_labels:.1%}",
        ]


HEADER = [
    "modifier alone",
    "not verbatim",
    "distinctive",
    "in cluster",
    "outside",
    "category agrees",
    "< 2 phrases",
]


@functools.lru_cache(maxsize=10_000)
def _pattern(phrase: str) -> re.Pattern[str]:
    """The phrase, any case, any spacing, its last word singular or plural."""
    words = phrase.lower().split()
    last = words[-1]
    for ending in ("ies", "es", "s"):
        if last.endswith(ending) and len(last) > len(ending) + 2:
            last = last[: -len(ending)] + ("y" if ending == "ies" else "")
            break
    stem = (
        re.escape(last[:-1]) + "(?:y|ies)" if last.endswith("y") else re.escape(last) + "(?:s|es)?"
    )
    body = r"\s+".join([*map(re.escape, words[:-1]), stem])
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", re.IGNORECASE)


def occurs(phrase: str, text: str) -> bool:
    """Whether `phrase` is in `text` as a whole phrase, singular or plural."""
    return _pattern(phrase).search(text) is not None


def occurs_verbatim(phrase: str, text: str) -> bool:
    """Whether `phrase` is in `text` exactly as written, case and spacing aside."""
    body = r"\s+".join(map(re.escape, phrase.split()))
    return re.search(rf"(?<![\w-]){body}(?![\w-])", text, re.IGNORECASE) is not None


def is_modifier_alone(phrase: str, texts: Sequence[str]) -> bool:
    """A one-word phrase mostly followed by another word in `texts`."""
    if " " in phrase.strip():
        return False
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    pattern = re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.IGNORECASE)
    seen = followed = 0
    for text in texts:
        for match in pattern.finditer(text):
            seen += 1
            after = _WORD_AFTER.match(text, match.end())
            if after and after.group(1).lower() not in ENGLISH_STOP_WORDS:
                followed += 1
    return seen > 0 and followed >= MODIFIER_SHARE * seen


def measure(
    texts: Sequence[str],
    clusters: Sequence[Sequence[int]],
    phrases: Sequence[Sequence[str]],
    categories: Sequence[Sequence[str]],
) -> LabelQuality:
    """Quality of the labels `phrases[i]` of the clusters `clusters[i]` (rows of `texts`)."""
    n = len(texts)
    modifier = verbatim_missing = distinct = total = agree = short = 0
    share_in_sum = share_out_sum = 0.0
    for rows, label in zip(clusters, phrases):
        members = set(rows)
        inside = [texts[r] for r in rows]
        others = [texts[r] for r in range(n) if r not in members]
        short += len(label) < 2
        for phrase in label:
            total += 1
            modifier += is_modifier_alone(phrase, texts)
            verbatim_missing += not any(occurs_verbatim(phrase, t) for t in inside)
            share_in = sum(occurs(phrase, t) for t in inside) / len(inside)
            share_out = sum(occurs(phrase, t) for t in others) / len(others) if others else 0.0
            share_in_sum += share_in
            share_out_sum += share_out
            distinct += share_in >= DISTINCT_IN and share_out < DISTINCT_OUT
        agree += _category_agrees(texts, rows, label, categories)
    per_phrase = max(total, 1)
    return LabelQuality(
        clusters=len(clusters),
        phrases=total,
        modifier_alone=modifier / per_phrase,
        not_verbatim=verbatim_missing / per_phrase,
        distinctive=distinct / per_phrase,
        share_in=share_in_sum / per_phrase,
        share_out=share_out_sum / per_phrase,
        category_agreement=agree / max(len(clusters), 1),
        short_labels=short / max(len(clusters), 1),
    )


def _category_agrees(
    texts: Sequence[str],
    rows: Sequence[int],
    label: Sequence[str],
    categories: Sequence[Sequence[str]],
) -> bool:
    if not label:
        return False
    majority, _ = Counter(c for r in rows for c in categories[r]).most_common(1)[0]
    in_category = [t for t, cats in zip(texts, categories) if majority in cats]
    rest = [t for t, cats in zip(texts, categories) if majority not in cats]
    if not rest:
        return False  # every paper has the category: it tells nothing
    here = sum(occurs(p, t) for p in label for t in in_category) / len(in_category)
    there = sum(occurs(p, t) for p in label for t in rest) / len(rest)
    return here > there
