"""The HTML pages: feed, search, paper, library, map, digests, settings, and login.

GET never changes anything: the like/dislike links of a digest open a page whose button
POSTs. Every POST is checked for the session's CSRF token (deps.check_csrf).
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from papersift import accounts
from papersift import reader_library as library_actions
from papersift.accounts import User
from papersift.config import mask_credentials
from papersift.defaults import MAP_WINDOW
from papersift.errors import PapersiftError, ParseError, SemanticUnavailable, StoreBusy, UsageError
from papersift.pipelines import TRENDING_WINDOW, trending
from papersift.records import Paper
from papersift.search import MAX_QUERY_CHARS, Hit, similar
from papersift.search import search as run_search
from papersift.store.base import Store as PaperStore
from papersift.web import auth, views
from papersift.web.deps import Reader, ServicesDep, Store, check_csrf
from papersift.web.marks import interest_key, known_tag, marks_for
from papersift.web.rendering import render
from papersift.web.routes.api import EXPORT_TYPES, ExportFormat

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)

Window = Annotated[
    str,
    Query(max_length=20, pattern=r"^\s*(\d{1,4}\s*[dDwW]|\d{4}-\d{2}-\d{2}|all)\s*$"),
]
TagName = Annotated[str, Form(min_length=1, max_length=100, pattern=r"\S")]
NextPath = Annotated[str, Form(max_length=2000)]
LIBRARY_SHOWN = 200
VERBS = {
    "like": "Like",
    "dislike": "Dislike",
    "unlike": "Forget my rating of",
    "read": "Mark as read",
}
DONE = {
    "like": "Liked. It now shapes your feed.",
    "dislike": "Disliked. Papers like it will rank lower.",
    "unlike": "Your rating is forgotten.",
    "read": "Marked read: it is not shown again unless a new version comes out.",
    "snooze": "Snoozed: it is hidden until the day you chose.",
}
# A snooze hides a paper for a week unless the reader picks another number of days.
SNOOZE_DAYS = 7
SnoozeDays = Annotated[int, Form(ge=1, le=365)]
MAP_FRAME_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox; frame-ancestors 'self'"
)
DIGEST_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "sandbox allow-popups allow-popups-to-escape-sandbox; frame-ancestors 'none'"
)
# The same document framed inside the app's layout (/digests/{id}): only this site may frame it.
DIGEST_FRAME_CSP = DIGEST_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
DIGEST_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}


def find_paper(store: PaperStore, ident: str) -> tuple[int, Paper]:
    """The stored paper `ident` names (any of its ids), or a 404 page."""
    rowid = store.rowid_of(ident) if ident.strip() else None
    paper = store.papers_by_rowid([rowid]).get(rowid) if rowid is not None else None
    if rowid is None or paper is None:
        raise HTTPException(404, f"No paper “{ident}” in the store.")
    return rowid, paper


def with_rowids(store: PaperStore, hits: list[Hit]) -> list[tuple[Hit, int]]:
    """Each hit with its paper's rowid, which the reader's marks are keyed by."""
    found = []
    for hit in hits:
        rowid = store.rowid_of(hit.paper.id)
        if rowid is not None:
            found.append((hit, rowid))
    return found


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


# --- feed -----------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def feed_page(
    request: Request,
    store: Store,
    services: ServicesDep,
    reader: Reader,
    since: Window = "1d",
    tag: Annotated[str, Query(max_length=100)] = "",
    k: Annotated[int, Query(ge=1, le=100)] = 20,
    sort: Literal["", "trending"] = "",
    seen: Annotated[bool, Query(description="Also show papers shown before.")] = False,
) -> HTMLResponse:
    import datetime as dt

    from papersift.rank.model import cold_start_message
    from papersift.rank.unseen import record_shown

    if sort == "trending":  # the feed sorted by the community's upvotes is the trending page
        return trending_page(request, store, reader, since=since, k=k)
    since = since.strip().lower()
    window = None if since == "all" else since
    today = dt.date.today()
    feed = services.feed(
        store,
        reader.id,
        since=window,
        k=k,
        tag=known_tag(store, reader.id, tag),
        include_seen=seen,
        today=today,
    )
    pinned_papers = [paper for section in feed.pinned for paper in section.papers]
    listed = feed.items + feed.browse
    # Shown now: from tomorrow on the feed and the digest leave these out. A reload today
    # shows them again (showings of the same day are no repeat). While `daily` holds the
    # write lock the page is still shown; the papers are recorded on the next reload.
    with contextlib.suppress(StoreBusy):
        record_shown(
            store,
            reader.id,
            [item.paper for item in listed] + [p.paper for p in pinned_papers],
            "feed",
            dt.datetime.now(dt.UTC),
            today,
        )
    pinned_keys = [paper.rowid for paper in pinned_papers]
    marks = marks_for(store, reader.id, [item.key for item in listed] + pinned_keys)
    # Only a first visit with nothing to show needs to know whether the store is empty.
    empty_store = not listed and not pinned_papers and store.count() == 0
    heading = "Today's papers" if since == "1d" else f"Papers: {views.window_name(since)}"
    return render(
        request,
        "feed.html",
        heading=heading,
        feed=feed,
        since=since,
        tag=tag,
        tags=sorted(store.library(reader.id).tags()),
        marks=marks,
        seen=seen,
        empty_store=empty_store,
        # The library's own cold-start text names CLI commands; the page links instead.
        cold_start_note=None if feed.cold_start == cold_start_message(None) else feed.cold_start,
    )


# --- trending -------------------------------------------------------------------------------


@router.get("/trending", response_class=HTMLResponse)
def trending_page(
    request: Request,
    store: Store,
    reader: Reader,
    since: Window = TRENDING_WINDOW,
    k: Annotated[int, Query(ge=1, le=100)] = 30,
    code: bool = False,
) -> HTMLResponse:
    since = since.strip().lower()
    result = trending(store, None if since == "all" else since, k=k, has_code=code)
    return render(
        request,
        "trending.html",
        result=result,
        since=since,
        code=code,
        marks=marks_for(store, reader.id, [rowid for rowid, _ in result.papers]),
    )


# --- search ---------------------------------------------------------------------------------


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: Store,
    services: ServicesDep,
    reader: Reader,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    mode: Literal["hybrid", "semantic", "keyword"] = "hybrid",
    k: Annotated[int, Query(ge=1, le=100)] = 20,
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    category: Annotated[str, Query(max_length=100)] = "",
    author: Annotated[str, Query(max_length=200)] = "",
    code: bool = False,
) -> HTMLResponse:
    try:
        where = views.search_filter(since, until, category, author, has_code=code)
    except ValueError as err:
        raise HTTPException(422, str(err)) from None
    hits: list[Hit] = []
    note = None
    preparing = False
    empty_store = False
    if q.strip():
        # A new store's first search would wait for every paper to be embedded: answer with
        # keyword matches at once while the vectors are prepared in the background.
        pending = None if mode == "keyword" else services.semantic_pending(store)
        if pending is not None:
            preparing = True
            what = f"{pending:,} papers are being embedded" if pending else "the model is loading"
            note = (
                f"Semantic results are being prepared ({what}); these are keyword matches "
                f"for now, and the {mode} results replace them when ready."
            )
            hits = run_search(store, q, mode="keyword", k=k, where=where)
        else:
            try:
                hits = run_search(
                    store, q, mode=mode, k=k, where=where, semantic=lambda: services.semantic(store)
                )
            except SemanticUnavailable as err:
                note = f"Semantic search is unavailable ({err}); these are keyword matches only."
                hits = run_search(store, q, mode="keyword", k=k, where=where)
        empty_store = not hits and store.count() == 0
    found = with_rowids(store, hits)
    return render(
        request,
        "search.html",
        query=q,
        mode=mode,
        k=k,
        since=since,
        until=until,
        category=category,
        author=author,
        code=code,
        filters_open=not where.is_empty or mode != "hybrid",
        hits=found,
        tldrs={rowid: tldr_of(hit.paper) for hit, rowid in found},
        marks=marks_for(store, reader.id, [rowid for _, rowid in found]),
        note=note,
        preparing=preparing,
        refresh_url=f"{request.url.path}?{request.url.query}",
        empty_store=empty_store,
    )


def tldr_of(paper: Paper) -> str:
    """The one-line TL;DR a list shows under the title (extractive: cheap and offline)."""
    from papersift.digest.summarize import extract_tldr

    return extract_tldr(paper.abstract, paper.title)


# --- a paper and what the reader does with it -------------------------------------------------


def paper_page(
    request: Request, store: PaperStore, services: ServicesDep, reader: User, ident: str
) -> HTMLResponse:
    from papersift.digest.summarize import extract_tldr
    from papersift.export import export

    rowid, paper = find_paper(store, ident)
    similar_hits: list[Hit] = []
    similar_note = None
    if services.semantic_pending(store) is not None:  # a new store: do not wait for its vectors
        similar_note = "Similar papers are being prepared; reload in a moment."
    else:
        try:
            similar_hits = similar(store, paper.id, services.semantic(store), k=8)
        except (SemanticUnavailable, UsageError) as err:
            similar_note = str(err)
    found = with_rowids(store, similar_hits)
    marks = marks_for(store, reader.id, [rowid, *(r for _, r in found)])
    done = request.query_params.get("done")
    return render(
        request,
        "paper.html",
        paper=paper,
        mark=marks[rowid],
        tldr=extract_tldr(paper.abstract, paper.title),
        bibtex=export([paper], "bibtex").strip(),
        similar=found,
        similar_note=similar_note,
        marks=marks,
        done=DONE.get(done or ""),
    )


def confirm_page(
    request: Request, store: PaperStore, reader: User, ident: str, action: str
) -> HTMLResponse:
    rowid, paper = find_paper(store, ident)
    rating = marks_for(store, reader.id, [rowid])[rowid].rating
    current = {1: "You like it now.", -1: "You dislike it now."}.get(rating or 0)
    return render(
        request,
        "confirm.html",
        paper=paper,
        action=action,
        verb=VERBS[action],
        current=current,
    )


def rate_paper(
    request: Request,
    store: PaperStore,
    services: ServicesDep,
    reader: User,
    ident: str,
    action: str,
) -> Response:
    rowid, paper = find_paper(store, ident)
    library_actions.rate(store, [paper.id], action, reader.id)
    services.forget_user(reader.id)
    if is_htmx(request):
        return render(
            request, "actions.html", paper=paper, mark=marks_for(store, reader.id, [rowid])[rowid]
        )
    return RedirectResponse(f"{views.paper_url(paper.id)}?done={action}", status_code=303)


def tag_paper(
    request: Request,
    store: PaperStore,
    services: ServicesDep,
    reader: User,
    ident: str,
    name: str,
    remove: bool,
) -> Response:
    rowid, paper = find_paper(store, ident)
    name = " ".join(name.split())
    with store.transaction():
        if remove:
            store.library(reader.id).untag(name, [rowid])
        else:
            store.library(reader.id).tag(name, [rowid])
    services.forget_user(reader.id)
    if is_htmx(request):
        return render(
            request, "actions.html", paper=paper, mark=marks_for(store, reader.id, [rowid])[rowid]
        )
    return RedirectResponse(views.paper_url(paper.id), status_code=303)


def mark_seen(
    request: Request,
    store: PaperStore,
    services: ServicesDep,
    reader: User,
    ident: str,
    action: Literal["read", "snooze"],
    days: int = SNOOZE_DAYS,
) -> Response:
    """Mark a paper read (never shown again unless it changes) or snooze it for `days`."""
    import datetime as dt

    rowid, paper = find_paper(store, ident)
    today = dt.date.today()
    with store.transaction():
        if action == "read":
            store.seen(reader.id).record([(rowid, paper)], "read", dt.datetime.now(dt.UTC), today)
        else:
            store.seen(reader.id).snooze(rowid, today + dt.timedelta(days=days))
    services.forget_user(reader.id)
    if is_htmx(request):
        return HTMLResponse(
            f'<p class="seen-done" role="status">{DONE[action]}</p>',
            headers={"Cache-Control": "no-store"},
        )
    return RedirectResponse(f"{views.paper_url(paper.id)}?done={action}", status_code=303)


@router.get("/papers/{paper_id:path}/read", response_class=HTMLResponse)
def confirm_read(request: Request, store: Store, reader: Reader, paper_id: str) -> HTMLResponse:
    return confirm_page(request, store, reader, paper_id, "read")


@router.post("/papers/{paper_id:path}/read")
def read_route(
    request: Request, store: Store, services: ServicesDep, reader: Reader, paper_id: str
) -> Response:
    return mark_seen(request, store, services, reader, paper_id, "read")


@router.post("/papers/{paper_id:path}/snooze")
def snooze_route(
    request: Request,
    store: Store,
    services: ServicesDep,
    reader: Reader,
    paper_id: str,
    days: SnoozeDays = SNOOZE_DAYS,
) -> Response:
    return mark_seen(request, store, services, reader, paper_id, "snooze", days)


# Ids contain '/' (hep-th/9901001), so the action routes come before the catch-all page.
def _add_action_routes() -> None:
    for action in views.RATING_ACTIONS:

        def confirm(
            request: Request, store: Store, reader: Reader, paper_id: str, action: str = action
        ) -> HTMLResponse:
            return confirm_page(request, store, reader, paper_id, action)

        def post(
            request: Request,
            store: Store,
            services: ServicesDep,
            reader: Reader,
            paper_id: str,
            action: str = action,
        ) -> Response:
            return rate_paper(request, store, services, reader, paper_id, action)

        router.add_api_route(
            f"/papers/{{paper_id:path}}/{action}",
            confirm,
            methods=["GET"],
            name=f"confirm_{action}",
        )
        router.add_api_route(
            f"/papers/{{paper_id:path}}/{action}", post, methods=["POST"], name=f"post_{action}"
        )


_add_action_routes()


@router.post("/papers/{paper_id:path}/tag")
def tag_route(
    request: Request,
    store: Store,
    services: ServicesDep,
    reader: Reader,
    paper_id: str,
    tag: TagName,
) -> Response:
    return tag_paper(request, store, services, reader, paper_id, tag, remove=False)


@router.post("/papers/{paper_id:path}/untag")
def untag_route(
    request: Request,
    store: Store,
    services: ServicesDep,
    reader: Reader,
    paper_id: str,
    tag: TagName,
) -> Response:
    return tag_paper(request, store, services, reader, paper_id, tag, remove=True)


@router.get("/papers/{paper_id:path}", response_class=HTMLResponse)
def paper_route(
    request: Request, store: Store, services: ServicesDep, reader: Reader, paper_id: str
) -> HTMLResponse:
    return paper_page(request, store, services, reader, paper_id)


# Ids that a browser would rewrite in a path (`a/../b`) are addressed in the query instead.
QueryId = Annotated[str, Query(min_length=1, max_length=300)]
QueryAction = Annotated[Literal["like", "dislike", "unlike", "read", ""], Query()]


@router.get("/paper", response_class=HTMLResponse)
def paper_by_query(
    request: Request,
    store: Store,
    services: ServicesDep,
    reader: Reader,
    id: QueryId,
    action: QueryAction = "",
) -> HTMLResponse:
    if action:
        return confirm_page(request, store, reader, id, action)
    return paper_page(request, store, services, reader, id)


@router.post("/paper")
def post_by_query(
    request: Request,
    store: Store,
    services: ServicesDep,
    reader: Reader,
    id: QueryId,
    action: Annotated[
        Literal["like", "dislike", "unlike", "tag", "untag", "read", "snooze"], Query()
    ],
    tag: Annotated[str, Form(max_length=100)] = "",
    days: SnoozeDays = SNOOZE_DAYS,
) -> Response:
    if action in ("read", "snooze"):
        return mark_seen(request, store, services, reader, id, action, days)
    if action in ("tag", "untag"):
        if not tag.strip():
            raise HTTPException(422, "tag: a tag needs a name")
        return tag_paper(request, store, services, reader, id, tag, remove=action == "untag")
    return rate_paper(request, store, services, reader, id, action)


# --- library --------------------------------------------------------------------------------


@router.get("/library", response_class=HTMLResponse)
def library_page(
    request: Request,
    store: Store,
    reader: Reader,
    tag: Annotated[str, Query(max_length=100)] = "",
    rating: Literal["all", "liked", "disliked"] = "all",
) -> HTMLResponse:
    every = library_actions.library_papers(store, None, reader.id)
    entries = every
    if known_tag(store, reader.id, tag):
        entries = [entry for entry in every if tag in entry[2]]
    wanted = {"liked": 1, "disliked": -1}.get(rating)
    if wanted is not None:
        entries = [e for e in entries if e[1] == wanted]
    tags = store.library(reader.id).tags()
    from papersift.store.base import Mark

    return render(
        request,
        "library.html",
        entries=[(paper, Mark(r, tuple(sorted(t)))) for paper, r, t in entries],
        shown=LIBRARY_SHOWN,
        total=len(every),
        tag=tag,
        rating=rating,
        tags=sorted((name, len(rowids)) for name, rowids in tags.items()),
        interests=store.library(reader.id).interests(),
    )


@router.post("/library/interests")
def add_interest(
    store: Store,
    services: ServicesDep,
    reader: Reader,
    text: Annotated[str, Form(min_length=1, max_length=500, pattern=r"\S")],
    next: NextPath = "/library#interests",
) -> RedirectResponse:
    with store.transaction():
        store.library(reader.id).add_interest(" ".join(text.split()))
    services.forget_user(reader.id)
    return RedirectResponse(auth.safe_next(next), status_code=303)


@router.post("/library/interests/remove")
def remove_interest(
    store: Store,
    services: ServicesDep,
    reader: Reader,
    key: Annotated[str, Form(min_length=1, max_length=500)],
) -> RedirectResponse:
    usable = interest_key(key)
    if usable is not None:
        with store.transaction():
            store.library(reader.id).remove_interest(usable)
    services.forget_user(reader.id)
    return RedirectResponse("/library#interests", status_code=303)


@router.post("/library/import", response_class=HTMLResponse)
def import_page(
    request: Request,
    store: Store,
    services: ServicesDep,
    reader: Reader,
    file: Annotated[UploadFile, File()],
    fmt: Annotated[Literal["auto", "bibtex", "ris", "csl-json"], Form()] = "auto",
) -> HTMLResponse:
    filename = upload_name(file.filename)
    with tempfile.TemporaryDirectory(prefix="papersift-import-") as folder:
        path = FilePath(folder) / filename
        data = file.file.read()
        path.write_bytes(data)
        try:
            # On a shared server what an account imports is its own (issue 21).
            private = bool(request.app.state.multi_user)
            report = library_actions.import_library(store, path, fmt, reader.id, private)
        except (ParseError, UsageError) as err:
            # The reader's file is at fault: one line naming their file (never the server's
            # temp path), with the form to try another.
            message = str(err).replace(str(path), filename).replace(folder, "")
            return render(
                request,
                "import_result.html",
                status=400,
                error=views.import_problem(filename, data[:16], message),
                filename=filename,
            )
        shown = report.rejected[: library_actions.REJECTED_SHOWN]
        rejected = [err.one_line().replace(str(path), filename) for err in shown]
    services.forget_user(reader.id)
    return render(
        request,
        "import_result.html",
        report=report,
        rejected=rejected,
        filename=filename,
        error=None,
    )


def upload_name(name: str | None) -> str:
    """A harmless local file name keeping the extension format detection reads."""
    base = FilePath(name or "library").name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "library"
    return base[-80:]


@router.get("/library/export")
def export_page(
    store: Store,
    reader: Reader,
    fmt: ExportFormat = "bibtex",
    tag: Annotated[str, Query(max_length=100)] = "",
) -> PlainTextResponse:
    from papersift.export import export

    entries = library_actions.library_papers(store, known_tag(store, reader.id, tag), reader.id)
    papers = [paper for paper, _, _ in entries]
    suffix = {"bibtex": "bib", "ris": "ris", "csl-json": "json"}[fmt]
    name = f"papersift-{re.sub(r'[^A-Za-z0-9_-]+', '_', tag) or 'library'}.{suffix}"
    return PlainTextResponse(
        export(papers, fmt),
        media_type=EXPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, reader: Reader) -> HTMLResponse:
    """The API's operations, read from the OpenAPI schema: no CDN-loaded Swagger UI."""
    spec = request.app.openapi()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "description": operation.get("description", ""),
            "parameters": [
                (p["name"], p["in"], p.get("required", False))
                for p in operation.get("parameters", [])
            ],
            "body": "requestBody" in operation,
        }
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]
    return render(
        request, "api_docs.html", operations=operations, description=spec["info"]["description"]
    )


