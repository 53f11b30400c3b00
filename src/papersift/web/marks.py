"""The reader's marks on papers being shown: their rating and tags, for the buttons' state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from papersift.store.sqlite import SqliteStore


@dataclass(frozen=True)
class Mark:
    rating: int | None = None  # 1 liked, -1 disliked
    tags: tuple[str, ...] = ()


def marks_for(store: SqliteStore, user_id: int, rowids: Sequence[int]) -> dict[int, Mark]:
    """Rating and tags of each of these papers for one reader (every rowid gets a Mark).

    One query for the shown papers only: `Library.feedback()` would read a whole library
    of thousands of likes to colour twenty buttons.
    """
    wanted = orjson.dumps([int(r) for r in rowids]).decode()
    ratings = dict(
        store.db.execute(
            "SELECT paper_rowid, rating FROM feedback WHERE user_id = ? "
            "AND paper_rowid IN (SELECT value FROM json_each(?))",
            (user_id, wanted),
        ).fetchall()
    )
    tags: dict[int, list[str]] = {}
    for rowid, name in store.db.execute(
        "SELECT paper_rowid, tag FROM tags WHERE user_id = ? "
        "AND paper_rowid IN (SELECT value FROM json_each(?)) ORDER BY tag",
        (user_id, wanted),
    ):
        tags.setdefault(rowid, []).append(name)
    return {int(r): Mark(ratings.get(int(r)), tuple(tags.get(int(r), ()))) for r in rowids}


def known_tag(store: SqliteStore, user_id: int, tag: str | None) -> str | None:
    """`tag` if this reader uses it (None for no tag); an unknown tag is a 404, not a 400."""
    from fastapi import HTTPException

    if not tag:
        return None
    tags = store.library(user_id).tags()
    if tag not in tags:
        known = ", ".join(sorted(tags)) or "none yet"
        raise HTTPException(404, f"no tag {tag!r} (tags: {known})")
    return tag


def known_ids(store: SqliteStore, idents: Sequence[str]) -> list[int]:
    """Rowids of these papers; any unknown one is a 404 naming them all (nothing changes)."""
    from fastapi import HTTPException

    from papersift.errors import UsageError
    from papersift.reader_library import resolve_ids

    try:
        return resolve_ids(store, idents)
    except UsageError as err:
        raise HTTPException(404, str(err)) from None


def interest_key(key: str) -> str | None:
    """`key` as `Library.remove_interest` can take it, or None if it can name no interest.

    That method reads any `str.isdigit()` key as an id: "²" is a digit to Python but not a
    number (int() raises), and a 30-digit number overflows SQLite's integers.
    """
    if key.isdigit() and not (key.isascii() and len(key) <= 18):
        return None
    return key
