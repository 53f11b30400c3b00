import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from papersift.dedupe import aliases, can_merge, collapse, merge, title_author_key
from tests.helpers import make_paper


def test_later_version_wins_and_sources_accumulate():
    v1 = make_paper(title="Old title of the paper", version=1, source="arxiv-snapshot")
    v2 = make_paper(
        title="New title of the paper", version=2, source="arxiv-api", updated=dt.date(2023, 3, 1)
    )
    for merged in (merge(v1, v2), merge(v2, v1)):
        assert merged.title == "New title of the paper"
        assert merged.version == 2
        assert set(merged.sources) == {"arxiv-snapshot", "arxiv-api"}
        assert merged.published == dt.date(2023, 1, 2)
        assert merged.updated == dt.date(2023, 3, 1)


def test_doi_record_takes_the_arxiv_id_and_keeps_its_doi():
    doi_rec = make_paper(
        "doi:10.1111/abc", arxiv=False, doi="10.1111/abc", source="bibtex", abstract=None
    )
    arxiv_rec = make_paper()
    merged = merge(doi_rec, arxiv_rec)
    assert merged.id == "2301.00001"
    assert merged.doi == "10.1111/abc"
    assert merged.abstract == "We study sparse attention."
    assert "doi:10.1111/abc" in aliases(merged)


def test_title_author_key_ignores_accents_and_punctuation():
    a = make_paper(authors=("Jakub L'ala",), arxiv=False, id="s2:1")
    b = make_paper(
        authors=("Jakub Lála",),
        arxiv=False,
        id="openalex:W1",
        title="Sparse Attention for Very-Long Documents!",
    )
    assert title_author_key(a) == title_author_key(b)


def test_different_arxiv_ids_never_merge():
    a = make_paper("2301.00001")
    b = make_paper("2301.00002")
    assert not can_merge(a, b)
    assert len(collapse([a, b])) == 2


def test_collapse_merges_versions_and_sources_in_one_batch():
    batch = [
        make_paper(version=1),
        make_paper("doi:10.9999/x", arxiv=False, doi="10.9999/x", source="ris"),
        make_paper(version=3, source="arxiv-rss"),
    ]
    [one] = collapse(batch)
    assert one.version == 3 and one.doi == "10.9999/x"
    assert set(one.sources) == {"arxiv-api", "ris", "arxiv-rss"}


words = st.text(alphabet="abcdefgh ", min_size=12, max_size=30)


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3), words), max_size=12))
def test_collapse_is_idempotent(specs):
    papers = [make_paper(f"2301.0000{n}", title=t, version=v) for n, v, t in specs]
    once = collapse(papers)
    assert collapse(once) == once
    assert len({p.id for p in once}) == len(once)