# --- map, digests, settings ---------------------------------------------------------------


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, reader: Reader, since: Window = MAP_WINDOW) -> HTMLResponse:
    return render(request, "map.html", since=since.strip().lower())


@router.get("/map/frame", response_class=HTMLResponse)
def map_frame(
    request: Request,
    store: Store,
    services: ServicesDep,
    reader: Reader,
    since: Window = MAP_WINDOW,
) -> HTMLResponse:
    headers = {"Content-Security-Policy": MAP_FRAME_CSP, "X-Frame-Options": "SAMEORIGIN"}
    try:
        html = services.map_html(store, reader.id, since.strip().lower())
    except PapersiftError as err:
        env = request.app.state.templates
        message = env.get_template("map_message.html").render(message=str(err))
        return HTMLResponse(message, headers=headers)
    return HTMLResponse(html, headers=headers)


@router.get("/digests", response_class=HTMLResponse)
def digests_page(request: Request, store: Store, reader: Reader) -> HTMLResponse:
    return render(request, "digests.html", digests=store.archive(reader.id).list())


@router.get("/digests/{digest_id}")
def digest_page(
    request: Request,
    store: Store,
    reader: Reader,
    digest_id: int,
    fmt: Literal["html", "md", "txt", "atom"] | None = None,
) -> Response:
    """The digest inside the app's navigation; `?fmt=` gives one format as it was written."""
    archive = store.archive(reader.id)
    content = _archived(store, reader.id, digest_id, fmt or "html")  # 404 unless the reader's
    if fmt is None:
        listed = next((d for d in archive.list() if d.id == digest_id), None)
        return render(request, "digest.html", digest_id=digest_id, archived=listed)
    # The digest is a whole e-mail document; sandboxed, nothing in it can run or reach out.
    return Response(
        content, media_type=DIGEST_TYPES[fmt], headers={"Content-Security-Policy": DIGEST_CSP}
    )


