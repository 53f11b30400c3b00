"""arXiv's announcement calendar: weekends, holidays, DST weeks, and what a gap has missed."""

from __future__ import annotations

import datetime as dt

import pytest

from papersift.arxiv_calendar import (
    ARXIV_TZ,
    announcement_time,
    announcements_after,
    eastern_noon,
    holiday,
    is_announcement_day,
    latest_announcement,
    quiet_reason,
)

UTC = dt.UTC


def test_sunday_to_thursday_evenings_announce_friday_and_saturday_do_not() -> None:
    week = [dt.date(2025, 6, 1) + dt.timedelta(days=i) for i in range(7)]  # Sun 1 .. Sat 7 June
    assert [day.strftime("%a") for day in week if is_announcement_day(day)] == [
        "Sun",
        "Mon",
        "Tue",
        "Wed",
        "Thu",
    ]


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (dt.date(2025, 1, 20), "Martin Luther King Jr. Day"),  # arXiv's published 2025 list
        (dt.date(2025, 6, 19), "Juneteenth"),
        (dt.date(2025, 7, 6), "Independence Day (observed)"),
        (dt.date(2025, 11, 27), "Thanksgiving"),
        (dt.date(2025, 12, 25), "Christmas Day"),  # December 2025 was not published: the rule
        (dt.date(2026, 11, 26), "Thanksgiving"),  # 2026 by rule: fourth Thursday of November
        (dt.date(2026, 1, 19), "Martin Luther King Jr. Day"),  # third Monday of January
    ],
)
def test_holidays_have_no_announcement(day: dt.date, name: str) -> None:
    assert holiday(day) == name
    assert not is_announcement_day(day)


def test_memorial_day_is_an_announcement_day() -> None:
    # arXiv announced on Memorial Day in the years it published lists; so do we.
    assert holiday(dt.date(2025, 5, 26)) is None and is_announcement_day(dt.date(2025, 5, 26))


def test_latest_announcement_depends_on_the_eastern_evening() -> None:
    before = dt.datetime(2025, 6, 3, 19, 59, tzinfo=ARXIV_TZ)  # Tuesday, a minute early
    after = dt.datetime(2025, 6, 3, 20, 0, tzinfo=ARXIV_TZ)
    assert latest_announcement(before) == dt.date(2025, 6, 2)
    assert latest_announcement(after) == dt.date(2025, 6, 3)
    # Friday and Saturday fall back to Thursday's announcement.
    assert latest_announcement(eastern_noon(dt.date(2025, 6, 7))) == dt.date(2025, 6, 5)


def test_spring_forward_week_announces_at_20_eastern_daylight_time() -> None:
    # 9 March 2025 (a Sunday) clocks went forward: 20:00 EDT is 00:00 UTC, not 01:00.
    assert announcement_time(dt.date(2025, 3, 9)).astimezone(UTC) == dt.datetime(
        2025, 3, 10, 0, 0, tzinfo=UTC
    )
    assert announcement_time(dt.date(2025, 3, 6)).astimezone(UTC) == dt.datetime(
        2025, 3, 7, 1, 0, tzinfo=UTC
    )
    assert latest_announcement(dt.datetime(2025, 3, 10, 0, 30, tzinfo=UTC)) == dt.date(2025, 3, 9)


def test_fall_back_week_announces_at_20_eastern_standard_time() -> None:
    # 2 November 2025 (a Sunday) clocks went back: 00:30 UTC is still 19:30 EST that Sunday.
    assert latest_announcement(dt.datetime(2025, 11, 3, 0, 30, tzinfo=UTC)) == dt.date(2025, 10, 30)
    assert latest_announcement(dt.datetime(2025, 11, 3, 1, 30, tzinfo=UTC)) == dt.date(2025, 11, 2)


def test_a_gap_of_several_days_lists_every_missed_announcement() -> None:
    # Last covered: Tuesday 17 June. Run again the next Monday morning: Wed 18, (Thu 19 is
    # Juneteenth), (Fri, Sat), Sun 22.
    missed = announcements_after(dt.date(2025, 6, 17), eastern_noon(dt.date(2025, 6, 23)))
    assert missed == [dt.date(2025, 6, 18), dt.date(2025, 6, 22)]
    assert announcements_after(dt.date(2025, 6, 22), eastern_noon(dt.date(2025, 6, 23))) == []


def test_quiet_reason_names_the_holiday_or_the_weekend() -> None:
    weekend = quiet_reason(dt.date(2025, 6, 5), eastern_noon(dt.date(2025, 6, 7)))
    assert "Friday or Saturday" in weekend
    # Thanksgiving 2025 (Thu 27 Nov): the morning after, nothing new since Wednesday's.
    assert announcements_after(dt.date(2025, 11, 26), eastern_noon(dt.date(2025, 11, 28))) == []
    why = quiet_reason(dt.date(2025, 11, 26), eastern_noon(dt.date(2025, 11, 28)))
    assert "Thanksgiving (2025-11-27)" in why
