"""arXiv API Atom parser: both output formats, the error feed, bad records, hostile XML."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from tests.sources import xml_fuzz
from tests.sources.contract import papers_only

from papersift.errors import ParseError, ServerReportedError
from papersift.ids import parse_arxiv_id
from papersift.records import Link, Paper
from papersift.sources import arxiv_atom, head_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv-atom"
GOOD_FIXTURES = ["classic.xml", "format2025.xml", "bad_records.xml", "error.xml", "empty.xml"]
# This format, as the checks every arXiv XML parser must pass (xml_fuzz.py) see it.
ATOM = xml_fuzz.ArxivXml("arxiv-atom", arxiv_atom.parse, arxiv_atom.sniff, FIXTURES, GOOD_FIXTURES)


def parse_fixture(name: str) -> list[Paper | ParseError]:
    return list(arxiv_atom.parse((FIXTURES / name).read_bytes(), name))


def test_classic_format_entry_keeps_every_field() -> None:
    first = papers_only(parse_fixture("classic.xml"))[0]
    assert first.id == first.arxiv_id == "1812.04321"
    assert first.version == 3
    assert first.title == "Sparse Mixtures of Gated Linear Experts for Tabular Regression"
    assert "\n" in first.title_raw  # the raw title keeps arXiv's hard wrap
    assert first.abstract is not None and first.abstract.startswith("We study mixtures")
    assert "(p < 0.05)" in first.abstract
    assert first.authors == ("Ingrid Olsen", "Balázs Kovács")
    # The ACM class I.2.6 is listed as a <category> but is not an arXiv category.
    assert first.categories == ("cs.LG", "stat.ML")
    assert first.published == dt.date(2018, 12, 11)
    assert first.updated == dt.date(2019, 4, 30)
    assert first.doi == "10.9999/papersift.2019.0042"
    assert first.links == (
        Link("abs", "https://arxiv.org/abs/1812.04321"),
        Link("pdf", "https://arxiv.org/pdf/1812.04321"),
        Link("doi", "https://doi.org/10.9999/papersift.2019.0042"),
    )
    assert first.sources == ("arxiv-api",)
    assert first.extra == {
        "comments": "12 pages, 4 figures; v3: camera ready",
        "journal_ref": "J. Invented ML Res. 7, 101 (2019)",
    }


def test_old_style_ids_are_canonical_without_subject_class_or_version() -> None:
    papers = papers_only(parse_fixture("classic.xml"))
    assert [(p.id, p.version) for p in papers[1:]] == [("hep-th/0101042", 1), ("math/0309136", 2)]
    assert papers[2].link("abs") == "https://arxiv.org/abs/math/0309136"
    assert papers[2].categories == ("math.GT", "cs.LG")  # MSC class 57M25 dropped


def test_2025_format_puts_primary_category_first() -> None:
    first, second = papers_only(parse_fixture("format2025.xml"))
    # <category> lists cs.CL before cs.IR; <arxiv:primary_category> says cs.IR.
    assert first.categories == ("cs.IR", "cs.CL")
    assert (first.id, first.version) == ("2602.01234", 2)
    assert (first.published, first.updated) == (dt.date(2026, 2, 1), dt.date(2026, 2, 27))
    assert first.extra == {"comments": "Code: https://example.org/budget-li"}
    assert first.doi is None and first.link("doi") is None
    assert second.authors == ("Lena Fischer",)


def test_error_feed_raises_what_the_server_said_in_one_line() -> None:
    data = (FIXTURES / "error.xml").read_bytes()
    with pytest.raises(ServerReportedError) as raised:
        arxiv_atom.parse(data, "error.xml")  # raised at call time, before any record
    assert raised.value.reason == "arXiv API error: max_results must be non-negative"
    assert "\n" not in raised.value.one_line()


def test_empty_result_yields_nothing() -> None:
    assert parse_fixture("empty.xml") == []


test_bad_records_are_reported_and_the_others_kept = xml_fuzz.bad_records_test(
    ATOM,
    kept=["2501.00001", "2501.00005"],
    rejected=[("2501.00002 (#2)", "title"), ("#3", "id"), ("2501.00004 (#4)", "published")],
)


def test_ten_megabyte_title_rejects_only_that_record() -> None:
    data = (FIXTURES / "format2025.xml").read_bytes()
    huge = b"A" * 10_000_000
    data = data.replace(b"Late Interaction Retrieval on a Budget", huge, 1)
    first, second = arxiv_atom.parse(data, "huge.xml")
    assert isinstance(first, ParseError) and first.field == "title"
    assert first.record == "2602.01234 (#1)"
    assert isinstance(second, Paper) and second.id == "2602.05555"


def test_entry_with_a_non_arxiv_id_names_the_id_field() -> None:
    data = (FIXTURES / "format2025.xml").read_bytes()
    data = data.replace(b"http://arxiv.org/abs/2602.05555v1", b"http://example.org/paper/7", 1)
    items = list(arxiv_atom.parse(data, "odd.xml"))
    assert isinstance(items[1], ParseError) and items[1].field == "id"
    assert "example.org" in items[1].reason


test_malformed_xml_is_one_parse_error = xml_fuzz.malformed_xml_test(
    ATOM,
    [
        (FIXTURES / "classic.xml").read_bytes()[:1500],  # truncated mid-entry
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry></feed>",
        b"not xml at all",
        b"",
        b"\xff\xfe\x00garbage",
        b"<?xml version='1.0' encoding='no-such-codec'?><feed/>",
    ],
)


def test_other_xml_is_refused_as_not_an_atom_feed() -> None:
    with pytest.raises(ParseError, match="not an arXiv API Atom feed"):
        arxiv_atom.parse(b"<rss version='2.0'><channel/></rss>", "rss.xml")


test_unsafe_xml_is_refused = xml_fuzz.unsafe_xml_test(ATOM)
test_sniff_recognises_api_responses = xml_fuzz.sniff_recognises_fixtures_test(ATOM)
test_sniff_rejects_other_documents = xml_fuzz.sniff_rejects_test(
    ATOM,
    [
        # A generic blog Atom feed, and a generic OpenSearch feed from another site.
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><id>urn:blog</id></feed>",
        "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:opensearch="
        "'http://a9.com/-/spec/opensearch/1.1/'><id>https://example.org/search</id></feed>",
        "<rss version='2.0'><channel><link>https://arxiv.org/api/query</link></channel></rss>",
        "<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'/>",
        '{"feed": "https://arxiv.org/api/query"}',
        "",
    ],
)


def test_sniff_leaves_the_listing_feeds_atom_variant_to_rss() -> None:
    head = head_text((FIXTURES.parent / "arxiv-rss" / "daily_atom.xml").read_bytes())
    assert not arxiv_atom.sniff(head)


test_random_bytes_give_only_papers_or_parse_errors = xml_fuzz.random_bytes_test(ATOM)
test_mutated_fixtures_give_only_papers_or_parse_errors = xml_fuzz.mutated_fixtures_test(ATOM)


def check_edge_sample(path: Path, data: bytes) -> None:
    if "error" in path.name:
        with pytest.raises(ServerReportedError) as raised:
            list(arxiv_atom.parse(data, path.name))
        summary = re.search(rb"<summary[^>]*>([^<]+)</summary>", data)
        assert summary is not None
        assert summary.group(1).decode().strip() in raised.value.reason
        assert "\n" not in raised.value.one_line()
    else:
        assert list(arxiv_atom.parse(data, path.name)) == [], path.name


def check_paper_sample(path: Path, data: bytes) -> None:
    papers = papers_only(list(arxiv_atom.parse(data, path.name)))
    text = data.decode()
    assert len(papers) == len(re.findall(r"<entry[\s>]", text)), path.name
    assert sum(p.doi is not None for p in papers) == text.count("<arxiv:doi")
    for paper in papers:
        assert parse_arxiv_id(paper.id) == (paper.id, None)
        assert paper.arxiv_id == paper.id and paper.id.split("/")[-1] in text
        assert paper.title and "\n" not in paper.title and paper.title in " ".join(text.split())
        assert paper.abstract and paper.authors and paper.categories
        assert paper.version is not None and paper.version >= 1
        assert paper.published is not None and paper.updated is not None
        assert paper.published <= paper.updated
        assert paper.link("abs") == f"https://arxiv.org/abs/{paper.id}"


test_every_shared_sample = xml_fuzz.shared_samples_test(
    ATOM, ["arxiv-api-atom"], 6, check_edge_sample, check_paper_sample
)
