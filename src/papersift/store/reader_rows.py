"""What both backends' per-reader tables share outside SQL: rows into records, the times and
keys they store, and the rules applied to what a query returned.

The SQLite modules (`store.library`, `store.seen`, ...) and their PostgreSQL twins
(`store.postgres.*`) differ only in their SQL; dates are ISO text on both, so a row reads into
a record the same way whichever database it came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from papersift.records import Paper
from papersift.store.base import (
    SEEN_PLACES,
    Account,
    ArchivedDigest,
    Delivery,
    Feedback,
    Follow,
    FollowKind,
    Interest,
    Mark,
    ProfileSwitches,
    SeenPlace,
    SeenState,
    Showing,
)

# The digest formats an archive keeps, and the column each is kept in.
FORMAT_COLUMNS = {"html": "html", "md": "markdown", "txt": "text", "atom": "atom"}
# How a profile switch is named in its table: "signal:likes", "tag:quantization".
SIGNAL_PREFIX = "signal:"
TAG_PREFIX = "tag:"


def now_stamp() -> str:
    """The time a like, tag, interest, follow or switch is stored with (ISO, UTC, to the µs)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def seconds_stamp() -> str:
    """The time a digest, delivery, account or snapshot is stored with (ISO, UTC, seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def day_or_none(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


# -- the library -----------------------------------------------------------------------------


def feedback_from_row(row: Sequence[Any]) -> Feedback:
    return Feedback(int(row[0]), int(row[1]), dt.datetime.fromisoformat(row[2]))


def interest_from_row(row: Sequence[Any]) -> Interest:
    return Interest(int(row[0]), row[1], dt.datetime.fromisoformat(row[2]))


def interest_number(key: str) -> int | None:
    """The interest number `key` names (as `interest list` shows it), or None: it is a text.

    isascii: "²".isdigit() is true but int() refuses it; 18 digits fit a 64-bit integer.
    """
    if key.isascii() and key.isdigit() and len(key) <= 18:
        return int(key)
    return None


def marks_of(
    rowids: Sequence[int], ratings: Mapping[int, int], tag_rows: Iterable[Sequence[Any]]
) -> dict[int, Mark]:
    """A Mark for every one of `rowids`, from their ratings and (rowid, tag) rows in tag order."""
    tags: dict[int, list[str]] = {}
    for rowid, name in tag_rows:
        tags.setdefault(int(rowid), []).append(name)
    return {int(r): Mark(ratings.get(int(r)), tuple(tags.get(int(r), ()))) for r in rowids}


def tags_of(rows: Iterable[Sequence[Any]]) -> dict[str, list[int]]:
    """Tag -> paper rowids, from (tag, rowid) rows in order."""
    found: dict[str, list[int]] = {}
    for tag, rowid in rows:
        found.setdefault(tag, []).append(int(rowid))
    return found


# -- the archive -----------------------------------------------------------------------------


def archived_digest_from_row(row: Sequence[Any]) -> ArchivedDigest:
    return ArchivedDigest(
        int(row[0]),
        dt.datetime.fromisoformat(row[1]),
        day_or_none(row[2]),
        day_or_none(row[3]),
        row[4],
        int(row[5]),
    )


def delivery_from_row(row: Sequence[Any]) -> Delivery:
    """A delivery from (day, digest_id, recipient, sent_at, error)."""
    sent = dt.datetime.fromisoformat(row[3]) if row[3] else None
    return Delivery(dt.date.fromisoformat(row[0]), int(row[1]), row[2], sent, row[4])


# -- what the reader has seen ----------------------------------------------------------------


def abstract_hash(abstract: str | None) -> str | None:
    """A short fingerprint of an abstract, blind to whitespace (sources wrap lines differently)."""
    if not abstract:
        return None
    words = " ".join(abstract.split())
    return hashlib.blake2b(words.encode(), digest_size=8).hexdigest()


def showing_rows(
    user_id: int,
    shown: Sequence[tuple[int, Paper]],
    place: SeenPlace,
    at: dt.datetime,
    day: dt.date,
) -> list[tuple[Any, ...]]:
    """The rows (user_id, paper_rowid, place, day, at, version, abstract_hash) that record
    these showings; ValueError for a place that is none of SEEN_PLACES."""
    if place not in SEEN_PLACES:
        raise ValueError(f"unknown place {place!r}")
    stamp = at.astimezone(dt.UTC).isoformat(timespec="seconds")
    return [
        (
            user_id,
            rowid,
            place,
            day.isoformat(),
            stamp,
            paper.version,
            abstract_hash(paper.abstract),
        )
        for rowid, paper in shown
    ]


def seen_states(
    sightings: Iterable[Sequence[Any]], snoozed: Iterable[Sequence[Any]]
) -> dict[int, SeenState]:
    """Each paper's state from its sightings (paper_rowid, place, day, at, version,
    abstract_hash), oldest first, and its snooze (paper_rowid, until)."""
    shown: dict[int, list[Sequence[Any]]] = {}
    for r in sightings:
        shown.setdefault(int(r[0]), []).append(r)
    until = {int(r[0]): dt.date.fromisoformat(r[1]) for r in snoozed}
    states: dict[int, SeenState] = {}
    for rowid in shown.keys() | until.keys():
        seen = shown.get(rowid, [])
        versions = [s[4] for s in seen if s[4] is not None]
        states[rowid] = SeenState(
            last_day=max((dt.date.fromisoformat(s[2]) for s in seen), default=None),
            version=max(versions, default=None),
            abstract_hash=seen[-1][5] if seen else None,
            read=any(s[1] == "read" for s in seen),
            snoozed_until=until.get(rowid),
        )
    return states


def showing_from_row(row: Sequence[Any]) -> Showing:
    """A showing from (paper_rowid, at, day, place, version, abstract_hash)."""
    return Showing(
        int(row[0]),
        dt.datetime.fromisoformat(row[1]),
        dt.date.fromisoformat(row[2]),
        cast(SeenPlace, row[3]),
        row[4],
        row[5],
    )


# -- accounts, follows, switches, private papers ---------------------------------------------

ACCOUNT_COLUMNS = "id, name, created_at, password_hash, is_admin, session_generation"


def account_from_row(row: Sequence[Any]) -> Account:
    """An account from a row of ACCOUNT_COLUMNS."""
    user_id, name, created_at, password_hash, is_admin, generation = row
    return Account(
        int(user_id),
        str(name),
        dt.datetime.fromisoformat(created_at),
        password_hash,
        is_admin=bool(is_admin),
        session_generation=int(generation),
    )


def follow_from_row(row: Sequence[Any]) -> Follow:
    """A follow from (id, kind, text, mode, at); the stored mode '' (an author's) is None."""
    follow_id, kind, text, mode, at = row
    return Follow(
        int(follow_id), cast(FollowKind, kind), text, mode or None, dt.datetime.fromisoformat(at)
    )


def switches_from_names(off: Iterable[str]) -> ProfileSwitches:
    """The switches of a profile whose switched-off names (SIGNAL_PREFIX/TAG_PREFIX...) these are."""
    names = list(off)
    return ProfileSwitches(
        signals_off=frozenset(
            n.removeprefix(SIGNAL_PREFIX) for n in names if n.startswith(SIGNAL_PREFIX)
        ),
        tags_off=frozenset(n.removeprefix(TAG_PREFIX) for n in names if n.startswith(TAG_PREFIX)),
    )


def hidden_from(owners: Mapping[int, int], viewer: int | None) -> set[int]:
    """Of these private papers (rowid -> owner), those `viewer` may not see; None sees all."""
    if viewer is None:
        return set()
    return {rowid for rowid, user in owners.items() if user != viewer}
