"""RIS reader-library exports: our invented fixtures, framing problems, fuzzing, real samples."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import strategies as st
from tests.sources import contract, library_fuzz

from papersift.errors import ParseError
from papersift.sources import ris

ORIGIN = "export.ris"
# This format, as the checks every library export parser must pass (library_fuzz.py) see it.
RIS = library_fuzz.LibraryFormat("ris", ".ris", ris.parse, ris.sniff, ORIGIN)
run = RIS.run


def read(fixtures: Path, name: str) -> bytes:
    return (fixtures / "ris" / name).read_bytes()


def test_zotero_export_with_crlf_line_ends(fixtures):
    data = read(fixtures, "zotero-crlf.ris")
    assert b"\r\n" in data  # the fixture really is CRLF
    papers, errors = run(data)
    assert errors == []
    journal, preprint, conference = papers
    assert journal.id == "doi:10.5555/jib.2021.0815"
    assert journal.title == "Calibrated Uncertainty for Invented Protein Folds"
    assert journal.authors == ("Hana Nakamura", "Liam O'Brien", "Åse Søndergaard")
    assert journal.published == dt.date(2021, 6, 1)  # DA `2021/06//undefined` beats PY `2021`
    assert journal.extra == {
        "venue": "Journal of Imaginary Biology",
        "type": "JOUR",
        # What exports need to give the reference back as it came (papersift.export).
        "volume": "7",
        "issue": "2",
        "pages": "11-19",
        "date_parts": 2,
    }
    assert journal.abstract == "We calibrate uncertainty for folds that do not exist."
    assert not any("\r" in text for text in (journal.title_raw, *journal.authors))


def test_zotero_arxiv_preprint_and_id_tag(fixtures):
    _, preprint, conference = run(read(fixtures, "zotero-crlf.ris"))[0]
    assert (preprint.id, preprint.arxiv_id) == ("2402.09999", "2402.09999")
    assert preprint.published == dt.date(2024, 2, 29)
    assert preprint.link("abs") == "https://arxiv.org/abs/2402.09999"
    assert conference.id == "ris:kaur2019sparse"
    assert conference.external_ids == {"ris": "kaur2019sparse"}
    assert conference.published == dt.date(2019, 1, 1)
    assert conference.link("openreview") == "https://openreview.net/forum?id=InVeNtEd1"
    assert conference.link("pdf") is None  # the L1 is a local file, not a web link


def test_citavi_export_arxiv_from_a_repeated_l2_link_and_continuation_lines(fixtures):
    papers, errors = run(read(fixtures, "citavi-lf.ris"))
    assert errors == []
    preprint, article = papers
    assert (preprint.id, preprint.version) == ("2210.01234", 3)
    assert "venue" not in preprint.extra  # `JF - arXiv: Robotics` names no venue
    assert preprint.link("other") == "https://lens.org/000-000-000-000-001"
    assert article.id == "doi:10.5555/tmh.2020.100"
    assert article.authors == ("L. Dubois", "K. Fischer")
    assert article.abstract == "We schedule accelerators that exist only in this test."


def test_continuation_lines_join_the_previous_tag():
    records = list(ris.split_records(read_text("citavi-lf.ris")))
    article = records[1]
    assert article.values("U3") == ["Cited By :3\nExport Date: 1 January 2023\nArticle"]
    assert article.first("AD").endswith("Department of Examples, Fictional University, Elsewhere")
    assert [tag for tag, _ in article.tags].count("AU") == 2


def read_text(name: str) -> str:
    return (Path(__file__).resolve().parents[1] / "fixtures" / "ris" / name).read_text()


def test_malformed_records_are_reported_and_the_rest_kept(fixtures):
    papers, errors = run(read(fixtures, "malformed.ris"))
    assert [p.title for p in papers] == [
        "A Good Record Before the Problems",
        "A Record Cut Off at the End of the File",  # no ER at the end: still read
    ]
    assert papers[0].id == "ris:agoodrecordbeforetheproblems"  # no ID, DOI or arXiv id
    assert [(e.record, e.field) for e in errors] == [
        ("#2 (line 7)", "title"),
        ("#3 (line 13)", None),
        ("#4 (line 17)", "PY"),
    ]
    assert "no TI or T1" in errors[0].reason
    assert "TY" in errors[1].reason
    assert "9999" in errors[2].reason


def test_a_missing_er_between_records_does_not_merge_them():
    data = b"TY  - JOUR\nTI  - First\nPY  - 2020\nTY  - JOUR\nTI  - Second\nER  - \n"
    papers, errors = run(data)
    assert ([p.title for p in papers], errors) == (["First", "Second"], [])


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ("PY  - 2019///\n", dt.date(2019, 1, 1)),
        ("DA  - 2019/07/24/\nPY  - 2019\n", dt.date(2019, 7, 24)),
        ("Y1  - 2018/03/01/Spring\n", dt.date(2018, 3, 1)),
        ("PY  - 2017-05-06\n", dt.date(2017, 5, 6)),
        ("PY  - Spring 2016\n", dt.date(2016, 1, 1)),
        ("DA  - undefined\n", None),
        ("", None),
    ],
)
def test_ris_date_forms(dates, expected):
    papers, errors = run(f"TY  - JOUR\nTI  - Dated\n{dates}ER  - \n".encode())
    assert errors == []
    assert papers[0].published == expected


def test_latin1_bytes_are_decoded_not_refused():
    data = "TY  - JOUR\nTI  - Aprendizaje autom\u00e1tico\nAU  - L\u00f3pez, Jos\u00e9\nER  - \n"
    papers, errors = run(data.encode("latin-1"))
    assert errors == []
    assert (papers[0].title, papers[0].authors) == ("Aprendizaje automático", ("José López",))


def test_a_ten_megabyte_title_is_a_clear_error():
    papers, errors = run(f"TY  - JOUR\nTI  - {'A' * 10_000_000}\nER  - \n".encode())
    assert papers == []
    assert (errors[0].field, "too long" in errors[0].reason) == ("title", True)


def test_a_truncated_file_keeps_the_records_before_the_cut(fixtures):
    data = read(fixtures, "zotero-crlf.ris")
    cut = data[: data.index(b"TY  - CONF") + 30]  # inside the last record, before its TI
    papers, errors = run(cut)
    assert [p.id for p in papers] == ["doi:10.5555/jib.2021.0815", "2402.09999"]
    assert len(errors) == 1 and errors[0].field == "title"


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b"Some text that is not RIS\n", b"ER  - \n"])
def test_a_file_without_records_is_one_parse_error(data):
    with pytest.raises(ParseError, match="no RIS record"):
        run(data)


test_sniff = contract.sniff_test(
    ris.sniff,
    [
        ("TY  - JOUR\r\nTI  - x\r\n", True),
        ("TY  - GEN\nAU  - x\n", True),
        ("TI  - no type first\n", False),
        ("@article{TY, title={TY  - JOUR}}", False),
        ('[{"TY": "JOUR"}]', False),
    ],
)


# --- hypothesis: nothing but Paper / ParseError ever comes out ---------------------------------


_RIS_PIECES = st.sampled_from(
    [
        "TY  - JOUR",
        "ER  - ",
        "ER  -",
        "TI  - ",
        "T1  - ",
        "AU  - ",
        "PY  - ",
        "DA  - ",
        "DO  - ",
        "UR  - ",
        "N1  - arXiv:",
        "ID  - ",
        "10.48550/arXiv.",
        "2301.00001",
        "9999",
        "/",
        ",",
        "\n",
        "\r\n",
        " ",
        "x",
        "é",
        "\x00",
        "https://arxiv.org/abs/",
    ]
)


test_random_bytes = library_fuzz.random_bytes_test(RIS)
test_random_ris_like_text = library_fuzz.format_like_text_test(
    RIS, st.lists(_RIS_PIECES, max_size=120).map("".join)
)
test_truncated_and_byte_flipped_fixtures = library_fuzz.truncated_and_flipped_fixtures_test(RIS)


# --- the real public samples --------------------------------------------------------------------

# Record counts and arXiv ids as documented in shared/formats/ris/SOURCES.md.
SAMPLES = {
    "zotero-pubmed-export.ris": (6, set()),
    "citavi-export-with-arxiv-preprint.ris": (7, {"2111.09920"}),
}


def test_real_exports(shared_formats):
    found = library_fuzz.read_real_exports(shared_formats, RIS, SAMPLES, clean=True)
    pubmed, _ = found["zotero-pubmed-export.ris"]
    # Every PubMed record has a DOI, a journal and repeated AU lines flipped to "First Last".
    assert all(p.id.startswith("doi:") and p.extra.get("venue") for p in pubmed)
    assert pubmed[0].authors[0] == "Agata Rudnik" and len(pubmed[0].authors) == 4
    assert {p.published for p in pubmed} >= {dt.date(2019, 7, 24), dt.date(2019, 10, 1)}
    citavi, _ = found["citavi-export-with-arxiv-preprint.ris"]
    assert sum(p.doi is not None for p in citavi) == 4  # the records with a DO line
    assert any(p.extra.get("type") == "GEN" and p.arxiv_id for p in citavi)


test_sniff_claims_no_sample_of_another_format = library_fuzz.sniff_claims_no_other_sample_test(RIS)
