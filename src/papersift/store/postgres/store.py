"""The PostgreSQL store: papers, search, embeddings and checkpoints on a server database.

(Skeleton: the per-reader parts are wired; the paper half is being written.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from papersift.store.base import LOCAL_USER
from papersift.store.postgres.connection import connect, migrate, redact


class PgStore:
    """One papersift store in a PostgreSQL database (`postgresql://USER@HOST:PORT/DB`)."""

    def __init__(self, url: str, *, lock_wait: float = 30.0) -> None:
        self.url = url
        self.location = redact(url)
        self.db: Any = connect(url, lock_wait)
        migrate(self.db, url)
        self._viewer: int | None = None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One all-or-nothing unit; inside another transaction it joins that one."""
        if self.db.info.transaction_status != 0:  # psycopg.pq.TransactionStatus.IDLE
            yield
            return
        with self.db.transaction():
            yield

    def close(self) -> None:
        self.db.close()

    @property
    def viewer(self) -> int | None:
        return self._viewer

    def set_viewer(self, user_id: int | None) -> None:
        self._viewer = user_id

    def library(self, user_id: int = LOCAL_USER) -> Any:
        from papersift.store.postgres.library import PgLibrary

        return PgLibrary(self.db, user_id)

    def archive(self, user_id: int = LOCAL_USER) -> Any:
        from papersift.store.postgres.archive import PgArchive

        return PgArchive(self.db, user_id)

    def seen(self, user_id: int = LOCAL_USER) -> Any:
        from papersift.store.postgres.seen import PgSeen

        return PgSeen(self.db, user_id)

    def users(self) -> Any:
        from papersift.store.postgres.users import PgUsers

        return PgUsers(self.db)

    def snapshots(self, user_id: int = LOCAL_USER) -> Any:
        from papersift.store.postgres.updates import PgSnapshots

        return PgSnapshots(self.db, user_id)

    def follows(self, user_id: int = LOCAL_USER) -> Any:
        from papersift.store.postgres.follows import PgFollows

        return PgFollows(self.db, user_id)

    def profile(self, user_id: int = LOCAL_USER) -> Any:
        from papersift.store.postgres.profile_controls import PgProfileControls

        return PgProfileControls(self.db, user_id)

    def private_papers(self) -> Any:
        from papersift.store.postgres.private import PgPrivatePapers

        return PgPrivatePapers(self.db)