@router.get("/digests/{digest_id}/frame")
def digest_frame(store: Store, reader: Reader, digest_id: int) -> Response:
    """The HTML digest for the in-app view's iframe: its links open a new tab (a paper's page
    elsewhere may refuse to be framed), its table of contents scrolls the frame itself."""
    content = _archived(store, reader.id, digest_id, "html")
    framed = content.replace("<head>", '<head>\n<base target="_blank">', 1)
    headers = {"Content-Security-Policy": DIGEST_FRAME_CSP, "X-Frame-Options": "SAMEORIGIN"}
    return Response(framed, media_type=DIGEST_TYPES["html"], headers=headers)


def _archived(store: PaperStore, user_id: int, digest_id: int, fmt: str) -> str:
    # Beyond SQLite's 64-bit integers no digest can exist (and the query would overflow).
    fits = 0 < digest_id < 1 << 63
    content = store.archive(user_id).content(digest_id, fmt) if fits else None
    if content is None:
        raise HTTPException(404, f"No digest {digest_id}.")
    return content


@router.get("/settings", response_class=HTMLResponse)
def settings_page(
    request: Request, store: Store, services: ServicesDep, reader: Reader
) -> HTMLResponse:
    from papersift.config import load_config, show_config

    config: dict[str, dict[str, object]] = {}
    config_error = None
    config_path = None
    # The server's configuration (recipients, SMTP host and user, paths, model endpoints) is
    # the operator's business: on a shared server only admins see it.
    if reader.admin:
        try:
            loaded = load_config()
            config = show_config(loaded)
            config_path = loaded.path
        except PapersiftError as err:
            config_error = mask_credentials(str(err))
    from papersift import reader_follows
    from papersift.store.base import SIGNALS

    return render(
        request,
        "settings.html",
        show_server=reader.admin,
        db_path=services.location,
        papers=store.count(),
        model=services.loaded_model_id(),
        config=config,
        config_error=config_error,
        config_path=config_path,
        follows=store.follows(reader.id).list(),
        profile=reader_follows.profile_state(store, reader.id),
        signals=SIGNALS,
    )


