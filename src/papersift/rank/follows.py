"""Which papers a reader's follows, alerts and rules pick out: pure matching, no I/O.

Authors are matched on their names, normalised: case, accents and punctuation do not count,
and initials stand for given names ("Y. LeCun" is "Yann LeCun", "LeCun, Yann" too). None of
the sources papersift reads keeps author identifiers (arXiv's API, OAI-PMH and RSS give
names only; the Semantic Scholar, OpenAlex and OpenReview parsers keep names only), so names
are all there is to match on.

Rules are keyword phrases matched as whole words (a plural "s" allowed) in a paper's title and
abstract, folded like names. The text of a follow, alert or rule is checked here too, so the
command line and the web app refuse the same things.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from papersift.errors import UsageError
from papersift.fusion import content_terms
from papersift.rank.signals import INTEREST_MIN
from papersift.records import Paper

# Longer than any name or title anyone follows; a pasted abstract is a mistake, not a query.
MAX_TEXT_CHARS = 300
ALERT_MODES = ("keyword", "semantic")
RULE_MODES = ("include", "exclude")
# Cosine above which a semantic alert's query matches a paper. An alert is a short text
# against an abstract, like a written interest, so it shares the interests' threshold: where
# SciFact's claims keep nearly all of their cited abstracts (docs/benchmarks.md#strong-matches).
SEMANTIC_ALERT_MIN = INTEREST_MIN
# Papers one alert puts in its section, best first: a broad query on a busy day would
# otherwise bury the digest. The section says how many more there were.
ALERT_MAX_HITS = 25

# Name parts that are not a surname or given name of their own.
_PARTICLES = frozenset("van von der den de del della di da dos du la le ten ter zu".split())
_SUFFIXES = frozenset("jr sr ii iii iv".split())
_NAME_PART = re.compile(r"[^\W\d_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, accents gone, every run of non-letters/digits one space: for matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[^\W_]+", plain))


# -- checking what the reader typed ------------------------------------------------------------


def clean_text(text: str, what: str) -> str:
    """`text` on one line, or UsageError naming `what` when it is empty or absurdly long."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise UsageError(f"{what} is empty; give some words")
    if len(cleaned) > MAX_TEXT_CHARS:
        raise UsageError(f"{what} is {len(cleaned)} characters; at most {MAX_TEXT_CHARS}")
    return cleaned


def author_follow(name: str) -> tuple[str, str]:
    """(name as written, its key) for `follow author`; UsageError if it names nobody."""
    cleaned = clean_text(name, "the author's name")
    key = author_key(cleaned)
    if key is None:
        raise UsageError(f'{cleaned!r} is no name: it needs letters, e.g. "Yann LeCun"')
    return cleaned, key.text


def query_follow(text: str, what: str) -> tuple[str, str]:
    """(text as written, its key) for an alert or rule; UsageError if it has no real word."""
    cleaned = clean_text(text, what)
    if not content_terms(cleaned):
        raise UsageError(
            f"{what} {cleaned!r} has only stop-words or punctuation; give words that matter"
        )
    return cleaned, fold(cleaned)


def check_mode(mode: str, modes: Sequence[str], what: str) -> str:
    if mode not in modes:
        raise UsageError(f"{what} must be one of {', '.join(modes)}, not {mode!r}")
    return mode


# -- authors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorKey:
    """A name as matching sees it: the folded surname and the given names' parts."""

    surname: str
    given: tuple[str, ...]

    @property
    def text(self) -> str:
        """The key as stored: "lecun|yann"."""
        return "|".join((self.surname, " ".join(self.given)))


def author_key(name: str) -> AuthorKey | None:
    """The key of a display name ("Yann LeCun", "LeCun, Yann", "Y. LeCun"); None if no name."""
    if "," in name:
        family, _, rest = name.partition(",")
        surname_words = _words(family)
        given_words = _words(rest)
    else:
        words = _words(name)
        while len(words) > 1 and words[-1] in _SUFFIXES:
            words = words[:-1]
        surname_words, given_words = words[-1:], words[:-1]
    given_words = [w for w in given_words if w not in _SUFFIXES]
    # "Ludwig van Beethoven" and "van Beethoven, Ludwig": the particle belongs to neither key.
    surname_words = [w for w in surname_words if w not in _PARTICLES] or surname_words
    given_words = [w for w in given_words if w not in _PARTICLES]
    if not surname_words:
        return None
    return AuthorKey(surname_words[-1], tuple(given_words))


def _words(text: str) -> list[str]:
    # Hyphens and dots separate given names' parts: "Jean-Pierre" ~ "J.-P.", "Y.LeCun".
    return _NAME_PART.findall(fold(text))


def same_author(followed: AuthorKey, author: AuthorKey) -> bool:
    """Whether `author` (on a paper) can be the person `followed` names.

    Surnames must be equal; given names agree part by part as far as both go, an initial
    standing for any name it begins. A follow without a given name matches the surname alone.
    """
    if followed.surname != author.surname:
        return False
    for mine, theirs in zip(followed.given, author.given):
        if len(mine) == 1 or len(theirs) == 1:
            if mine[0] != theirs[0]:
                return False
        elif mine != theirs:
            return False
    return True


def followed_authors(paper: Paper, followed: Sequence[tuple[str, AuthorKey]]) -> list[str]:
    """The followed names (as the reader wrote them) among the paper's authors."""
    keys = [key for key in map(author_key, paper.authors) if key is not None]
    return [name for name, want in followed if any(same_author(want, key) for key in keys)]


# -- keyword rules ------------------------------------------------------------------------------


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A pattern finding the folded phrase as whole words in folded text (plural allowed)."""
    words = fold(phrase).split()
    body = r"\s+".join(map(re.escape, words))
    return re.compile(rf"(?<!\w){body}(?:e?s)?(?!\w)")


def paper_matches(paper: Paper, pattern: re.Pattern[str]) -> bool:
    return pattern.search(fold(f"{paper.title} {paper.abstract or ''}")) is not None


def matching_rows(papers: Iterable[Paper], pattern: re.Pattern[str]) -> list[int]:
    """Positions of the papers whose title or abstract contains the rule's phrase."""
    return [i for i, paper in enumerate(papers) if paper_matches(paper, pattern)]


# -- semantic alerts ---------------------------------------------------------------------------


def semantic_hits(
    vectors: np.ndarray,
    query: np.ndarray,
    minimum: float = SEMANTIC_ALERT_MIN,
    limit: int = ALERT_MAX_HITS,
) -> list[tuple[int, float]]:
    """(row, cosine) of the rows close enough to the query, closest first, at most `limit`."""
    if not len(vectors):
        return []
    cosines = vectors @ np.asarray(query, dtype=vectors.dtype)
    rows = np.flatnonzero(cosines >= minimum)
    order = rows[np.argsort(-cosines[rows], kind="stable")][:limit]
    return [(int(row), float(cosines[row])) for row in order]
