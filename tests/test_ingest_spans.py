"""`ingest._line_spans`: the spans a snapshot file is cut into for the parse worker."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from papersift.ingest import files as ingest

LINES = st.lists(st.binary(max_size=300).map(lambda b: b.replace(b"\n", b"")), max_size=40)


def spans_of(data: bytes, tmp_path, first: int, chunk: int) -> list[tuple[int, int, int]]:
    path = tmp_path / "snapshot.jsonl"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    saved = ingest.FIRST_CHUNK_BYTES, ingest.CHUNK_BYTES
    ingest.FIRST_CHUNK_BYTES, ingest.CHUNK_BYTES = first, chunk
    try:
        return list(ingest._line_spans(fd))
    finally:
        ingest.FIRST_CHUNK_BYTES, ingest.CHUNK_BYTES = saved
        os.close(fd)


@settings(max_examples=60, deadline=None)
@given(lines=LINES, last_newline=st.booleans(), first=st.integers(1, 64))
def test_spans_cover_the_file_in_whole_lines(tmp_path_factory, lines, last_newline, first):
    data = b"\n".join(lines) + (b"\n" if last_newline and lines else b"")
    spans = spans_of(data, tmp_path_factory.mktemp("spans"), first, 4 * first)
    assert b"".join(data[o : o + n] for o, n, _ in spans) == data
    assert all(n > 0 for _, n, _ in spans)
    for offset, length, first_line in spans:
        assert first_line == data.count(b"\n", 0, offset) + 1
        if offset + length < len(data):  # only the last span may end without a newline
            assert data[offset + length - 1 : offset + length] == b"\n"


def test_first_spans_are_small_then_double(tmp_path):
    data = b"".join(b"%09d\n" % i for i in range(2000))  # 10-byte lines
    sizes = [n for _, n, _ in spans_of(data, tmp_path, 100, 800)]
    assert sizes[:5] == [100, 200, 400, 800, 800]


def test_a_line_longer_than_a_chunk_is_one_span(tmp_path):
    data = b"a\n" + b"x" * 5000 + b"\nb\n"
    spans = spans_of(data, tmp_path, 16, 64)
    assert spans[0] == (0, 2, 1)
    offset, length, line = spans[1]  # the long line whole, and what the last read held after
    assert (offset, line) == (2, 2) and length >= 5001 and data[offset + length - 1] == ord("\n")
