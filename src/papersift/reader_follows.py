"""Follows, alerts, rules and the profile's switches as the CLI and web app use them.

Each function checks what the reader typed (`rank.follows`), changes the store in one
transaction and says what it did; a mistake is a `UsageError` naming what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from papersift.errors import UsageError
from papersift.rank.follows import (
    ALERT_MODES,
    RULE_MODES,
    author_follow,
    author_key,
    check_mode,
    fold,
    query_follow,
)
from papersift.store.base import (
    LOCAL_USER,
    SIGNALS,
    Follow,
    FollowKind,
    ProfileSwitches,
    ResetCounts,
    Store,
)

# How each kind is named in messages, and the command that lists it.
NOUNS: dict[FollowKind, str] = {"author": "followed author", "alert": "alert", "rule": "rule"}
LIST_COMMANDS: dict[FollowKind, str] = {
    "author": "papersift follow list",
    "alert": "papersift alert list",
    "rule": "papersift rule list",
}
TAG_SWITCH = "tag:"


def add_follow(
    store: Store,
    kind: FollowKind,
    text: str,
    mode: str | None = None,
    user_id: int = LOCAL_USER,
) -> tuple[str, bool]:
    """Follow an author, save an alert or add a rule: (the text as kept, whether it is new)."""
    if kind == "author":
        cleaned, key = author_follow(text)
        mode = None
    elif kind == "alert":
        mode = check_mode(mode or "keyword", ALERT_MODES, "--mode")
        cleaned, key = query_follow(text, "the alert's query")
    else:
        mode = check_mode(mode or "", RULE_MODES, "a rule")
        cleaned, key = query_follow(text, "the rule's keywords")
    with store.transaction():
        added = store.follows(user_id).add(kind, cleaned, key, mode)
    return cleaned, added


def remove_follow(
    store: Store, kind: FollowKind, key: str, user_id: int = LOCAL_USER
) -> list[Follow]:
    """Remove by number (as the list shows it) or by text; UsageError if nothing matched."""
    key = " ".join(key.split())
    follows = store.follows(user_id)
    with store.transaction():
        # isascii: "²".isdigit() is true but int() refuses it; 18 digits fit SQLite's integers.
        if key.isascii() and key.isdigit() and len(key) <= 18:
            removed = follows.remove(kind, follow_id=int(key))
        else:
            normal = author_key(key) if kind == "author" else None
            text_key = normal.text if normal is not None else fold(key)
            removed = follows.remove(kind, key=text_key) if text_key else []
    if not removed:
        raise UsageError(f"no {NOUNS[kind]} {key!r}; see `{LIST_COMMANDS[kind]}`")
    return removed


def list_follows(store: Store, kind: FollowKind, user_id: int = LOCAL_USER) -> list[Follow]:
    return store.follows(user_id).list(kind)


# -- the profile's switches and reset ----------------------------------------------------------


@dataclass(frozen=True)
class ProfileState:
    """What `profile show` and the settings page show."""

    switches: ProfileSwitches
    tags: tuple[tuple[str, int], ...]  # (tag, tagged papers)
    likes: int
    dislikes: int
    interests: int

    def signal_on(self, signal: str) -> bool:
        return self.switches.uses(signal)

    def tag_on(self, tag: str) -> bool:
        return self.switches.uses_tag(tag)


def profile_state(store: Store, user_id: int = LOCAL_USER) -> ProfileState:
    library = store.library(user_id)
    ratings = [f.rating for f in library.feedback()]
    return ProfileState(
        switches=store.profile(user_id).switches(),
        tags=tuple(sorted((name, len(rowids)) for name, rowids in library.tags().items())),
        likes=sum(1 for r in ratings if r > 0),
        dislikes=sum(1 for r in ratings if r < 0),
        interests=len(library.interests()),
    )


def parse_switch(value: str) -> bool:
    word = value.strip().lower()
    if word not in ("on", "off"):
        raise UsageError(f"a switch is on or off, not {value!r}")
    return word == "on"


def set_switch(store: Store, name: str, enabled: bool, user_id: int = LOCAL_USER) -> bool:
    """Switch a signal (likes, interests, follows, trending) or `tag:NAME` on or off.

    False when it already was so; UsageError for an unknown signal or tag.
    """
    name = name.strip()
    controls = store.profile(user_id)
    if name.startswith(TAG_SWITCH):
        tag = name.removeprefix(TAG_SWITCH)
        tags = store.library(user_id).tags()
        # A tag switched off may since have lost its papers: switching it on again must work.
        if tag not in tags and (enabled is False or controls.switches().uses_tag(tag)):
            known = ", ".join(sorted(tags)) or "none yet"
            raise UsageError(f"no tag {tag!r} (tags: {known})")
        with store.transaction():
            return controls.set_tag(tag, enabled)
    if name not in SIGNALS:
        raise UsageError(f"no signal {name!r}: choose one of {', '.join(SIGNALS)} or tag:NAME")
    with store.transaction():
        return controls.set_signal(name, enabled)


RESET_PARTS = ("likes", "dislikes", "all")


def reset_profile(store: Store, part: str, user_id: int = LOCAL_USER) -> ResetCounts:
    """Forget likes, dislikes, or all of the profile (likes, dislikes, tags, interests)."""
    if part not in RESET_PARTS:
        raise UsageError(f"reset one of {', '.join(RESET_PARTS)}, not {part!r}")
    every = part == "all"
    with store.transaction():
        return store.profile(user_id).reset(
            likes=every or part == "likes",
            dislikes=every or part == "dislikes",
            tags=every,
            interests=every,
        )
