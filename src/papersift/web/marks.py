"""The reader's marks on papers being shown (for the buttons' state), and the checks that turn
an unknown tag or paper id into a 404."""

from __future__ import annotations

from collections.abc import Sequence

from papersift.store.base import Mark, Store


def marks_for(store: Store, user_id: int, rowids: Sequence[int]) -> dict[int, Mark]:
    """Rating and tags of each of these papers for one reader (every rowid gets a Mark)."""
    return store.library(user_id).marks(rowids)


def known_tag(store: Store, user_id: int, tag: str | None) -> str | None:
    """`tag` if this reader uses it (None for no tag); an unknown tag is a 404, not a 400."""
    from fastapi import HTTPException

    if not tag:
        return None
    tags = store.library(user_id).tags()
    if tag not in tags:
        known = ", ".join(sorted(tags)) or "none yet"
        raise HTTPException(404, f"no tag {tag!r} (tags: {known})")
    return tag


def known_ids(store: Store, idents: Sequence[str]) -> list[int]:
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
