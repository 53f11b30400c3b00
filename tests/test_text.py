"""Text normalization helpers: fast paths must agree with the plain definitions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from papersift.text import collapse_whitespace

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
