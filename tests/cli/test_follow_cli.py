"""`papersift follow|alert|rule|profile`: every command, and every kind of bad input."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.cli.snapshot_lines import snapshot_file


def _rows(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_follow_author_list_and_remove(run):
    assert run("follow", "author", "  Yann   LeCun ").out == "Following 'Yann LeCun'.\n"
    again = run("follow", "author", "yann lecun")  # the same person, spelt otherwise
    assert again.code == 0 and again.out == "Already following 'yann lecun'.\n"
    assert run("follow", "author", "Balázs Kégl").code == 0
    listed = json.loads(run("follow", "list", "--json").out)
    assert [f["text"] for f in listed] == ["Yann LeCun", "Balázs Kégl"]
    assert "  1  Yann LeCun" in run("follow", "list").out
    assert run("follow", "remove", "LeCun, Yann").out == "Removed Yann LeCun.\n"  # by name
    assert run("follow", "remove", str(listed[1]["id"])).out == "Removed Balázs Kégl.\n"
    assert run("follow", "list").out.startswith("Nobody followed yet")


def test_alert_add_list_remove(run):
    assert run("alert", "add", "speculative decoding").out == (
        "Added alert 'speculative decoding' (keyword).\n"
    )
    added = run("alert", "add", "speculative decoding", "--mode", "semantic")
    assert added.out == "Added alert 'speculative decoding' (semantic).\n"
    listed = json.loads(run("alert", "list", "--json").out)
    assert [(a["text"], a["mode"]) for a in listed] == [
        ("speculative decoding", "keyword"),
        ("speculative decoding", "semantic"),
    ]
    removed = run("alert", "remove", "Speculative Decoding")  # by text: both modes
    assert removed.out.splitlines() == [
        "Removed speculative decoding (keyword).",
        "Removed speculative decoding (semantic).",
    ]
    assert run("alert", "list").out.startswith("No alerts yet")


def test_rule_add_list_remove(run):
    assert run("rule", "add", "--exclude", "survey").out == "Added rule: exclude 'survey'.\n"
    assert run("rule", "add", "--include", "state space model").code == 0
    assert run("rule", "list").out.splitlines() == [
        "  1  exclude 'survey'",
        "  2  include 'state space model'",
    ]
    assert run("rule", "remove", "1").out == "Removed exclude 'survey'.\n"
    assert _rows(run.db, "SELECT kind, mode, text FROM follows") == [
        ("rule", "include", "state space model")
    ]


STOP = "has only stop-words or punctuation; give words that matter"
SIGNAL_CHOICES = "choose one of likes, interests, follows, trending or tag:NAME"
ONE_RULE = 'error: give one of --exclude "WORDS" or --include "WORDS"'


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (("follow", "author", "   "), "error: the author's name is empty; give some words"),
        (
            ("follow", "author", "... !"),
            "error: '... !' is no name: it needs letters, e.g. \"Yann LeCun\"",
        ),
        (
            ("follow", "author", "y" * 301),
            "error: the author's name is 301 characters; at most 300",
        ),
        (
            ("follow", "remove", "Nobody Known"),
            "error: no followed author 'Nobody Known'; see `papersift follow list`",
        ),
        (("alert", "add", ""), "error: the alert's query is empty; give some words"),
        (("alert", "add", "the of and"), "error: the alert's query 'the of and' " + STOP),
        (("alert", "add", "?!?"), "error: the alert's query '?!?' " + STOP),
        (("alert", "add", "q" * 301), "error: the alert's query is 301 characters; at most 300"),
        (
            ("alert", "add", "diffusion", "--mode", "fuzzy"),
            "error: --mode must be one of keyword, semantic, not 'fuzzy'",
        ),
        (("alert", "remove", "99"), "error: no alert '99'; see `papersift alert list`"),
        (("rule", "add"), ONE_RULE),
        (("rule", "add", "--exclude", "a", "--include", "b"), ONE_RULE),
        (
            ("rule", "add", "--exclude", " \t "),
            "error: the rule's keywords is empty; give some words",
        ),
        (("rule", "add", "--include", "the"), "error: the rule's keywords 'the' " + STOP),
        (("rule", "remove", "survey"), "error: no rule 'survey'; see `papersift rule list`"),
        (("profile", "set", "bogus", "on"), "error: no signal 'bogus': " + SIGNAL_CHOICES),
        (("profile", "set", "likes", "maybe"), "error: a switch is on or off, not 'maybe'"),
        (("profile", "set", "tag:nope", "off"), "error: no tag 'nope' (tags: none yet)"),
        (("profile", "reset"), "error: say what to reset: --likes, --dislikes or --all"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, args, first_line):
    result = run(*args)
    assert result.code == 2
    assert result.err.splitlines()[0] == first_line
    assert "Traceback" not in result.err
    # Nothing stored (a mistake caught before the store was opened leaves no store at all).
    assert not run.db.exists() or _rows(run.db, "SELECT count(*) FROM follows") == [(0,)]


def _seed_library(run, tmp_path):
    path = tmp_path / "snap.jsonl"
    path.write_bytes(snapshot_file(4))
    assert run("ingest", str(path)).code == 0
    assert run("like", "2404.00001", "2404.00002").code == 0
    assert run("dislike", "2404.00003").code == 0
    assert run("tag", "quant", "2404.00004").code == 0
    assert run("interest", "add", "sparse attention").code == 0


def test_profile_set_and_show(run, tmp_path):
    _seed_library(run, tmp_path)
    assert run("profile", "set", "likes", "off").out == "likes is now off.\n"
    assert run("profile", "set", "likes", "OFF").out == "likes was already off.\n"
    assert run("profile", "set", "tag:quant", "off").out == "tag:quant is now off.\n"
    shown = json.loads(run("profile", "show", "--json").out)
    assert shown == {
        "signals": {"likes": False, "interests": True, "follows": True, "trending": True},
        "tags": {"quant": False},
        "likes": 2,
        "dislikes": 1,
        "interests": 1,
    }
    text = run("profile", "show").out
    assert "likes      off" in text and "tag:quant  off  (1 papers)" in text
    assert run("profile", "set", "likes", "on").out == "likes is now on.\n"


def test_profile_reset_asks_then_says_how_many_it_removed(run, tmp_path):
    _seed_library(run, tmp_path)
    declined = run("profile", "reset", "--likes", stdin=b"n\n")
    assert declined.code == 1 and "Nothing was changed." in declined.out
    assert _rows(run.db, "SELECT count(*) FROM feedback") == [(3,)]
    confirmed = run("profile", "reset", "--likes", stdin=b"y\n")
    assert confirmed.code == 0 and confirmed.out.endswith("Removed 2 likes.\n")
    assert run("profile", "reset", "--dislikes", "--yes").out == "Removed 1 dislikes.\n"
    everything = run("profile", "reset", "--all", "--yes")
    assert everything.out == "Removed 0 likes, 0 dislikes, 1 tags, 1 interests.\n"
    assert _rows(run.db, "SELECT count(*) FROM feedback") == [(0,)]
    assert _rows(run.db, "SELECT count(*) FROM papers") == [(4,)]  # the papers stay
