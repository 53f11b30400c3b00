"""Pure text normalization for display, search and matching."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from urllib.parse import quote, urlsplit

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_ASCII_CONTROLS = bytes([*range(32), 127])  # the ASCII characters str.isprintable refuses
_ASCII_NOT_ALNUM = bytes(c for c in range(128) if not re.fullmatch("[0-9a-z]", chr(c)))
_TAG = re.compile(r"<[^>]{0,200}>")
# LaTeX in titles, abstracts and BibTeX fields is nearly always an accent (Bal\'azs), a
# letter (\ss, \o), an escaped special (\&, \%) or a brace group protecting capitals ({GAN}s).
# A small table-driven decoder handles those; a full LaTeX parser was far slower on every
# abstract and mangled math, which readers want kept as written ($O(n^2)$)
# (docs/benchmarks.md#fast-paths-in-the-parser-and-the-loader).
_COMBINING = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
}  # fmt: skip
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "aa": "å", "AA": "Å",
    "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "i": "ı", "j": "ȷ",
}  # fmt: skip
_SYMBOLS = {
    "textendash": "–", "textemdash": "—", "ldots": "…", "dots": "…", "textellipsis": "…",
    "textquoteright": "’", "textquoteleft": "‘", "textquotedblleft": "“",
    "textquotedblright": "”", "textasciitilde": "~", "textregistered": "®",
    "texttrademark": "™", "copyright": "©", "textcopyright": "©", "S": "§", "P": "¶",
    "dag": "†", "ddag": "‡", "textbullet": "•", "textdegree": "°", "textsection": "§",
    "guillemotleft": "«", "guillemotright": "»", "pounds": "£", "euro": "€", "LaTeX": "LaTeX",
    "TeX": "TeX", "textbackslash": "\\",
}  # fmt: skip
_SYMBOL = re.compile(
    r"\\(" + "|".join(sorted(_SYMBOLS, key=len, reverse=True)) + r")(?![A-Za-z])(?:\{\})?"
)
_ESCAPED = {"&": "&", "%": "%", "_": "_", "$": "$", "#": "#", "{": "{", "}": "}"}
# \'a  \'{a}  {\'a}  \'{\i}  \c{c}  \c c  \v{s}
_ACCENT = re.compile(
    r"(?:\{\\|\\)(?:(['`^\"~=.])|([uvHckrdb])(?=[\s{]))\s*(?:\{\s*(\\?[A-Za-z0-9])\s*\}|(\\?[A-Za-z0-9]))\}?"
)
# Where a match of each can begin (its backslash; a brace may come just before).
_ACCENT_AT = re.compile(r"\\(?:['`^\"~=.]|[uvHckrdb](?=[\s{]))")
# A control word swallows the space after it: "Stra\\ss e" is "Straße".
_LETTER = re.compile(
    r"(?:\{\\|\\)(ss|aa|AA|ae|AE|oe|OE|[oOlLij])(?![A-Za-z])\}?(?:\{\}| (?=[A-Za-z]))?"
)
_LETTER_AT = re.compile(r"\\(?:ss|aa|AA|ae|AE|oe|OE|[oOlLij])(?![A-Za-z])")
_FORMATTING = re.compile(
    r"\\(?:emph|textbf|textit|texttt|textsc|textrm|textsf|textup|underline|mbox|text)\s*\{([^{}]*)\}"
)
_ESCAPE = re.compile(r"\\([&%_$#{}])")
# A brace group not attached to a command ({GAN}s); "\\cite{key}" keeps its braces.
# (The literal "{" comes first so the regex engine can skip to braces; speed matters here.)
_PLACEHOLDER = re.compile("\ue010(\\d+)\ue011")
_GROUP = re.compile(r"\{(?<![\\A-Za-z]\{)([^{}\\$]*)\}")


def _accent(m: re.Match[str]) -> str:
    mark = _COMBINING[m.group(1) or m.group(2)]
    base = m.group(3) or m.group(4)
    # An accent on \\i or \\j means the plain letter (dotless only so the accent fits).
    letter = base[1:] if base.startswith("\\") else base
    return unicodedata.normalize("NFC", letter + mark)


def _decode_text_mode(text: str) -> str:
    text = _sub_from(_ACCENT_AT, _ACCENT, _accent, text)
    text = _sub_from(_LETTER_AT, _LETTER, lambda m: _LETTERS[m.group(1)], text)
    text = _SYMBOL.sub(lambda m: _SYMBOLS[m.group(1)], text)
    text = _FORMATTING.sub(r"\1", text)
    for _ in range(3):  # nested groups, innermost first
        text, found = _GROUP.subn(r"\1", text)
        if not found:
            break
    return _ESCAPE.sub(lambda m: _ESCAPED[m.group(1)], text)


def _sub_from(
    start_at: re.Pattern[str],
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str]], str],
    text: str,
) -> str:
    """`pattern.sub(replace, text)`, begun where `start_at` first matches, less one character.

    _ACCENT and _LETTER begin with an alternation, so the regex engine tries them at every
    character (~8 us for an abstract); `start_at` begins with a literal backslash, which it
    skips to in C, and finds where the first match can start: a brace before it at the
    earliest. Neither pattern looks behind, so the matches are the same.
    """
    found = start_at.search(text)
    if found is None:
        return text
    start = max(found.start() - 1, 0)
    return text[:start] + pattern.sub(replace, text[start:])


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace (any Unicode kind) as one space, none at either end."""
    # Most text is already single-spaced once its line breaks are spaces (the snapshot wraps
    # abstracts at 80 columns): two C scans tell, cheaper than splitting it into words.
    # isprintable() is False for every whitespace character but the ASCII space; for ASCII
    # text, deleting the control characters from its bytes tells the same, faster still
    # (docs/benchmarks.md#fast-paths-in-the-parser-and-the-loader).
    flat = text.replace("\n", " ").strip()
    if flat.isascii():
        plain = len(flat.encode().translate(None, _ASCII_CONTROLS)) == len(flat)
    else:
        plain = flat.isprintable()
    if plain and "  " not in flat:
        return flat
    return " ".join(text.split())


