"""The reader's switches applied to their library: what the ranking may learn from. Pure.

A signal switched off ("likes", "interests") or a tag switched off is no evidence for the
ranking; the papers it covered are still never recommended again (they are in the library).
"""

from __future__ import annotations

import numpy as np

from papersift.rank.types import LibraryEntry
from papersift.store.base import ProfileSwitches


def usable_entries(
    entries: list[LibraryEntry], switches: ProfileSwitches
) -> tuple[list[LibraryEntry], np.ndarray]:
    """(the entries the ranking may use, the keys of the rest): likes and dislikes only while
    "likes" is on, tags only while that tag is on."""
    if not switches.signals_off and not switches.tags_off:
        return entries, np.empty(0, dtype=np.int64)
    use_ratings = switches.uses("likes")
    usable: list[LibraryEntry] = []
    unused: list[int] = []
    for entry in entries:
        rating = entry.rating if use_ratings else None
        tags = frozenset(t for t in entry.tags if switches.uses_tag(t))
        if rating is None and not tags:
            unused.append(entry.key)
        else:
            usable.append(LibraryEntry(entry.key, rating, tags))
    return usable, np.array(unused, dtype=np.int64)


def switched_off_message(switches: ProfileSwitches) -> str | None:
    """Why there is nothing to rank by, when it is because of the switches (None if not)."""
    off = [s for s in ("likes", "interests") if not switches.uses(s)]
    if not off:
        return None
    names = " and ".join(off)
    commands = " and ".join(f"`papersift profile set {s} on`" for s in off)
    return f"Your {names} are switched off, so nothing ranks the papers: {commands}."
