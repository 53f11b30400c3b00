"""The store interface the rest of papersift uses, so a server database can follow SQLite.

Only records and plain types cross it: a second backend (PostgreSQL) implements these
protocols, and nothing outside `papersift.store` sees a connection, a cursor or a row.
A write that cannot get the database's lock in time raises `errors.StoreBusy`.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from papersift.records import Paper, PaperFilter

# The reader every store has (its row is made by the schema): everything belongs to it unless
# `serve --multi-user` gives each account its own library.
LOCAL_USER = 1


@dataclass
class UpsertCounts:
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    # A private upsert's answer to "which paper is this record now, for its importer?": each
    # record's ids (its own and its aliases) -> rowid. Empty for a public upsert.
    rowids: dict[str, int] = field(default_factory=dict)

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.added += other.added
        self.merged += other.merged
        self.unchanged += other.unchanged
        self.rowids.update(other.rowids)
        return self


# -- the reader's library ------------------------------------------------------------------


@dataclass(frozen=True)
class Feedback:
    paper_rowid: int
    rating: int  # +1 like, -1 dislike
    at: dt.datetime


@dataclass(frozen=True)
class Interest:
    id: int
    text: str
    at: dt.datetime


@dataclass(frozen=True)
class Mark:
    """A reader's marks on one paper, for the state of its buttons."""

    rating: int | None = None  # 1 liked, -1 disliked
    tags: tuple[str, ...] = ()


class Library(Protocol):
    """One reader's likes/dislikes, tags and interests; writes join the store's transaction."""

    user_id: int

    def rate(self, rowids: Sequence[int], rating: int | None) -> int: ...
    def feedback(self) -> list[Feedback]: ...
    def tag(self, tag: str, rowids: Sequence[int]) -> int: ...
    def untag(self, tag: str, rowids: Sequence[int]) -> int: ...
    def tags(self) -> dict[str, list[int]]: ...
    def add_interest(self, text: str) -> bool: ...
    def remove_interest(self, key: str) -> bool: ...
    def interests(self) -> list[Interest]: ...
    def marks(self, rowids: Sequence[int]) -> dict[int, Mark]: ...
    def fingerprint(self) -> tuple[Any, ...]: ...


# -- the digest archive --------------------------------------------------------------------


@dataclass(frozen=True)
class ArchivedDigest:
    id: int
    created_at: dt.datetime
    window_start: dt.date | None
    window_end: dt.date | None
    title: str
    papers: int


@dataclass(frozen=True)
class Delivery:
    day: dt.date
    digest_id: int
    recipient: str
    sent_at: dt.datetime | None
    error: str | None


class Archive(Protocol):
    """One reader's archived digests and e-mail delivery log."""

    def add(
        self,
        title: str,
        window_start: dt.date | None,
        window_end: dt.date | None,
        papers: int,
        rendered: dict[str, str],
    ) -> int: ...
    def list(self, limit: int = 100) -> builtins.list[ArchivedDigest]: ...
    def content(self, digest_id: int, fmt: str) -> str | None: ...
    def delivery(self, day: dt.date, recipient: str) -> Delivery | None: ...
    def record_delivery(
        self, day: dt.date, digest_id: int, recipient: str, error: str | None
    ) -> None: ...
    def unsent(self) -> builtins.list[Delivery]: ...


# -- what followed papers looked like in the last digest -------------------------------------


@dataclass(frozen=True)
class PaperSnapshot:
    """A liked or tagged paper as the reader's last digest saw it; None: unknown then."""

    version: int | None = None
    code_url: str | None = None
    venue: str | None = None


class Snapshots(Protocol):
    """One reader's snapshots of the papers they care about (liked or tagged)."""

    def followed(self) -> list[int]: ...
    def get(self, rowids: Sequence[int]) -> dict[int, PaperSnapshot]: ...
    def record(self, snapshots: Mapping[int, PaperSnapshot]) -> None: ...


# -- what the reader has seen --------------------------------------------------------------

# Where a paper was shown: in a digest, the web feed, an e-mail, or the reader marked it read.
SeenPlace = Literal["digest", "feed", "email", "read"]
SEEN_PLACES: tuple[SeenPlace, ...] = ("digest", "feed", "email", "read")


@dataclass(frozen=True)
class Showing:
    """One paper shown to the reader once: when, where, and the version and abstract it had."""

    paper_rowid: int
    at: dt.datetime
    day: dt.date
    place: SeenPlace
    version: int | None
    abstract_hash: str | None


