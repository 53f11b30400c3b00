"""Badges from real records: Hugging Face upvotes and GitHub links, venues that are acceptances.

The samples in ../shared/formats are real API answers; the literal papers pin the edge cases.
"""

from __future__ import annotations

import pytest

from papersift import sources
from papersift.badges import badges, badges_as_dict, code_url, compact, has_code, upvotes, venue
from papersift.records import Link, Paper
from tests.helpers import make_paper


def _parse(shared_formats, relative: str) -> list[Paper]:
    path = shared_formats / relative
    if not path.is_file():
        pytest.skip(f"sample {relative} not in ../shared/formats")
    data = path.read_bytes()
    parse = sources.parser_for(sources.detect_format(data, str(path)))
    papers = [p for p in parse(data, str(path)) if isinstance(p, Paper)]
    assert papers, f"{relative}: no paper parsed"
    return papers


def test_hf_daily_papers_show_their_upvotes_and_code(shared_formats):
    papers = _parse(shared_formats, "hf-daily-papers/daily_papers_2026-06-12.json")
    upvoted = [p for p in papers if (p.extra.get("upvotes") or 0) > 0]
    with_repo = [p for p in papers if p.link("code")]
    assert upvoted and with_repo, "the sample should carry upvotes and GitHub repos"
    for paper in upvoted:
        votes = paper.extra["upvotes"]
        assert upvotes(paper) == votes
        assert badges(paper)[0].text == f"▲{votes}"
        assert compact(paper).startswith(f"▲{votes}")
    for paper in with_repo:
        assert code_url(paper) == paper.link("code")
        assert code_url(paper).startswith("https://github.com/")
        assert has_code(paper)
        code = next(b for b in badges(paper) if b.kind == "code")
        assert (code.text, code.url) == ("code", paper.link("code"))
        assert "code" in compact(paper).split()
    # Zero upvotes is a known count but no signal: no badge.
    for paper in papers:
        if paper.extra.get("upvotes") == 0:
            assert all(b.kind != "upvotes" for b in badges(paper))
    without = [p for p in papers if not p.link("code")]
    assert without and not any(has_code(p) for p in without)


def test_openreview_venue_badge_only_for_acceptances(shared_formats):
    papers = _parse(shared_formats, "openreview/notes_search_v2_6.json")
    by_venue = {p.extra.get("venue"): p for p in papers}
    assert venue(by_venue["ICLR 2025 Spotlight"]) == "ICLR 2025 Spotlight"
    assert venue(by_venue["Submitted to ICLR 2025"]) is None
    assert venue(by_venue["Submitted to ICLR 2024"]) is None
    assert [b.text for b in badges(by_venue["ICLR 2025 Spotlight"])] == ["ICLR 2025 Spotlight"]


def test_preprint_servers_are_no_venue_but_journals_are(shared_formats):
    s2 = _parse(shared_formats, "semantic-scholar/paper_by_doi_arxiv_2312.07559.json")[0]
    assert (s2.extra.get("venue"), s2.extra.get("journal")) == ("arXiv.org", "ArXiv")
    assert venue(s2) is None
    openalex = _parse(shared_formats, "openalex/works_title_search_paperqa_1.json")[0]
    assert venue(openalex) is None  # "arXiv (Cornell University)"
    pnas = _parse(shared_formats, "openalex/work_by_doi_W2109415576.json")[0]
    assert venue(pnas) == "Proceedings of the National Academy of Sciences"
    assert badges_as_dict(pnas) == {
        "upvotes": None,
        "code": None,
        "venue": "Proceedings of the National Academy of Sciences",
    }


def _with(**changes: object) -> Paper:
    return make_paper().with_changes(**changes)


def test_order_long_venue_and_unsafe_links() -> None:
    long_venue = "Proceedings of the 42nd International Conference on Machine Learning"
    paper = _with(
        extra={"upvotes": 42, "venue": long_venue},
        links=(Link("code", "https://github.com/a/b"),),
    )
    found = badges(paper)
    assert [b.kind for b in found] == ["upvotes", "code", "venue"]
    assert found[2].text.endswith("…") and len(found[2].text) <= 40
    assert long_venue in found[2].title
    assert compact(paper) == f"▲42 code {found[2].text}"
    # A javascript: "code" link (a hostile BibTeX url) is no code.
    unsafe = _with(links=(Link("code", "javascript:alert(1)"),))
    assert not has_code(unsafe) and badges(unsafe) == ()
    # JSON true is not a count; a journal_ref is a venue when nothing better is known.
    assert upvotes(_with(extra={"upvotes": True})) is None
    assert venue(_with(extra={"journal_ref": "Phys. Rev. D 100, 123 (2019)"})) == (
        "Phys. Rev. D 100, 123 (2019)"
    )
    assert badges(make_paper()) == () and compact(make_paper()) == ""
