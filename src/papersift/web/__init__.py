"""`papersift serve`: the web app (FastAPI, Jinja2 templates, htmx) over the store.

Importing this package is cheap; `run` and `create_app` import FastAPI and uvicorn.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papersift.errors import UsageError

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app", "run"]


def create_app(db_path: Path, **options: Any) -> FastAPI:
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
    db_path: Path,
    host: str = "127.0.0.1",
    port: int = 8765,
    multi_user: bool = False,
    *,
    allow_signup: bool = True,
    model: str | None = None,
    log_level: str = "warning",
    on_ready: Any = None,
) -> None:
    """Serve until interrupted. Single-user mode has no login, so it only binds to loopback."""
    if not multi_user and not is_loopback(host):
        raise UsageError(
            f"single-user mode has no login, so it listens on 127.0.0.1 only, not {host}; "
            "use --multi-user to serve other machines"
        )
    sock = bind_socket(host, port)
    import uvicorn

    app = create_app(
        db_path,
        multi_user=multi_user,
        allow_signup=allow_signup,
        model=model,
        preload_model=True,
        # Behind a name (multi-user on a LAN) any Host is fine: accounts guard the data.
        allowed_hosts=None,
        warn=lambda message: print(f"warning: {message}", file=sys.stderr),
    )
    if on_ready is not None:
        on_ready(f"http://{host if ':' not in host else f'[{host}]'}:{port}")
    config = uvicorn.Config(app, log_level=log_level, access_log=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
