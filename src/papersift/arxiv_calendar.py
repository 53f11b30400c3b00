"""Pure: arXiv's announcement calendar, so `daily` knows which announcements it has missed.

arXiv makes new submissions public Sunday through Thursday at 20:00 US Eastern time, never on
Friday or Saturday evenings, and skips the evenings of its holidays
(https://info.arxiv.org/help/availability.html, "Announcement Schedule" and "On Deferred
Mailings"). An announcement is named here by its Eastern calendar date: the announcement of
Monday 2025-06-02 20:00 ET is `dt.date(2025, 6, 2)` (its papers are in Tuesday's listing).

The calendar only counts and explains: `daily` fetches by date from the last announcement it
covered, so a holiday this table gets wrong costs a wrong count in a message, never a paper.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ARXIV_TZ = ZoneInfo("America/New_York")
ANNOUNCED_AT = dt.time(20, 0)
# Monday is 0: Sunday (6) through Thursday (3) evenings.
ANNOUNCEMENT_WEEKDAYS = frozenset({6, 0, 1, 2, 3})

# arXiv's own published holiday list (arXiv/arxiv-docs, source/help/availability.md, "2025
# Holidays"; it said "December Holidays are not yet scheduled", and no 2026 list was published
# when this was written). Evenings without an announcement.
PUBLISHED_HOLIDAYS: dict[int, dict[dt.date, str]] = {
    2025: {
        dt.date(2025, 1, 1): "New Year's Day",
        dt.date(2025, 1, 20): "Martin Luther King Jr. Day",
        dt.date(2025, 6, 19): "Juneteenth",
        dt.date(2025, 7, 6): "Independence Day (observed)",
        dt.date(2025, 9, 1): "Labor Day",
        dt.date(2025, 11, 27): "Thanksgiving",
    },
}
# Months of a published year that its list does not cover yet: the rule below fills them.
UNPUBLISHED_MONTHS: dict[int, frozenset[int]] = {2025: frozenset({12})}


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _rule_holidays(year: int) -> dict[dt.date, str]:
    """The holidays arXiv has skipped every year it published a list (2023, 2025).

    Memorial Day and Presidents' Day are left out: arXiv announced on them in those years.
    """
    return {
        dt.date(year, 1, 1): "New Year's Day",
        _nth_weekday(year, 1, 0, 3): "Martin Luther King Jr. Day",
        dt.date(year, 6, 19): "Juneteenth",
        dt.date(year, 7, 4): "Independence Day",
        _nth_weekday(year, 9, 0, 1): "Labor Day",
        _nth_weekday(year, 11, 3, 4): "Thanksgiving",
        dt.date(year, 12, 25): "Christmas Day",
    }


def holidays(year: int) -> dict[dt.date, str]:
    """arXiv's holidays of `year`: its published list where there is one, else the rule."""
    published = PUBLISHED_HOLIDAYS.get(year)
    if published is None:
        return _rule_holidays(year)
    missing = UNPUBLISHED_MONTHS.get(year, frozenset())
    rule = {day: name for day, name in _rule_holidays(year).items() if day.month in missing}
    return {**published, **rule}


def holiday(day: dt.date) -> str | None:
    """The name of the arXiv holiday on `day` (an Eastern date), None on other days."""
    return holidays(day.year).get(day)


def is_announcement_day(day: dt.date) -> bool:
    """Whether arXiv announces on the evening of `day` (Eastern)."""
    return day.weekday() in ANNOUNCEMENT_WEEKDAYS and holiday(day) is None


def announcement_time(day: dt.date) -> dt.datetime:
    """When the announcement of `day` goes out (aware, Eastern; DST is the zone's business)."""
    return dt.datetime.combine(day, ANNOUNCED_AT, tzinfo=ARXIV_TZ)


def latest_announcement(now: dt.datetime) -> dt.date:
    """The most recent announcement at or before `now` (an aware datetime)."""
    eastern = now.astimezone(ARXIV_TZ)
    day = eastern.date()
    if eastern.time() < ANNOUNCED_AT:
        day -= dt.timedelta(days=1)
    while not is_announcement_day(day):
        day -= dt.timedelta(days=1)
    return day


def announcements_after(after: dt.date, now: dt.datetime) -> list[dt.date]:
    """The announcements later than `after` up to `now`, oldest first: what a run has missed."""
    latest = latest_announcement(now)
    days = []
    day = after + dt.timedelta(days=1)
    while day <= latest:
        if is_announcement_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def quiet_reason(after: dt.date, now: dt.datetime) -> str:
    """Why no announcement came after `after` up to `now`, in words (weekend or holiday)."""
    eastern = now.astimezone(ARXIV_TZ)
    last = eastern.date() if eastern.time() >= ANNOUNCED_AT else eastern.date() - dt.timedelta(1)
    day = after + dt.timedelta(days=1)
    names = []
    while day <= last:
        name = holiday(day)
        if name is not None and day.weekday() in ANNOUNCEMENT_WEEKDAYS:
            names.append(f"{name} ({day.isoformat()})")
        day += dt.timedelta(days=1)
    if names:
        return f"no arXiv announcement since the last digest: an arXiv holiday, {', '.join(names)}"
    return (
        "no arXiv announcement since the last digest: arXiv announces Sunday to Thursday "
        "evenings (US Eastern), not on Friday or Saturday"
    )


def eastern_noon(day: dt.date) -> dt.datetime:
    """Noon US Eastern of `day`: a run on that day, after the night's announcement."""
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=ARXIV_TZ)
