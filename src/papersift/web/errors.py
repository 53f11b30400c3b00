"""How failures reach the browser or an API client: the web's own exceptions and their handlers.

A leaf module: it imports no routes, so routes and dependencies can raise these freely.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from papersift.errors import PapersiftError, SemanticUnavailable, StoreBusy, UsageError
from papersift.web.rendering import render


class NotLoggedIn(Exception):
    """A page or API call that needs an account, without a session."""


class CsrfRejected(Exception):
    """A state-changing request without this session's CSRF token."""


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit


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
