"""The bundled invented corpus: snapshot-shaped, well spread, reproducible, and readable."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

import papersift
from papersift.fusion import query_terms
from papersift.records import Paper
from papersift.sources import snapshot

DATA = Path(papersift.__file__).resolve().parent / "data"
PAPERS = DATA / "demo_papers.jsonl"
QUERIES = DATA / "eval_queries.json"
GENERATOR = Path(__file__).resolve().parents[1] / "tools" / "corpus"

SNAPSHOT_FIELDS = [
    "id", "submitter", "authors", "title", "comments", "journal-ref", "doi", "report-no",
    "categories", "license", "abstract", "versions", "update_date", "authors_parsed",
]  # fmt: skip
WINDOW = (dt.date(2026, 11, 1), dt.date(2026, 11, 21))
_WORD = re.compile(r"[a-z0-9]+")


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in PAPERS.read_text(encoding="ascii").splitlines()]


@pytest.fixture(scope="module")
def queries() -> list[dict]:
    return json.loads(QUERIES.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    sys.path.insert(0, str(GENERATOR))
    try:
        return importlib.import_module("make_corpus")
    finally:
        sys.path.remove(str(GENERATOR))


def version_date(created: str) -> dt.date:
    return dt.datetime.strptime(created, "%a, %d %b %Y %H:%M:%S GMT").date()


def word_set(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def test_lines_are_snapshot_records_plus_topic(records: list[dict]) -> None:
    assert 300 <= len(records) <= 420
    for record in records:
        assert list(record) == [*SNAPSHOT_FIELDS, "topic"]
        assert re.fullmatch(r"2611\.0\d{4}", record["id"])
        assert record["categories"].split()[0] in record["categories"]
        names = record["authors"].replace(" and ", ", ").split(", ")
        assert len(names) == len(record["authors_parsed"]) >= 2
        assert all(len(parts) == 3 and parts[0] for parts in record["authors_parsed"])


def test_abstracts_are_wrapped_like_arxiv(records: list[dict]) -> None:
    for record in records:
        abstract = record["abstract"]
        assert abstract.startswith("  ") and abstract.endswith("\n")
        assert max(len(line) for line in abstract.splitlines()) <= 80
        assert 120 <= len(abstract.split()) <= 220
    assert any("$" in r["abstract"] for r in records), "some abstracts carry LaTeX math"
    assert any("{\\" in r["authors"] for r in records), "some authors carry LaTeX accents"


def test_ids_are_unique_and_ascend_with_submission(records: list[dict]) -> None:
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    created = [
        dt.datetime.strptime(r["versions"][0]["created"], "%a, %d %b %Y %H:%M:%S GMT")
        for r in records
    ]
    assert ids == sorted(ids)
    assert created == sorted(created)


def test_dates_fall_in_the_window_with_full_last_two_days(records: list[dict]) -> None:
    first_versions = Counter()
    for record in records:
        dates = [version_date(v["created"]) for v in record["versions"]]
        assert all(WINDOW[0] <= d <= WINDOW[1] for d in dates)
        assert dates == sorted(dates)
        assert record["update_date"] == dates[-1].isoformat()
        first_versions[dates[0]] += 1
    assert 50 <= first_versions[dt.date(2026, 11, 20)] <= 70
    assert 50 <= first_versions[dt.date(2026, 11, 21)] <= 70
    assert len(first_versions) == 21


def test_every_topic_has_enough_papers(records: list[dict]) -> None:
    topics = Counter(r["topic"] for r in records)
    assert len(topics) >= 12
    assert min(topics.values()) >= 15


def test_no_two_abstracts_are_near_duplicates(records: list[dict]) -> None:
    sets = [word_set(r["abstract"]) for r in records]
    worst = max(len(a & b) / len(a | b) for i, a in enumerate(sets) for b in sets[i + 1 :])
    assert worst < 0.8


def test_file_stays_small() -> None:
    assert PAPERS.stat().st_size < 1_000_000


def test_queries_point_at_existing_papers(records: list[dict], queries: list[dict]) -> None:
    ids = {r["id"] for r in records}
    for query in queries:
        assert query["query"].strip()
        assert 1 <= len(query["relevant"]) <= 3
        assert set(query["relevant"]) <= ids
    kinds = Counter(q["kind"] for q in queries)
    assert set(kinds) == {"keyword", "paraphrase", "mixed"}
    assert min(kinds.values()) >= len(queries) // 4


def test_keyword_queries_share_words_with_their_titles_and_paraphrases_few(
    records: list[dict], queries: list[dict]
) -> None:
    titles = {r["id"]: word_set(r["title"]) for r in records}

    def shared_with_title(query: dict) -> float:
        terms = [t for t in query_terms(query["query"]) if _WORD.fullmatch(t)]
        best = max(len(set(terms) & titles[i]) for i in query["relevant"])
        return best / len(terms)

    keyword = [shared_with_title(q) for q in queries if q["kind"] == "keyword"]
    paraphrase = [shared_with_title(q) for q in queries if q["kind"] == "paraphrase"]
    assert min(keyword) > 0
    assert sum(keyword) / len(keyword) >= 0.5
    assert sum(paraphrase) / len(paraphrase) <= 0.2


def test_snapshot_parser_reads_every_line(records: list[dict]) -> None:
    parsed = list(snapshot.parse(PAPERS.read_bytes(), str(PAPERS)))
    errors = [p for p in parsed if not isinstance(p, Paper)]
    assert errors == []
    assert len(parsed) == len(records)
    by_id = {p.id: p for p in parsed}
    assert set(by_id) == {r["id"] for r in records}
    assert all("\n" not in p.title for p in parsed)
    assert any(not " ".join(p.authors).isascii() for p in parsed), "accents come decoded"


def test_generator_reproduces_the_shipped_files(generator: ModuleType, tmp_path: Path) -> None:
    papers_path, queries_path = generator.write_corpus(tmp_path)
    assert papers_path.read_bytes() == PAPERS.read_bytes()
    assert queries_path.read_bytes() == QUERIES.read_bytes()
