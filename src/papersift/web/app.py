"""The FastAPI app: assembles the routes, error handlers and middleware over one store file.

Every response carries a strict Content-Security-Policy (scripts and styles from /static
only), so even text that slipped past escaping could not run; escaping is still what keeps
titles inert, and the browser tests check both.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.staticfiles import StaticFiles

from papersift import __version__
from papersift.embed.base import Embedder
from papersift.web.auth import LoginLimiter, PasswordSlots
from papersift.web.errors import install_error_handlers
from papersift.web.middleware import Guard
from papersift.web.rendering import STATIC, template_environment
from papersift.web.routes import api, feeds, pages
from papersift.web.services import BUSY_TIMEOUT_MS, Services

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def create_app(
    db_path: Path | str,
    *,
    multi_user: bool = False,
    embedder: Embedder | None = None,
    model: str | None = None,
    secret_key: str | None = None,
    allowed_hosts: list[str] | None = None,
    allow_signup: bool = True,
    login_attempts: int = 5,
    login_window: float = 60.0,
    signups_per_hour: int = 10,
    password_checks: int = 2,
    https_only: bool = False,
    preload_model: bool = False,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    warn: Callable[[str], None] = lambda message: None,
) -> FastAPI:
    """The web app over the store at `db_path`.

    Single-user (default): no login, everything is the local reader's; only loopback Host
    headers are answered (a DNS-rebinding page cannot read the library). `multi_user`: accounts
    (sign-up unless `allow_signup` is False), each with their own library; `login_attempts`
    failed logins per address and per name in `login_window` seconds, then 429. `embedder` is the
    model to use (loaded lazily from `model` otherwise; `preload_model` loads it at startup).
    `secret_key` signs session cookies; a random one means sessions end with the process.
    At most `password_checks` passwords are hashed at once (64 MiB each). `allowed_hosts`: the
    Host names answered (None: loopback names in single-user mode, any in multi-user mode;
    `serve` narrows that). `https_only`: the site is reached through HTTPS (a TLS proxy), so
    the session cookie is Secure and responses carry HSTS.
    """
    services = Services(
        db_path,
        embedder=embedder,
        model=model,
        busy_timeout_ms=busy_timeout_ms,
        warn=warn,
    )
    app = FastAPI(
        title="papersift",
        version=__version__,
        description=(
            "Search, recommendations and the reader's library. State-changing calls need the "
            "session cookie and its CSRF token in the X-CSRF-Token header (GET /api/session)."
        ),
        # FastAPI's Swagger page loads its scripts from a CDN; /api/docs is our own, offline.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=_warm_up(services) if preload_model else None,
    )
    app.state.services = services
    app.state.multi_user = multi_user
    app.state.allow_signup = allow_signup
    app.state.limiter = LoginLimiter(login_attempts, login_window)
    app.state.password_slots = PasswordSlots(password_checks)
    app.state.signup_limiter = LoginLimiter(signups_per_hour, 3600.0)
    app.state.templates = template_environment()

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_handlers(app)

    # Middleware runs outermost-last-added: the guard sees every request first.
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key or secrets.token_urlsafe(32),
        session_cookie="papersift_session",
        same_site="lax",
        https_only=https_only,
    )
    hosts = allowed_hosts if allowed_hosts is not None else (None if multi_user else LOOPBACK_HOSTS)
    if hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))
    app.add_middleware(Guard, https_only=https_only)
    return app


def _warm_up(services: Services) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services.warm_up()
        yield

    return lifespan
