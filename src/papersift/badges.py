"""Community signals of a paper as badges: Hugging Face upvotes, a code link, an accepted venue.

Pure functions of a `Paper`, so the web lists, the paper page, the CLI and the digest show the
same badges for the same paper. Plain text only (the ▲ is in every common font): no emoji that
needs a special font in an e-mail client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from papersift.records import Paper
from papersift.text import collapse_whitespace, safe_url

BadgeKind = Literal["upvotes", "code", "venue"]
UPVOTE_MARK = "▲"
# Long journal references ("Proceedings of the 40th International Conference on ...") would
# crowd a list row; the full text stays on the paper page's metadata.
VENUE_CHARS = 40
# Venue strings sources give that are no acceptance: a preprint server (Semantic Scholar's
# "arXiv.org", OpenAlex's "arXiv (Cornell University)", SSRN), or an OpenReview submission
# that is under review, withdrawn or rejected ("Submitted to ICLR 2025").
_NOT_ACCEPTED = re.compile(
    r"\b(arxiv|corr|preprint|ssrn|biorxiv|medrxiv|research square|submitted|under review|"
    r"withdrawn|rejected|desk reject)",
    re.IGNORECASE,
)
# Where each source keeps the venue, best first: OpenReview/Semantic Scholar/OpenAlex `venue`,
# Semantic Scholar's `journal`, arXiv's `journal_ref`.
_VENUE_KEYS = ("venue", "journal", "journal_ref")


@dataclass(frozen=True)
class Badge:
    kind: BadgeKind
    text: str  # what the badge says: "▲42", "code", "ICLR 2025"
    title: str  # a sentence for a tooltip or a screen reader
    url: str | None = None  # where the badge links (the code), checked to be http(s)


def upvotes(paper: Paper) -> int | None:
    """Hugging Face Daily Papers upvotes; None when the paper was never featured there."""
    value = paper.extra.get("upvotes")
    # bool is an int too; a JSON true is no count.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def code_url(paper: Paper) -> str | None:
    """The first code link (Hugging Face's GitHub repo, a github.com URL of a BibTeX entry)."""
    return next(
        (url for link in paper.links if link.kind == "code" if (url := safe_url(link.url))),
        None,
    )


def has_code(paper: Paper) -> bool:
    return code_url(paper) is not None


def venue(paper: Paper) -> str | None:
    """Where the paper was accepted or published, if a source said so; never a preprint server
    or a submission under review."""
    for key in _VENUE_KEYS:
        value = paper.extra.get(key)
        if not isinstance(value, str):
            continue
        text = collapse_whitespace(value)
        if text and not _NOT_ACCEPTED.search(text):
            return text
    return None


def badges(paper: Paper) -> tuple[Badge, ...]:
    """The paper's badges in a fixed order: upvotes, code, venue. Zero upvotes show none."""
    found: list[Badge] = []
    votes = upvotes(paper)
    if votes:
        found.append(
            Badge("upvotes", f"{UPVOTE_MARK}{votes}", f"{votes} upvotes on Hugging Face Papers")
        )
    code = code_url(paper)
    if code:
        found.append(Badge("code", "code", f"Code: {code}", code))
    where = venue(paper)
    if where:
        short = where if len(where) <= VENUE_CHARS else where[: VENUE_CHARS - 1].rstrip() + "…"
        found.append(Badge("venue", short, f"Published at {where}"))
    return tuple(found)


def compact(paper: Paper) -> str:
    """The badges on one short line for a terminal row: "▲42 code ICLR 2025"."""
    return " ".join(badge.text for badge in badges(paper))


def badges_as_dict(paper: Paper) -> dict[str, object]:
    """The signals for a script (`--json`): None where unknown."""
    return {"upvotes": upvotes(paper), "code": code_url(paper), "venue": venue(paper)}