@dataclass(frozen=True)
class SeenState:
    """What a reader last saw of one paper (before a day, or marked read), and any snooze."""

    last_day: dt.date | None  # None: never shown, only snoozed
    version: int | None  # the highest version shown
    abstract_hash: str | None  # of the abstract shown last
    read: bool  # the reader marked it read
    snoozed_until: dt.date | None


class SeenPapers(Protocol):
    """One reader's record of papers shown and snoozed; writes join the store's transaction."""

    def record(
        self, shown: Sequence[tuple[int, Paper]], place: SeenPlace, at: dt.datetime, day: dt.date
    ) -> int: ...
    def states(self, rowids: Sequence[int], before: dt.date) -> dict[int, SeenState]: ...
    def snooze(self, rowid: int, until: dt.date) -> None: ...
    def history(self, since: dt.date | None = None, limit: int = 1000) -> list[Showing]: ...
    def fingerprint(self) -> tuple[Any, ...]: ...


# -- accounts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A stored account. The local reader has no password and is no account one logs in to."""

    id: int
    name: str
    created_at: dt.datetime
    password_hash: str | None = field(default=None, repr=False)
    is_admin: bool = False
    # Bumped to end every session of the account (logout, new password): a session cookie
    # carries the generation it was issued under.
    session_generation: int = 0


class Users(Protocol):
    """The accounts of `serve --multi-user` (only their rows: passwords are hashed elsewhere).

    Names are unique regardless of letter case; ids are never reused.
    """

    def add(self, name: str, password_hash: str, admin: bool = False) -> int | None: ...
    def named(self, name: str) -> Account | None: ...
    def account(self, user_id: int) -> Account | None: ...
    def accounts(self) -> list[Account]: ...
    def set_password(self, user_id: int, password_hash: str) -> bool: ...
    def end_sessions(self, user_id: int) -> None: ...
    def remove(self, user_id: int) -> bool: ...


# -- follows, alerts, rules and the profile's switches ------------------------------------

# What a reader can follow: an author, a saved search ("alert"), an include/exclude rule.
FollowKind = Literal["author", "alert", "rule"]
# The parts of a profile a reader can switch off; tags are switched one by one.
SIGNALS: tuple[str, ...] = ("likes", "interests", "follows", "trending")


@dataclass(frozen=True)
class Follow:
    """One followed author, alert or rule. `mode`: keyword|semantic for an alert,
    include|exclude for a rule, None for an author."""

    id: int
    kind: FollowKind
    text: str
    mode: str | None
    at: dt.datetime


class Follows(Protocol):
    """One reader's followed authors, alerts and rules; `key` is the text normalised."""

    def add(self, kind: FollowKind, text: str, key: str, mode: str | None = None) -> bool: ...
    def remove(
        self, kind: FollowKind, *, follow_id: int | None = None, key: str | None = None
    ) -> builtins.list[Follow]: ...
    def list(self, kind: FollowKind | None = None) -> builtins.list[Follow]: ...
    def fingerprint(self) -> tuple[Any, ...]: ...


@dataclass(frozen=True)
class ProfileSwitches:
    """What the ranking may use of a reader's profile: everything not switched off."""

    signals_off: frozenset[str] = frozenset()
    tags_off: frozenset[str] = frozenset()

    def uses(self, signal: str) -> bool:
        return signal not in self.signals_off

    def uses_tag(self, tag: str) -> bool:
        return tag not in self.tags_off


@dataclass(frozen=True)
class ResetCounts:
    likes: int = 0
    dislikes: int = 0
    tags: int = 0
    interests: int = 0

    @property
    def total(self) -> int:
        return self.likes + self.dislikes + self.tags + self.interests


class ProfileControls(Protocol):
    """One reader's switches over their profile, and its reset."""

    def switches(self) -> ProfileSwitches: ...
    def set_signal(self, signal: str, enabled: bool) -> bool: ...
    def set_tag(self, tag: str, enabled: bool) -> bool: ...
    def reset(
        self,
        *,
        likes: bool = False,
        dislikes: bool = False,
        tags: bool = False,
        interests: bool = False,
    ) -> ResetCounts: ...
    def fingerprint(self) -> tuple[Any, ...]: ...


# -- papers private to their importer --------------------------------------------------------


class PrivatePapers(Protocol):
    """Papers a reader's import created on a shared server, seen by that reader only until
    an admin promotes them or a public source brings the same paper."""

    def owners(self, rowids: Sequence[int]) -> dict[int, int]: ...
    def hidden(self, rowids: Sequence[int], viewer: int | None) -> set[int]: ...
    def hidden_count(self, viewer: int | None) -> int: ...
    def count(self, user_id: int) -> int: ...
    def mark(self, rowids: Sequence[int], user_id: int) -> None: ...
    def promote(self, rowids: Sequence[int]) -> int: ...


