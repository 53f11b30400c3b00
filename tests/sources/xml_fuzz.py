"""The tests every arXiv XML parser (API Atom, OAI-PMH, listing feeds) must pass, built per format.

Random and damaged bytes, broken and hostile XML, sniffing, and the walk over the real samples:
each format's test file binds these to its own parser and fixtures and keeps the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from hypothesis import strategies as st
from tests.sources import contract

from papersift.errors import ParseError
from papersift.ids import parse_arxiv_id
from papersift.records import Paper
from papersift.sources import arxiv_atom, arxiv_oai, arxiv_rss, detect_format, head_text

RANDOM_BYTES = contract.fuzz_settings(150)
MUTATED_FIXTURES = contract.fuzz_settings(200)

# detect_format's name for each arXiv XML format, and its sniffer: a real sample of one format
# must be claimed by its own sniffer and by neither of the others.
SNIFFERS: dict[str, contract.Sniff] = {
    "arxiv-atom": arxiv_atom.sniff,
    "arxiv-oai": arxiv_oai.sniff,
    "arxiv-rss": arxiv_rss.sniff,
}
# Every format's fixtures hold these two: an entity-expansion bomb and an external entity.
UNSAFE_FIXTURES = ["entity_bomb.xml", "xxe.xml"]

SampleCheck = Callable[[Path, bytes], None]


@dataclass(frozen=True)
class ArxivXml:
    """One arXiv XML format, as its tests see it."""

    name: str  # as detect_format names it
    parse: contract.Parse
    sniff: contract.Sniff
    fixtures: Path  # the folder of its invented fixtures
    good_fixtures: list[str]  # the well-formed ones (they may still hold bad records or errors)

    def read(self, name: str) -> bytes:
        return (self.fixtures / name).read_bytes()

    def papers_of(self, name: str) -> list[Paper]:
        """The papers of a fixture that must parse without a single record error."""
        return contract.papers_only(self.parse(self.read(name), name))


def check_contract(parse: contract.Parse, data: bytes) -> None:
    """Only ParseErrors and Papers with a title and a canonical arXiv id may come out."""
    for item in contract.parse_outcome(parse, data, "fuzz.xml"):
        if isinstance(item, Paper):
            assert item.title and parse_arxiv_id(item.id) == (item.id, None)


@st.composite
def mutated_fixture(draw: st.DrawFn, xml: ArxivXml) -> bytes:
    """One of the format's good fixtures, perhaps cut short, with up to six bytes overwritten."""
    data = bytearray(xml.read(draw(st.sampled_from(xml.good_fixtures))))
    if draw(st.booleans()):
        del data[draw(st.integers(0, len(data))) :]
    for _ in range(draw(st.integers(0, 6))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def random_bytes_test(xml: ArxivXml) -> contract.Test:
    check = partial(check_contract, xml.parse)
    return contract.property_test(xml.name, st.binary(max_size=2_000), check, RANDOM_BYTES)


def mutated_fixtures_test(xml: ArxivXml) -> contract.Test:
    check = partial(check_contract, xml.parse)
    return contract.property_test(xml.name, mutated_fixture(xml), check, MUTATED_FIXTURES)


def bad_records_test(
    xml: ArxivXml, kept: list[str], rejected: list[tuple[str, str | None]]
) -> contract.Test:
    """A test of the format's bad_records.xml, whose five records are alike in every format.

    #2 has no title, #3 no id and #4 a date in the year 9999: those three are rejected, each named,
    and #1 and #5 kept.
    """

    def test() -> None:
        outcome = contract.papers_and_errors(
            xml.parse, xml.read("bad_records.xml"), "bad_records.xml"
        )
        errors = contract.assert_kept_and_rejected(outcome, kept, rejected)
        assert "9999" in errors[2].reason

    return test


def malformed_xml_test(xml: ArxivXml, documents: list[bytes]) -> contract.Test:
    """A test that each document is refused as a whole: one ParseError naming the file alone."""

    @pytest.mark.parametrize("data", documents)
    def test(data: bytes) -> None:
        with pytest.raises(ParseError) as raised:
            list(xml.parse(data, "bad.xml"))
        assert raised.value.file == "bad.xml" and raised.value.record is None

    return test


def unsafe_xml_test(xml: ArxivXml) -> contract.Test:
    """A test that the entity bomb and the external entity are refused, never expanded."""

    @pytest.mark.parametrize("name", UNSAFE_FIXTURES)
    def test(name: str) -> None:
        with pytest.raises(ParseError, match="unsafe XML refused"):
            list(xml.parse(xml.read(name), name))

    return test


def sniff_recognises_fixtures_test(xml: ArxivXml) -> contract.Test:
    """A test that the sniffer claims each good fixture from its head alone."""

    @pytest.mark.parametrize("name", xml.good_fixtures)
    def test(name: str) -> None:
        assert xml.sniff(head_text(xml.read(name)))

    return test


def sniff_rejects_test(xml: ArxivXml, heads: list[str]) -> contract.Test:
    """A test that the sniffer claims none of `heads`, the starts of other formats' documents."""

    @pytest.mark.parametrize("head", heads)
    def test(head: str) -> None:
        assert not xml.sniff(head)

    return test


def shared_samples_test(
    xml: ArxivXml,
    folders: list[str],
    at_least: int,
    check_edge_sample: SampleCheck,
    check_paper_sample: SampleCheck,
) -> contract.Test:
    """A test over the real samples in `folders`: each is sniffed and detected as this format only.

    Error and empty responses (in edge/) go to `check_edge_sample`, the others to
    `check_paper_sample`, the format's own checks of what the parser made of them.
    """

    def test(shared_formats: Path) -> None:
        samples = [
            p for folder in folders for p in sorted((shared_formats / folder).rglob("*.xml"))
        ]
        assert len(samples) >= at_least
        for path in samples:
            data = path.read_bytes()
            head = head_text(data)
            claimed_by = [name for name, sniff in SNIFFERS.items() if sniff(head)]
            assert claimed_by == [xml.name], path.name
            assert detect_format(data, path.name) == xml.name
            if path.parent.name == "edge":
                check_edge_sample(path, data)
            else:
                check_paper_sample(path, data)

    return test
