"""Semantic Scholar Graph API paper JSON.

Accepts one paper (`/paper/<id>`), a list response (`{"data": [...]}` from search, bulk search,
citations and references), recommendations (`{"recommendedPapers": [...]}`) and the batch
response (a bare array holding null for every id Semantic Scholar does not know).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from papersift.errors import ParseError
from papersift.ids import bare_arxiv_id, canonical_id, normalize_doi
from papersift.records import Link, Paper
from papersift.sources.common import (
    build_paper,
    json_count,
    json_date,
    json_list,
    json_strings,
    json_text,
    json_type,
    parse_json_records,
    raise_api_error,
    record_key,
)

FORMAT = "semantic-scholar"

_LIST_KEYS = ("data", "recommendedPapers")
# Citation and reference lists wrap each paper in one of these.
_WRAPPER_KEYS = ("citingPaper", "citedPaper")
# externalIds worth keeping beside the paperId, under the names papersift uses.
_OTHER_IDS = {
    "CorpusId": "s2_corpus",
    "DBLP": "dblp",
    "MAG": "mag",
    "PubMed": "pubmed",
    "PubMedCentral": "pmc",
    "ACL": "acl",
}


def sniff(head: str) -> bool:
    """Graph API papers always carry `paperId` (the batch response may open with null)."""
    return head.startswith(("{", "[")) and '"paperId"' in head


def parse(data: bytes, origin: str) -> Iterator[Paper | ParseError]:
    """Yield a Paper per paper in the response; null batch entries (unknown ids) are skipped."""
    return parse_json_records(data, origin, _papers, _paper_id, _paper, skip_nulls=True)


def _papers(document: Any, origin: str) -> list[Any]:
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise ParseError(origin, f"expected Semantic Scholar papers, found {json_type(document)}")
    for key in _LIST_KEYS:
        if isinstance(document.get(key), list):
            return document[key]  # type: ignore[no-any-return]
    if "paperId" in document or "title" in document:
        return [document]
    if "total" in document:
        return []  # a search with no hits sends {"total": 0, "offset": 0} and no data
    raise_api_error(origin, "Semantic Scholar", document.get("error"), document.get("message"))
    raise ParseError(origin, "no papers found (expected paperId, data or an array)")


def _unwrap(paper: Any) -> Any:
    if isinstance(paper, dict):
        for key in _WRAPPER_KEYS:
            if isinstance(paper.get(key), dict):
                return paper[key]
    return paper


def _paper_id(paper: Any) -> str | None:
    paper = _unwrap(paper)
    return record_key(paper.get("paperId")) if isinstance(paper, dict) else None


def _paper(paper: Any, origin: str, label: str) -> Paper:
    paper = _unwrap(paper)
    if not isinstance(paper, dict):
        raise ParseError(origin, f"expected a paper object, found {json_type(paper)}", record=label)
    get = paper.get
    s2_id = json_text(get("paperId"), origin, label, "paperId")
    ids = _external_ids(get("externalIds"), origin, label)
    doi = normalize_doi(ids.get("DOI"))
    # arXiv DOIs (10.48550/arXiv.2312.07559) name the arXiv paper too.
    arxiv_id = bare_arxiv_id(ids.get("ArXiv")) or bare_arxiv_id(doi)
    external = {name: ids[key] for key, name in _OTHER_IDS.items() if ids.get(key)}
    if s2_id:
        external["s2"] = s2_id
    year = get("year")
    return build_paper(
        origin,
        label,
        id=canonical_id(arxiv_id, doi, s2=s2_id),
        title=json_text(get("title"), origin, label, "title"),
        source=FORMAT,
        abstract=json_text(get("abstract"), origin, label, "abstract"),
        authors=_author_names(get("authors"), origin, label),
        published=json_date(get("publicationDate"), origin, label, "publicationDate"),
        doi=doi,
        arxiv_id=arxiv_id,
        links=_links(paper, arxiv_id, origin, label),
        external_ids=external,
        extra={
            "venue": json_text(get("venue"), origin, label, "venue") or None,
            "journal": _journal_name(get("journal")),
            # Only the year is known for some papers; it is kept here, not invented as a day.
            "year": json_count(year),
            "citations": json_count(get("citationCount")),
            "tldr": _tldr(get("tldr")),
            "fields_of_study": json_strings(get("fieldsOfStudy")),
        },
    )


def _external_ids(value: Any, origin: str, label: str) -> dict[str, str]:
    """externalIds as text (CorpusId comes as a number); values of other types are dropped."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(
            origin,
            f"expected an object, found {json_type(value)}",
            record=label,
            field="externalIds",
        )
    return {key: str(v) for key, v in value.items() if type(v) in (str, int)}


def _author_names(authors: Any, origin: str, label: str) -> list[Any]:
    names = json_list(authors, origin, label, "authors")
    return [a.get("name") if isinstance(a, dict) else a for a in names]


def _links(paper: dict[str, Any], arxiv_id: str | None, origin: str, label: str) -> list[Link]:
    links = []
    if arxiv_id:
        links.append(Link("abs", f"https://arxiv.org/abs/{arxiv_id}"))
    pdf = paper.get("openAccessPdf")
    # The API sends {"url": ""} for papers without an open PDF.
    pdf_url = (
        json_text(pdf.get("url"), origin, label, "openAccessPdf") if isinstance(pdf, dict) else None
    )
    if pdf_url and pdf_url.startswith(("https://", "http://")):
        links.append(Link("pdf", pdf_url))
    page = json_text(paper.get("url"), origin, label, "url")
    if page and page.startswith(("https://", "http://")):
        links.append(Link("other", page))
    return links


def _journal_name(journal: Any) -> str | None:
    name = journal.get("name") if isinstance(journal, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def _tldr(tldr: Any) -> str | None:
    text = tldr.get("text") if isinstance(tldr, dict) else None
    return text if isinstance(text, str) and text.strip() else None