class NearestSearch(Protocol):
    """A model's vectors searched where the store keeps them (pgvector); `VectorIndex.search`'s
    contract: the `k` rowids most similar to `query`, as (rowid, cosine), best first."""

    kind: str

    def __len__(self) -> int: ...
    def prepare(self, rebuild: bool = False) -> None: ...
    def search(
        self, query: Any, k: int, allowed: Any | None = None
    ) -> builtins.list[tuple[int, float]]: ...


# -- the store -----------------------------------------------------------------------------


class Store(Protocol):
    """Papers, their embeddings and checkpoints, and per-reader libraries and archives.

    `set_viewer(user_id)` makes every read of papers (look-ups, search, filters, windows)
    leave out papers private to other readers; None (the default: the CLI, single-user mode)
    reads them all.
    """

    @property
    def location(self) -> str:
        """Where the store is, for messages and the vector index's folder: a SQLite file's
        path, or a PostgreSQL URL without its password."""
        ...

    def transaction(self) -> AbstractContextManager[None]: ...
    def bulk_load(self) -> AbstractContextManager[bool]: ...
    def upsert(self, papers: Iterable[Paper], private_to: int | None = None) -> UpsertCounts: ...
    def upsert_rows(self, rows: list[tuple[Any, ...]]) -> UpsertCounts: ...
    def get(self, ident: str) -> Paper | None: ...
    @property
    def viewer(self) -> int | None: ...
    def set_viewer(self, user_id: int | None) -> None: ...
    def visible_rowids(self, rowids: Sequence[int]) -> list[int]: ...
    def rowid_of(self, ident: str) -> int | None: ...
    def papers_by_rowid(self, rowids: Sequence[int]) -> dict[int, Paper]: ...
    def iter_papers(self, batch_size: int = 1000) -> Iterator[tuple[int, Paper]]: ...
    def count(self) -> int: ...
    def stats(self) -> dict[str, dict[str, int]]: ...
    def papers_fingerprint(self, model_id: str) -> tuple[Any, ...]: ...
    def keyword_search(
        self, fts_query: str, k: int, where: PaperFilter | None = None
    ) -> list[tuple[int, float]]: ...
    def filtered_rowids(self, where: PaperFilter) -> list[int]: ...
    def trending_rowids(self, where: PaperFilter, limit: int) -> list[int]: ...
    def latest_date(self) -> dt.date | None: ...
    def embedding_inputs(
        self, model_id: str, rowids: Sequence[int] | None = None
    ) -> Iterator[tuple[int, str, str | None, str | None]]: ...
    def save_embeddings(
        self, model_id: str, rowids: Sequence[int], hashes: Sequence[str], vectors: Any
    ) -> None: ...
    def load_embeddings(self, model_id: str, rowids: Sequence[int] | None = None) -> Any: ...
    def iter_embeddings(self, model_id: str, chunk: int = 50_000) -> Iterator[tuple[Any, Any]]: ...
    def embedding_rowids(self, model_id: str) -> Any: ...
    def embedding_count(self, model_id: str) -> int: ...
    def nearest(
        self,
        model_id: str,
        dim: int,
        warn: Callable[[str], None] = ...,
    ) -> NearestSearch | None:
        """Vectors searched inside the store (PostgreSQL with pgvector), on this store's
        connection (`prepare` brings them up to date); None when the usearch index beside the
        store must do it."""

    def get_checkpoint(self, name: str) -> str | None: ...
    def set_checkpoint(self, name: str, value: str | None) -> None: ...
    def library(self, user_id: int = LOCAL_USER) -> Library: ...
    def archive(self, user_id: int = LOCAL_USER) -> Archive: ...
    def snapshots(self, user_id: int = LOCAL_USER) -> Snapshots: ...
    def seen(self, user_id: int = LOCAL_USER) -> SeenPapers: ...
    def users(self) -> Users: ...
    def follows(self, user_id: int = LOCAL_USER) -> Follows: ...
    def profile(self, user_id: int = LOCAL_USER) -> ProfileControls: ...
    def private_papers(self) -> PrivatePapers: ...
    def close(self) -> None: ...


class CommitWatch(Protocol):
    """Tells cheaply whether anyone committed to a store since the last look."""

    def generation(self) -> int: ...
    def close(self) -> None: ...
