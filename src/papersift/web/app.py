"""The FastAPI app: pages (Jinja2 + htmx) and a JSON API under /api, over one store file.

Every response carries a strict Content-Security-Policy (scripts and styles from /static
only), so even text that slipped past escaping could not run; escaping is still what keeps
titles inert, and the browser tests check both.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papersift import __version__
from papersift.embed.base import Embedder
from papersift.errors import PapersiftError, StoreBusy, UsageError
from papersift.web import views
from papersift.web.auth import LoginLimiter, csrf_token
from papersift.web.services import BUSY_TIMEOUT_MS, SemanticUnavailable, Services

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
# Forms and JSON bodies are small; a library export (BibTeX of a few thousand papers) is not.
MAX_BODY = 1 << 20
MAX_UPLOAD = 20 << 20
UPLOAD_PATHS = frozenset({"/library/import"})
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class NotLoggedIn(Exception):
    """A page or API call that needs an account, without a session."""


class CsrfRejected(Exception):
    """A state-changing request without this session's CSRF token."""


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit


def create_app(
    db_path: Path,
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
    """
    from papersift.web import api, pages

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
    app.state.signup_limiter = LoginLimiter(signups_per_hour, 3600.0)
    app.state.templates = template_environment()

    app.include_router(api.router)
    app.include_router(pages.router)
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
    app.add_middleware(Guard)
    return app


def _warm_up(services: Services) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services.warm_up()
        yield

    return lifespan


def template_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name: titles come from the internet
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        paper_url=views.paper_url,
        paper_links=views.paper_links,
        short_authors=views.short_authors,
        paper_date=views.paper_date,
        FEED_WINDOWS=views.FEED_WINDOWS,
        MAP_WINDOWS=views.MAP_WINDOWS,
        SEARCH_MODES=views.SEARCH_MODES,
        version=__version__,
    )
    return env


def render(
    request: Request,
    template: str,
    /,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page from templates/, with what every page needs (user, CSRF token, mode)."""
    env: jinja2.Environment = request.app.state.templates
    base = {
        "request_path": request.url.path,
        "csrf": csrf_token(request.session),
        "user": getattr(request.state, "user", None),
        "multi_user": request.app.state.multi_user,
        "htmx": request.headers.get("hx-request") == "true",
    }
    html = env.get_template(template).render({**base, **context})
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# --- errors ------------------------------------------------------------------------------


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    titles = {
        400: "Cannot do that",
        401: "Please log in",
        403: "Not allowed",
        404: "Not found",
        405: "Not allowed",
        413: "Too large",
        422: "Check the form",
        429: "Too many attempts",
        503: "Busy",
    }
    return render(
        request,
        "error.html",
        status=status,
        headers=headers,
        title=titles.get(status, "Something went wrong"),
        message=message,
        status_code=status,
    )


def validation_message(err: RequestValidationError) -> str:
    """One line per bad field: `q: String should have at most 2000 characters`."""
    lines = []
    for problem in err.errors():
        where = ".".join(str(part) for part in problem.get("loc", ())[1:]) or "input"
        lines.append(f"{where}: {problem.get('msg', 'invalid')}")
    return "; ".join(lines) or "the input is not valid"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"There is no page at {request.url.path}."
        return error_response(request, exc.status_code, message, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            from fastapi.encoders import jsonable_encoder

            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        return error_response(request, 422, validation_message(exc))

    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "log in first (POST /login)"}, status_code=401)
        from urllib.parse import urlencode

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, exc: CsrfRejected) -> Response:
        return error_response(
            request,
            403,
            "This form has expired or did not come from papersift (missing CSRF token). "
            "Reload the page and try again.",
        )

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> Response:
        return error_response(request, 413, f"The request is larger than {exc.limit:,} bytes.")

    @app.exception_handler(StoreBusy)
    async def busy(request: Request, exc: StoreBusy) -> Response:
        return error_response(request, 503, str(exc), {"Retry-After": "5"})

    @app.exception_handler(SemanticUnavailable)
    async def no_semantic(request: Request, exc: SemanticUnavailable) -> Response:
        return error_response(request, 503, str(exc), {"Retry-After": "5"})

    @app.exception_handler(UsageError)
    async def usage(request: Request, exc: UsageError) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(PapersiftError)
    async def papersift_error(request: Request, exc: PapersiftError) -> Response:
        return error_response(request, 500, str(exc))


# --- the outermost layer: body size limit and security headers ------------------------------


class Guard:
    """Caps request bodies and adds security headers to every response.

    A pure ASGI middleware (no BaseHTTPMiddleware): it must not buffer bodies, and it runs
    on every request of a 50-client load test.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = MAX_UPLOAD if scope["path"] in UPLOAD_PATHS else MAX_BODY
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _plain_response(send, 413, f"The request is larger than {limit:,} bytes.\n")
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS:
                    if name not in present:
                        headers.append((name, value))
                # Server time to the first byte, for the benchmarks and the browser's devtools.
                elapsed = (time.perf_counter() - started) * 1000
                headers.append((b"server-timing", f"app;dur={elapsed:.1f}".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, counting_receive, send_with_headers)


SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def _plain_response(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
