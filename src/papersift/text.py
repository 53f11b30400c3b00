"""Pure text normalization for display, search and matching."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]{0,200}>")
# Only pay for LaTeX decoding (slow: ~50 us a call) when the text holds an accent command, a
# text-mode escape or a brace group; math such as $\\alpha$ is kept verbatim anyway, and most
# arXiv abstracts then skip the decoder entirely, which keeps bulk ingest fast.
_LATEXISH = re.compile(
    r"\\(?:['\"`^~=.]|[uvHcdbkrt]\b|[uvHcdbkrt]\s*\{|ss\b|ae\b|oe\b|[oOlL]\b|aa\b|AA\b|[&%_$])"
    r"|(?<![\\$])\{[^{}$]*\}"
)
_BARE_SPECIAL = re.compile(r"(?<!\\)[%&]")
_SHIELD = {"%": "\uE000", "&": "\uE001"}  # private-use code points never found in real text


@lru_cache(maxsize=1)
def _latex_decoder() -> object:
    from pylatexenc.latex2text import LatexNodes2Text

    # Keep math as written: readers of ML abstracts expect $O(n^2)$, not a mangled rendering.
    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def collapse_whitespace(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def latex_to_text(text: str) -> str:
    """Make LaTeX accents and escapes readable (`Bal\\'azs` -> `Balázs`); keep math verbatim."""
    if not _LATEXISH.search(text):
        return text
    # A bare % starts a LaTeX comment and & is an alignment tab: in abstracts both are plain
    # text ("50% fewer", "R&D"), so shield them from the decoder instead of losing the rest.
    shielded = _BARE_SPECIAL.sub(lambda m: _SHIELD[m.group(0)], text)
    try:
        decoded = str(_latex_decoder().latex_to_text(shielded))  # type: ignore[attr-defined]
    except Exception:  # pylatexenc is lenient, but never let display cleanup lose a record
        return text
    for char, token in _SHIELD.items():
        decoded = decoded.replace(token, char)
    return decoded


def normalize_display(text: str | None, *, strip_tags: bool = False) -> str | None:
    """Text as a reader should see it: entities decoded, LaTeX accents readable, one line."""
    if text is None:
        return None
    s = html.unescape(text)
    if strip_tags:
        s = _TAG.sub(" ", s)
    s = latex_to_text(s)
    s = collapse_whitespace(unicodedata.normalize("NFC", s))
    return s or None


def match_key(text: str | None) -> str:
    """A key under which two spellings of one title or name compare equal.

    Lower case, accents and punctuation removed: "L'ala" and "Lála" both become "lala".
    """
    if not text:
        return ""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[^0-9a-z]+", "", s.lower())
    return s


def surname(author: str) -> str:
    """Surname of a display name: `Ada Lovelace` -> `Lovelace`, `Lovelace, Ada` -> `Lovelace`."""
    name = author.strip()
    if "," in name:
        return name.split(",", 1)[0].strip()
    parts = name.split()
    return parts[-1] if parts else ""
