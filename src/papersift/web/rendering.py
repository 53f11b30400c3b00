"""Pages from templates/: the Jinja2 environment and `render`, with what every page needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from papersift import __version__
from papersift.digest.render import badge_views
from papersift.web import views
from papersift.web.auth import csrf_token

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


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
        paper_badges=badge_views,
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
