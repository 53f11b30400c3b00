"""Semantic Scholar Graph API JSON: invented fixtures, bad papers, fuzzing, the real samples."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from tests.conftest import FIXTURES
from tests.sources import contract, json_fuzz

from papersift.errors import ServerReportedError
from papersift.records import Paper
from papersift.sources import openalex, semantic_scholar
from papersift.text import match_key, surname

ORIGIN = "s2.json"
ARXIV_PAPER = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
# This format, as the checks every JSON source parser must pass (json_fuzz.py) see it.
S2 = json_fuzz.JsonFormat(
    "semantic-scholar",
    semantic_scholar.parse,
    semantic_scholar.sniff,
    FIXTURES / "semantic-scholar",
    ORIGIN,
)
run = S2.run
read = S2.read


def paper_with(**fields: object) -> bytes:
    paper = json.loads(read("paper.json"))
    paper.update(fields)
    return json.dumps(paper).encode()


def test_single_paper_with_arxiv_id_and_doi():
    (paper,), errors = run(read("paper.json"))
    assert not errors
    assert (paper.id, paper.arxiv_id, paper.doi) == (
        "2401.04321",
        "2401.04321",
        "10.48550/arxiv.2401.04321",
    )
    assert paper.abstract is None  # S2 sends null abstracts; unknown stays None
    assert paper.authors == ("Marek Dv'orak", "Odile Brennan")
    assert paper.published == dt.date(2024, 1, 9)
    assert paper.external_ids == {
        "s2": ARXIV_PAPER,
        "s2_corpus": "267000001",
        "dblp": "journals/corr/abs-2401-04321",
    }
    assert paper.extra["tldr"] == "Agents that cite sources hallucinate less."
    assert paper.extra["venue"] == "arXiv.org"
    assert paper.link("abs") == "https://arxiv.org/abs/2401.04321"
    assert paper.link("pdf") is None  # openAccessPdf {"url": ""} means no PDF


def test_search_response_ids_fall_back_from_arxiv_to_doi_to_s2():
    papers, errors = run(read("search.json"))
    assert not errors
    assert [paper.id for paper in papers] == [
        "2401.04321",
        "doi:10.5555/itt.2021.77",
        "s2:1111111111111111111111111111111111111111",
    ]
    doi_only, bare = papers[1], papers[2]
    assert doi_only.link("pdf") == "https://example.org/itt.pdf"
    assert doi_only.extra["venue"] == "Invented Conference on Tables"
    assert "venue" not in bare.extra  # "" is no venue
    assert (bare.published, bare.extra["year"]) == (None, 1998)  # a year is not a day


def test_batch_response_skips_null_entries_for_unknown_ids():
    papers, errors = run(read("batch.json"))
    assert not errors
    assert [paper.external_ids["s2"][:4] for paper in papers] == ["0f0e", "1111"]


def test_bad_papers_are_reported_one_by_one():
    papers, errors = run(read("bad_papers.json"))
    assert [paper.id for paper in papers] == [
        "doi:10.5555/itt.2021.77",
        "s2:6666666666666666666666666666666666666666",
    ]
    assert [(error.record, error.field) for error in errors] == [
        ("2222222222222222222222222222222222222222 (#2)", "title"),
        ("3333333333333333333333333333333333333333 (#3)", "title"),
        ("4444444444444444444444444444444444444444 (#4)", "authors"),
        ("5555555555555555555555555555555555555555 (#5)", "publicationDate"),
        ("#6", "id"),
        ("#7", None),
    ]
    assert errors[1].reason == "expected text, found an array"
    assert "implausible date" in errors[3].reason


def test_server_error_response_is_reported_as_what_the_server_said():
    with pytest.raises(ServerReportedError, match="Paper with id DOI:10.5555/none not found"):
        run(read("error.json"))


def test_a_multi_line_server_message_is_reported_on_one_line():
    with pytest.raises(ServerReportedError) as raised:
        run(b'{"message": "Too Many Requests.\\nSlow down.", "code": "429"}')
    assert raised.value.reason == "Semantic Scholar API error: Too Many Requests. Slow down."


def test_search_without_hits_yields_nothing():
    assert run(b'{"total": 0, "offset": 0}') == ([], [])


def test_citation_lists_unwrap_the_citing_paper():
    data = json.dumps({"offset": 0, "data": [{"citingPaper": json.loads(read("paper.json"))}]})
    papers, _ = run(data.encode())
    assert [paper.id for paper in papers] == ["2401.04321"]


test_unreadable_documents_are_one_parse_error = contract.unreadable_documents_test(
    run,
    [
        (read("search.json")[:-40], "malformed or truncated JSON"),
        ('{"paperId": "x", "title": "Caf\u00e9"}'.encode("latin-1"), "not UTF-8"),
        (b"42", "expected Semantic Scholar papers, found a number"),
        (b'{"unrelated": true}', "no papers found"),
    ],
)


def test_a_ten_megabyte_title_is_a_clear_error():
    json_fuzz.assert_title_too_long(run(paper_with(title="t" * 10_000_000)))


def test_wrongly_typed_external_ids_are_a_clear_error():
    _, errors = run(paper_with(externalIds=["ArXiv", "2401.04321"]))
    assert (errors[0].field, errors[0].reason) == (
        "externalIds",
        "expected an object, found an array",
    )


test_sniff = contract.sniff_test(
    semantic_scholar.sniff,
    [
        ('{"paperId": "abc", "externalIds": {}}', True),
        ('[null, {"paperId": "abc"}]', True),
        ('{"total": 3, "offset": 0, "data": [{"paperId": "abc"', True),
        ('{"id": "https://openalex.org/W1", "authorships": []}', False),
        ('{"count": 1, "notes": [{"forum": "x", "content": {}}]}', False),
    ],
)


test_random_bytes_give_only_papers_or_parse_errors = json_fuzz.random_bytes_test(S2)


test_damaged_fixtures_give_only_papers_or_parse_errors = json_fuzz.damaged_fixtures_test(
    S2, ["paper.json", "search.json", "batch.json"]
)


def test_real_semantic_scholar_samples(shared_formats):
    folder = shared_formats / "semantic-scholar"
    search, errors = run((folder / "paper_search_turing_100.json").read_bytes())
    assert not errors
    assert len(search) == 100
    assert sum(1 for paper in search if paper.arxiv_id) == 26
    assert sum(1 for paper in search if paper.abstract is None) == 28
    by_arxiv = {paper.arxiv_id: paper for paper in search if paper.arxiv_id}
    assert by_arxiv["1410.5401"].title == "Neural Turing Machines"
    assert all(paper.external_ids["s2"] for paper in search)
    assert len({paper.id for paper in search}) == 100

    batch, errors = run((folder / "paper_batch_3.json").read_bytes())
    assert not errors
    assert [paper.id.split(":")[0] for paper in batch] == ["doi", "doi", "doi"]
    assert batch[2].doi == "10.1257/rct.1355"
    assert batch[2].published is None


def test_paperqa_appears_in_semantic_scholar_and_openalex_as_one_paper(shared_formats):
    s2_data = shared_formats / "semantic-scholar" / "paper_by_doi_arxiv_2312.07559.json"
    oa_data = shared_formats / "openalex" / "works_title_search_paperqa_1.json"
    (s2,), _ = run(s2_data.read_bytes())
    (oa,) = list(openalex.parse(oa_data.read_bytes(), "openalex.json"))
    assert isinstance(oa, Paper)
    assert s2.id == oa.id == "2312.07559"
    assert s2.doi == oa.doi == "10.48550/arxiv.2312.07559"
    # The first author is spelled "L'ala" by S2 and "Lála" by OpenAlex: one match key.
    assert (s2.authors[0], oa.authors[0]) == ("Jakub L'ala", "Jakub Lála")
    assert match_key(surname(s2.authors[0])) == match_key(surname(oa.authors[0]))
    assert match_key(s2.title) == match_key(oa.title)


test_sniff_claims_the_semantic_scholar_samples_and_nothing_else = json_fuzz.sniff_claims_test(S2)
