"""`papersift serve`: the web app (FastAPI, Jinja2 templates, htmx) over the store.

Importing this package is cheap; `run` and `create_app` import FastAPI and uvicorn.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papersift.errors import UsageError

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app", "run"]


def create_app(db_path: Path | str, **options: Any) -> FastAPI:
    """The app over the store at `db_path`; see `papersift.web.app.create_app` for options."""
    from papersift.web.app import create_app as build

    return build(db_path, **options)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_socket(host: str, port: int) -> socket.socket:
    """The listening socket, or a one-line UsageError (port in use, no such address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # SO_REUSEADDR lets a restarted server take over a port in TIME_WAIT, but on Linux it never
    # lets two servers listen on one port: a running one still gives EADDRINUSE.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is in use (another papersift serve?); "
                "stop it or pick another with --port"
            ) from None
        if err.errno == errno.EACCES:
            raise UsageError(
                f"not allowed to listen on {host}:{port}; use a port above 1024"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    sock.set_inheritable(True)
    return sock


def run(
    db_path: Path | str,
    host: str = "127.0.0.1",
    port: int = 8765,
    multi_user: bool = False,
    *,
    allow_signup: bool = True,
    model: str | None = None,
    log_level: str = "warning",
    on_ready: Any = None,
    https_only: bool = False,
    allowed_hosts: Sequence[str] = (),
    forwarded_allow_ips: Sequence[str] = (),
    workers: int = 1,
) -> None:
    """Serve until interrupted. Single-user mode has no login, so it only binds to loopback.

    `workers` > 1 (multi-user only): that many processes answer on the one socket, each with
    its own app over the same store (`papersift.web.workers`).

    `allowed_hosts`: the Host names a multi-user server answers (default: loopback names when
    bound to loopback, else any, with a warning). `forwarded_allow_ips`: the proxies whose
    X-Forwarded-For/-Proto are believed (default: none, so a client cannot pick the address
    the login limit counts). `https_only`: reached through a TLS proxy (Secure cookie, HSTS).
    """
    if not multi_user and not is_loopback(host):
        raise UsageError(
            f"single-user mode has no login, so it listens on 127.0.0.1 only, not {host}; "
            "use --multi-user to serve other machines"
        )
    if workers < 1:
        raise UsageError(f"--workers wants 1 or more processes, not {workers}")
    if workers > 1 and not multi_user:
        raise UsageError(
            "--workers only applies with --multi-user (one reader on loopback needs one process)"
        )
    hosts = _answered_hosts(multi_user, host, allowed_hosts)
    sock = bind_socket(host, port)
    import uvicorn

    def warn(message: str) -> None:
        print(f"warning: {message}", file=sys.stderr)

    if multi_user and hosts is None:
        warn(
            f"answering any Host name on {host}; name this server's with --allowed-host "
            "(docs/deploying.md)"
        )
    uvicorn_options: dict[str, Any] = {
        "log_level": log_level,
        "access_log": False,
        # uvicorn believes X-Forwarded-For from loopback by default: a client on the same
        # machine (or any, behind a proxy that passes the header on) could rotate it for
        # unlimited sign-ups and logins. Only proxies the operator names are believed.
        "proxy_headers": bool(forwarded_allow_ips),
        "forwarded_allow_ips": list(forwarded_allow_ips) or None,
    }
    try:
        secret = _session_secret(db_path) if multi_user else None
        if workers > 1:
            _serve_workers(
                sock,
                workers,
                db_path,
                allow_signup=allow_signup,
                model=model,
                allowed_hosts=hosts,
                https_only=https_only,
                uvicorn_options=uvicorn_options,
                on_ready=lambda: on_ready and on_ready(_url(host, port)),
            )
            return
        app = create_app(
            db_path,
            multi_user=multi_user,
            allow_signup=allow_signup,
            model=model,
            preload_model=True,
            allowed_hosts=hosts,
            https_only=https_only,
            secret_key=secret,
            warn=warn,
        )
        if on_ready is not None:
            on_ready(_url(host, port))
        server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options))
        server.run(sockets=[sock])
    finally:
        sock.close()


def _url(host: str, port: int) -> str:
    return f"http://{host if ':' not in host else f'[{host}]'}:{port}"


def _session_secret(db_path: Path | str) -> str:
    """The store's session secret, made here before any worker starts so none races another
    to make it; a restarted server keeps its readers logged in."""
    from papersift.store import open_store
    from papersift.web.workers import session_secret

    store = open_store(db_path)
    try:
        return session_secret(store)
    finally:
        store.close()


def _serve_workers(
    sock: socket.socket,
    workers: int,
    db_path: Path | str,
    *,
    allow_signup: bool,
    model: str | None,
    allowed_hosts: list[str] | None,
    https_only: bool,
    uvicorn_options: dict[str, Any],
    on_ready: Any,
) -> None:
    """uvicorn's supervisor over `workers` processes sharing the bound socket; each builds its
    app from the options put in the environment (spawned processes inherit it)."""
    import os

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from papersift.web.workers import OPTIONS_VARIABLE, WorkerOptions

    os.environ[OPTIONS_VARIABLE] = WorkerOptions(
        db=str(db_path),
        workers=workers,
        allow_signup=allow_signup,
        model=model,
        allowed_hosts=allowed_hosts,
        https_only=https_only,
    ).to_json()
    config = uvicorn.Config(
        "papersift.web.workers:from_environment",
        factory=True,
        workers=workers,
        **uvicorn_options,
    )
    on_ready()
    Multiprocess(config, sockets=[sock]).run()


def _answered_hosts(multi_user: bool, host: str, allowed: Sequence[str]) -> list[str] | None:
    """The Host names to answer (None: any). Bound to loopback, only loopback names: a
    DNS-rebinding page (evil.example resolving to 127.0.0.1) cannot talk to the server."""
    from papersift.web.app import LOOPBACK_HOSTS

    if allowed:
        return list(allowed)
    if not multi_user or is_loopback(host):
        return list(LOOPBACK_HOSTS)
    return None
