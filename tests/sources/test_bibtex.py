"""BibTeX / BibLaTeX library exports: invented fixtures, bad input, fuzzing, real samples."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import strategies as st
from tests.sources import contract, library_fuzz

from papersift.errors import ParseError
from papersift.records import Paper
from papersift.sources import bibtex

ORIGIN = "library.bib"
# This format, as the checks every library export parser must pass (library_fuzz.py) see it.
BIBTEX = library_fuzz.LibraryFormat("bibtex", ".bib", bibtex.parse, bibtex.sniff, ORIGIN)
run = BIBTEX.run


def by_citekey(papers: list[Paper]) -> dict[str, Paper]:
    return {paper.external_ids["citekey"]: paper for paper in papers}


@pytest.fixture
def library(fixtures: Path) -> dict[str, Paper]:
    papers, errors = run((fixtures / "bibtex" / "zotero-library.bib").read_bytes())
    assert errors == []
    return by_citekey(papers)


def test_every_entry_is_read_and_comments_strings_preamble_are_not_papers(library):
    assert sorted(library) == sorted(
        [
            "muller_sparse_2021",
            "lefevre_attention_2023",
            "okafor_graph_2022",
            "zhang_datacite_2024",
            "Smith1999Old",
            "tanaka_robust_2020",
            "internal_note_2019",
            "duplicate_fields_2018",
        ]
    )


@pytest.mark.parametrize(
    ("citekey", "arxiv_id", "how"),
    [
        ("muller_sparse_2021", "2107.01234", "eprint + archivePrefix"),
        ("lefevre_attention_2023", "2303.07777", "BibLaTeX eprinttype, versioned eprint"),
        ("okafor_graph_2022", "2201.04321", "journal = arXiv preprint arXiv:..."),
        ("zhang_datacite_2024", "2405.11111", "10.48550/arXiv DOI"),
        ("Smith1999Old", "cs/9912001", "old-style id, BibDesk capitalised fields"),
    ],
)
def test_arxiv_papers_get_the_bare_arxiv_id(library, citekey, arxiv_id, how):
    paper = library[citekey]
    assert (paper.id, paper.arxiv_id) == (arxiv_id, arxiv_id), how
    assert paper.link("abs") == f"https://arxiv.org/abs/{arxiv_id}"


def test_other_papers_fall_back_to_doi_then_citekey(library):
    assert library["tanaka_robust_2020"].id == "doi:10.1234/jis.2020.7"
    assert library["tanaka_robust_2020"].doi == "10.1234/jis.2020.7"
    assert library["internal_note_2019"].id == "bibtex:internal_note_2019"


def test_latex_accents_and_protective_braces_are_decoded_but_kept_raw(library):
    paper = library["muller_sparse_2021"]
    assert paper.title == "Sparse GANs Learn Faster than Dense Ones"
    assert paper.title_raw == "Sparse {GAN}s Learn {{Faster}} than Dense Ones"
    assert paper.authors == ("Jörg Müller", "María García", "Pål Rønning")  # "others" dropped
    assert (
        paper.abstract
        == "We show that GANs with 90% sparsity train faster, at $O(n \\log n)$ cost."
    )
    assert (
        library["lefevre_attention_2023"].title == "Attention Is Not All You Need for Étude Tables"
    )


def test_names_are_first_last_with_particles_and_braced_corporate_names(library):
    assert library["lefevre_attention_2023"].authors == (
        "Amélie Lefèvre",
        "Pieter van der Berg",
        "Collective for Open Models",
    )
    assert library["okafor_graph_2022"].authors == ("Chidi Okafor", "Rosa de la Cruz")


def test_dates_from_year_and_month_macro_biblatex_date_and_numeric_month(library):
    assert library["muller_sparse_2021"].published == dt.date(2021, 7, 1)
    assert library["lefevre_attention_2023"].published == dt.date(2023, 3, 14)
    assert library["Smith1999Old"].published == dt.date(1999, 12, 1)
    assert library["internal_note_2019"].published is None  # year = {in press}


def test_string_macros_give_the_venue_and_arxiv_markers_are_not_venues(library):
    assert library["muller_sparse_2021"].extra["venue"] == (
        "Journal of Imaginary Machine Learning Research"
    )
    assert library["okafor_graph_2022"].extra["venue"] == "Proceedings of the Tenth ICLR"
    assert "venue" not in library["zhang_datacite_2024"].extra


def test_versions_categories_links_and_types(library):
    assert library["lefevre_attention_2023"].version == 2
    assert library["muller_sparse_2021"].categories == ("cs.LG",)
    assert library["lefevre_attention_2023"].categories == ()  # Zotero's bare `cs, stat`
    assert (
        library["okafor_graph_2022"].link("openreview")
        == "https://openreview.net/forum?id=FaKe123xyz"
    )
    assert library["tanaka_robust_2020"].link("other") == "https://example.org/jis/2020/7"
    assert library["internal_note_2019"].links == ()  # a local file:// attachment is no link
    assert library["zhang_datacite_2024"].extra["type"] == "misc"
    assert library["muller_sparse_2021"].sources == ("bibtex",)


def test_a_repeated_field_keeps_the_first_value_like_bibtex(library):
    paper = library["duplicate_fields_2018"]
    assert paper.title == "First Title Wins"
    assert paper.authors == ("Anna Kowalski",)


def test_malformed_entries_are_reported_by_key_and_line_and_the_rest_kept(fixtures):
    papers, errors = run((fixtures / "bibtex" / "malformed.bib").read_bytes())
    assert [p.id for p in papers] == ["bibtex:good_before", "bibtex:good_after"]
    reports = {(e.record, e.field): e.reason for e in errors}
    assert set(reports) == {
        ("broken_braces (line 7)", None),
        ("good_before (line 18)", None),
        ("no_title_here (line 23)", "title"),
        ("far_future (line 28)", "year"),
        ("thirteenth_month (line 33)", "date"),
    }
    assert reports[("broken_braces (line 7)", None)].startswith("malformed entry:")
    assert "repeated citation key" in reports[("good_before (line 18)", None)]
    assert "9999" in reports[("far_future (line 28)", "year")]


def test_latin1_bytes_are_decoded_not_refused(fixtures):
    papers, errors = run((fixtures / "bibtex" / "latin1.bib").read_bytes())
    assert errors == []
    assert papers[0].title == "Aprendizaje de máquinas para pequeños datos"
    assert papers[0].authors == ("José López", "Jürgen Müller")


def test_utf16_with_bom_is_read():
    data = "@article{k, title={Über Zeit}, year={2020}}\n".encode("utf-16")
    papers, _ = run(data)
    assert papers[0].title == "Über Zeit"


def test_a_truncated_file_reports_the_cut_entry_and_keeps_the_whole_ones(fixtures):
    data = (fixtures / "bibtex" / "zotero-library.bib").read_bytes()
    cut = data[: data.index(b"@article{tanaka_robust_2020") + 60]
    papers, errors = run(cut)
    assert len(papers) == 5
    assert len(errors) == 1 and errors[0].record.startswith("tanaka_robust_2020")


def test_a_ten_megabyte_title_is_a_clear_error_for_that_entry_only():
    huge = "A" * 10_000_000
    data = f"@article{{huge, title={{{huge}}}, year=2020}}\n@article{{ok, title={{Fine}}}}\n"
    papers, errors = run(data.encode())
    assert [p.id for p in papers] == ["bibtex:ok"]
    assert (errors[0].record, errors[0].field) == ("huge (line 1)", "title")
    assert "too long" in errors[0].reason


@pytest.mark.parametrize("data", [b"", b"just some words\n", b"% only a comment\n@comment{x}\n"])
def test_a_file_without_entries_is_one_parse_error(data):
    with pytest.raises(ParseError, match="no BibTeX entry"):
        run(data)


test_sniff = contract.sniff_test(
    bibtex.sniff,
    [
        ("@article{key,\n title={x}}", True),
        ("%% BibDesk header\n\n   @STRING{jan = {January}}", True),
        ("Some notes\n@misc( key, title = {x})", True),
        ("TY  - JOUR\nTI  - x\nER  - \n", False),
        ('[{"id": "x", "title": "@article{x,"}]', False),
        ("mail me at someone@example.org {today}", False),
    ],
)


# --- hypothesis: nothing but Paper / ParseError ever comes out ---------------------------------


_BIBTEX_ALPHABET = st.sampled_from(
    list("@{}(),=\"#%\\ \n\tabcdeklrtyAET0129'^`~-")
    + [
        "@article{",
        "title",
        "author",
        " and ",
        "year",
        '{\\"u}',
        "@string{",
        "@comment{",
    ]
)


test_random_bytes = library_fuzz.random_bytes_test(BIBTEX)
test_random_bibtex_like_text = library_fuzz.format_like_text_test(
    BIBTEX, st.lists(_BIBTEX_ALPHABET, max_size=200).map("".join)
)
test_truncated_and_byte_flipped_fixtures = library_fuzz.truncated_and_flipped_fixtures_test(BIBTEX)


# --- the real public samples --------------------------------------------------------------------

# Entry counts and arXiv ids as documented in shared/formats/bibtex/SOURCES.md.
SAMPLES = {
    "bibdesk-strings-comments.bib": (1, set()),
    "bibtexparser-comments-spaces-declarations.bib": (1, set()),
    "zotero-bbt-library-accents-excerpt.bib": (
        272,
        {"1201.6540", "1405.1507", "1601.07201", "1109.6039", "1201.4294"},
    ),
    "zotero-betterbiblatex-ml-preprints.bib": (
        12,
        {"1502.01852", "1910.07512", "1802.05957", "2008.02217", "1603.05201"},
    ),
    "zotero-betterbibtex-arxiv-doi.bib": (3, {"1401.2910", "1508.05387", "1305.4904"}),
}


# An accent command on a letter (`\'e`, `{\"u}`, `\v{z}`) or a letter command (`{\o}`, `\ss`).
LATEX_ACCENT = re.compile(
    r"\\(?:['\"`^~=.]\s*\{?\\?[A-Za-z]|[uvHckrdb][{ ]\s*\{?[A-Za-z]|ss\b|[oOlL]\b|aa\b|ae\b)"
)


def test_real_exports(shared_formats):
    found = library_fuzz.read_real_exports(shared_formats, BIBTEX, SAMPLES, clean=True)
    all_papers = [paper for papers, _ in found.values() for paper in papers]
    titles = {p.title for p in all_papers}
    names = {a for p in all_papers for a in p.authors}
    # LaTeX accents and capital-protecting braces are gone from what a reader sees. (Math and
    # other commands are text.latex_to_text's business, so only accents and plain groups here.)
    assert not [text for text in titles | names if LATEX_ACCENT.search(text)]
    assert not [t for t in titles if "{" in t and "\\" not in t and "$" not in t]
    assert not [a for a in names if "{" in a or "\\" in a]
    assert {"M. Müller", "Troels F. Rønnow", "M.A. Sánchez-García", "Jean César"} <= names
    assert "Caractérisation Des Dispositifs Opto-Électroniques Par Microscopy à Balayage" in titles
    # @string macros: `title = title` resolves to the macro's text.
    assert "A great title" in titles
    # The arXiv-DOI sample's published papers keep their journal DOI beside the arXiv id.
    science = next(p for p in all_papers if p.arxiv_id == "1401.2910")
    assert (science.doi, science.published) == ("10.1126/science.1252319", dt.date(2014, 7, 1))


test_sniff_claims_no_sample_of_another_format = library_fuzz.sniff_claims_no_other_sample_test(
    BIBTEX
)
