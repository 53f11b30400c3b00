"""The outermost layer: a cap on request bodies and security headers on every response,
error pages and crashes included."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papersift.web.errors import BodyTooLarge

# Forms and JSON bodies are small; a library export (BibTeX of a few thousand papers) is not.
MAX_BODY = 1 << 20
MAX_UPLOAD = 20 << 20
UPLOAD_PATHS = frozenset({"/library/import"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class Guard:
    """Caps request bodies and adds security headers to every response.

    A pure ASGI middleware (no BaseHTTPMiddleware): it must not buffer bodies, and it runs
    on every request of a 50-client load test.
    """

    def __init__(self, app: ASGIApp, *, https_only: bool = False) -> None:
        self.app = app
        # Behind an HTTPS proxy: browsers that saw the site once never try plain HTTP again.
        self.headers = SECURITY_HEADERS + ((HSTS,) if https_only else ())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = MAX_UPLOAD if scope["path"] in UPLOAD_PATHS else MAX_BODY
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _plain_response(
                send, 413, f"The request is larger than {limit:,} bytes.\n", self.headers
            )
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
        response_started = False
        # Pages, JSON (the session's CSRF token), exports and digests are one reader's: no
        # shared or browser cache keeps them. Static files may be cached.
        defaults = (
            self.headers
            if scope["path"].startswith("/static/")
            else (
                *self.headers,
                NO_STORE,
            )
        )

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in defaults:
                    if name not in present:
                        headers.append((name, value))
                # Server time to the first byte, for the benchmarks and the browser's devtools.
                elapsed = (time.perf_counter() - started) * 1000
                headers.append((b"server-timing", f"app;dur={elapsed:.1f}".encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, counting_receive, send_with_headers)
        except Exception:
            # Starlette's own 500 page is made outside this middleware, without the headers;
            # answer here and re-raise so the server still logs the traceback.
            if not response_started:
                await _plain_response(
                    send, 500, "Something went wrong on the server.\n", self.headers
                )
            raise


SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")
NO_STORE = (b"cache-control", b"no-store")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def _plain_response(
    send: Send,
    status: int,
    text: str,
    security_headers: tuple[tuple[bytes, bytes], ...] = SECURITY_HEADERS,
) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                NO_STORE,
                *security_headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
