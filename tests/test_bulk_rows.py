"""The bulk fast path (`prepare_chunk`) gives exactly what the general path gives, for any input.

`bulk_rows` may only ever be faster than `snapshot.parse` + `prepare_batch`, never different:
same rows in the same order, same error tuples, the same ParseError when the general path
raises one (a broken pretty-printed first record).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from papersift.errors import ParseError
from papersift.ingest import bulk_rows
from papersift.ingest.bulk_rows import _general, prepare_chunk
from papersift.sources.common import (
    MAX_ABSTRACT_CHARS,
    MAX_AUTHOR_CHARS,
    MAX_AUTHORS,
    MAX_TITLE_CHARS,
    latest_plausible_year,
)
from papersift.store.rows import PAPER_COLUMNS
from tests.cli.snapshot_lines import snapshot_file, snapshot_line
from tests.conftest import FIXTURES, SHARED_FORMATS

NOW = dt.datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
ORIGIN = "f.jsonl"
SNAPSHOT_FIXTURES = FIXTURES / "arxiv-snapshot"
SHARED_SNAPSHOTS = SHARED_FORMATS / "arxiv-snapshot"


def _outcome(prepare: Any, data: bytes, first_line: int) -> Any:
    """What `prepare` returns for `data`, or the ParseError it raises (as comparable values)."""
    try:
        return prepare(data, ORIGIN, first_line, NOW)
    except ParseError as err:
        return ("raised", err.file, err.reason, err.record, err.field)


def assert_same_as_general(data: bytes, first_line: int) -> Any:
    fast = _outcome(prepare_chunk, data, first_line)
    general = _outcome(_general, data, first_line)
    if fast != general:
        # Said briefly: pytest's own diff of rows holding 200,000-character abstracts takes
        # seconds, and Hypothesis meets it on every failing example it shrinks.
        lines = "\n".join(f"  {_short(line)[:160]}" for line in data.split(b"\n"))
        where = f"for the chunk from line {first_line} of lines (shortened):\n{lines}"
        raise AssertionError(f"{_difference(fast, general)}\n{where}")
    return general


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 400 else f"{text[:400]}... ({len(text):,} characters)"


def _difference(fast: Any, general: Any) -> str:
    """Where the fast path's outcome first differs from the general path's."""
    if fast[0] == "raised" or general[0] == "raised":
        return f"fast path: {_short(fast)}\ngeneral path: {_short(general)}"
    (fast_rows, fast_errors), (rows, errors) = fast, general
    if len(fast_rows) != len(rows):
        ids = [row[0] for row in fast_rows], [row[0] for row in rows]
        return f"rows of ids {ids[0]} from the fast path, {ids[1]} from the general path"
    for number, (fast_row, row) in enumerate(zip(fast_rows, rows)):
        for column, fast_value, value in zip((*PAPER_COLUMNS, "aliases"), fast_row, row):
            if fast_value != value:
                return (
                    f"row {number} ({row[0]!r}), {column}: fast path {_short(fast_value)}, "
                    f"general path {_short(value)}"
                )
    return f"errors: fast path {_short(fast_errors)}\ngeneral path {_short(errors)}"


# -- every fixture file -------------------------------------------------------------------


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".json", ".jsonl"))


def _shared_params() -> list[Any]:
    if not SHARED_SNAPSHOTS.is_dir():
        reason = f"real samples not found at {SHARED_SNAPSHOTS}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="absent")]
    return [pytest.param(p, id=p.name) for p in _files(SHARED_SNAPSHOTS)]


def _check_file(path: Path) -> None:
    data = path.read_bytes()
    rows, _ = assert_same_as_general(data, 1)
    assert rows, "each sample holds at least one good record"
    if path.suffix == ".jsonl":
        # A chunk from the middle of the file: its first line is line 5 of the file.
        assert_same_as_general(b"\n".join(data.split(b"\n")[4:]), 5)


@pytest.mark.parametrize("path", _files(SNAPSHOT_FIXTURES), ids=lambda p: p.name)
def test_fixture_file_equals_general_path(path):
    _check_file(path)


@pytest.mark.parametrize("path", _shared_params())
def test_shared_sample_equals_general_path(path):
    _check_file(path)


# -- chosen cases ---------------------------------------------------------------------------


def _record(**changes: Any) -> dict[str, Any]:
    record = orjson.loads(snapshot_line("2404.00001", "Sifting papers quickly"))
    record.update(changes)
    return record


_GOOD = snapshot_line("2404.00001", "Sifting papers quickly").rstrip(b"\n")
_OTHER = snapshot_line("2404.00002", "Another paper about sifting").rstrip(b"\n")


def _line(**changes: Any) -> bytes:
    return orjson.dumps(_record(**changes))


CASES = {
    "ordinary lines": snapshot_file(5),
    "same paper twice, later version second": _GOOD
    + b"\n"
    + snapshot_line("2404.00001", "Revised title", version=2),
    "same paper with and without a version suffix": _GOOD + b"\n" + _line(id="2404.00001v3"),
    "same old-style paper under two spellings": _line(id="math.GT/0309136")
    + b"\n"
    + _line(id="math/0309136", title="Knots"),
    "old-style id": _line(id="hep-th/9901001"),
    "invalid id": _line(id="not an id") + b"\n" + _OTHER,
    "byte order mark before the first record": b"\xef\xbb\xbf" + _GOOD + b"\n" + _OTHER,
    "byte order mark before a later record": _GOOD + b"\n\xef\xbb\xbf" + _OTHER,
    "line holding only a byte order mark": _GOOD + b"\n\xef\xbb\xbf\n" + _OTHER,
    "line holding a stray 0xbb byte": _GOOD + b"\n \xbb\n" + _OTHER,
    "nothing but a byte order mark": b"\xef\xbb\xbf\n",
    "nothing but a stray 0xbb byte": b"\n\xbb \n",
    "blank and CR lines": b"\n\r\n  \n" + _GOOD + b"\r\n\n" + _OTHER + b"\n",
    "broken first line": b'{"id": "2404.00009", "title": \n' + _GOOD,
    "array on a later line": _GOOD + b'\n["an", "array"]\n' + _OTHER,
    "array of records": orjson.dumps([_record(), _record(id="2404.00002")]),
    "one author whose name is empty": _line(authors_parsed=[["", "", ""]]),
    "one author with only an empty last name": _line(authors_parsed=[[""]]),
    "empty names among others": _line(authors_parsed=[["Lovelace", "Ada", ""], ["", "", ""]]),
    "author with an edge space": _line(authors_parsed=[["Lovelace ", "Ada", ""]]),
    "LaTeX and entities": _line(
        title="Bal\\'azs on {GAN}s &amp; $x^2$", abstract="caf\u00e9 \\&  na\u00efve\tx"
    ),
    "math only, and an accent as two code points": _line(
        title="Caf\u0065\u0301 $O(n \\log n)$", abstract="Mu\u0308ller  $\\alpha$\n and $x$"
    ),
    "math and an accent outside it": _line(abstract="$\\alpha$ for Bal\\'azs"),
    "title one over the limit": _line(title="a" * (MAX_TITLE_CHARS + 1)),
    "title within the limit only once spaces fold": _line(title="a  " * (MAX_TITLE_CHARS // 2)),
    "abstract over four times the limit": _line(abstract="a" * (4 * MAX_ABSTRACT_CHARS + 1)),
    "author name one over the limit": _line(
        authors_parsed=[["x" * (MAX_AUTHOR_CHARS + 1), "", ""]]
    ),
    "as many authors as allowed": _line(authors_parsed=[["Ng", "A.", ""]] * MAX_AUTHORS),
    "one author too many": _line(authors_parsed=[["Ng", "A.", ""]] * (MAX_AUTHORS + 1)),
    "withdrawn": _line(comments="This paper has been withdrawn"),
    "no versions": _line(versions=[]),
    "version v0": _line(versions=[{"version": "v0", "created": "Mon, 2 Apr 2007 1:00:00 GMT"}]),
    "year 9999": _line(versions=[{"version": "v1", "created": "Mon, 2 Apr 9999 1:00:00 GMT"}]),
    "numbers for text": _line(title=42, comments=7),
    "no categories": _line(categories=None),
    "doi as a URL": _line(doi="https://doi.org/10.1234/AbC"),
}


@pytest.mark.parametrize("data", list(CASES.values()), ids=list(CASES))
@pytest.mark.parametrize("first_line", [1, 7])
def test_chosen_chunk_equals_general_path(data, first_line):
    assert_same_as_general(data, first_line)


# -- generated records ----------------------------------------------------------------------


def _usually(usual: Any, odd: Any, one_in: int = 12) -> st.SearchStrategy[Any]:
    """A value of `usual`, one time in `one_in` of `odd` (each a strategy or values to pick)."""
    if isinstance(usual, st.SearchStrategy) or isinstance(odd, st.SearchStrategy):
        return _one_in(usual, odd, one_in)
    return st.sampled_from(list(usual) * (one_in - 1) * len(odd) + list(odd) * len(usual))


@st.composite
def _one_in(draw: st.DrawFn, usual: Any, odd: Any, one_in: int) -> Any:
    chosen = odd if draw(st.integers(0, one_in - 1)) == one_in - 1 else usual
    return draw(chosen if isinstance(chosen, st.SearchStrategy) else st.sampled_from(chosen))


def _filled(length: int, unit: str) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def _long(limit: int, *, raw_limit: bool = True) -> st.SearchStrategy[str]:
    """Text just around a limit, before or after cleanup (folded spaces, decoded accents), and
    around four times the limit (the most raw text that is cleaned at all) if `raw_limit`."""
    lengths = [limit - 1, limit, limit + 1] + ([4 * limit, 4 * limit + 1] if raw_limit else [])
    units = ["a", "ab ", "a  ", "\\'e", "\u00e9", "&amp;"]
    return st.builds(_filled, st.sampled_from(lengths), st.sampled_from(units))


_WORDS = [" ", " ", " ", "Deep", "learning", "of", "graphs", "Transformers", "GAN", "sifting"]
_WORDS += ["Schr\u00f6dinger", "na\u00efve", "\u5b66\u4e60"]
_ODD_PIECES = [
    "\\'e", "Bal\\'azs", "{GAN}s", "$x^2$", "$O(n \\log n)$", "\\emph{new}", "{\\\"o}",
    "Stra\\ss e", "\\&", "\\", "{", "}", "&amp;", "&lt;i&gt;", "&#233;", "&", "<b>",
    "caf\u00e9", "na\u00efve", "e\u0301", "\u4e2d\u6587", "\u00a0", "\u200b", "\x7f",
    "\x1f", "\x00", "\t", "  ", "\n", "\n  ", "\r\n", "withdrawn", "Withdrawn",
    "This paper has been withdrawn by the author",
]  # fmt: skip
_PIECES = _usually(_WORDS, st.sampled_from(_ODD_PIECES) | st.text(max_size=4), one_in=4)
_TEXT = st.builds(
    "{}{}".format, st.sampled_from(_WORDS[3:]), st.lists(_PIECES, max_size=6).map("".join)
)
_ODD_TEXT = st.sampled_from(["", " ", "   \n  ", "\t", None, 0, 2.5, True, ["text"], {"a": 1}])


def _text_field(limit: int, *, raw_limit: bool = True) -> st.SearchStrategy[Any]:
    """Mostly ordinary text; sometimes empty, blank, None, not text, or near `limit`."""
    near = _long(limit, raw_limit=raw_limit)
    return _usually(_TEXT, _usually(_ODD_TEXT, near, one_in=3), one_in=10)


_NEW_IDS = st.builds("{:04d}.{:05d}".format, st.integers(0, 9999), st.integers(0, 99999)) | (
    st.builds("{:04d}.{:04d}".format, st.integers(0, 9999), st.integers(0, 9999))
)
# A few ids that several records of a chunk may share (the general path merges those).
_SHARED_IDS = [
    "2301.00001", "2301.00001v2", "2404.12345", "0704.0001", "math.GT/0309136", "math/0309136",
]  # fmt: skip
_IDS = _usually(
    _usually(_NEW_IDS, _SHARED_IDS, one_in=6),
    [
        "hep-th/9901001", "cs/0112017", "supr-con/9609003v1", "arXiv:2301.00002",
        "https://arxiv.org/abs/2404.12345v3", " 2301.00001 ", "", "   ", "not an id", "2301.1",
        "23010.0001", "hep-th/99", "\uff12\uff13\uff10\uff11.00001", "2301.0000\u0661", None,
        2301.00001, ["2301.00001"],
    ],
    one_in=8,
)  # fmt: skip
_NAME_PARTS = _usually(
    ["Lovelace", "Ada", "Turing", "Alan", "Jr.", "C. -P.", "de la Cruz", "O'Neil", "Ng", ""]
    + ["Bal\u00e1zs", "M\u00fcller", "\u00d8ystein", "\u674e"],
    st.sampled_from(
        [
            "", " ", " Ada", "Ada ", "Ann  Lee", "Tab\tName", "New\nLine", "x|y", "|", "\u00a0",
            "Bal\\'azs", "Mu\u0308ller", "Ann\u00a0Lee", "Ann\u00adLee", "A&amp;B", "{Van} Dam",
            "\x7f", None, 1, ["x"],
        ]
    ) | _long(MAX_AUTHOR_CHARS) | st.text(max_size=4),
    one_in=10,
)  # fmt: skip
# [last, first, suffix, affiliation...]; now and then an entry that is no such list.
_AUTHOR_ENTRIES = _usually(
    st.lists(_NAME_PARTS, min_size=1, max_size=4), [[], "Lovelace, Ada", 5, None], one_in=20
)
_AUTHORS_PARSED = _usually(
    st.lists(_AUTHOR_ENTRIES, min_size=1, max_size=3), [[], None, "Lovelace, Ada", {}, 3]
)
_NEXT_YEAR = latest_plausible_year()
_CREATED = _usually(
    [
        "Mon, 2 Apr 2007 19:18:42 GMT", "Sat, 2 Mar 2024 10:00:00 GMT",
        "Tue, 3 Sep 2024 17:45:12 GMT", "Mon, 02 Apr 2007 19:18:42 GMT",
    ],
    [
        "Tue, 31 Feb 2007 10:00:00 GMT", "Mon, 2 Apr 9999 10:00:00 GMT",
        "Mon, 2 Apr 1599 10:00:00 GMT", "Mon, 2 Apr 1600 10:00:00 GMT",
        f"Mon, 2 Apr {_NEXT_YEAR} 10:00:00 GMT", f"Mon, 2 Apr {_NEXT_YEAR + 1} 10:00:00 GMT",
        "Mon, 2 Foo 2007 10:00:00 GMT", "Mon, \u00b2 Apr 2007 10:00:00 GMT", "Mon, 2 Apr 2007",
        "2 Apr 2007", "2007-04-02", "2007-04", "2007", "9999-12-31", "garbage", "", " ",
        None, 5,
    ],
    one_in=5,
)  # fmt: skip
_VERSION_NAMES = _usually(
    ["v1", "v2", "v3"],
    ["v0", "v1000", "v1001", "v2000", "v9999999", "1", "v", "vx", "V2", "v\u00b2", "v\u0661"]
    + ["", None, 3],
)
_VERSION = _usually(
    st.fixed_dictionaries({"version": _VERSION_NAMES, "created": _CREATED}),
    [{}, {"version": "v1"}, {"created": "2007-04-02"}, "v1", 1, None, []],
    one_in=15,
)
_VERSIONS = _usually(st.lists(_VERSION, min_size=1, max_size=3), [[], None, "v1", {}, 5])
_CATEGORIES = _usually(
    ["cs.LG", "cs.LG stat.ML", "cs.CL cs.AI cs.LG"],
    ["", " ", None, "cs.LG cs.LG", "  cs.AI\tcs.CL \n", "math.GT\u00a0math.AG", 5, ["cs.LG"]],
)
_DOIS = _usually(
    [None, None, "10.1234/X"],
    ["", "10.1/X", "https://doi.org/10.1234/AbC.", "doi:10.5555/q", "not a doi", " 10.12/x ", 1.5],
)
_COMMENTS = _usually(
    [None, "12 pages", "5 pages,\n  3 figures"],
    ["", "  ", "withdrawn", "Withdrawn", "This paper has been withdrawn", "  padded  ", 12, ["x"]],
)
_SHORT_META = _usually([None, "J. Foo 3 (2024)"], ["", " x ", "J. Foo\n  1-2", 7, False])
_LICENSES = _usually(
    [None, "http://creativecommons.org/licenses/by/4.0/"], ["", " ", "\n", 1, ["by"]]
)
_AUTHOR_STRINGS = _usually(
    ["Ada Lovelace and Alan Turing"], ["A. One (Affil), B. Two", "", None, 3, ["Ada"]]
)
_RECORD = st.fixed_dictionaries(
    {
        "id": _IDS,
        "submitter": st.just("Ada Lovelace"),
        "authors": _AUTHOR_STRINGS,
        "title": _text_field(MAX_TITLE_CHARS),
        "comments": _COMMENTS,
        "journal-ref": _SHORT_META,
        "doi": _DOIS,
        "report-no": _SHORT_META,
        "categories": _CATEGORIES,
        "license": _LICENSES,
        # 200,000 characters would slow every example down; a chosen case has that many.
        "abstract": _text_field(MAX_ABSTRACT_CHARS, raw_limit=False),
        "versions": _VERSIONS,
        "update_date": st.just("2024-04-10"),
        "authors_parsed": _AUTHORS_PARSED,
    }
)


@st.composite
def snapshot_records(draw: st.DrawFn) -> dict[str, Any]:
    """A snapshot record, mostly valid, any field of it odd or missing now and then."""
    record = draw(_RECORD)
    if draw(st.integers(0, 7)) == 7:
        for key in draw(st.sets(st.sampled_from(sorted(record)), min_size=1, max_size=3)):
            del record[key]
    return record


_BROKEN_LINES = st.sampled_from(
    [
        b"not json", b"[1, 2]", b'["an", "array"]', b"{", b'{"id": "2301.00001", "title": ',
        b"null", b"42", b'"text"', b"{}", b"\xef\xbb\xbf", b"\xef\xbb\xbf{}", b"\xff\xfe{}",
        b"\xbb", b"", b"  ", b"\r", b"\t\r",
    ]
)  # fmt: skip


@st.composite
def snapshot_lines(draw: st.DrawFn) -> bytes:
    """One line (rarely several: a pretty-printed record) of a snapshot file."""
    kind = draw(st.integers(0, 19))
    if kind <= 15:
        return orjson.dumps(draw(snapshot_records()))
    if kind == 16:
        return b"\xef\xbb\xbf" + orjson.dumps(draw(snapshot_records()))
    if kind == 17:  # a document: one pretty-printed record or an array of records
        if draw(st.booleans()):
            return orjson.dumps(draw(snapshot_records()), option=orjson.OPT_INDENT_2)
        return orjson.dumps(draw(st.lists(snapshot_records(), max_size=2)))
    return draw(_BROKEN_LINES)


@pytest.mark.slow
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    # Explaining a failure re-runs it some thousand times (minutes here) to say little.
    phases=[p for p in Phase if p is not Phase.explain],
)
@given(lines=st.lists(snapshot_lines(), max_size=6), newline_at_end=st.booleans())
def test_generated_chunk_equals_general_path(lines, newline_at_end):
    data = b"\n".join(lines) + (b"\n" if newline_at_end else b"")
    for first_line in (1, 7):
        assert_same_as_general(data, first_line)


# -- the fast path is really taken ----------------------------------------------------------


def test_ordinary_lines_take_the_fast_path(monkeypatch):
    """No ordinary line goes the general way: no Paper prepared, no chunk handed over whole.

    The general path builds Papers and hands them to `prepare_batch`, which bulk_rows imports
    from a module left uncompiled (setup.py): a compiled bulk_rows looks that name up at each
    call, so patching it sees every use, compiled or not; its own functions it calls directly.
    """
    real_prepare = bulk_rows.prepare_batch
    expected_ordinary = _general(ordinary := _ordinary_chunk(), ORIGIN, 1, NOW)
    chunk = snapshot_file(3) + _line(id="2404.00200", authors_parsed=None) + b"\n"
    chunk += snapshot_file(3, 4)
    expected_chunk = _general(chunk, ORIGIN, 10, NOW)
    prepared: list[list[str]] = []  # the ids of each batch of Papers prepared

    def counting_prepare(papers, *args, **kwargs):
        papers = list(papers)
        prepared.append([paper.id for paper in papers])
        return real_prepare(papers, *args, **kwargs)

    monkeypatch.setattr(bulk_rows, "prepare_batch", counting_prepare)
    rows, errors = prepare_chunk(ordinary, ORIGIN, 1, NOW)
    assert prepared == []
    assert (len(rows), errors) == (22, [])
    assert (rows, errors) == expected_ordinary

    # A line it declines (no authors_parsed: names come from the authors string) is read
    # alone; the lines around it still take the fast path.
    rows, errors = prepare_chunk(chunk, ORIGIN, 10, NOW)
    assert prepared == [["2404.00200"]]
    assert (len(rows), errors) == (7, [])
    assert (rows, errors) == expected_chunk

    # The check sees the general path when it is taken: a paper twice hands the chunk over.
    prepared.clear()
    prepare_chunk(
        ordinary + snapshot_line("2404.00100", "A revised paper", version=4), ORIGIN, 1, NOW
    )
    assert len(prepared) == 1 and len(prepared[0]) == 23  # merged inside prepare_batch


def _ordinary_chunk() -> bytes:
    return (
        snapshot_file(20)
        + snapshot_line("2404.00100", "A revised paper", version=3)
        + snapshot_line("2404.00101", "A paper with a DOI", doi="10.5555/Sift.1")
    )
