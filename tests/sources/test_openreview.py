"""OpenReview notes JSON (API v2 and v1): invented fixtures, bad notes, fuzzing, the real sample."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from tests.conftest import FIXTURES
from tests.sources import contract, json_fuzz

from papersift.errors import ServerReportedError
from papersift.records import Link, Paper
from papersift.sources import openreview

ORIGIN = "notes.json"
# This format, as the checks every JSON source parser must pass (json_fuzz.py) see it.
OPENREVIEW = json_fuzz.JsonFormat(
    "openreview", openreview.parse, openreview.sniff, FIXTURES / "openreview", ORIGIN
)
run = OPENREVIEW.run
read = OPENREVIEW.read


def note_with(**content: object) -> bytes:
    note = json.loads(read("notes.json"))["notes"][0]
    note["content"].update({key: {"value": value} for key, value in content.items()})
    return json.dumps(note).encode()


@pytest.fixture
def notes() -> list[Paper]:
    papers, errors = run(read("notes.json"))
    assert not errors
    return papers


def test_submission_values_are_unwrapped(notes):
    paper = notes[0]
    assert (paper.id, paper.arxiv_id, paper.doi) == ("openreview:AbCdEf1234", None, None)
    assert paper.title == "Sparse Mixtures of Tiny Experts"
    assert paper.authors == ("Lena Okafor", "Ravi Sundaram")
    assert paper.external_ids == {"openreview": "AbCdEf1234"}
    assert paper.published == dt.date(2025, 1, 22)  # pdate, epoch ms 1737562384096
    assert paper.links == (
        Link("openreview", "https://openreview.net/forum?id=AbCdEf1234"),
        Link("pdf", "https://openreview.net/pdf/0123456789abcdef0123456789abcdef01234567.pdf"),
    )
    assert paper.extra == {
        "venue": "Invented 2025 Poster",
        "venueid": "Invented.cc/2025/Conference",
        "keywords": ["mixture of experts", "sparsity"],
        "primary_area": "foundation or frontier models",
        "tldr": "Many tiny experts beat a few big ones.",
        "license": "CC BY 4.0",
    }


def test_dblp_import_keeps_its_doi_and_external_pdf(notes):
    paper = notes[1]
    assert (paper.id, paper.doi) == ("openreview:GhIjKl5678", "10.5555/invnet.2024.17")
    assert paper.link("pdf") == "https://example.org/invnet-2024-17.pdf"
    assert paper.published == dt.date(2024, 1, 1)


def test_orcid_import_has_author_objects_and_external_ids(notes):
    paper = notes[2]
    assert paper.authors == ("Sana Idris", "Piet de Vries")
    assert paper.doi == "10.5555/acl.2019.0099"
    assert paper.link("pdf") is None
    assert paper.link("other") == "https://example.org/publications/relation-extraction"


def test_an_arxiv_link_makes_the_arxiv_id_canonical(notes):
    paper = notes[3]
    assert (paper.id, paper.arxiv_id) == ("2409.01234", "2409.01234")
    assert paper.external_ids == {"openreview": "StUvWx3456"}
    assert paper.link("openreview") == "https://openreview.net/forum?id=StUvWx3456"
    assert paper.published == dt.date(2024, 9, 24)  # no pdate or odate: cdate


def test_api_v1_note_with_plain_values():
    (paper,), errors = run(read("note_v1.json"))
    assert not errors
    assert (paper.id, paper.title, paper.authors) == (
        "openreview:YzAb7890Cd",
        "Warm Starts for Tiny Transformers",
        ("Ada Brandt", "Iker Olano"),
    )
    assert paper.link("pdf") == (
        "https://openreview.net/pdf/fedcba9876543210fedcba9876543210fedcba98.pdf"
    )


def test_bad_notes_are_reported_one_by_one():
    papers, errors = run(read("bad_notes.json"))
    assert [paper.id for paper in papers] == ["openreview:Good000001", "openreview:Good000009"]
    assert [(error.record, error.field) for error in errors] == [
        ("NoTitle002 (#2)", "title"),
        ("NumTitle03 (#3)", "title"),
        ("StrAuth004 (#4)", "authors"),
        ("Year999905 (#5)", "published"),
        ("BadDate006 (#6)", "pdate"),
        ("#7", "id"),
        ("#8", None),
    ]
    assert errors[1].reason == "expected text, found a number"
    assert errors[3].reason == "implausible date 9999-12-31"
    assert errors[4].reason == "expected epoch milliseconds, found text"


@pytest.mark.parametrize("millis", [10**17, -(10**17)])
def test_timestamps_beyond_any_calendar_are_a_clear_error(millis):
    note = json.loads(note_with())
    note["pdate"] = millis
    _, errors = run(json.dumps(note).encode())
    assert (errors[0].field, errors[0].reason) == ("pdate", f"implausible timestamp {millis}")


def test_server_error_response_is_reported_as_what_the_server_said():
    with pytest.raises(ServerReportedError, match="The Note XyZ was not found"):
        run(read("error.json"))


test_unreadable_documents_are_one_parse_error = contract.unreadable_documents_test(
    run,
    [
        (read("notes.json")[:-3], "malformed or truncated JSON"),
        ('{"notes": [{"content": {"title": "Caf\u00e9"}}]}'.encode("latin-1"), "not UTF-8"),
        (b"true", "expected OpenReview notes, found a boolean"),
        (b'{"count": 0}', "no notes found"),
    ],
)


def test_a_ten_megabyte_title_is_a_clear_error():
    json_fuzz.assert_title_too_long(run(note_with(title="t" * 10_000_000)))


test_sniff = contract.sniff_test(
    openreview.sniff,
    [
        ('{"count": 10000, "notes": [{"content": {"venue": {"value": "x"}}, "forum": "a"', True),
        ('{"id": "a", "forum": "a", "content": {"title": "t"}}', True),
        ('{"paperId": "abc", "externalIds": {}, "content": "x"}', False),
    ],
)


test_random_bytes_give_only_papers_or_parse_errors = json_fuzz.random_bytes_test(OPENREVIEW)


test_damaged_fixtures_give_only_papers_or_parse_errors = json_fuzz.damaged_fixtures_test(
    OPENREVIEW, ["notes.json", "note_v1.json"]
)


def test_real_openreview_sample(shared_formats):
    data = (shared_formats / "openreview" / "notes_search_v2_6.json").read_bytes()
    papers, errors = run(data)
    assert not errors
    raw = json.loads(data)["notes"]
    assert [paper.id for paper in papers] == [f"openreview:{note['forum']}" for note in raw]
    assert len(papers) == 6  # "count" says 10000; only what was returned is read
    by_forum = {paper.external_ids["openreview"]: paper for paper in papers}
    orcid = by_forum["iaA07eD0bP"]  # authors as {"fullname", "username"?} objects
    assert orcid.authors[-1] == "Sophia Ananiadou"
    assert orcid.doi == "10.18653/v1/p19-1423"
    spotlight = by_forum["Gj5JTAwdoy"]
    assert spotlight.extra["venue"] == "ICLR 2025 Spotlight"
    assert spotlight.link("pdf") == (
        "https://openreview.net/pdf/e0b307e9b7220cc8ec5717503ac193aff6bb2737.pdf"
    )
    assert spotlight.published == dt.date(2025, 1, 22)
    dblp = [paper for paper in papers if paper.extra["venueid"].startswith("dblp.org/")]
    assert len(dblp) == 2
    assert all(paper.doi and paper.published == dt.date(2024, 1, 1) for paper in dblp)
    rejected = [p for p in papers if p.extra["venueid"].endswith("/Rejected_Submission")]
    assert [p.extra["venue"] for p in rejected] == [
        "Submitted to ICLR 2024",
        "Submitted to ICLR 2025",
    ]
    assert all(paper.abstract and paper.authors for paper in papers)


test_sniff_claims_the_openreview_sample_and_nothing_else = json_fuzz.sniff_claims_test(OPENREVIEW)