def latex_to_text(text: str) -> str:
    """Make LaTeX accents and escapes readable (`Bal\\'azs` -> `Balázs`); keep math verbatim."""
    if "\\" not in text and "{" not in text:  # most text has neither: skip all regex work
        return text
    parts = split_math(text)
    if len(parts) == 1:
        return _decode_text_mode(text)
    # Math ($...$) is kept exactly as written: it stands aside as a placeholder while the rest
    # is decoded in one pass (one pass, not one per text part: ten times fewer regex scans).
    masked = "".join(part if i % 2 == 0 else f"\ue010{i}\ue011" for i, part in enumerate(parts))
    if "\\" not in masked and "{" not in masked:
        return text
    decoded = _decode_text_mode(masked)
    return _PLACEHOLDER.sub(lambda m: parts[int(m.group(1))], decoded)


def split_math(text: str) -> list[str]:
    """[text, math, text, math, ..., text]: `$...$` and `$$...$$` segments at odd positions.

    A scan with str.find, much faster than a regex split on long abstracts
    (docs/benchmarks.md#fast-paths-in-the-parser-and-the-loader).
    An unclosed `$` (a price, a typo) leaves the rest as text.
    """
    parts: list[str] = []
    start = 0
    while True:
        open_at = text.find("$", start)
        while open_at > 0 and text[open_at - 1] == "\\":  # \$ is a dollar sign, not math
            open_at = text.find("$", open_at + 1)
        if open_at < 0:
            break
        fence = "$$" if text.startswith("$$", open_at) else "$"
        close_at = text.find(fence, open_at + len(fence))
        if close_at < 0:
            break
        parts.append(text[start:open_at])
        parts.append(text[open_at : close_at + len(fence)])
        start = close_at + len(fence)
    parts.append(text[start:])
    return parts


def normalize_display(text: str | None, *, strip_tags: bool = False) -> str | None:
    """Text as a reader should see it: entities decoded, LaTeX accents readable, one line."""
    if text is None:
        return None
    # Tags go before entities are decoded: an escaped "&lt;" in HTML is a literal "<" that must
    # not open a "tag" swallowing the text after it.
    s = _TAG.sub(" ", text) if strip_tags else text
    return finish_display(latex_to_text(html.unescape(s)))


def finish_display(decoded: str) -> str | None:
    """The last steps of normalize_display, for text whose entities and LaTeX are decoded."""
    s = decoded if decoded.isascii() else unicodedata.normalize("NFC", decoded)
    return collapse_whitespace(s) or None


def match_key(text: str | None) -> str:
    """A key under which two spellings of one title or name compare equal.

    Lower case, accents and punctuation removed: "L'ala" and "Lála" both become "lala".
    """
    if not text:
        return ""
    if text.isascii():  # most titles and names: one C pass instead of a regex, for speed
        return text.lower().encode().translate(None, _ASCII_NOT_ALNUM).decode()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub("", text.lower())


def surname(author: str) -> str:
    """Surname of a display name: `Ada Lovelace` -> `Lovelace`, `Lovelace, Ada` -> `Lovelace`."""
    name = author.strip()
    if "," in name:
        return name.split(",", 1)[0].strip()
    parts = name.split()
    return parts[-1] if parts else ""


# Characters a URL keeps as they are; everything else is percent-encoded, so the URL is inert
# in HTML attributes, Markdown links and plain text alike.
_URL_SAFE_CHARS = ";/?:@&=+$,#%[]~!*-._"


def safe_url(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) URL, percent-encoded to be inert anywhere; else None."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=_URL_SAFE_CHARS)


def short_authors(authors: Sequence[str], shown: int = 3, et_al: bool = False) -> str:
    """The first `shown` names and how many more ("+5"), or "et al." in prose.

    All of them when only one would be hidden: "A, B, C, D" reads better than "A, B, C +1".
    """
    if len(authors) <= shown + 1:
        return ", ".join(authors)
    rest = " et al." if et_al else f" +{len(authors) - shown}"
    return ", ".join(authors[:shown]) + rest
