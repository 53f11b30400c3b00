"""OpenAlex works JSON: invented fixtures, bad works, fuzzing, the real samples."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from tests.conftest import FIXTURES
from tests.sources import contract, json_fuzz

from papersift.errors import ServerReportedError
from papersift.sources import openalex

ORIGIN = "openalex.json"
# This format, as the checks every JSON source parser must pass (json_fuzz.py) see it.
OPENALEX = json_fuzz.JsonFormat(
    "openalex", openalex.parse, openalex.sniff, FIXTURES / "openalex", ORIGIN
)
run = OPENALEX.run
read = OPENALEX.read


def work_with(**fields: object) -> bytes:
    work = json.loads(read("work.json"))
    work.update(fields)
    return json.dumps(work).encode()


def test_arxiv_id_is_found_in_locations_alone():
    (paper,), errors = run(read("work.json"))
    assert not errors
    assert (paper.id, paper.arxiv_id, paper.doi) == ("2401.04321", "2401.04321", None)
    assert paper.external_ids == {"openalex": "W4390000001"}
    assert paper.authors == ("Marek Dvořák", "Odile Brennan")
    assert paper.published == dt.date(2024, 1, 1)
    assert paper.link("abs") == "https://arxiv.org/abs/2401.04321"
    assert paper.link("pdf") == "http://arxiv.org/pdf/2401.04321"
    assert paper.extra["venue"] == "arXiv (Cornell University)"


def test_abstract_is_rebuilt_from_the_inverted_index():
    (paper,), _ = run(read("work.json"))
    assert paper.abstract == (
        "Agents that cite their sources hallucinate less, "
        "and the agents that cite more cite better."
    )


def test_abstract_ignores_holes_and_huge_positions():
    index = {"last": [10**12], "first": [0], "middle": [7]}
    (paper,), _ = run(work_with(abstract_inverted_index=index))
    assert paper.abstract == "first middle last"


def test_list_response_journal_article_and_arxiv_preprint():
    papers, errors = run(read("works.json"))
    assert not errors
    article, preprint = papers
    assert (article.id, article.doi, article.arxiv_id) == (
        "doi:10.5555/ijca.2024.0009",
        "10.5555/ijca.2024.0009",
        None,
    )
    assert article.link("pdf") == "https://example.org/ijca-9.pdf"
    assert (preprint.id, preprint.doi) == ("2304.09999", "10.48550/arxiv.2304.09999")
    assert preprint.abstract is None
    assert preprint.extra["type"] == "preprint"


def test_bad_works_are_reported_one_by_one():
    papers, errors = run(read("bad_works.json"))
    assert [paper.id for paper in papers] == ["doi:10.5555/ijca.2024.0009", "2304.09999"]
    assert [(error.record, error.field) for error in errors] == [
        ("W4390000010 (#2)", "title"),
        ("W4390000011 (#3)", "title"),
        ("W4390000012 (#4)", "authorships"),
        ("W4390000013 (#5)", "publication_date"),
        ("W4390000014 (#6)", "abstract_inverted_index"),
        ("#7", "id"),
        ("#8", None),
    ]
    assert errors[1].reason == "expected text, found a number"
    assert "implausible date" in errors[3].reason


def test_an_abstract_index_of_a_million_words_is_refused():
    _, errors = run(work_with(abstract_inverted_index={"spam": list(range(1_000_000))}))
    assert errors[0].field == "abstract_inverted_index"
    assert errors[0].reason.startswith("more than")


def test_server_error_response_is_reported_as_what_the_server_said():
    data = b'{"error": "Invalid query parameters error.", "message": "filter is not valid"}'
    with pytest.raises(ServerReportedError, match="Invalid query parameters"):
        run(data)


test_unreadable_documents_are_one_parse_error = contract.unreadable_documents_test(
    run,
    [
        (read("works.json")[:200], "malformed or truncated JSON"),
        ('{"id": "W1", "title": "Caf\u00e9"}'.encode("latin-1"), "not UTF-8"),
        (b"null", "expected OpenAlex works, found null"),
        (b'{"meta": {"count": 0}}', "no works found"),
    ],
)


def test_empty_result_list_yields_nothing():
    assert run(b'{"meta": {"count": 0}, "results": [], "group_by": []}') == ([], [])


def test_a_ten_megabyte_title_is_a_clear_error():
    json_fuzz.assert_title_too_long(run(work_with(title="t" * 10_000_000)))


test_sniff = contract.sniff_test(
    openalex.sniff,
    [
        ('{"id": "https://openalex.org/W4389761608", "doi": null, "authorships": []', True),
        (
            '{"meta": {"count": 2}, "results": [{"id": "https://openalex.org/W1", "authorships"',
            True,
        ),
        ('{"paperId": "abc", "url": "https://openalex.org/W1"}', False),
        ('[{"id": "k", "type": "article", "title": "t"}]', False),
    ],
)


test_random_bytes_give_only_papers_or_parse_errors = json_fuzz.random_bytes_test(OPENALEX)


test_damaged_fixtures_give_only_papers_or_parse_errors = json_fuzz.damaged_fixtures_test(
    OPENALEX, ["work.json", "works.json"]
)


def test_real_openalex_samples(shared_formats):
    folder = shared_formats / "openalex"
    (pnas,), errors = run((folder / "work_by_doi_W2109415576.json").read_bytes())
    assert not errors
    assert (pnas.id, pnas.arxiv_id, pnas.external_ids) == (
        "doi:10.1073/pnas.1414271111",
        None,
        {"openalex": "W2109415576"},
    )
    raw = json.loads((folder / "work_by_doi_W2109415576.json").read_bytes())
    words = raw["abstract_inverted_index"]
    assert pnas.abstract is not None
    assert len(pnas.abstract.split()) == sum(len(positions) for positions in words.values())
    assert len(pnas.authors) == len(raw["authorships"])

    chemcrow = (folder / "works_title_search_chemcrow_2.json").read_bytes()
    (article, preprint), errors = run(chemcrow)
    assert not errors
    assert (article.id, article.arxiv_id) == ("doi:10.1038/s42256-024-00832-8", None)
    assert (preprint.id, preprint.arxiv_id) == ("2304.05376", "2304.05376")
    # Without its arXiv DOI the preprint is still known by the arxiv.org location alone.
    document = json.loads(chemcrow)
    document["results"][1]["doi"] = None
    (_, no_doi), _ = run(json.dumps(document).encode())
    assert (no_doi.id, no_doi.doi) == ("2304.05376", None)

    (paperqa,), errors = run((folder / "works_title_search_paperqa_1.json").read_bytes())
    assert not errors
    assert paperqa.arxiv_id == "2312.07559"
    assert paperqa.abstract and paperqa.abstract.startswith("Large Language Models (LLMs)")


test_sniff_claims_the_openalex_samples_and_nothing_else = json_fuzz.sniff_claims_test(OPENALEX)
