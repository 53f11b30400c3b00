"""Hypothesis strategies that damage JSON documents, for the JSON source parsers' property tests.

A parser given any of them may yield Papers and ParseErrors or raise a ParseError; anything
else (a KeyError, a RecursionError, a non-record object) is a bug.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from papersift.errors import ParseError
from papersift.records import Paper

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

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


def check_contract(parse: Callable[..., Iterator[Any]], data: bytes) -> None:
    """Run `parse` over `data`: only Papers and ParseErrors may come out, or one ParseError."""
    try:
        items = list(parse(data, "fuzz.json"))
    except ParseError as err:
        assert "\n" not in err.one_line()
        return
    for item in items:
        assert isinstance(item, Paper | ParseError), type(item)
        if isinstance(item, ParseError):
            assert "\n" not in item.one_line()


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
