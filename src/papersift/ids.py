"""Pure helpers for paper identifiers: arXiv ids (old and new style) and DOIs."""

from __future__ import annotations

import re

# New-style ids (since April 2007): YYMM.NNNN (until 2014) or YYMM.NNNNN, optional vN.
_NEW_ID = re.compile(r"(?<![\w.])(\d{4}\.\d{4,5})(?:v(\d+))?(?![\w])")
# Old-style ids: archive(.subject-class)/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136, cs/0112017.
_OLD_ID = re.compile(r"(?<![\w])([a-z][a-z-]*(?:\.[A-Za-z-]{2,})?/\d{7})(?:v(\d+))?(?![\w])")
_ARXIV_PREFIX = re.compile(
    r"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)", re.I
)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
_DOI = re.compile(r"(10\.\d{4,9}/\S+)", re.I)


def parse_arxiv_id(text: str | None) -> tuple[str, int | None] | None:
    """Return (bare id, version) for an arXiv id, abs/pdf URL, `arXiv:` string or arXiv DOI.

    Old-style ids keep the archive's subject class as arXiv writes it (`math.GT/0309136`) but
    the canonical form drops it (`math/0309136`), as arXiv's own abs pages do.
    """
    if not text:
        return None
    s = text.strip()
    doi = _ARXIV_DOI.match(s.removeprefix("https://doi.org/").removeprefix("doi:"))
    if doi:
        s = doi.group(1)
    s = _ARXIV_PREFIX.sub("", s)
    s = s.removesuffix(".pdf")
    m = _NEW_ID.search(s)
    if m and (m.start() == 0 or s[: m.start()].strip().lower() in ("", "arxiv:", "arxiv")):
        return m.group(1), int(m.group(2)) if m.group(2) else None
    m = _OLD_ID.search(s)
    if m and m.start() == 0:
        archive, number = m.group(1).split("/")
        archive = archive.split(".")[0].lower()
        return f"{archive}/{number}", int(m.group(2)) if m.group(2) else None
    return None


def bare_arxiv_id(text: str | None) -> str | None:
    parsed = parse_arxiv_id(text)
    return parsed[0] if parsed else None


def find_arxiv_id(text: str | None) -> str | None:
    """Find an arXiv id anywhere in free text (e.g. a note `arXiv:2301.00001v2 [cs.LG]`)."""
    if not text:
        return None
    for m in re.finditer(r"arxiv[.:/\s]*(?:org/(?:abs|pdf)/)?\s*(\S+)", text, re.I):
        found = bare_arxiv_id(m.group(1).rstrip(".,;)]"))
        if found:
            return found
    return None


def normalize_doi(text: str | None) -> str | None:
    """Lower-case DOI without resolver prefix, or None when `text` holds no DOI."""
    if not text:
        return None
    m = _DOI.search(text.strip())
    if not m:
        return None
    return m.group(1).rstrip(".,;").lower()


def canonical_id(arxiv_id: str | None, doi: str | None, **others: str | None) -> str | None:
    """Canonical paper id: the arXiv id, else `doi:...`, else the first given `prefix:value`."""
    if arxiv_id:
        return arxiv_id
    if doi:
        return f"doi:{doi}"
    for prefix, value in others.items():
        if value:
            return f"{prefix}:{value}"
    return None
