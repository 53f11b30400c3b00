"""What every source parser's tests share, whatever the format.

A parser turns the bytes of a file into Papers and ParseErrors (one for each bad record), or
raises one ParseError for the whole file. The helpers here hold it to that, and build the tests
that every format's file binds to its own parser, so that a format's file keeps only what is
particular to the format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy

from papersift.errors import ParseError
from papersift.records import Paper

Parse = Callable[..., Iterable[Paper | ParseError]]
Sniff = Callable[[str], bool]
Check = Callable[[bytes], None]
Run = Callable[[bytes], tuple[list[Paper], list[ParseError]]]
Test = Callable[..., None]


def fuzz_settings(max_examples: int) -> settings:
    """Hypothesis settings for a parser's property test, which draws `max_examples` inputs.

    No deadline and no complaint about slow input: on a busy 2-core machine an example may run
    slowly without anything being wrong.
    """
    return settings(
        max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


def papers_and_errors(
    parse: Parse, data: bytes, origin: str, **options: int
) -> tuple[list[Paper], list[ParseError]]:
    """What `parse` yields for `data`, split into papers and record errors; nothing else may come."""
    out = list(parse(data, origin, **options))
    papers = [item for item in out if isinstance(item, Paper)]
    errors = [item for item in out if isinstance(item, ParseError)]
    assert len(papers) + len(errors) == len(out), "parse yielded something else"
    return papers, errors


def papers_only(items: Iterable[Paper | ParseError]) -> list[Paper]:
    """The papers of a file that must parse without a single record error."""
    out = list(items)
    assert all(isinstance(item, Paper) for item in out), out
    return [item for item in out if isinstance(item, Paper)]


def parse_outcome(parse: Parse, data: bytes, origin: str) -> list[Paper | ParseError]:
    """Everything `parse` gives for `data`: what it yields, then the ParseError it raises, if any.

    Anything else it yields or raises fails the test; each item is checked as it comes, so a bad
    one is caught even when the parser gives up on the file after it.
    """
    outcome: list[Paper | ParseError] = []
    try:
        for item in parse(data, origin):
            assert isinstance(item, Paper | ParseError), type(item)
            outcome.append(item)
    except ParseError as err:
        outcome.append(err)
    return outcome


def property_test(
    format_name: str, inputs: SearchStrategy[bytes], check: Check, fuzz: settings
) -> Test:
    """A hypothesis test that runs `check` on what `inputs` draws, for one format.

    The tests made here all share this source, which is what hypothesis keys its example database
    (and, derandomized in CI, its seed) by. Parametrizing by the format makes its pytest plugin key
    them by test id instead, so each format keeps its own examples and its own random inputs.
    """

    @pytest.mark.parametrize("check_input", [check], ids=[format_name])
    @fuzz
    @given(data=inputs)
    def test(check_input: Check, data: bytes) -> None:
        check_input(data)

    return test


def sniff_test(sniff: Sniff, cases: list[tuple[str, bool]]) -> Test:
    """A test that `sniff` claims each head of a file marked True and no head marked False."""

    @pytest.mark.parametrize(("head", "expected"), cases)
    def test(head: str, expected: bool) -> None:
        assert sniff(head) is expected

    return test


def unreadable_documents_test(run: Run, cases: list[tuple[bytes, str]]) -> Test:
    """A test that each document is refused as a whole, with one ParseError giving the reason."""

    @pytest.mark.parametrize(("data", "reason"), cases)
    def test(data: bytes, reason: str) -> None:
        with pytest.raises(ParseError, match=reason):
            run(data)

    return test


def assert_kept_and_rejected(
    outcome: tuple[list[Paper], list[ParseError]],
    kept: list[str],
    rejected: list[tuple[str, str | None]],
) -> list[ParseError]:
    """Of a file with bad records: the papers kept (by id), the records rejected (by record, field).

    Both in the file's order. Gives back the errors, for the test to check their reasons.
    """
    papers, errors = outcome
    assert [paper.id for paper in papers] == kept
    assert [(error.record, error.field) for error in errors] == rejected
    return errors
