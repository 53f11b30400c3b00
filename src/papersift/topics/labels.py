"""Topic labels: the noun phrases that name a cluster of papers, like a newsletter's sections.

A label is two or three phrases that occur in the cluster's titles and abstracts ("Speculative
Decoding · LLM Inference"), chosen because many of the cluster's papers use them and few others
do. Phrases come from a part-of-speech-free chunker: runs of words between stopwords and
punctuation, cut into spans of one to three words whose last word reads as a noun (never an
adjective, an adverb or a participle alone). Measured on real arXiv listing days against the
c-TF-IDF keywords it replaced (docs/benchmarks.md#topic-labels). Pure: texts and cluster numbers
in, phrases out.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAX_WORDS = 3
# The constants below were tuned on the tune days of benchmarks/bench_topic_labels.py and are
# reported on its other days (docs/benchmarks.md#topic-labels).
MIN_SHARE = 0.08  # a phrase is in at least this share of its cluster's papers (and 2 of them)
MIN_LIFT = 3.0  # ... and at least this many times as common there as in the other papers
PHRASE_BONUS = 1.7  # per extra word: "graph neural network" names more than "graph"
# A span that is this often part of one longer span is a fragment of it: "large language"
# (before "model"), "neural network" (after "graph" in a GNN cluster); one this often followed
# by some other word is a modifier ("vision-language").
FRAGMENT_SHARE = 0.4

# Words, hyphenated compounds, and number-led terms ("4-bit", "3D", "7B-parameter").
_TOKEN = re.compile(
    r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*|\d+(?:\.\d+)?-?[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"
)
_MATH = re.compile(r"\$[^$]*\$")
# Words that end a phrase: English function words plus the verbs, adverbs and adjectives every
# abstract uses ("we propose a novel ...", "results show ...").
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
    first second third finally main simple strong better best higher lower
    larger smaller compared comparison superior prior previous current
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
    leverage leverages leveraging enhance enhances enhancing enhanced rethinking revisiting
    unlocking bridging boosting exploring introducing towards beyond unified comprehensive
    robust diverse accurate scalable practical effective reliable efficient generalizable
    promising remarkable notable impressive competitive superior limited great good bad
    little poor easy true false full clear common rare unique broad due overall
    """.split()
)
# Verbs (after singularising: "yields" -> "yield"): in a phrase they make a clause ("analysis
# yields", "gains grow") instead of a name.
_VERBS = frozenset(
    """
    yield stay remain shrink grow handle combine reach start drop match reduce increase
    decrease require need hold scale run take give keep make get lead cut beat lose fall rise
    prefer agree generalize generalise transfer depend suffer fail help perform exceed compare
    work close narrow double halve triple save cost come go become seem appear tend turn let
    put set bring rely build learn predict produce return report recover retain preserve
    outperform surpass improve boost raise lower trail lag fit solve capture exploit mitigate
    avoid remove add replace drive explain allow ensure is are was were be been being has have
    had does did do done vary simplify fewer versus vs contain derive integrate incorporate
    construct raise raising pay reach
    achieve adopt align aim facilitate employ utilize utilise offer demonstrate enable focus
    """.split()
)
# Adjectives without a telling ending: they may start a phrase ("large language model", "cool
# roofs") but never end one, so never stand alone.
_PLAIN_ADJECTIVES = frozenset(
    """
    large small high low long short young old cool hot cold warm big wide fast slow rich deep
    open free fine hard soft dense sparse raw joint hybrid latent robust safe fair smart
    red green blue black white dark light heavy clean noisy multi
    """.split()
)
# Adjectives: endings that mark them, and the nouns that share those endings.
_ADJECTIVE_ENDINGS = (
    "al", "ic", "ive", "ous", "ful", "less", "able", "ible", "ary", "ular", "ish", "est", "ient",
)  # fmt: skip
_NOUNS_WITH_ADJECTIVE_ENDINGS = frozenset(
    """
    signal interval retrieval proposal removal arrival trial journal animal manual rival approval
    portal capital hospital tutorial potential terminal material individual professional
    logic topic metric music traffic graphic clinic epidemic heuristic critic arithmetic
    mechanic mimic physic rhetoric panic fabric
    objective alternative perspective derivative directive incentive initiative narrative
    primitive representative motive archive detective
    summary boundary library dictionary vocabulary adversary glossary commentary salary
    itinerary anniversary
    table cable variable vegetable
    coefficient gradient client patient nutrient ingredient recipient quotient
    test benchmark interest chest forest request harvest contest
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
    average target budget gain baseline module limitation capability ability step
    """.split()
)
_SINGULAR_EXCEPTIONS = frozenset(
    "series species physics dynamics robotics statistics mathematics economics analysis "
    "basis bias gas lens news".split()
)
# Inside a hyphenated word, these stay lower case when title-cased: "Chain-of-Thought".
_SMALL_WORDS = frozenset("a an and as at by for in of on or the to vs via with".split())


