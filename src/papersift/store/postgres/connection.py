"""Connecting to PostgreSQL and bringing its schema up to date; every failure one clear line.

The connection runs in autocommit mode: the store opens a transaction where it wants one
(`PgStore.transaction`), so a reader's single like is one statement, committed at once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from papersift.errors import StoreBusy, StoreError, UsageError
from papersift.store.schema import SCHEMA_VERSION, STEPS

if TYPE_CHECKING:
    import psycopg

INSTALL_HINT = "a postgresql:// store needs psycopg: pip install 'papersift[cluster]'"
BUSY = (
    "the store is busy (another papersift process is writing the same rows); try again in a moment"
)
# How long opening a connection may take before "cannot reach" (a firewalled host never
# answers; libpq's default is to wait forever).
CONNECT_TIMEOUT_SECONDS = 10
_URL = re.compile(r"^postgres(ql)?://", re.IGNORECASE)
# A key every session takes before migrating, so two processes opening a new store at once
# do not both create its tables.
_MIGRATION_LOCK = 0x70617065  # "pape"


def is_url(location: str) -> bool:
    """Whether a --db value names a PostgreSQL server rather than a SQLite file."""
    return bool(_URL.match(location))


def redact(text: str) -> str:
    """A URL (or a message quoting one) without its password, for messages: the user info
    runs to the last @ before any query (a password may hold / or @), and a `password=`
    parameter goes too."""
    text = re.sub(r"(?i)(password=)[^&]*", r"\1***", text)
    found = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^?#]*)@", text)
    if found and ":" in found.group(2):
        user = found.group(2).split(":", 1)[0]
        return f"{found.group(1)}{user}:***@{text[found.end() :]}"
    return text


def import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return psycopg


def connect(url: str, lock_wait: float = 30.0) -> psycopg.Connection[Any]:
    """An autocommit connection; a write waits `lock_wait` seconds for a row lock before
    StoreBusy. StoreError (one line, no password) when the server cannot be used."""
    psycopg = import_psycopg()
    try:
        conn = _connection_class().connect(
            url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name="papersift",
        )
    except psycopg.ProgrammingError as err:  # a malformed URL
        raise StoreError(
            f"{redact(url)}: not a usable PostgreSQL URL: {_first_line(err, url)}"
        ) from None
    except psycopg.OperationalError as err:  # refused, unknown host, bad password, no database
        raise StoreError(f"{redact(url)}: cannot connect: {_first_line(err, url)}") from None
    conn.execute(f"SET lock_timeout = {int(lock_wait * 1000)}")  # type: ignore[arg-type]
    return conn


_CLASS: Any = None


def _connection_class() -> Any:
    """psycopg's Connection whose `execute` raises StoreBusy for want of a lock and StoreError
    (one line) for a lost server, so no caller outside the store sees psycopg's errors."""
    global _CLASS
    if _CLASS is None:
        psycopg = import_psycopg()

        class _Connection(psycopg.Connection):  # type: ignore[misc,name-defined]
            def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
                try:
                    return super().execute(query, params, **kwargs)
                except psycopg.OperationalError as err:
                    raise translate(err, self) from None

        _CLASS = _Connection
    return _CLASS


def translate(err: BaseException, conn: Any = None) -> Exception:
    """The papersift error for a psycopg OperationalError: StoreBusy for a lock not had in
    time, else StoreError naming the server (never its password) and the reason."""
    if is_lock_timeout(err):
        return busy()
    where = "PostgreSQL"
    if conn is not None:
        try:
            info = conn.info
            where = f"PostgreSQL at {info.host}:{info.port}/{info.dbname}"
        except Exception:  # noqa: BLE001 - only decoration for the message
            pass
    return StoreError(
        f"{where}: {_first_line(err)} (everything committed before is kept; run the command again)"
    )


def _secrets(url: str) -> list[str]:
    """The password(s) a URL holds, as typed and percent-decoded."""
    from urllib.parse import unquote

    found = re.findall(r"(?i)password=([^&]*)", url)
    userinfo = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://([^?#]*)@", url)
    if userinfo and ":" in userinfo.group(1):
        found.append(userinfo.group(1).split(":", 1)[1])
    return [text for secret in found if secret for text in {secret, unquote(secret)}]


def _first_line(err: BaseException, url: str = "") -> str:
    text = str(err).strip()
    for secret in sorted(_secrets(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    # libpq quotes a connection string it cannot parse: never echo the password in it.
    text = re.sub(r"(?i)(password\s*=\s*)\S+", r"\1***", text)
    text = re.sub(r"(://[^:/?#\s]*):[^\s\"']*@", r"\1:***@", text)
    # libpq prefixes "connection failed: connection to server at ... failed: "; the reason is
    # the last clause.
    text = text.splitlines()[0] if text else type(err).__name__
    return text.rsplit("failed: ", 1)[-1].strip()


def schema_version(conn: psycopg.Connection[Any]) -> int | None:
    """How far this database's papersift schema is (0: an empty database), or None when the
    database holds another application's tables."""
    # One statement, one snapshot: asked apart (to_regclass, then a count), a migration that
    # commits in between makes its tables look like another application's; and to_regclass
    # may answer from a cache the advisory lock does not refresh.
    row = conn.execute(
        "SELECT count(*) FILTER (WHERE table_name = 'papersift_schema'), count(*) "
        "FROM information_schema.tables WHERE table_schema = current_schema()"
    ).fetchone()
    ours, tables = (int(row[0]), int(row[1])) if row else (0, 0)
    if ours:
        version = conn.execute("SELECT version FROM papersift_schema").fetchone()
        return int(version[0]) if version else 0
    return 0 if not tables else None


def migrate(conn: psycopg.Connection[Any], url: str) -> None:
    """Run the schema steps this database lacks, all in one transaction (PostgreSQL's DDL is
    transactional: a failed step leaves the database as it was)."""
    # The common case, a current store (every web request opens one), takes no lock.
    if schema_version(conn) == SCHEMA_VERSION:
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        current = schema_version(conn)
        if current is None:
            raise StoreError(
                f"{redact(url)}: this database holds another application's tables, not a "
                "papersift store; give an empty database or an existing papersift one"
            )
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{redact(url)}: made by a newer papersift (schema {current} > {SCHEMA_VERSION})"
            )
        if current == SCHEMA_VERSION:
            return
        if current == 0:
            conn.execute("CREATE TABLE papersift_schema (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO papersift_schema VALUES (0)")
        for step in STEPS[current:]:
            if step.postgres.strip():
                conn.execute(step.postgres)  # type: ignore[arg-type]
        conn.execute("UPDATE papersift_schema SET version = %s", (SCHEMA_VERSION,))


def is_lock_timeout(err: BaseException) -> bool:
    """Whether a statement failed for want of a lock in time (→ StoreBusy)."""
    return type(err).__name__ in {"LockNotAvailable", "DeadlockDetected"}


def busy() -> StoreBusy:
    return StoreBusy(BUSY)
