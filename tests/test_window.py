import datetime as dt

import pytest

from papersift.errors import UsageError
from papersift.window import window_start

LATEST = dt.date(2026, 11, 21)


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("1d", LATEST),
        ("7d", dt.date(2026, 11, 15)),
        ("2w", dt.date(2026, 11, 8)),
        ("2026-11-01", dt.date(2026, 11, 1)),
        ("all", None),
        (None, None),
    ],
)
def test_windows(since, expected):
    assert window_start(since, LATEST) == expected


def test_bad_windows_are_usage_errors():
    for bad in ("yesterday", "0d", "2026-13-01"):
        with pytest.raises(UsageError):
            window_start(bad, LATEST)


def test_relative_window_on_an_empty_store_is_everything():
    assert window_start("1d", None) is None
