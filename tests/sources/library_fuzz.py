"""The tests every reader-library export parser (BibTeX, RIS, CSL-JSON) must pass, built per format.

Random bytes, text made of the format's own pieces, cut and damaged fixtures, a sniffer that
claims no other format's sample, and the walk over the real exports: each format's test file binds
these to its own parser and keeps the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from hypothesis import strategies as st
from tests.conftest import FIXTURES
from tests.sources import contract

from papersift.errors import ParseError
from papersift.records import Paper
from papersift.sources import head_text

FUZZ = contract.fuzz_settings(120)

# A real sample's expected record count, and its arXiv ids (None: not checked).
Expected = tuple[int, set[str] | None]


@dataclass(frozen=True)
class LibraryFormat:
    """One reader-library export format, as its tests see it."""

    folder: str  # its folder in tests/fixtures and in the shared real samples
    suffix: str  # the ending of its files, such as ".bib"
    parse: contract.Parse
    sniff: contract.Sniff
    origin: str  # the file name its tests give the parser

    def run(self, data: bytes) -> tuple[list[Paper], list[ParseError]]:
        return contract.papers_and_errors(self.parse, data, self.origin)

    def fixture_files(self) -> list[bytes]:
        paths = sorted((FIXTURES / self.folder).glob(f"*{self.suffix}"))
        return [path.read_bytes() for path in paths]


def check_contract(library: LibraryFormat, data: bytes) -> None:
    """Only Papers and ParseErrors may come out, or one ParseError for the whole file."""
    contract.parse_outcome(library.parse, data, f"fuzz{library.suffix}")


@st.composite
def truncated_and_flipped(draw: st.DrawFn, originals: list[bytes]) -> bytes:
    """One of `originals` cut anywhere, with up to four of the bytes before the cut overwritten."""
    original = draw(st.sampled_from(originals))
    cut = draw(st.integers(0, len(original)))
    flips = draw(
        st.lists(st.tuples(st.integers(0, max(cut - 1, 0)), st.integers(0, 255)), max_size=4)
    )
    mutated = bytearray(original[:cut])
    for position, value in flips:
        if position < len(mutated):
            mutated[position] = value
    return bytes(mutated)


def random_bytes_test(library: LibraryFormat) -> contract.Test:
    check = partial(check_contract, library)
    return contract.property_test(library.folder, st.binary(max_size=2_000), check, FUZZ)


def format_like_text_test(library: LibraryFormat, texts: st.SearchStrategy[str]) -> contract.Test:
    """A property test on text made of the format's own syntax, which random bytes seldom hit."""
    check = partial(check_contract, library)
    return contract.property_test(library.folder, texts.map(str.encode), check, FUZZ)


def truncated_and_flipped_fixtures_test(library: LibraryFormat) -> contract.Test:
    inputs = truncated_and_flipped(library.fixture_files())
    return contract.property_test(library.folder, inputs, partial(check_contract, library), FUZZ)


def sniff_claims_no_other_sample_test(library: LibraryFormat) -> contract.Test:
    """A test that the sniffer claims not one real sample of another format."""

    def test(shared_formats: Path) -> None:
        others = [
            path
            for path in shared_formats.rglob("*")
            if path.is_file()
            and path.name not in ("SOURCES.md", "README.md")
            and path.parent.name != library.folder
        ]
        assert len(others) > 10
        claimed = [str(p) for p in others if library.sniff(head_text(p.read_bytes()))]
        assert claimed == []

    return test


def read_real_exports(
    shared_formats: Path,
    library: LibraryFormat,
    samples: dict[str, Expected],
    *,
    clean: bool,
) -> dict[str, tuple[list[Paper], list[ParseError]]]:
    """Parse the real exports, which must be exactly `samples`, and check each as it expects.

    Every export is sniffed as the format, holds the number of records (papers and errors) and
    the arXiv ids it expects, and, if `clean`, no record error. Gives back what each one holds.
    """
    folder = shared_formats / library.folder
    assert sorted(p.name for p in folder.glob(f"*{library.suffix}")) == sorted(samples)
    found = {}
    for name, (count, arxiv_ids) in samples.items():
        data = (folder / name).read_bytes()
        assert library.sniff(head_text(data)), name
        papers, errors = library.run(data)
        if clean:
            assert errors == [], name
        assert len(papers) + len(errors) == count, name
        if arxiv_ids is not None:
            assert {p.arxiv_id for p in papers if p.arxiv_id} == arxiv_ids, name
        found[name] = (papers, errors)
    return found
