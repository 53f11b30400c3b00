"""arXiv metadata snapshot: invented fixtures, bad lines, chunks, fuzzing, real samples."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import FIXTURES
from tests.sources import contract, json_fuzz

from papersift.errors import ParseError
from papersift.records import Paper
from papersift.sources import snapshot

ORIGIN = "snapshot.jsonl"
# This format, as the checks every JSON source parser must pass (json_fuzz.py) see it.
SNAPSHOT = json_fuzz.JsonFormat(
    "arxiv-snapshot", snapshot.parse, snapshot.sniff, FIXTURES / "arxiv-snapshot", ORIGIN
)
run = SNAPSHOT.run
read = SNAPSHOT.read


def line(**fields: object) -> bytes:
    record = json.loads(read("snapshot.jsonl").splitlines()[0])
    record.update(fields)
    return json.dumps(record, ensure_ascii=False).encode()


@pytest.fixture
def fixture_papers() -> dict[str, Paper]:
    papers, errors = run(read("snapshot.jsonl"))
    assert not errors
    return {paper.id: paper for paper in papers}


def test_versions_give_published_updated_and_version(fixture_papers):
    paper = fixture_papers["2403.01234"]
    assert (paper.published, paper.updated, paper.version) == (
        dt.date(2024, 3, 2),
        dt.date(2024, 9, 3),
        3,
    )
    assert paper.arxiv_id == "2403.01234"
    assert paper.categories == ("cs.LG", "stat.ML", "cs.CL")
    assert paper.doi == "10.5555/ijl.2024.0042"
    assert paper.sources == ("arxiv-snapshot",)
    assert paper.link("abs") == "https://arxiv.org/abs/2403.01234"
    assert paper.link("pdf") == "https://arxiv.org/pdf/2403.01234"


def test_authors_come_from_authors_parsed_in_order(fixture_papers):
    # "C. -P." is how the snapshot splits the initials "C.-P."; the suffix goes last.
    assert fixture_papers["2403.01234"].authors == (
        "Mira Okonkwo",
        "C.-P. Lindqvist",
        "Tomas Ferreira Jr.",
    )


def test_wrapped_fields_are_joined_and_raw_text_kept(fixture_papers):
    paper = fixture_papers["2403.01234"]
    assert paper.title == "Gradient Sketching for Memory-Light Fine-Tuning"
    assert paper.title_raw == "Gradient Sketching for\n  Memory-Light Fine-Tuning"
    assert paper.abstract is not None and paper.abstract.startswith("We sketch gradients with $O(")
    assert paper.extra == {
        "journal_ref": "Invented J. Learn. 3 (2024) 101-112",
        "comments": "12 pages, 4 figures; accepted at an invented workshop",
        "license": "http://creativecommons.org/licenses/by/4.0/",
    }


def test_withdrawn_paper_is_kept_and_flagged(fixture_papers):
    withdrawn = [paper.id for paper in fixture_papers.values() if paper.extra.get("withdrawn")]
    assert withdrawn == ["2404.00077"]
    assert fixture_papers["2404.00077"].version == 2


def test_old_style_id_and_affiliation_left_out_of_the_name(fixture_papers):
    paper = fixture_papers["hep-th/9901001"]
    assert paper.arxiv_id == "hep-th/9901001"
    assert paper.authors == ("Ilse Marchetti", "Paul Dubois")
    assert paper.published == dt.date(1999, 1, 1)
    assert paper.link("abs") == "https://arxiv.org/abs/hep-th/9901001"


def test_author_string_is_used_when_authors_parsed_is_missing(fixture_papers):
    paper = fixture_papers["2405.11111"]
    assert paper.authors == ("Zoltán Balázs", "Renée Duval")
    assert paper.title == "Balázs-Duval Estimators for GAN Training"
    assert "$\\epsilon_{n}$" in (paper.abstract or "")  # math stays as written


@pytest.mark.parametrize("name", ["pretty_record.json", "records_array.json"])
def test_pretty_printed_record_and_json_array(name, fixture_papers):
    papers, errors = run(read(name))
    assert not errors
    assert papers and all(paper == fixture_papers[paper.id] for paper in papers)


def test_bad_lines_are_reported_by_line_and_the_rest_kept():
    papers, errors = run(read("bad_lines.jsonl"))
    assert [paper.id for paper in papers] == ["2406.00001", "2406.00010"]
    assert [(error.record, error.field) for error in errors] == [
        ("line 2", None),
        ("2406.00003 (line 3)", "title"),
        ("2406.00004 (line 4)", "title"),
        ("2406.00006 (line 6)", "authors"),
        ("2406.00007 (line 7)", "published"),
        ("not an id (line 8)", "id"),
        ("line 9", None),
        ("line 11", None),
    ]
    assert "malformed or truncated JSON" in errors[0].reason
    assert errors[2].reason == "expected text, found a number"
    assert "9999" in errors[4].reason
    assert errors[-1].one_line().startswith(f"{ORIGIN}: record line 11: malformed")


def test_first_line_numbers_a_chunk_from_the_middle_of_a_file():
    _, errors = run(read("bad_lines.jsonl"), first_line=1001)
    assert errors[0].record == "line 1002"
    assert errors[-1].record == "line 1011"


@json_fuzz.FUZZ
@given(st.data())
def test_chunks_ending_at_newlines_give_the_same_records_as_the_whole(data):
    whole = read("snapshot.jsonl") + read("bad_lines.jsonl")
    newlines = [i + 1 for i, byte in enumerate(whole) if byte == ord("\n")]
    cuts = sorted(set(data.draw(st.lists(st.sampled_from(newlines), max_size=4))))
    out, start, first_line = [], 0, 1
    for cut in [*cuts, len(whole)]:
        chunk = whole[start:cut]
        out += list(snapshot.parse(chunk, ORIGIN, first_line=first_line))
        first_line += chunk.count(b"\n")
        start = cut
    expected = list(snapshot.parse(whole, ORIGIN))
    assert [_comparable(item) for item in out] == [_comparable(item) for item in expected]


def _comparable(item: Paper | ParseError) -> object:
    return item if isinstance(item, Paper) else item.one_line()


def test_a_latin1_line_is_one_error_among_good_lines():
    latin1 = line(id="2406.00002", title="Caf\u00e9 Networks").decode().encode("latin-1")
    papers, errors = run(b"\n".join([line(id="2406.00001"), latin1, line(id="2406.00003")]))
    assert [paper.id for paper in papers] == ["2406.00001", "2406.00003"]
    assert [(error.record, error.reason) for error in errors] == [
        ("line 2", f"not UTF-8 (byte 0xe9 at offset {latin1.index(0xE9)})")
    ]


def test_crlf_line_ends_blank_lines_and_a_bom_are_tolerated():
    data = b"\xef\xbb\xbf" + line(id="2406.00001") + b"\r\n\r\n" + line(id="2406.00002") + b"\r\n"
    papers, errors = run(data)
    assert not errors
    assert [paper.id for paper in papers] == ["2406.00001", "2406.00002"]


@pytest.mark.parametrize("data", [b"", b"\n\n  \n"])
def test_blank_input_yields_nothing(data):
    assert run(data) == ([], [])


def test_a_ten_megabyte_title_is_a_clear_error():
    json_fuzz.assert_title_too_long(run(line(id="2406.00001", title="x" * 10_000_000)))


def test_a_truncated_pretty_printed_record_is_one_error_for_the_file():
    data = read("pretty_record.json")
    with pytest.raises(ParseError, match="malformed or truncated JSON"):
        run(data[: len(data) // 2])


def test_a_json_value_that_holds_no_records_is_an_error():
    with pytest.raises(ParseError, match="expected snapshot records, found text"):
        run(b'"just text"\n')


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("versions", "v1", "expected an array of objects, found text"),
        ("versions", [{"version": "v1", "created": "someday"}], "unreadable date 'someday'"),
        ("categories", ["cs.LG"], "expected text, found an array"),
        ("id", 704.0001, "expected text, found a number"),
    ],
)
def test_wrong_types_name_the_field(field, value, reason):
    _, errors = run(line(**{field: value}))
    assert (errors[0].field, errors[0].reason) == (field, reason)


test_sniff = contract.sniff_test(
    snapshot.sniff,
    [
        ('{"id":"2403.01234","authors_parsed":[],"update_date":"2024-01-01"}', True),
        ('{\n  "id": "x",\n  "update_date": "2024",\n  "authors_parsed": [\n', True),
        ('[{"paperId": "abc", "title": "t"}]', False),
        ('<record "authors_parsed" "update_date">', False),
        ('[{"id": "k", "type": "article", "title": "t", "issued": {}}]', False),
    ],
)


test_random_bytes_give_only_papers_or_parse_errors = json_fuzz.random_bytes_test(SNAPSHOT)


test_damaged_fixtures_give_only_papers_or_parse_errors = json_fuzz.damaged_fixtures_test(
    SNAPSHOT, ["snapshot.jsonl", "pretty_record.json", "records_array.json"]
)


def test_real_snapshot_samples(shared_formats):
    folder = shared_formats / "arxiv-snapshot"
    kaggle = (folder / "kaggle_head_200_0704.jsonl").read_bytes()
    papers, errors = run(kaggle)
    assert not errors
    assert [paper.id for paper in papers] == [f"0704.{n:04d}" for n in range(1, 201)]
    by_id = {paper.id: paper for paper in papers}
    first = by_id["0704.0001"]
    # authors_parsed has the accent decoded ("Balázs") where `authors` has LaTeX (Bal\'azs).
    assert first.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan")
    assert (first.published, first.updated, first.version) == (
        dt.date(2007, 4, 2),
        dt.date(2007, 7, 24),
        2,
    )
    assert by_id["0704.0025"].authors == ("A. S. Mishchenko", "N. Nagaosa")  # affiliations dropped
    assert by_id["0704.0156"].extra.get("withdrawn") is True
    assert sum(1 for paper in papers if paper.extra.get("withdrawn")) < 5
    assert all(paper.published and paper.version for paper in papers)

    old, old_errors = run((folder / "old_style_id_supr-con_9609003.json").read_bytes())
    assert not old_errors
    assert [(p.id, p.categories, p.published, p.doi, p.authors) for p in old] == [
        (
            "supr-con/9609003",
            ("supr-con", "cond-mat.supr-con"),
            dt.date(1996, 9, 18),
            "10.1143/jpsj.65.3131",
            ("Yasumasa Hasegawa",),
        )
    ]


def test_real_snapshot_read_in_chunks_as_the_ingest_pipeline_does(shared_formats):
    kaggle = (shared_formats / "arxiv-snapshot" / "kaggle_head_200_0704.jsonl").read_bytes()
    lines = kaggle.splitlines(keepends=True)
    chunks = [b"".join(lines[start : start + 37]) for start in range(0, len(lines), 37)]
    ids = [
        paper.id
        for number, chunk in enumerate(chunks)
        for paper in snapshot.parse(chunk, ORIGIN, first_line=1 + 37 * number)
    ]
    assert ids == [f"0704.{n:04d}" for n in range(1, 201)]


test_sniff_claims_the_snapshot_samples_and_nothing_else = json_fuzz.sniff_claims_test(SNAPSHOT)