# The reader's follows, alerts and rules, and the profile's switches: forms on the settings
# page. A mistake (empty or absurd text) is a 400 page naming it, as in the CLI.
FollowKindForm = Annotated[Literal["author", "alert", "rule"], Form()]
FollowText = Annotated[str, Form(max_length=2000)]


@router.post("/settings/follows")
def add_follow_route(
    store: Store,
    services: ServicesDep,
    reader: Reader,
    kind: FollowKindForm,
    text: FollowText,
    mode: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    from papersift.reader_follows import add_follow

    add_follow(store, kind, text, mode or None, reader.id)
    services.forget_user(reader.id)
    return RedirectResponse(f"/settings#follows-{kind}", status_code=303)


@router.post("/settings/follows/remove")
def remove_follow_route(
    store: Store,
    services: ServicesDep,
    reader: Reader,
    kind: FollowKindForm,
    key: FollowText,
) -> RedirectResponse:
    from papersift.reader_follows import remove_follow

    remove_follow(store, kind, key, reader.id)
    services.forget_user(reader.id)
    return RedirectResponse(f"/settings#follows-{kind}", status_code=303)


@router.post("/settings/switches")
def switch_route(
    store: Store,
    services: ServicesDep,
    reader: Reader,
    name: Annotated[str, Form(min_length=1, max_length=110)],
    value: Annotated[Literal["on", "off"], Form()],
) -> RedirectResponse:
    from papersift.reader_follows import set_switch

    set_switch(store, name, value == "on", reader.id)
    services.forget_user(reader.id)
    return RedirectResponse("/settings#profile", status_code=303)


# --- accounts (multi-user) ------------------------------------------------------------------

UserName = Annotated[str, Form(min_length=1, max_length=40)]
Password = Annotated[str, Form(min_length=1, max_length=accounts.MAX_PASSWORD)]


def _login_form(
    request: Request, *, signup: bool, error: str | None, name: str, next: str, status: int
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        status=status,
        signup=signup,
        error=error,
        name=name,
        next=auth.safe_next(next),
        allow_signup=request.app.state.allow_signup,
    )


def _single_user_redirect(request: Request) -> RedirectResponse | None:
    return None if request.app.state.multi_user else RedirectResponse("/", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    return _single_user_redirect(request) or _login_form(
        request, signup=False, error=None, name="", next=next, status=200
    )


def _client_key(request: Request) -> str:
    return f"ip:{request.client.host if request.client else 'unknown'}"


# How many more login attempts a client address gets than one account (see `login`).
ADDRESS_ATTEMPTS = 4


def _busy(request: Request) -> Response:
    """Every password-hashing slot is taken: try again shortly (see auth.PasswordSlots)."""
    response = _login_form(
        request,
        signup=False,
        error="The server is busy checking passwords. Try again in a few seconds.",
        name="",
        next="/",
        status=503,
    )
    response.headers["Retry-After"] = "5"
    return response


def _too_many(request: Request, *keys: str, limiter: str = "limiter") -> Response | None:
    wait = getattr(request.app.state, limiter).retry_after(*keys)
    return _limited(request, wait) if wait else None


def _limited(request: Request, wait: int) -> Response:
    response = _login_form(
        request,
        signup=False,
        error=f"Too many attempts. Wait {wait} seconds and try again.",
        name="",
        next="/",
        status=429,
    )
    response.headers["Retry-After"] = str(wait)
    return response


@router.post("/login")
def login(
    request: Request,
    name: UserName,
    password: Password,
    next: NextPath = "/",
) -> Response:
    if (redirect := _single_user_redirect(request)) is not None:
        return redirect
    keys = (_client_key(request), f"user:{name.casefold()}")
    limiter = request.app.state.limiter
    # The attempt counts before the password is checked, atomically with the limit: a burst
    # of parallel guesses cannot slip past it. An address gets more attempts than an account,
    # so behind a proxy (one address for all) one guessed-at account does not lock out all.
    wait = limiter.attempt(*keys, limits=(limiter.attempts * ADDRESS_ATTEMPTS, limiter.attempts))
    if wait:
        return _limited(request, wait)
    services = request.app.state.services
    with request.app.state.password_slots.slot() as got_slot:
        if not got_slot:
            return _busy(request)
        with services.store() as store:
            user = accounts.authenticate(store, name, password)
    if user is None:
        return _login_form(
            request,
            signup=False,
            error="Wrong user name or password.",
            name=name,
            next=next,
            status=401,
        )
    request.app.state.limiter.succeeded(keys[1])
    auth.log_in(request.session, user)
    return RedirectResponse(auth.safe_next(next), status_code=303)


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request) -> Response:
    if (redirect := _single_user_redirect(request)) is not None:
        return redirect
    if not request.app.state.allow_signup:
        raise HTTPException(404, "Sign-up is closed on this server; ask its admin for an account.")
    return _login_form(request, signup=True, error=None, name="", next="/", status=200)


@router.post("/register")
def register(request: Request, name: UserName, password: Password) -> Response:
    if (redirect := _single_user_redirect(request)) is not None:
        return redirect
    if not request.app.state.allow_signup:
        raise HTTPException(404, "Sign-up is closed on this server; ask its admin for an account.")
    # Every attempt counts, so a script can neither mass-create accounts nor probe names.
    if (limited := _too_many(request, _client_key(request), limiter="signup_limiter")) is not None:
        return limited
    request.app.state.signup_limiter.failed(_client_key(request))
    services = request.app.state.services
    problem = accounts.check_new_account(name, password)
    if problem:
        return _login_form(request, signup=True, error=problem, name=name, next="/", status=400)
    try:
        with request.app.state.password_slots.slot() as got_slot:
            if not got_slot:
                return _busy(request)
            with services.store() as store:
                user = accounts.create_user(store, name, password)
    except UsageError as err:
        return _login_form(request, signup=True, error=str(err), name=name, next="/", status=400)
    auth.log_in(request.session, user)
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    uid = auth.session_user_id(request.session)
    if request.app.state.multi_user and uid is not None:
        # Ends this account's every session, so a copy of the cookie dies with this one.
        with request.app.state.services.store() as store:
            user = accounts.user_by_id(store, uid)
            if user is not None and auth.session_is_current(request.session, user):
                accounts.end_sessions(store, user)
    auth.log_out(request.session)
    return RedirectResponse("/login" if request.app.state.multi_user else "/", status_code=303)


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, reader: Reader) -> Response:
    if (redirect := _single_user_redirect(request)) is not None:
        return redirect
    return render(request, "password.html", error=None, done=False, status=200)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    reader: Reader,
    current: Password,
    new: Password,
    repeat: Password,
) -> Response:
    """A new password for the logged-in reader; every other session of theirs ends."""
    if (redirect := _single_user_redirect(request)) is not None:
        return redirect

    def form(error: str, status: int) -> Response:
        return render(request, "password.html", error=error, done=False, status=status)

    limiter = request.app.state.limiter
    wait = limiter.attempt(f"user:{reader.name.casefold()}")
    if wait:
        return form(f"Too many attempts. Wait {wait} seconds and try again.", 429)
    if new != repeat:
        return form("The two new passwords differ.", 400)
    if problem := accounts.check_password(reader.name, new):
        return form(problem[0].upper() + problem[1:] + ".", 400)
    services = request.app.state.services
    with request.app.state.password_slots.slot() as got_slot:
        if not got_slot:
            return form("The server is busy checking passwords. Try again shortly.", 503)
        with services.store() as store:
            if accounts.authenticate(store, reader.name, current) is None:
                return form("The current password is wrong.", 401)
            user = accounts.change_password(store, reader.name, new)
    limiter.succeeded(f"user:{reader.name.casefold()}")
    auth.log_in(request.session, user)
    return render(request, "password.html", error=None, done=True, status=200)