@functools.cache
def _stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | _ABSTRACT_WORDS | _VERBS


@functools.lru_cache(maxsize=200_000)  # a day's abstracts reuse a few thousand words
def _term_of(word: str) -> str | None:
    """The word as a phrase word (lower case, singular), or None where a phrase must break."""
    term = _normalize(word)
    # Both forms: "Does" singularises to "doe", which is no stopword.
    lower = word.lower()
    if term in _stopwords() or lower in _stopwords() or len(term) < 2:
        return None
    if lower.endswith("es") and lower[:-2] in _VERBS:  # "reaches", "matches"
        return None
    if term.endswith("ly") and term not in _LY_NOUNS:
        return None  # an adverb
    return term


@functools.lru_cache(maxsize=200_000)
def is_noun_like(term: str) -> bool:
    """Whether a (normalized) word can end a noun phrase: not an adjective, participle or verb.

    POS-free, so a heuristic: adjective endings ("-ive", "-al", "-ous"...) and "-ed" forms are
    out unless the word is a known noun with that ending ("signal", "objective", "speed").
    """
    if term in _PLAIN_ADJECTIVES or (term in _GENERIC_WORDS and term.endswith(("al", "ic"))):
        return False
    if any(ch.isdigit() for ch in term):
        return True  # "int8", "3d", "4-bit": names of things
    last = term.rsplit("-", 1)[-1]  # "vision-language" reads by its last part
    if last in _NOUNS_WITH_ADJECTIVE_ENDINGS or last in _SINGULAR_EXCEPTIONS:
        return True
    if last.endswith("ed") and not last.endswith("eed"):
        return False  # "defined", "trained"
    return not (len(last) > 4 and last.endswith(_ADJECTIVE_ENDINGS))


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


@dataclass(frozen=True)
class Span:
    """One candidate phrase where it occurs: its key ("graph neural network"), its words as
    written ("Graph Neural Networks"), and the words just before and after it in its run."""

    key: str
    written: str
    before: str | None
    after: str | None


def word_runs(text: str) -> list[list[tuple[str, str]]]:
    """Maximal runs of (term, as written) between stopwords, punctuation, numbers and math."""
    text = _MATH.sub(" , ", text)
    runs: list[list[tuple[str, str]]] = []
    run: list[tuple[str, str]] = []
    last_end = 0
    for match in _TOKEN.finditer(text):
        surface = match.group()
        term = _term_of(surface)
        adjacent = text[last_end : match.start()].isspace()
        last_end = match.end()
        if run and (term is None or not adjacent):
            runs.append(run)
            run = []
        if term is not None:
            run.append((term, surface))
    if run:
        runs.append(run)
    return runs


def candidate_spans(text: str) -> list[Span]:
    """Every noun-phrase candidate of `text`: spans of one to three words of a run that end on
    a noun-like word, do not start on a participle, and are not a broad word alone ("model")."""
    spans = []
    for run in word_runs(text):
        terms = [term for term, _ in run]
        for end in range(len(run)):
            if not is_noun_like(terms[end]):
                continue
            for start in range(max(0, end - MAX_WORDS + 1), end + 1):
                first = terms[start]
                if start < end and first.endswith("ed") and not first.endswith("eed"):
                    continue  # "trained policy": a clause's tail
                words = terms[start : end + 1]
                if all(word in _GENERIC_WORDS or word in _PLAIN_ADJECTIVES for word in words):
                    continue  # "model", "large number": says nothing
                spans.append(
                    Span(
                        " ".join(words),
                        " ".join(surface for _, surface in run[start : end + 1]),
                        terms[start - 1] if start > 0 else None,
                        terms[end + 1] if end + 1 < len(run) else None,
                    )
                )
    return spans


def extract_terms(text: str) -> list[tuple[str, str]]:
    """(phrase key, as written) for each candidate phrase of `text`, in order of its end."""
    return [(span.key, span.written) for span in candidate_spans(text)]


