"""Pure helpers between records and templates: URLs of papers, safe links, form values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from papersift import text
from papersift.digest.render import clean_text
from papersift.records import Paper, PaperFilter
from papersift.text import safe_url

# Feed windows offered on the page; `recommend` accepts any window.py string.
FEED_WINDOWS = (("1d", "Today"), ("7d", "This week"), ("30d", "This month"), ("all", "All"))
MAP_WINDOWS = (("1d", "Today"), ("7d", "This week"), ("30d", "This month"), ("all", "All"))
SEARCH_MODES = ("hybrid", "semantic", "keyword")
LINK_LABELS = {
    "abs": "Abstract page",
    "pdf": "PDF",
    "html": "HTML",
    "code": "Code",
    "doi": "DOI",
    "openreview": "OpenReview",
    "other": "Link",
}
# Feedback actions a digest links to and the paper page posts.
RATING_ACTIONS = ("like", "dislike", "unlike")
# Last path segments that routes under /papers/{id} answer to.
PAPER_ACTIONS = (*RATING_ACTIONS, "tag", "untag", "read", "snooze")


def paper_url(paper_id: str, action: str | None = None) -> str:
    """`/papers/{id}` (ids keep their `/` and `:`, as the digest's links do).

    An id with an empty, `.` or `..` segment would be rewritten by the browser before it is
    sent, and one with a `%` can be decoded twice on the way, so such ids go in the query
    string instead.
    """
    segments = paper_id.split("/")
    if (
        "%" in paper_id
        or any(s in ("", ".", "..") for s in segments)
        or (len(segments) > 1 and segments[-1] in PAPER_ACTIONS)
    ):
        query = urlencode({"id": paper_id} | ({"action": action} if action else {}))
        return f"/paper?{query}"
    path = f"/papers/{quote(paper_id, safe='/:@')}"
    return f"{path}/{action}" if action else path


@dataclass(frozen=True)
class PaperLink:
    label: str
    url: str


def paper_links(paper: Paper) -> list[PaperLink]:
    """The paper's links that are safe to click (http and https only), arXiv's if none."""
    links: list[PaperLink] = []
    seen: set[str] = set()
    candidates = [(link.kind, link.url) for link in paper.links]
    if paper.arxiv_id:
        candidates += [
            ("abs", f"https://arxiv.org/abs/{paper.arxiv_id}"),
            ("pdf", f"https://arxiv.org/pdf/{paper.arxiv_id}"),
        ]
    if paper.doi:
        candidates.append(("doi", f"https://doi.org/{paper.doi}"))
    for kind, raw in candidates:
        url = safe_url(raw)
        label = LINK_LABELS.get(kind, "Link")
        if url is None or url in seen or any(link.label == label for link in links):
            continue
        seen.add(url)
        links.append(PaperLink(label, url))
    return links


def short_authors(authors: tuple[str, ...], shown: int = 3) -> str:
    """Names as the pages list them; names are cleaned again in case an old store kept junk."""
    return text.short_authors([name for name in map(clean_text, authors) if name], shown)


def paper_date(paper: Paper) -> str:
    day = paper.published or paper.updated
    return day.isoformat() if day else ""


def parse_day(value: str | None, name: str) -> dt.date | None:
    """A form's date field (YYYY-MM-DD or empty); ValueError names the field."""
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{name} must be a date like 2026-11-20, not {value!r}") from None


def search_filter(
    since: str | None,
    until: str | None,
    category: str | None,
    author: str | None,
    has_code: bool = False,
) -> PaperFilter:
    return PaperFilter(
        since=parse_day(since, "since"),
        until=parse_day(until, "until"),
        category=(category or "").strip() or None,
        author=(author or "").strip() or None,
        has_code=has_code,
    )


def window_name(since: str | None) -> str:
    return dict(FEED_WINDOWS).get(since or "all", since or "All")


# What an upload is when it is plainly no library export, by its first bytes.
_FILE_KINDS = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx)"),
    (b"\x1f\x8b", "a gzip archive"),
)
IMPORT_HINT = "Import a BibTeX (.bib), RIS (.ris) or CSL-JSON export, or Zotero's zotero.sqlite."


def import_problem(filename: str, head: bytes, message: str) -> str:
    """One line saying what is wrong with an uploaded library file, naming it by the reader's
    file name. `message` is the import's error with the server's path already replaced."""
    message = " ".join(message.split())  # one line, whatever the parser's message held
    kind = next((name for magic, name in _FILE_KINDS if head.startswith(magic)), None)
    if kind is not None:
        return f"{filename} is {kind}, not a library export. {IMPORT_HINT}"
    if "unrecognised format" in message or "not a library export" in message:
        return f"{filename} is not a library export papersift can read. {IMPORT_HINT}"
    return message
