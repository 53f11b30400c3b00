"""Hugging Face Daily Papers JSON: invented fixtures, bad items, fuzzing, the real sample."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from tests.conftest import FIXTURES
from tests.sources import contract, json_fuzz

from papersift.errors import ServerReportedError
from papersift.records import Link
from papersift.sources import hf_daily

ORIGIN = "daily.json"
# This format, as the checks every JSON source parser must pass (json_fuzz.py) see it.
HF_DAILY = json_fuzz.JsonFormat(
    "hf-daily-papers", hf_daily.parse, hf_daily.sniff, FIXTURES / "hf-daily", ORIGIN
)
run = HF_DAILY.run
read = HF_DAILY.read


def one_item(**paper_fields: object) -> bytes:
    item = json.loads(read("daily_papers.json"))[0]
    item["paper"].update(paper_fields)
    return json.dumps([item], ensure_ascii=False).encode()


def test_daily_list_keeps_hugging_face_signals():
    papers, errors = run(read("daily_papers.json"))
    assert not errors
    assert [paper.id for paper in papers] == ["2603.10412", "2603.09876", "2603.11111"]
    first = papers[0]
    assert first.arxiv_id == "2603.10412"
    assert first.authors == ("Ilse Varga", "Tomasz Oduya")
    assert first.published == dt.date(2026, 3, 10)  # the paper's day, not the item's 20:00Z eve
    assert first.abstract == (
        "We compress client updates with count sketches. Accuracy stays within one point."
    )
    assert first.extra == {
        "upvotes": 42,
        "hf_comments": 3,
        "hf_daily_date": "2026-03-12",
        "ai_summary": "An invented summary of Sparse Gradient Sketches for Federated Fine-Tuning.",
        "ai_keywords": ["invented", "fixture"],
        "github_stars": 17,
    }
    assert first.links == (
        Link("abs", "https://arxiv.org/abs/2603.10412"),
        Link("pdf", "https://arxiv.org/pdf/2603.10412"),
        Link("code", "https://github.com/invented-lab/sparse-sketch"),
        Link("other", "https://invented-lab.github.io/sparse-sketch/"),
    )
    assert first.sources == ("hf-daily",)
    assert papers[1].authors == ("Amara Lindqvist", "Kenji Moreau")  # hidden profile, still author
    assert papers[1].extra["upvotes"] == 0  # zero upvotes is a count, not unknown
    assert papers[1].link("code") is None


def test_single_paper_object_of_api_papers():
    papers, errors = run(read("paper.json"))
    assert not errors
    assert [(p.id, p.extra["upvotes"], p.link("code")) for p in papers] == [
        ("2603.10412", 42, "https://github.com/invented-lab/sparse-sketch")
    ]


def test_bad_items_are_reported_one_by_one():
    papers, errors = run(read("bad_items.json"))
    assert [paper.id for paper in papers] == ["2603.20001", "2603.20009"]
    assert [(error.record, error.field) for error in errors] == [
        ("2603.20002 (#2)", "title"),
        ("2603.20003 (#3)", "title"),
        ("2603.20004 (#4)", "authors"),
        ("2603.20005 (#5)", "publishedAt"),
        ("#6", "id"),
        ("#7", None),
        ("not-an-arxiv-id (#8)", "id"),
    ]
    assert errors[1].reason == "expected text, found a number"
    assert errors[2].reason == "expected an array, found text"
    assert "implausible date" in errors[3].reason


def test_server_error_response_is_reported_as_what_the_server_said():
    with pytest.raises(ServerReportedError, match="must be a valid date"):
        run(b'{"error": "\\"date\\" must be a valid date in the past"}')


test_unreadable_documents_are_one_parse_error = contract.unreadable_documents_test(
    run,
    [
        (b'[{"paper": {"id": "2603.1', "malformed or truncated JSON"),
        ('[{"paper": {"title": "Caf\u00e9"}}]'.encode("latin-1"), "not UTF-8"),
        (b'"a string"', "expected Daily Papers items, found text"),
        (b"", "empty document"),
    ],
)


def test_a_ten_megabyte_title_is_a_clear_error():
    json_fuzz.assert_title_too_long(run(one_item(title="t" * 10_000_000)))


def test_wrongly_typed_extras_are_left_out_not_guessed():
    papers, _ = run(one_item(upvotes="many", githubStars=True, ai_keywords="not a list"))
    assert {"upvotes", "github_stars", "ai_keywords"}.isdisjoint(papers[0].extra)


test_sniff = contract.sniff_test(
    hf_daily.sniff,
    [
        ('[{"paper":{"id":"2603.10412","upvotes":3,"publishedAt":"2026-03-10"}}]', True),
        ('{"id": "2603.10412", "upvotes": 3, "publishedAt": "2026-03-10"}', True),
        ('{"paperId": "abc", "title": "t", "publicationDate": "2024-01-01"}', False),
        ('{"error": "\\"date\\" must be a valid date in the past"}', False),
    ],
)


test_random_bytes_give_only_papers_or_parse_errors = json_fuzz.random_bytes_test(HF_DAILY)


test_damaged_fixtures_give_only_papers_or_parse_errors = json_fuzz.damaged_fixtures_test(
    HF_DAILY, ["daily_papers.json", "paper.json"]
)


def test_real_daily_papers_sample(shared_formats):
    data = (shared_formats / "hf-daily-papers" / "daily_papers_2026-06-12.json").read_bytes()
    papers, errors = run(data)
    raw = json.loads(data)
    assert not errors
    assert [paper.id for paper in papers] == [item["paper"]["id"] for item in raw]
    assert len(papers) == 30
    assert all(paper.id.startswith("2606.") and len(paper.id) == 10 for paper in papers)
    assert {paper.extra["hf_daily_date"] for paper in papers} == {"2026-06-12"}
    assert [paper.extra["upvotes"] for paper in papers] == [i["paper"]["upvotes"] for i in raw]
    with_repo = [paper for paper in papers if paper.link("code")]
    assert len(with_repo) == sum(1 for item in raw if item["paper"].get("githubRepo"))
    assert all(paper.extra.get("ai_summary") for paper in papers)
    for paper, item in zip(papers, raw, strict=True):
        # paper.publishedAt is the arXiv day; the item's own field is 20:00Z the evening before.
        assert paper.published == dt.date.fromisoformat(item["paper"]["publishedAt"][:10])
        assert len(paper.authors) == len(item["paper"]["authors"])


test_sniff_claims_the_daily_papers_sample_and_nothing_else = json_fuzz.sniff_claims_test(HF_DAILY)