def label_clusters(
    texts: Sequence[str],
    labels: np.ndarray,
    clusters: Sequence[int],
    *,
    max_keyphrases: int = 3,
) -> dict[int, tuple[str, ...]]:
    """The phrases that name each cluster in `clusters`; papers labelled -1 count as outside
    every cluster, so a phrase common to the whole window names none of them."""
    labels = np.asarray(labels)
    paper_spans = [candidate_spans(text) for text in texts]
    fragments = _fragments(paper_spans)
    # Papers per phrase (a paper counts once: one abstract repeating its method's name ten
    # times must not name the whole cluster), counted per cluster in one pass.
    vocabulary: dict[str, int] = {}
    pairs = [
        (row, vocabulary.setdefault(key, len(vocabulary)))
        for row, spans in enumerate(paper_spans)
        for key in {span.key for span in spans}
        if key not in fragments
    ]
    if not pairs:
        return {c: () for c in clusters}
    keys = sorted(vocabulary, key=vocabulary.__getitem__)
    rows, cols = np.array(pairs).T
    papers_with = np.bincount(cols, minlength=len(keys))
    words = np.array([key.count(" ") + 1 for key in keys])
    result = {}
    for c in clusters:
        inside = labels == c
        size = int(inside.sum())
        outside = len(labels) - size
        support = max(2, math.ceil(MIN_SHARE * size)) if size >= 4 else 1
        here = np.bincount(cols[inside[rows]], minlength=len(keys))
        share_here = here / size
        # +1: a phrase no other paper uses is distinctive, but by an amount that depends on
        # how many others there are to not use it.
        share_elsewhere = (papers_with - here + 1) / (outside + 1)
        candidates = here >= support
        if outside:
            candidates &= share_here >= MIN_LIFT * share_elsewhere
            lift = np.log(np.maximum(share_here, 1e-9) / share_elsewhere)
        else:
            lift = np.ones(len(keys))
        score = share_here * np.maximum(lift, 0.1) * PHRASE_BONUS ** (words - 1)
        found = np.flatnonzero(candidates)
        ranked = sorted(found.tolist(), key=lambda j: (-score[j], keys[j]))[:60]
        chosen = _pick_distinct([keys[j] for j in ranked], max_keyphrases)
        members = [paper_spans[r] for r in np.flatnonzero(inside)]
        result[c] = _display_forms(chosen, members)
    return result


def _fragments(paper_spans: Sequence[list[Span]]) -> set[str]:
    """Keys that are mostly part of one longer candidate ("large language" of "large language
    model"): shown alone they read cut off."""
    occurrences: Counter[str] = Counter()
    modifying: Counter[str] = Counter()  # followed by another word of its run
    extended: Counter[tuple[str, str]] = Counter()
    keys: set[str] = set()
    for spans in paper_spans:
        for span in spans:
            occurrences[span.key] += 1
            keys.add(span.key)
            if span.after is not None:
                modifying[span.key] += 1
                extended[(span.key, f"{span.key} {span.after}")] += 1
            if span.before is not None:
                extended[(span.key, f"{span.before} {span.key}")] += 1
    # Mostly written in front of other words ("vision-language" models, tasks, navigation): a
    # modifier, whatever follows it.
    # Two such uses at least: one of two occurrences is no evidence ("policy gradient variance").
    fragments = {
        k for k, count in modifying.items() if count >= max(2, FRAGMENT_SHARE * occurrences[k])
    }
    return fragments | {
        key
        for (key, longer), count in extended.items()
        if longer in keys and count >= max(2, FRAGMENT_SHARE * occurrences[key])
    }


def _pick_distinct(ranked_keys: Sequence[str], limit: int) -> list[str]:
    """The best phrases, skipping those that repeat a chosen one's words ("graph" after "graph
    neural network", "language model" after "large language model")."""
    chosen: list[str] = []
    for key in ranked_keys:
        words = set(key.split())
        if any(words <= set(other.split()) or set(other.split()) <= words for other in chosen):
            continue
        if any(len(words & set(other.split())) * 2 >= len(words) for other in chosen):
            continue  # "LLM inference" after "LLM serving": half of it is said already
        chosen.append(key)
        if len(chosen) == limit:
            break
    return chosen


def _display_forms(keys: Sequence[str], member_spans: Sequence[list[Span]]) -> tuple[str, ...]:
    """Each phrase as the cluster's papers most often write it, title-cased like a section
    title ("Speculative Decoding"); words with capitals inside ("LoRA", "LLMs") stay as written."""
    wanted = set(keys)
    forms = Counter(span_pair for spans in member_spans for span_pair in _pairs(spans, wanted))
    shown = []
    for key in keys:
        written = [(count, surface) for (k, surface), count in forms.items() if k == key]
        surface = min(written, key=lambda item: (-item[0], item[1]))[1] if written else key
        shown.append(" ".join(title_case(word) for word in surface.split()))
    return tuple(shown)


def _pairs(spans: list[Span], wanted: set[str]) -> list[tuple[str, str]]:
    # Lower-case the sentence-initial capital only: "Protein structure" and "protein structure"
    # are one form; "LLM" is another word than "llm".
    return [(s.key, _uncapitalize(s.written)) for s in spans if s.key in wanted]


def _uncapitalize(written: str) -> str:
    return " ".join(w if any(ch.isupper() for ch in w[1:]) else w.lower() for w in written.split())


def title_case(word: str) -> str:
    """Title-case one word: "speculative" -> "Speculative", "chain-of-thought" ->
    "Chain-of-Thought"; a word with capitals ("LoRA", "LLMs") stays as written."""
    if any(ch.isupper() for ch in word):
        return word
    parts = word.split("-")
    return "-".join(
        part
        if (i and part in _SMALL_WORDS) or not part[:1].isalpha()
        else part[:1].upper() + part[1:]
        for i, part in enumerate(parts)
    )
