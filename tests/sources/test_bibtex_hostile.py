"""Hostile BibTeX: inputs built to cost CPU, read in time linear in their size (issue 21).

The shapes and their costs before and after are in docs/benchmarks.md#hostile-bibtex.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from bibtexparser.middlewares.names import parse_single_name_into_parts
from hypothesis import given
from hypothesis import strategies as st

from papersift.errors import UsageError
from papersift.reader_library import PRIVATE_UPLOAD_BLOCKS, import_library
from papersift.sources import bibtex
from papersift.store import open_store
from papersift.store.sqlite import SqliteStore


def closing_braces_author(size: int) -> bytes:
    """One quoted author field of `}`: bibtexparser's name parser was quadratic in it."""
    return b'@article{k, title = {T}, author = "x' + b"}" * size + b'"}\n'


def junk_block_lines(size: int) -> bytes:
    """Lines of `@{`: a broken block, so a rejected record, every 3 bytes."""
    return b"@article{k, title = {T}, year = 2020}\n" + b"@{\n" * (size // 3)


def cpu_seconds(data: bytes) -> float:
    """The least CPU time of two reads of the file (the first may warm caches)."""
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        for _item in bibtex.parse(data, "hostile.bib"):
            pass
        best = min(best, time.process_time() - start)
    return best


def test_a_run_of_closing_braces_in_an_author_costs_linear_time():
    # Before: 0.5 s for 64 KB and 13.5 s for 256 KB (x25 for x4 the input); after, ~x4.
    small = cpu_seconds(closing_braces_author(64_000))
    large = cpu_seconds(closing_braces_author(256_000))
    assert large < 3.0, f"256 KB of `}}` took {large:.2f} s of CPU"
    assert large / max(small, 0.01) < 10, f"x4 the input cost x{large / small:.1f} the CPU"


def test_the_author_is_still_read_and_the_paper_kept():
    [paper] = list(bibtex.parse(closing_braces_author(3), "hostile.bib"))
    assert paper.authors == ("x",)  # `{{{x}}}`, decoded as any brace group is


# Characters that steer the name parser: braces, escapes, separators, case, accents.
NAME_PIECES = ["a", "B", "}", "}", "{", " ", ",", "\\'", "\\", "e", "von ", "Doe", "\\}", "\\\\"]


@given(st.lists(st.sampled_from(NAME_PIECES), max_size=14).map("".join))
def test_names_read_exactly_as_bibtexparser_reads_them(raw):
    assert bibtex.bibtex_name(raw) == (
        parse_single_name_into_parts(raw, strict=False).merge_first_name_first
    )


def test_a_name_holding_every_placeholder_loses_only_its_stray_braces():
    every = "".join(map(chr, range(0xE000, 0xF900)))
    assert bibtex.bibtex_name(f"Doe}}, Jane{every}") == f"Jane{every} Doe"


def test_block_count_bounds_the_blocks_the_parser_sees():
    text = (
        '@string{v = "x"}\n@comment{c}\n@article{a, title = {T}}\n@{\n'
        "@book (b, title = {T})\nLeQua @ {CLEF}\n"
    )
    library = bibtex._read_library(text, "x.bib")
    assert len(library.blocks) - len(library.comments) <= bibtex.block_count(text) == 6


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return open_store(tmp_path / "store.db")


def test_an_upload_of_junk_blocks_is_refused_before_the_parse(store, tmp_path):
    good = tmp_path / "good.bib"
    good.write_text("@article{kept, title = {A paper already imported}, year = 2020}\n")
    import_library(store, good)
    before = store.count()
    assert before == 1
    junk = tmp_path / "junk.bib"
    junk.write_bytes(junk_block_lines(1_000_000))  # 333,333 blocks
    start = time.process_time()
    with pytest.raises(UsageError) as raised:
        import_library(store, junk, private=True)
    # Before: the whole file was parsed first, 8-9 s of CPU, then refused for its records.
    assert time.process_time() - start < 2.0
    message = str(raised.value)
    assert message.startswith(f"{junk}: 333,334 BibTeX blocks")
    assert "\n" not in message and "nothing was imported" in message
    assert store.count() == before


def test_an_upload_within_the_block_bound_is_read_as_before(store, tmp_path):
    bib = tmp_path / "mine.bib"
    bib.write_bytes(junk_block_lines(3 * PRIVATE_UPLOAD_BLOCKS // 10))
    report = import_library(store, bib, private=True)
    assert (report.entries, report.added, len(report.rejected)) == (2_001, 1, 2_000)
