"""The tests every JSON source parser must pass, built per format, and the strategies behind them.

A parser given random bytes or a damaged document may yield Papers and ParseErrors or raise a
ParseError; anything else (a KeyError, a RecursionError, a non-record object) is a bug. Each
format's test file binds these tests to its own parser and fixtures and keeps the rest.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from tests.sources import contract

from papersift.errors import ParseError
from papersift.records import Paper
from papersift.sources import head_text

FUZZ = contract.fuzz_settings(150)

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


@dataclass(frozen=True)
class JsonFormat:
    """One JSON source format, as its tests see it."""

    samples: str  # its folder among the real samples, which also names its cases in these tests
    parse: contract.Parse
    sniff: contract.Sniff
    fixtures: Path  # the folder of its invented fixtures
    origin: str  # the file name its tests give the parser

    def read(self, name: str) -> bytes:
        return (self.fixtures / name).read_bytes()

    def run(self, data: bytes, **options: int) -> tuple[list[Paper], list[ParseError]]:
        return contract.papers_and_errors(self.parse, data, self.origin, **options)


def check_contract(parse: contract.Parse, data: bytes) -> None:
    """Run `parse` over `data`: only Papers and ParseErrors may come out, or one ParseError.

    Every error must read as one line, as the CLI shows it.
    """
    for item in contract.parse_outcome(parse, data, "fuzz.json"):
        if isinstance(item, ParseError):
            assert "\n" not in item.one_line()


def assert_title_too_long(outcome: tuple[list[Paper], list[ParseError]]) -> None:
    """Of a one-record document with a ten-million-character title: the record is rejected.

    With its size said plainly, rather than kept, cut short or left to hang the parser.
    """
    papers, errors = outcome
    assert not papers
    assert (errors[0].field, errors[0].reason) == ("title", "too long (10,000,000 characters)")


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = value.copy()
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


def _substitute(draw: st.DrawFn, text: str) -> str:
    """`text` (one JSON document) with one node, anywhere in it, swapped for a random value."""
    document = json.loads(text)
    path = draw(st.sampled_from(list(_paths(document))))
    return json.dumps(_replace(document, path, draw(JSON_VALUES)))


@st.composite
def damaged(draw: st.DrawFn, originals: list[bytes]) -> bytes:
    """One of `originals` truncated, with bytes flipped, or with a JSON node substituted.

    JSON-lines originals (one document a line) get the substitution inside one line.
    """
    original = draw(st.sampled_from(originals))
    how = draw(st.sampled_from(["truncate", "flip", "substitute"]))
    if how == "truncate":
        return original[: draw(st.integers(0, len(original)))]
    if how == "flip":
        data = bytearray(original)
        for _ in range(draw(st.integers(1, 4))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    text = original.decode("utf-8")
    try:
        return _substitute(draw, text).encode()
    except json.JSONDecodeError:
        lines = text.splitlines()
        index = draw(st.integers(0, len(lines) - 1))
        with contextlib.suppress(json.JSONDecodeError):  # a blank or broken line stays so
            lines[index] = _substitute(draw, lines[index])
        return "\n".join(lines).encode()


def random_bytes_test(source: JsonFormat) -> contract.Test:
    check = partial(check_contract, source.parse)
    return contract.property_test(source.samples, st.binary(max_size=2_000), check, FUZZ)


def damaged_fixtures_test(source: JsonFormat, names: list[str]) -> contract.Test:
    inputs = damaged([source.read(name) for name in names])
    return contract.property_test(
        source.samples, inputs, partial(check_contract, source.parse), FUZZ
    )


def sniff_claims_test(source: JsonFormat) -> contract.Test:
    """A test that the sniffer claims every real sample in the format's folder, and no other."""

    def test(shared_formats: Path) -> None:
        for path in sorted(shared_formats.glob("*/**/*")):
            if path.is_file() and path.name != "SOURCES.md":
                claimed = source.sniff(head_text(path.read_bytes()))
                assert claimed is (path.parent.name == source.samples), path

    return test
