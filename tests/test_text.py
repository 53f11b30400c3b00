"""Text normalization helpers: fast paths must agree with the plain definitions."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from papersift.text import collapse_whitespace, match_key

# Every kind of character str.split() treats as whitespace, among plain words.
_SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u3000"
_pieces = st.lists(st.one_of(st.sampled_from(list(_SPACES)), st.text(min_size=0, max_size=6)))


@given(_pieces.map("".join))
def test_collapse_whitespace_is_split_and_join(text: str) -> None:
    assert collapse_whitespace(text) == " ".join(text.split())


def test_collapse_whitespace_unwraps_hard_wrapped_abstracts() -> None:
    wrapped = "  We study graphs.\nOur method is fast\nand exact.\n"
    assert collapse_whitespace(wrapped) == "We study graphs. Our method is fast and exact."
    assert collapse_whitespace("a\n\nb\u00a0 c\t") == "a b c"
    assert collapse_whitespace(" \n ") == ""


def _plain_match_key(text: str) -> str:
    """match_key as first written: NFKD, combining marks dropped, a regex over the lower case."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", text.lower())


@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127)), st.text()))
def test_match_key_fast_path_is_the_plain_definition(text: str) -> None:
    assert match_key(text) == _plain_match_key(text)


def test_collapse_whitespace_sees_ascii_control_characters() -> None:
    # The ASCII check deletes control bytes; a text with one must take the slow, exact path.
    assert collapse_whitespace("a\x00b  c\x7fd") == " ".join("a\x00b  c\x7fd".split())
    assert collapse_whitespace("tab\there") == "tab here"


# LaTeX-ish text: accents, letters, braces and backslashes in every order, among words.
_latex_bits = st.sampled_from(
    ["\\", "{", "}", "'", '"', "`", "^", "~", "=", ".", "u", "v", "c", "H", "s", "ss", "o",
     "ae", "OE", "i", "j", "a", "e", "Z", "9", " ", "\n", "{}", "\\'", "{\\", "\\c ", "\\ss"]
)  # fmt: skip
_latex = st.lists(st.one_of(_latex_bits, st.text(max_size=3)), max_size=30).map("".join)


@settings(max_examples=400)
@example("x {\\'a} and {\\ss}y \\c c")
@given(_latex)
def test_accent_and_letter_decoding_begun_late_is_the_plain_substitution(text: str) -> None:
    from papersift.text import _ACCENT, _ACCENT_AT, _LETTER, _LETTER_AT, _accent, _sub_from

    def letter(m):
        return m.group(1)

    assert _sub_from(_ACCENT_AT, _ACCENT, _accent, text) == _ACCENT.sub(_accent, text)
    assert _sub_from(_LETTER_AT, _LETTER, letter, text) == _LETTER.sub(letter, text)
