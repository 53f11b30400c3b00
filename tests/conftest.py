"""Shared test fixtures: where the real public samples live, temporary stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.pg_cluster import PgCluster, why_unavailable

# Property tests must not fail on a busy 2-core machine because an example ran slowly, and in
# CI they run derandomized so a red build is reproducible from the same commit.
settings.register_profile("papersift", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "papersift")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# ../shared beside the repository (CI clones main with shared/ next to it).
SHARED_FORMATS = Path(os.environ.get("PAPERSIFT_SHARED", REPO.parent / "shared")) / "formats"


@pytest.fixture
def shared_formats() -> Path:
    """The folder of real public samples; tests that need it skip only when it is absent."""
    present = SHARED_FORMATS.is_dir()
    return SHARED_FORMATS if present else pytest.skip(f"real samples not found at {SHARED_FORMATS}")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A throw-away PostgreSQL cluster for the whole run; its tests skip (saying why) when
    PostgreSQL's server or psycopg is not installed."""
    reason = why_unavailable()
    if reason:
        pytest.skip(reason)
    cluster = PgCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pgvector_cluster() -> Iterator[PgCluster]:
    """A throw-away cluster of the PostgreSQL build that has pgvector; skips (saying why)
    where that build or psycopg is not installed."""
    reason = why_unavailable(pgvector=True)
    if reason:
        pytest.skip(reason)
    cluster = PgCluster(pgvector=True).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pgvector_url(pgvector_cluster: PgCluster) -> str:
    """The URL of a new, empty database on a server that has pgvector."""
    return pgvector_cluster.create_database()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    """The URL of a new, empty database in the test cluster."""
    return pg_cluster.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new store goes, once per backend: a SQLite file's path or a PostgreSQL URL.
    `open_store(store_location)` opens either."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return str(request.getfixturevalue("pg_url"))
