"""arXiv OAI-PMH parser: arXiv, arXivRaw and oai_dc records, errors, tokens, hostile XML."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from tests.sources import xml_fuzz

from papersift.errors import ParseError, ServerReportedError
from papersift.ids import parse_arxiv_id
from papersift.records import Link, Paper
from papersift.sources import arxiv_oai
from papersift.sources.arxiv_oai import split_author_string

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv-oai"
GOOD_FIXTURES = [
    "listrecords_arxiv.xml",
    "listrecords_arxivraw.xml",
    "listrecords_oai_dc.xml",
    "getrecord_arxiv.xml",
    "bad_records.xml",
    "error_badargument.xml",
    "error_norecordsmatch.xml",
]
SHARED_FOLDERS = ["arxiv-oai-arxiv", "arxiv-oai-arxivraw", "arxiv-oai-dc"]
# This format, as the checks every arXiv XML parser must pass (xml_fuzz.py) see it.
OAI = xml_fuzz.ArxivXml("arxiv-oai", arxiv_oai.parse, arxiv_oai.sniff, FIXTURES, GOOD_FIXTURES)
read = OAI.read
papers_of = OAI.papers_of


def test_arxiv_format_record_and_deleted_record_skipped() -> None:
    papers = papers_of("listrecords_arxiv.xml")
    assert [p.id for p in papers] == ["2305.11111", "cs/0601001"]  # 2305.22222 is deleted
    first = papers[0]
    assert first.title == "Curriculum Schedules for Small Vision Transformers"
    assert first.authors == ("Anna Müller", "Chidi E. Okafor Jr", "Maria de la Cruz")
    assert first.categories == ("cs.CV", "cs.LG", "stat.ML")
    assert (first.published, first.updated) == (dt.date(2023, 5, 18), dt.date(2023, 5, 30))
    assert first.version is None  # the arXiv format does not say how many versions exist
    assert first.doi == "10.9999/icv.2023.17"
    assert first.link("abs") == "https://arxiv.org/abs/2305.11111"
    assert first.sources == ("arxiv-oai",)
    assert first.extra == {
        "comments": "9 pages; v2 adds an ablation",
        "journal_ref": "Proc. Invented Conf. 3 (2023) 1-9",
        "license": "http://creativecommons.org/licenses/by/4.0/",
        "report_no": "INV-2023-17",
        "acm_class": "I.2.10",
    }


def test_arxiv_format_record_without_updated_is_its_own_latest_version() -> None:
    old = papers_of("listrecords_arxiv.xml")[1]
    assert old.published == old.updated == dt.date(2006, 1, 2)
    assert old.link("pdf") == "https://arxiv.org/pdf/cs/0601001"


def test_arxiv_raw_versions_give_first_and_latest_dates() -> None:
    first, second = papers_of("listrecords_arxivraw.xml")
    # The fixture lists v1, v3, v2: order comes from the version numbers, not the file.
    assert first.version == 3
    assert first.published == dt.date(2021, 2, 5)
    assert first.updated == dt.date(2023, 5, 30)
    assert first.extra["version_dates"] == ["2021-02-05", "2021-06-14", "2023-05-30"]
    assert first.authors == ("Sofia Rossi", "Tomasz Nowak", "Amara Diallo")
    assert first.doi == "10.9999/ij.2022.5"
    assert first.extra["dois"] == ["10.9999/ij.2022.5", "10.9999/ij.2023.7"]
    assert first.extra["submitter"] == "Sofia Rossi"
    assert first.abstract is not None and '"U" shape' in first.abstract
    assert first.links[-1] == Link("doi", "https://doi.org/10.9999/ij.2022.5")
    assert (second.version, second.authors) == (1, ("Kenji Sato", "Li Wei"))
    assert "dois" not in second.extra


def test_oai_dc_record_takes_id_from_identifier_and_maps_subjects() -> None:
    first, second = papers_of("listrecords_oai_dc.xml")
    assert first.id == "2403.00077"
    assert first.authors == ("Yasmin Haddad", "Ji-woo Park")
    assert first.categories == ("cs.LG", "eess.AS")
    assert first.extra["subjects"] == [
        "Computer Science - Machine Learning",
        "Electrical Engineering and Systems Science - Audio and Speech Processing",
        "Physics - Invented Physics",  # unknown words are kept, not guessed
    ]
    assert first.abstract == "We speed up speech recognition decoding 2.1x with a draft model."
    assert first.extra["comments"] == "5 pages, submitted to an invented workshop"
    assert first.extra["journal_ref"] == "Invented Speech Lett. 4, 12 (2024)"
    assert first.doi == "10.9999/speech.2024.1"
    assert (first.published, first.updated) == (dt.date(2023, 11, 20), dt.date(2024, 2, 28))
    assert second.published == second.updated == dt.date(2024, 2, 29)
    assert "comments" not in second.extra


def test_get_record_response() -> None:
    (paper,) = papers_of("getrecord_arxiv.xml")
    assert paper.id == "2305.11111" and paper.categories == ("cs.CV", "cs.LG")


def test_resumption_token_and_end_of_list() -> None:
    assert arxiv_oai.resumption_token(read("listrecords_arxiv.xml")) == "4171337|1001"
    assert arxiv_oai.resumption_token(read("listrecords_oai_dc.xml")) == "7000001|1001"
    # An empty <resumptionToken/> with attributes marks the last page.
    assert arxiv_oai.resumption_token(read("listrecords_arxivraw.xml")) is None
    assert arxiv_oai.resumption_token(read("getrecord_arxiv.xml")) is None
    assert arxiv_oai.resumption_token(read("error_badargument.xml")) is None


def test_oai_error_reports_code_and_one_line_message() -> None:
    assert arxiv_oai.oai_error(read("error_badargument.xml")) == (
        "badArgument",
        "Illegal argument 'until' for verb 'ListRecords'.",
    )
    assert arxiv_oai.oai_error(read("error_norecordsmatch.xml")) == (
        "noRecordsMatch",
        "No records match the request",
    )
    assert arxiv_oai.oai_error(read("listrecords_arxiv.xml")) is None


def test_helpers_refuse_what_is_not_oai_pmh() -> None:
    with pytest.raises(ParseError):
        arxiv_oai.resumption_token(b"<rss/>")
    with pytest.raises(ParseError):
        arxiv_oai.oai_error(b"<OAI-PMH")


def test_bad_argument_raises_server_reported_error_at_call_time() -> None:
    with pytest.raises(ServerReportedError) as raised:
        arxiv_oai.parse(read("error_badargument.xml"), "e.xml")
    assert raised.value.reason == (
        "OAI-PMH error badArgument: Illegal argument 'until' for verb 'ListRecords'."
    )


def test_no_records_match_is_an_empty_result() -> None:
    assert list(arxiv_oai.parse(read("error_norecordsmatch.xml"), "n.xml")) == []


test_bad_records_are_reported_and_the_others_kept = xml_fuzz.bad_records_test(
    OAI,
    kept=["2301.00001", "2301.00005"],
    rejected=[("2301.00002 (#2)", "title"), ("#3", "id"), ("2301.00004 (#4)", "version date")],
)


def test_ten_megabyte_title_rejects_only_that_record() -> None:
    data = read("listrecords_arxiv.xml").replace(
        b"An Old-Style Record About Perceptrons", b"B" * 10_000_000
    )
    first, second = arxiv_oai.parse(data, "huge.xml")
    assert isinstance(first, Paper) and first.id == "2305.11111"
    assert isinstance(second, ParseError) and (second.record, second.field) == (
        "cs/0601001 (#2)",
        "title",
    )


def test_unknown_metadata_format_is_a_record_error() -> None:
    data = b"""<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record>
    <header><identifier>oai:arXiv.org:2301.00001</identifier></header>
    <metadata><marc xmlns="http://example.org/marc"><title>T</title></marc></metadata>
    </record></ListRecords></OAI-PMH>"""
    (item,) = arxiv_oai.parse(data, "marc.xml")
    assert isinstance(item, ParseError) and item.field == "metadata" and "marc" in item.reason


def test_identify_response_holds_no_records() -> None:
    data = b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><Identify/></OAI-PMH>'
    with pytest.raises(ParseError, match="no ListRecords or GetRecord"):
        arxiv_oai.parse(data, "identify.xml")


test_malformed_xml_is_one_parse_error = xml_fuzz.malformed_xml_test(
    OAI,
    [
        read("listrecords_arxivraw.xml")[:2000],
        b"<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'><ListRecords>",
        b"plain text",
        b"",
    ],
)
test_unsafe_xml_is_refused = xml_fuzz.unsafe_xml_test(OAI)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "D.V. Shetty, S.J. Yennello, and G.A. Souliotis",
            ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"],
        ),
        ("N.C. Summers and F.M. Nunes", ["N.C. Summers", "F.M. Nunes"]),
        ("A. Ng (Univ. X, Dept. Y), B. Li (Lab Z)", ["A. Ng", "B. Li"]),
        ("Alexander Anderson, Sandra Andrews", ["Alexander Anderson", "Sandra Andrews"]),
        ("J. Smith, Jr., K. Jones", ["J. Smith Jr.", "K. Jones"]),
        ("A. One (unclosed, B. Two", ["A. One (unclosed", "B. Two"]),
        ("", []),
    ],
)
def test_split_author_string(text: str, names: list[str]) -> None:
    assert split_author_string(text) == names


test_sniff_recognises_oai_responses = xml_fuzz.sniff_recognises_fixtures_test(OAI)
test_sniff_rejects_other_documents = xml_fuzz.sniff_rejects_test(
    OAI,
    [
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'/>",
        "<rss version='2.0'><channel><link>https://arxiv.org/</link></channel></rss>",
        "<?xml version='1.0'?><!-- OAI-PMH --><record><id>2301.00001</id></record>",
        "OAI-PMH",
        "",
    ],
)
test_random_bytes_give_only_papers_or_parse_errors = xml_fuzz.random_bytes_test(OAI)
test_mutated_fixtures_give_only_papers_or_parse_errors = xml_fuzz.mutated_fixtures_test(OAI)


def check_edge_sample(path: Path, data: bytes) -> None:
    m = re.search(rb'<error code="(\w+)">([^<]*)</error>', data)
    assert m is not None, path.name
    code, message = m.group(1).decode(), m.group(2).decode()
    assert arxiv_oai.oai_error(data) == (code, message)
    assert arxiv_oai.resumption_token(data) is None
    if code == "noRecordsMatch":
        assert list(arxiv_oai.parse(data, path.name)) == []
        return
    with pytest.raises(ServerReportedError) as raised:
        arxiv_oai.parse(data, path.name)
    assert code in raised.value.reason and message in raised.value.reason


def check_paper_sample(path: Path, data: bytes) -> None:
    text = data.decode()
    items = list(arxiv_oai.parse(data, path.name))
    papers = [item for item in items if isinstance(item, Paper)]
    assert len(papers) == len(items), [i for i in items if isinstance(i, ParseError)]
    live = text.count("<record>") - text.count('status="deleted"')
    assert len(papers) == live, path.name
    token = re.search(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>", text)
    assert arxiv_oai.resumption_token(data) == (token.group(1) if token else None)
    identifiers = re.findall(r"<identifier>oai:arXiv.org:(\S+)</identifier>", text)
    assert [p.id for p in papers] == identifiers
    for paper in papers:
        assert parse_arxiv_id(paper.id) == (paper.id, None) and paper.arxiv_id == paper.id
        assert paper.title and "\n" not in paper.title
        assert paper.abstract and paper.authors
        assert paper.published is not None and paper.updated is not None
        assert paper.published <= paper.updated
        assert paper.link("abs") == f"https://arxiv.org/abs/{paper.id}"
    if "<arXivRaw" in text:
        # Every <version> element is counted: the latest version number is how many there are.
        assert sum(p.version or 0 for p in papers) == text.count("<version version=")
    if "<oai_dc:dc" in text:
        assert sum(len(p.authors) for p in papers) == text.count("<dc:creator>")
    # oai_dc subjects are words; every one in the samples maps to a known category code.
    assert all(p.categories for p in papers)


test_every_shared_sample = xml_fuzz.shared_samples_test(
    OAI, SHARED_FOLDERS, 7, check_edge_sample, check_paper_sample
)
