"""The store interface the rest of papersift uses, so a server database can follow SQLite."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from papersift.records import Paper

if TYPE_CHECKING:  # sqlite.py imports this module
    from papersift.store.sqlite import PreparedBatch


@dataclass
class UpsertCounts:
    added: int = 0
    merged: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.added += other.added
        self.merged += other.merged
        self.unchanged += other.unchanged
        return self


class Store(Protocol):
    def transaction(self) -> AbstractContextManager[Any]: ...
    def bulk_load(self) -> AbstractContextManager[bool]: ...
    def upsert(self, papers: Iterable[Paper] | PreparedBatch) -> UpsertCounts: ...
    def get(self, ident: str) -> Paper | None: ...
    def rowid_of(self, ident: str) -> int | None: ...
    def papers_by_rowid(self, rowids: Sequence[int]) -> dict[int, Paper]: ...
    def iter_papers(self, batch_size: int = 1000) -> Iterator[tuple[int, Paper]]: ...
    def count(self) -> int: ...
    def stats(self) -> dict[str, dict[str, int]]: ...
    def get_checkpoint(self, name: str) -> str | None: ...
    def set_checkpoint(self, name: str, value: str | None) -> None: ...
    def close(self) -> None: ...
