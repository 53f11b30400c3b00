"""Hugging Face Daily Papers API JSON: `/api/daily_papers` lists and `/api/papers/<id>` objects.

Every paper there is on arXiv (`paper.id` is the arXiv id). What Hugging Face adds is
community signal (upvotes, comments), an AI summary with keywords, and code/project links.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from papersift.errors import ParseError
from papersift.ids import bare_arxiv_id
from papersift.records import Link, Paper
from papersift.sources.common import (
    build_paper,
    json_count,
    json_list,
    json_records,
    json_strings,
    json_text,
    json_type,
    parse_date,
    parse_json_records,
    raise_api_error,
    record_key,
)

FORMAT = "hf-daily"


def sniff(head: str) -> bool:
    """Daily Papers items are the only JSON here with both `upvotes` and `publishedAt` keys."""
    return head.startswith(("[", "{")) and '"upvotes"' in head and '"publishedAt"' in head


def parse(data: bytes, origin: str) -> Iterator[Paper | ParseError]:
    """Yield a Paper per Daily Papers item (or the one paper of `/api/papers/<id>`)."""
    return parse_json_records(data, origin, _entries, _paper_id, _paper)


def parse_document(document: Any, origin: str) -> Iterator[Paper | ParseError]:
    """`parse` for a response already decoded from JSON (the listing reads its count from it)."""
    return json_records(document, origin, _entries, _paper_id, _paper)


def _entries(document: Any, origin: str) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if "paper" not in document and "id" not in document and "error" in document:
            raise_api_error(origin, "Hugging Face", str(document["error"]))
        return [document]
    raise ParseError(origin, f"expected Daily Papers items, found {json_type(document)}")


def _split(entry: Any, origin: str, label: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(paper, item): a daily item wraps its paper in `paper`; `/api/papers/<id>` is bare."""
    if not isinstance(entry, dict):
        raise ParseError(origin, f"expected a paper object, found {json_type(entry)}", record=label)
    paper = entry.get("paper")
    return (paper, entry) if isinstance(paper, dict) else (entry, entry)


def _paper_id(entry: Any) -> str | None:
    paper = entry.get("paper", entry) if isinstance(entry, dict) else None
    return record_key(paper.get("id")) if isinstance(paper, dict) else None


def _paper(entry: Any, origin: str, label: str) -> Paper:
    paper, item = _split(entry, origin, label)

    def text(field: str) -> str | None:
        # The item repeats title and summary; the paper's own copy wins when both exist.
        value = json_text(paper.get(field), origin, label, field)
        return value if value is not None else json_text(item.get(field), origin, label, field)

    raw_id = json_text(paper.get("id"), origin, label, "id")
    arxiv_id = bare_arxiv_id(raw_id)
    if raw_id and not arxiv_id:
        raise ParseError(origin, f"not an arXiv id: {raw_id[:60]!r}", record=label, field="id")
    daily = parse_date(text("submittedOnDailyAt"), origin, label, "submittedOnDailyAt")
    return build_paper(
        origin,
        label,
        id=arxiv_id,
        title=text("title"),
        source=FORMAT,
        abstract=text("summary"),
        authors=_author_names(paper.get("authors"), origin, label),
        # paper.publishedAt is the arXiv day at 00:00Z; the item's own publishedAt is 20:00Z
        # the evening before, so the paper's is the one that names the right day.
        published=parse_date(text("publishedAt"), origin, label, "publishedAt"),
        arxiv_id=arxiv_id,
        links=_links(arxiv_id, paper, origin, label),
        extra={
            "upvotes": json_count(paper.get("upvotes")),
            "hf_comments": json_count(item.get("numComments")),
            "hf_daily_date": daily.isoformat() if daily else None,
            "ai_summary": text("ai_summary"),
            "ai_keywords": json_strings(paper.get("ai_keywords")),
            "github_stars": json_count(paper.get("githubStars")),
        },
    )


def _author_names(authors: Any, origin: str, label: str) -> list[Any]:
    # Authors are {"_id", "name", "hidden", "user"?} objects; `hidden` only hides the profile
    # link on the site, the person is still an author.
    names = json_list(authors, origin, label, "authors")
    return [a.get("name") if isinstance(a, dict) else a for a in names]


def _links(arxiv_id: str | None, paper: dict[str, Any], origin: str, label: str) -> list[Link]:
    links = []
    if arxiv_id:
        links += [
            Link("abs", f"https://arxiv.org/abs/{arxiv_id}"),
            Link("pdf", f"https://arxiv.org/pdf/{arxiv_id}"),
        ]
    repo = json_text(paper.get("githubRepo"), origin, label, "githubRepo")
    if repo and repo.startswith(("https://", "http://")):
        links.append(Link("code", repo))
    page = json_text(paper.get("projectPage"), origin, label, "projectPage")
    if page and page.startswith(("https://", "http://")):
        links.append(Link("other", page))
    return links
