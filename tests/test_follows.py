"""Follows, alerts and rules: the pure matching (names, phrases, cosines) and the checks."""

from __future__ import annotations

import numpy as np
import pytest

from papersift.errors import UsageError
from papersift.rank.controls import usable_entries
from papersift.rank.follows import (
    MAX_TEXT_CHARS,
    author_follow,
    author_key,
    followed_authors,
    paper_matches,
    phrase_pattern,
    query_follow,
    same_author,
    semantic_hits,
)
from papersift.rank.types import LibraryEntry
from papersift.store.base import ProfileSwitches
from tests.helpers import make_paper


def matches(followed: str, author: str) -> bool:
    want, have = author_key(followed), author_key(author)
    assert want is not None and have is not None
    return same_author(want, have)


@pytest.mark.parametrize(
    "author",
    [
        "Yann LeCun",
        "yann lecun",
        "Y. LeCun",
        "Y.LeCun",
        "LeCun, Yann",
        "LeCun, Y.",
        "Yann A. LeCun",
        "YANN LECUN",
    ],
)
def test_name_variants_match_the_followed_author(author: str) -> None:
    assert matches("Yann LeCun", author)


@pytest.mark.parametrize(
    ("followed", "author"),
    [
        ("Balázs Kégl", "Balazs Kegl"),
        ("Balazs Kegl", "Balázs Kégl"),
        ("Jürgen Schmidhuber", "J. Schmidhuber"),
        ("Jean-Pierre Serre", "J.-P. Serre"),
        ("Jean-Pierre Serre", "Serre, Jean-Pierre"),
        ("Ludwig van Beethoven", "van Beethoven, Ludwig"),
        ("Martin Luther King Jr.", "M. L. King"),
        ("Lovelace", "Ada Lovelace"),  # a surname alone follows every Lovelace
        ("Ada Lovelace", "A Lovelace"),
    ],
)
def test_accents_initials_particles_and_suffixes(followed: str, author: str) -> None:
    assert matches(followed, author)


@pytest.mark.parametrize(
    ("followed", "author"),
    [
        ("Yann LeCun", "Yann Dauphin"),  # same given name, other person
        ("Yann LeCun", "Z. LeCun"),  # another initial
        ("Yann LeCun", "Yves LeCun"),  # another full given name
        ("Jean-Pierre Serre", "Jean-Paul Serre"),
        ("Ada Lovelace", "Ada Love"),  # surnames are whole words, not prefixes
    ],
)
def test_other_people_do_not_match(followed: str, author: str) -> None:
    assert not matches(followed, author)


def test_followed_authors_names_who_matched_as_the_reader_wrote_them() -> None:
    paper = make_paper(authors=("Alan Turing", "LeCun, Y.", "Grace Hopper"))
    wanted = [(name, author_key(name)) for name in ("Yann LeCun", "Ada Lovelace", "G. Hopper")]
    found = followed_authors(paper, [(n, k) for n, k in wanted if k is not None])
    assert found == ["Yann LeCun", "G. Hopper"]


def test_an_author_follow_keeps_the_name_and_a_normalised_key() -> None:
    assert author_follow("  Yann   LeCun ") == ("Yann LeCun", "lecun|yann")
    assert author_follow("LeCun, Yann")[1] == author_follow("yann lecun")[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the author's name is empty; give some words"),
        ("   \t ", "the author's name is empty; give some words"),
        ("...", "'...' is no name: it needs letters, e.g. \"Yann LeCun\""),
        (
            "x" * (MAX_TEXT_CHARS + 1),
            f"the author's name is 301 characters; at most {MAX_TEXT_CHARS}",
        ),
    ],
)
def test_absurd_author_names_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        author_follow(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("text", ["the of and", "?!", " -- ", "a an the papers about"])
def test_queries_of_only_stopwords_or_punctuation_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="only stop-words or punctuation"):
        query_follow(text, "the alert's query")


def test_a_query_keeps_its_words_and_folds_its_key() -> None:
    assert query_follow("  Speculative  Décoding ", "q") == (
        "Speculative Décoding",
        "speculative decoding",
    )


@pytest.mark.parametrize(
    ("phrase", "title", "hit"),
    [
        ("survey", "A Survey of Diffusion Models", True),
        ("survey", "Surveys of diffusion models", True),  # plural
        ("survey", "Surveying the land", False),  # another word
        ("survey", "Resurvey of things", False),
        ("large language model", "Large-language-model agents", True),  # hyphens are spaces
        ("découverte", "Decouverte of sparse codes", True),  # accents do not count
        ("GAN", "Organic chemistry", False),
    ],
)
def test_rule_phrases_match_whole_words(phrase: str, title: str, hit: bool) -> None:
    paper = make_paper(title=title, abstract="Nothing else here.")
    assert paper_matches(paper, phrase_pattern(phrase)) is hit


def test_rule_phrases_look_in_the_abstract_too() -> None:
    paper = make_paper(title="Plain title", abstract="This is a short SURVEY of the field.")
    assert paper_matches(paper, phrase_pattern("survey"))


def test_semantic_hits_keep_close_rows_best_first_up_to_the_limit() -> None:
    vectors = np.array([[1, 0], [0.6, 0.8], [0, 1], [0.8, 0.6]], dtype=np.float32)
    query = np.array([1, 0], dtype=np.float32)
    hits = semantic_hits(vectors, query, minimum=0.5, limit=10)
    assert [row for row, _ in hits] == [0, 3, 1]
    assert semantic_hits(vectors, query, minimum=0.5, limit=2) == hits[:2]
    assert semantic_hits(vectors[:0], query) == []


def test_switched_off_likes_and_tags_are_no_evidence_but_stay_out_of_the_feed() -> None:
    entries = [
        LibraryEntry(1, 1),
        LibraryEntry(2, -1),
        LibraryEntry(3, None, frozenset({"quant"})),
        LibraryEntry(4, None, frozenset({"quant", "speech"})),
        LibraryEntry(5, 1, frozenset({"quant"})),
    ]
    same, unused = usable_entries(entries, ProfileSwitches())
    assert same == entries and len(unused) == 0
    kept, unused = usable_entries(entries, ProfileSwitches(tags_off=frozenset({"quant"})))
    assert [e.key for e in kept] == [1, 2, 4, 5] and unused.tolist() == [3]
    assert kept[2].tags == frozenset({"speech"})
    kept, unused = usable_entries(entries, ProfileSwitches(signals_off=frozenset({"likes"})))
    assert [(e.key, e.rating) for e in kept] == [(3, None), (4, None), (5, None)]
    assert unused.tolist() == [1, 2]
