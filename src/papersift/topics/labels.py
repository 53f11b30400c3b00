"""Topic labels: the keyphrases that name a cluster of papers, by class-based TF-IDF.

c-TF-IDF (as in BERTopic) over unigrams and bigrams of the papers' titles and abstracts: the
phrases frequent in one cluster and rare in the others, written as the cluster's papers write
them ("LLM inference", "LoRA"). Pure: texts and cluster numbers in, keyphrases out.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

BIGRAM_LIFT = 1.5
MIN_LIFT = 1.5  # a label term is at least 1.5x as common in its cluster as outside it

# Words, hyphenated compounds, and number-led terms ("4-bit", "3D", "7B-parameter").
_TOKEN = re.compile(
    r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*|\d+(?:\.\d+)?-?[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"
)
_MATH = re.compile(r"\$[^$]*\$")
# Words that never make a label and break phrases: English function words plus the verbs and
# adjectives every abstract uses.
_ABSTRACT_WORDS = frozenset(
    """
    proposed proposes present presents presented introduce introduced introduces show
    shows shown showing demonstrate demonstrates demonstrated paper papers work works study
    studies novel new using use used uses based results result achieve achieves achieved
    achieving significantly significant extensive experiments experiment experimental existing
    various different effective effectively efficient efficiently state-of-the-art sota
    outperform outperforms outperforming improve improves improved improving improvement
    improvements furthermore moreover additionally however specifically particular
    respectively recent recently widely address addresses challenge challenges challenging
    problem problems key crucial important able enable enables enabling provide provides
    providing allow allows including include includes consider considered propose via
    well also often can may might could would should while whereas thus hence therefore
    first second third finally main simple strong better best high higher low lower large
    larger small smaller compared comparison superior prior previous current
    available publicly code github https http www com org et al e i g etc observe observed
    observation obtain obtained find found finding findings given general case cases order
    form term terms effect effects property properties value values range single initial
    total possible test tested testing real world real-world multiple specific standard
    underlying resulting corresponding related consistent associated dependent respect
    investigate investigated investigation analyze analyzed analyse analysed examine
    examined explore explored describe described discuss discussed report reported develop
    developed design designed evaluate evaluated apply applied lead leads leading make makes
    made need needs needed require requires required remain remains type types way ways
    approach approaches like despite across within without toward towards upon inherent
    particularly typically usually generally commonly increasingly substantially
    """.split()
)
# Verbs, after singularising ("yields" -> "yield"): with them, bigrams read as clauses ("analysis
# yields", "gains grow") instead of naming something. Tuned on the demo corpus's labels.
_VERBS = frozenset(
    """
    yield stay remain shrink grow handle combine reach start drop match reduce increase
    decrease require need hold scale run take give keep make get lead cut beat lose fall rise
    prefer agree generalize generalise transfer depend suffer fail help perform exceed compare
    work close narrow double halve triple save cost come go become seem appear tend turn let
    put set bring rely build learn predict produce return report recover retain preserve
    outperform surpass improve boost raise lower trail lag fit solve capture exploit mitigate
    avoid remove add replace drive explain allow ensure is are was were be been being has have
    had does did do done vary simplify fewer versus vs contain derive
    """.split()
)
# -ly words that are nouns, not adverbs.
_LY_NOUNS = frozenset("anomaly family assembly supply monopoly italy reply poly".split())
# Too broad to name a topic alone, but fine inside a phrase: "language model", "graph neural".
_GENERIC_WORDS = frozenset(
    """
    model method approach framework performance learning network neural data task system
    algorithm technique training analysis set benchmark dataset evaluation deep accuracy
    information feature representation application setting settings process structure
    function level number time quality cost space domain scale theory calculation
    prediction architecture scenario experiment simulation measurement parameter result
    component strategy mechanism design solution tool environment rate score
    average target budget gain baseline
    """.split()
)
_SINGULAR_EXCEPTIONS = frozenset(
    "series species physics dynamics robotics statistics mathematics economics analysis "
    "basis bias gas lens news".split()
)


@functools.cache
def _stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | _ABSTRACT_WORDS | _VERBS


@functools.lru_cache(maxsize=200_000)  # a day's abstracts reuse a few thousand words
def _term_of(word: str) -> str | None:
    """The word as a label term, or None for a stopword."""
    term = _normalize(word)
    if term in _stopwords() or len(term) < 2:
        return None
    if term.endswith("ly") and term not in _LY_NOUNS:
        return None  # an adverb
    return term


def _normalize(word: str) -> str:
    """Lower-case and singular, so "LLMs", "LLM" and "llm" count as one term."""
    word = word.lower()
    if word.endswith("'s"):
        word = word[:-2]
    if word in _SINGULAR_EXCEPTIONS or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ics", "ous")):
        return word[:-1]
    return word


def extract_terms(text: str) -> list[tuple[str, str]]:
    """(term, as written) for each label candidate: unigrams and bigrams of adjacent words.

    A bigram never spans punctuation, a number or a stopword ("learning of graphs" gives no
    "learning graph"); generic words ("model") count only inside a phrase.
    """
    text = _MATH.sub(" , ", text)
    terms: list[tuple[str, str]] = []
    previous: tuple[str, str] | None = None
    last_end = 0
    for match in _TOKEN.finditer(text):
        surface = match.group()
        term = _term_of(surface)
        adjacent = previous is not None and text[last_end : match.start()].isspace()
        last_end = match.end()
        if term is None:
            previous = None
            continue
        if term not in _GENERIC_WORDS:
            terms.append((term, surface))
        if adjacent and previous is not None:
            first_term, first_surface = previous
            # "policies trained", "both generic": a clause or a platitude, not a name.
            participle = term.endswith("ed") and not term.endswith("eed")
            if not participle and not (first_term in _GENERIC_WORDS and term in _GENERIC_WORDS):
                terms.append((f"{first_term} {term}", f"{first_surface} {surface}"))
        previous = (term, surface)
    return terms


def label_clusters(
    texts: Sequence[str],
    labels: np.ndarray,
    clusters: Sequence[int],
    *,
    max_keyphrases: int = 3,
) -> dict[int, tuple[str, ...]]:
    """Keyphrases for each cluster in `clusters` by c-TF-IDF; papers labelled -1 count as one
    more class, so a word common to everything scores low everywhere."""
    doc_terms = [extract_terms(text) for text in texts]
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, terms in enumerate(doc_terms):
        # Count each term once per paper: one abstract repeating its method's name ten
        # times must not name the whole cluster.
        for term in {term for term, _ in terms}:
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
    if not vocabulary:
        return {c: () for c in clusters}
    class_ids = np.unique(labels)
    class_of_paper = np.searchsorted(class_ids, labels)
    flat = class_of_paper[np.array(rows)] * len(vocabulary) + np.array(cols)
    counts = np.bincount(flat, minlength=len(class_ids) * len(vocabulary)).astype(np.float64)
    counts = counts.reshape(len(class_ids), len(vocabulary))
    terms_by_id = sorted(vocabulary, key=vocabulary.__getitem__)
    # A phrase is rarer than its words but names a topic better ("image generation" over
    # "image"), unless half of it is a broad word ("target accuracy"); the lift was set by
    # reading the demo corpus's labels.
    specific_phrase = np.array([_is_specific_phrase(term) for term in terms_by_id])
    scores = _class_tfidf(counts) * np.where(specific_phrase, BIGRAM_LIFT, 1.0)
    result = {}
    papers_with_term = counts.sum(axis=0)
    for c in clusters:
        i = int(np.searchsorted(class_ids, c))
        size = int((labels == c).sum())
        # A label word must be shared: at least two papers (a tenth in big clusters).
        support = max(2, math.ceil(0.1 * size)) if size >= 4 else 1
        candidates = counts[i] >= support
        if size < len(labels):
            # ... and over-represented here: "transformer" in every cluster names none.
            share_here = counts[i] / size
            share_elsewhere = (papers_with_term - counts[i] + 1) / (len(labels) - size + 1)
            candidates &= share_here >= MIN_LIFT * share_elsewhere
        candidates = np.flatnonzero(candidates)
        ranked = candidates[np.argsort(-scores[i, candidates], kind="stable")]
        chosen = _pick_distinct([terms_by_id[j] for j in ranked[:50]], max_keyphrases)
        result[c] = _display_forms(chosen, [doc_terms[r] for r in np.flatnonzero(labels == c)])
    return result


def _is_specific_phrase(term: str) -> bool:
    words = term.split()
    return len(words) > 1 and not any(word in _GENERIC_WORDS for word in words)


def _class_tfidf(counts: np.ndarray) -> np.ndarray:
    """c-TF-IDF: tf of a term in its class x log(1 + mean words per class / term frequency)."""
    class_totals = counts.sum(axis=1, keepdims=True)
    tf = counts / np.maximum(class_totals, 1.0)
    term_totals = counts.sum(axis=0)
    average_class_words = class_totals.mean()
    idf = np.log1p(average_class_words / np.maximum(term_totals, 1.0))
    return tf * idf


def _pick_distinct(ranked_terms: Sequence[str], limit: int) -> list[str]:
    """The best terms, skipping those that repeat a chosen one ("graph" after "graph neural")."""
    chosen: list[str] = []
    for term in ranked_terms:
        words = set(term.split())
        if any(words <= set(other.split()) for other in chosen):
            continue
        if len(words) > 1 and any(words & set(other.split()) for other in chosen if " " in other):
            continue  # "language model" after "large language" adds nothing
        # A phrase beats its own word: "diffusion" chosen, then "diffusion model" replaces it.
        chosen = [other for other in chosen if not set(other.split()) <= words]
        chosen.append(term)
        if len(chosen) == limit:
            break
    return chosen


def _display_forms(
    terms: Sequence[str], member_terms: Sequence[list[tuple[str, str]]]
) -> tuple[str, ...]:
    """How the cluster's papers write each term: "LLM inference", "LoRA", else lower case."""
    wanted = set(terms)
    forms = Counter(
        pair for terms_of_paper in member_terms for pair in terms_of_paper if pair[0] in wanted
    )
    shown = []
    for term in terms:
        written = [(count, surface) for (t, surface), count in forms.items() if t == term]
        surface = min(written, key=lambda item: (-item[0], item[1]))[1] if written else term
        # Keep capitals only where writers mean them (acronyms, "LoRA"), not at sentence starts.
        shown.append(
            " ".join(w if any(ch.isupper() for ch in w[1:]) else w.lower() for w in surface.split())
        )
    return tuple(shown)
