"""arXiv listing feed parser: RSS 2.0, its Atom variant, the old RDF feed, errors, hostile XML."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from tests.sources import xml_fuzz

from papersift.errors import ParseError, ServerReportedError
from papersift.ids import parse_arxiv_id
from papersift.records import Paper
from papersift.sources import arxiv_atom, arxiv_rss, head_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv-rss"
GOOD_FIXTURES = [
    "daily.xml",
    "daily_atom.xml",
    "daily_rdf.xml",
    "bad_records.xml",
    "error_bad_archive.xml",
    "empty_channel.xml",
]
ANNOUNCED = dt.date(2025, 3, 4)
# This format, as the checks every arXiv XML parser must pass (xml_fuzz.py) see it.
RSS = xml_fuzz.ArxivXml("arxiv-rss", arxiv_rss.parse, arxiv_rss.sniff, FIXTURES, GOOD_FIXTURES)
read = RSS.read
papers_of = RSS.papers_of


def test_rss_items_of_every_announce_type() -> None:
    papers = papers_of("daily.xml")
    assert [(p.id, p.version, p.extra["announce_type"]) for p in papers] == [
        ("2503.01001", 1, "new"),
        ("2503.01002", 1, "cross"),
        ("2411.09999", 3, "replace"),
        ("2406.12345", 2, "replace-cross"),
    ]
    # The feed dates announcements: a first version's announcement stands in for publication,
    # a replacement only tells when the latest version appeared.
    assert [p.published for p in papers] == [ANNOUNCED, ANNOUNCED, None, None]
    assert all(p.updated == ANNOUNCED and p.extra["announced"] == "2025-03-04" for p in papers)
    assert all(p.sources == ("arxiv-rss",) for p in papers)


def test_rss_item_fields() -> None:
    new, cross, replace, replace_cross = papers_of("daily.xml")
    assert new.title == "Warm-Starting Diffusion Samplers with Consistency Distillation"
    assert new.abstract == (
        "We warm-start diffusion samplers from a distilled consistency model and halve the "
        "number of steps for equal FID (p < 0.01)."
    )
    assert new.abstract_raw is not None and "Announce Type" not in new.abstract_raw
    assert new.authors == ("Noor Rahman", "Elias Berg", "Hana Kobayashi", "Felipe Soto Jr.")
    assert new.categories == ("cs.LG", "cs.CV")
    assert new.extra["license"] == "http://creativecommons.org/licenses/by/4.0/"
    assert new.link("abs") == "https://arxiv.org/abs/2503.01001"
    assert new.link("pdf") == "https://arxiv.org/pdf/2503.01001"
    assert cross.authors == ("Owen Price", "Zara Ali")
    assert cross.categories == ("stat.ML", "cs.IR", "cs.LG")
    assert replace.doi == "10.9999/sharp.2025.3"
    assert replace.extra["journal_ref"] == "Invented Trans. Learn. 2, 33 (2025)"
    assert replace.link("doi") == "https://doi.org/10.9999/sharp.2025.3"
    assert replace_cross.authors == ("Grace Mwangi", "Tomás Herrera")


def test_atom_variant_of_the_feed() -> None:
    new, replace = papers_of("daily_atom.xml")
    assert (new.id, new.version, new.extra["announce_type"]) == ("2503.01001", 1, "new")
    assert new.authors == ("Noor Rahman", "Elias Berg")
    assert new.abstract == "We warm-start diffusion samplers from a distilled consistency model."
    assert new.published == new.updated == ANNOUNCED
    assert new.extra["license"] == "http://creativecommons.org/licenses/by/4.0/"
    assert (replace.id, replace.version, replace.published) == ("2411.09999", 3, None)
    assert replace.doi == "10.9999/sharp.2025.3" and replace.authors == ("Ivan Petrov",)


def test_old_rdf_feed() -> None:
    first, second = papers_of("daily_rdf.xml")
    assert (first.id, first.version, first.title) == (
        "2107.01111",
        1,
        "Dropout as Ensembling, Once More",
    )
    assert first.categories == ("cs.LG",)
    assert first.authors == ("Sara Ahmed", "Erik Lund")  # names out of their HTML links
    # Tags are stripped, but the escaped "<" in the text survives.
    assert (
        first.abstract
        == "We show dropout behaves like an ensemble of 2^n subnetworks < in practice."
    )
    assert first.published == first.updated == dt.date(2021, 7, 8)  # the channel's date
    assert (second.id, second.version, second.extra["announce_type"]) == (
        "2107.02222",
        2,
        "replace",
    )
    assert second.published is None and second.categories == ("stat.ML",)


def test_unknown_archive_raises_what_the_server_said_in_one_line() -> None:
    with pytest.raises(ServerReportedError) as raised:
        arxiv_rss.parse(read("error_bad_archive.xml"), "e.xml")  # at call time
    assert raised.value.reason == (
        "arXiv RSS error: Bad archive 'csLG'. Valid archive names are: astro-ph, cond-mat, cs, "
        "math, stat, test."
    )


def test_empty_channel_yields_nothing() -> None:
    assert papers_of("empty_channel.xml") == []


test_bad_records_are_reported_and_the_others_kept = xml_fuzz.bad_records_test(
    RSS,
    kept=["2503.02001", "2503.02005"],
    rejected=[("2503.02002 (#2)", "title"), ("#3", "id"), ("2503.02004 (#4)", "pubDate")],
)


def test_ten_megabyte_title_rejects_only_that_record() -> None:
    data = read("daily.xml").replace(
        b"Bandit Feedback for Recommendation Under Delays", b"C" * 10_000_000
    )
    items = list(arxiv_rss.parse(data, "huge.xml"))
    assert [type(item).__name__ for item in items] == ["Paper", "ParseError", "Paper", "Paper"]
    assert isinstance(items[1], ParseError) and items[1].field == "title"
    assert items[1].record == "2503.01002 (#2)"


def test_description_without_abstract_marker_drops_only_the_preamble() -> None:
    assert (
        arxiv_rss.abstract_of("arXiv:2503.01001v1 Announce Type: new \nWe do things.")
        == "We do things."
    )
    assert arxiv_rss.abstract_of("Just an abstract.") == "Just an abstract."
    assert arxiv_rss.abstract_of(None) is None


test_malformed_or_incomplete_feed_is_one_parse_error = xml_fuzz.malformed_xml_test(
    RSS,
    [
        read("daily.xml")[:1800],
        b"<rss version='2.0'><channel><item><title>x</item></channel></rss>",
        b"<rss version='2.0'/>",  # no channel
        b"\x00\x01\x02",
        b"",
    ],
)


def test_other_xml_is_refused_as_not_a_listing_feed() -> None:
    with pytest.raises(ParseError, match="not an arXiv listing feed"):
        arxiv_rss.parse(b"<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'/>", "o.xml")


test_unsafe_xml_is_refused = xml_fuzz.unsafe_xml_test(RSS)
test_sniff_recognises_listing_feeds = xml_fuzz.sniff_recognises_fixtures_test(RSS)
test_sniff_rejects_other_documents = xml_fuzz.sniff_rejects_test(
    RSS,
    [
        "<?xml version='1.0'?><rss version='2.0'><channel><link>https://blog.example.org</link>",
        "<feed xmlns='http://www.w3.org/2005/Atom'><id>http://arxiv.org/api/x</id></feed>",
        "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
        "<rdf:Description rdf:about='https://arxiv.org/abs/2301.00001'/></rdf:RDF>",
        "<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'/>",
        "<html><body>rss arxiv.org</body></html>",
        "",
    ],
)


def test_sniff_leaves_api_responses_to_the_atom_parser() -> None:
    head = head_text((FIXTURES.parent / "arxiv-atom" / "format2025.xml").read_bytes())
    assert not arxiv_rss.sniff(head) and arxiv_atom.sniff(head)


test_random_bytes_give_only_papers_or_parse_errors = xml_fuzz.random_bytes_test(RSS)
test_mutated_fixtures_give_only_papers_or_parse_errors = xml_fuzz.mutated_fixtures_test(RSS)


def check_edge_sample(path: Path, data: bytes) -> None:
    if "error" not in path.name:
        assert list(arxiv_rss.parse(data, path.name)) == [], path.name
        return
    with pytest.raises(ServerReportedError) as raised:
        arxiv_rss.parse(data, path.name)
    description = re.search(rb"<description>([^<]+)</description>", data)
    assert description is not None
    assert description.group(1).decode().strip() in raised.value.reason
    assert "\n" not in raised.value.one_line()


def check_paper_sample(path: Path, data: bytes) -> None:
    text = data.decode()
    items = list(arxiv_rss.parse(data, path.name))
    papers = [item for item in items if isinstance(item, Paper)]
    assert len(papers) == len(items), [i for i in items if isinstance(i, ParseError)]
    assert len(papers) == text.count("<item>"), path.name
    links = re.findall(r"<link>https://arxiv.org/abs/(\S+)</link>", text)
    assert [p.id for p in papers] == links
    assert sum(p.doi is not None for p in papers) == text.count("<arxiv:DOI>")
    announce_types = re.findall(r"<arxiv:announce_type>([\w-]+)<", text)
    assert [p.extra["announce_type"] for p in papers] == announce_types
    assert set(announce_types) <= set(arxiv_rss.ANNOUNCE_TYPES)
    for paper in papers:
        assert parse_arxiv_id(paper.id) == (paper.id, None) and paper.arxiv_id == paper.id
        assert paper.title and "\n" not in paper.title
        assert paper.abstract and not paper.abstract.startswith(("arXiv:", "Abstract:"))
        assert "Announce Type" not in paper.abstract
        assert paper.authors and all("(" not in name for name in paper.authors)
        assert paper.categories and paper.version is not None
        assert paper.updated is not None and paper.extra["license"]


test_every_shared_sample = xml_fuzz.shared_samples_test(
    RSS, ["arxiv-rss"], 3, check_edge_sample, check_paper_sample
)
