"""CSL-JSON reader-library exports: our invented fixtures, bad JSON, fuzzing, real samples."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import strategies as st
from tests.sources import contract, library_fuzz

from papersift.errors import ParseError
from papersift.records import Paper
from papersift.sources import csl

ORIGIN = "library.json"
# This format, as the checks every library export parser must pass (library_fuzz.py) see it.
CSL = library_fuzz.LibraryFormat("csl-json", ".json", csl.parse, csl.sniff, ORIGIN)
run = CSL.run


def read(fixtures: Path, name: str) -> bytes:
    return (fixtures / "csl-json" / name).read_bytes()


def item(**fields: object) -> bytes:
    return json.dumps([{"id": "k", "type": "article-journal", **fields}]).encode()


@pytest.fixture
def library(fixtures: Path) -> tuple[list[Paper], list[ParseError]]:
    return run(read(fixtures, "better-csl-library.json"))


def test_arxiv_preprints_in_both_zotero_shapes(library):
    papers, _ = library
    new_shape, old_shape = papers[0], papers[1]
    assert (new_shape.id, new_shape.doi) == ("2402.09999", "10.48550/arxiv.2402.09999")
    assert new_shape.published == dt.date(2024, 2, 29)  # "2024" as a string in date-parts
    assert old_shape.id == "1703.05555"  # from container-title "arXiv:1703.05555 [cs, stat]"
    assert "venue" not in old_shape.extra
    assert old_shape.link("abs") == "https://arxiv.org/abs/1703.05555"


def test_rich_text_title_names_and_ids(library):
    papers, _ = library
    old_shape, conference, book = papers[1], papers[2], papers[3]
    assert old_shape.title == "Graph Priors for Tabular Transformers"
    assert old_shape.title_raw == "Graph Priors for <i>Tabular</i> Transformers"
    assert old_shape.authors == ("Chidi Okafor", "Rosa de la Cruz")
    assert conference.authors == ("Simran Kaur", "Imaginary Learning Consortium")
    assert book.authors == ("Jörg Müller", "Ludwig van Beethoven")
    assert conference.id == "doi:10.5555/icl.2019.42"
    assert conference.extra == {
        "venue": "Proceedings of the Invented Conference on Learning",
        "type": "paper-conference",
        # What exports need to give the reference back as it came (papersift.export).
        "pages": "1-9",
        "url": "https://proceedings.example.org/icl2019/42",
        "date_parts": 2,
    }
    assert conference.published == dt.date(2019, 6, 1)
    assert book.id == "csl:muellerBookOfLosses2010"
    assert book.external_ids == {
        "csl": "muellerBookOfLosses2010",
        "citekey": "muellerBookOfLosses2010",
    }
    assert book.sources == ("csl-json",)


def test_an_item_without_title_is_reported_by_its_id(library):
    papers, errors = library
    assert len(papers) == 4
    assert [(e.record, e.field, e.reason) for e in errors] == [
        ("zotero-7 (#5)", "title", "missing")
    ]


def test_a_single_item_object_is_accepted(fixtures):
    papers, errors = run(read(fixtures, "zotero-single-item.json"))
    assert errors == []
    (paper,) = papers
    assert (paper.id, paper.doi) == ("2210.01234", "10.48550/arxiv.2210.01234")
    assert paper.external_ids == {"csl": "http://zotero.org/users/1/items/INVENTED"}
    assert paper.published == dt.date(2022, 1, 1)


def test_items_of_the_wrong_shape_are_reported_one_by_one(fixtures):
    papers, errors = run(read(fixtures, "wrong-shapes.json"))
    assert [p.id for p in papers] == ["doi:10.5555/fine.1", "csl:rawDate"]
    assert papers[1].published == dt.date(2018, 11, 2)  # `issued.raw`
    assert [(e.record, e.field) for e in errors] == [
        ("#2", None),
        ("numberTitle (#3)", "title"),
        ("authorString (#4)", "author"),
        ("farFuture (#5)", "issued"),
        ("badMonth (#6)", "issued"),
    ]
    assert "implausible" in errors[3].reason and "9999" in errors[3].reason


test_unreadable_documents_are_one_parse_error = contract.unreadable_documents_test(
    run,
    [
        (b'[{"id": "a", "title": "Cut', "malformed or truncated JSON"),
        (b"", "empty document"),
        ('[{"id": "a", "title": "Caf\u00e9"}]'.encode("latin-1"), "not UTF-8"),
        (b'"just a string"', "expected a CSL-JSON array"),
        (b"3", "expected a CSL-JSON array"),
    ],
)


def test_a_ten_megabyte_title_is_a_clear_error():
    papers, errors = run(item(title="A" * 10_000_000))
    assert papers == []
    assert (errors[0].field, "too long" in errors[0].reason) == ("title", True)


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        ({"date-parts": [[2020, 2, 3]]}, dt.date(2020, 2, 3)),
        ({"date-parts": [["2020", "2"]]}, dt.date(2020, 2, 1)),
        ({"date-parts": [[2019, 5], [2019, 9]]}, dt.date(2019, 5, 1)),  # a range: its start
        ({"date-parts": [[]]}, None),
        ({"date-parts": [[None]]}, None),
        ({"literal": "Spring, some year"}, None),
        ("2015-07-01", dt.date(2015, 7, 1)),
        (None, None),
    ],
)
def test_issued_forms(issued, expected):
    papers, errors = run(item(title="Dated", issued=issued))
    assert errors == []
    assert papers[0].published == expected


@pytest.mark.parametrize(
    "issued",
    [
        {"date-parts": [[9999]]},
        {"date-parts": [[10**15]]},
        {"date-parts": [["year"]]},
        {"date-parts": 2020},
        [2020],
        {"date-parts": [[2020.5]]},
    ],
)
def test_bad_issued_values_are_errors_of_the_issued_field(issued):
    _, errors = run(item(title="Dated", issued=issued))
    assert [e.field for e in errors] == ["issued"]


test_sniff = contract.sniff_test(
    csl.sniff,
    [
        ('[\n  {"id":"a","issued":{"date-parts":[[2020]]}}', True),
        ('{"id": "a", "type": "article-journal", "title": "x"}', True),
        ('[{"id": "W1", "type": "article", "publication_date": "2020-01-01"}]', False),
        ("TY  - JOUR\n", False),
        ('@article{a, title={"issued": 1}}', False),
    ],
)


# --- hypothesis: nothing but Paper / ParseError ever comes out ---------------------------------


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "title",
                    "author",
                    "issued",
                    "date-parts",
                    "DOI",
                    "URL",
                    "number",
                    "container-title",
                    "family",
                    "given",
                    "literal",
                    "raw",
                    "abstract",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


test_random_bytes = library_fuzz.random_bytes_test(CSL)
test_random_json_documents_with_csl_keys = library_fuzz.format_like_text_test(
    CSL, _JSON_VALUES.map(json.dumps)
)
test_truncated_and_byte_flipped_fixtures = library_fuzz.truncated_and_flipped_fixtures_test(CSL)


# --- the real public samples --------------------------------------------------------------------

# Item counts, titled-item counts and arXiv ids as documented in shared/formats/csl-json/SOURCES.md.
SAMPLES = {
    "zotero-csl-json-arxiv-preprint-datacite.json": (1, {"2410.00917"}),
    "zotero-better-csl-json-robotics-ml.json": (16, {"2309.14595", "2501.12493"}),
    "zotero-better-csl-json-graph-stats-excerpt.json": (60, None),  # 17 old + 1 new shape
}


def test_real_exports(shared_formats):
    found = library_fuzz.read_real_exports(shared_formats, CSL, SAMPLES, clean=False)
    robotics, robotics_errors = found["zotero-better-csl-json-robotics-ml.json"]
    # The one error is the empty placeholder item.
    assert [(e.record, e.field) for e in robotics_errors] == [("zotero-1 (#16)", "title")]
    assert all(p.external_ids["citekey"] == p.external_ids["csl"] for p in robotics)
    graph, graph_errors = found["zotero-better-csl-json-graph-stats-excerpt.json"]
    assert graph_errors == []
    old_shape = [p for p in graph if p.arxiv_id and p.extra.get("type") == "article-journal"]
    new_shape = [p for p in graph if p.arxiv_id and p.extra.get("type") == "article"]
    assert (len(old_shape), [p.arxiv_id for p in new_shape]) == (17, ["2011.14990"])
    assert sum(p.doi is not None for p in graph) >= 28
    (datacite,) = found["zotero-csl-json-arxiv-preprint-datacite.json"][0]
    assert (datacite.id, datacite.published) == ("2410.00917", dt.date(2024, 1, 1))
    assert any("Jesús" in a for p in graph for a in p.authors)  # UTF-8 names come through


test_sniff_claims_no_sample_of_another_format = library_fuzz.sniff_claims_no_other_sample_test(CSL)
