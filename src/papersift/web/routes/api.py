"""The JSON API under /api: search, recommendations, papers and the reader's library.

Shapes follow the CLI's --json output (search.hit_as_dict, present.paper_as_dict) so scripts
can move between the two.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from papersift import reader_library as library_actions
from papersift.export import export
from papersift.present import paper_as_dict
from papersift.records import PaperFilter
from papersift.search import MAX_QUERY_CHARS, hit_as_dict, similar
from papersift.search import search as run_search
from papersift.web.auth import csrf_token
from papersift.web.deps import Reader, ServicesDep, Store, check_csrf
from papersift.web.marks import interest_key, known_ids, known_tag, marks_for

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(check_csrf)])

MAX_IDS = 1000
EXPORT_TYPES = {
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "csl-json": "application/vnd.citationstyles.csl+json",
}
ExportFormat = Literal["bibtex", "ris", "csl-json"]


class ErrorOut(BaseModel):
    detail: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Cannot be done as asked (the detail says why)"},
    401: {"model": ErrorOut, "description": "Multi-user mode: log in first"},
    403: {"model": ErrorOut, "description": "Missing or wrong CSRF token"},
    503: {"model": ErrorOut, "description": "The store is busy or the model is unavailable"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such paper"}
}
NO_TAG: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "You have no such tag"}
}


class SessionOut(BaseModel):
    user: str | None = Field(description="Your account; null until you log in (multi-user)")
    multi_user: bool
    csrf_token: str = Field(description="Send it as X-CSRF-Token with POST and DELETE calls")


class HitOut(BaseModel):
    id: str
    title: str
    authors: list[str]
    published: str | None
    categories: list[str]
    score: float
    keyword_rank: int | None
    semantic_rank: int | None
    similarity: float | None
    url: str | None


class ReasonOut(BaseModel):
    kind: str
    text: str
    paper_id: str | None = None
    paper_title: str | None = None
    similarity: float | None = None
    words: list[str] = []
    interest: str | None = None
    tag: str | None = None


class RecommendationOut(BaseModel):
    id: str
    title: str
    score: float
    tldr: str
    reasons: list[ReasonOut]


class RecommendOut(BaseModel):
    items: list[RecommendationOut]
    candidates: int
    start: dt.date | None
    end: dt.date | None
    cold_start: str | None = Field(
        None, description="Why nothing could be ranked (no likes, no interests) and what to do"
    )


class PaperOut(BaseModel):
    id: str
    title: str
    title_raw: str | None
    authors: list[str]
    abstract: str | None
    tldr: str
    categories: list[str]
    version: int | None
    published: str | None
    updated: str | None
    doi: str | None
    arxiv_id: str | None
    links: dict[str, str]
    sources: list[str]
    external_ids: dict[str, str]
    extra: dict[str, Any]
    first_seen: str | None
    rating: int | None = Field(description="Yours: 1 liked, -1 disliked, null neither")
    tags: list[str]


class LibraryEntryOut(BaseModel):
    id: str
    title: str
    rating: int | None
    tags: list[str]


class RateIn(BaseModel):
    ids: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        min_length=1, max_length=MAX_IDS
    )
    action: Literal["like", "dislike", "unlike"]


class TagIn(BaseModel):
    tag: str = Field(min_length=1, max_length=100, pattern=r"\S")
    ids: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        min_length=1, max_length=MAX_IDS
    )
    remove: bool = False


class ChangedOut(BaseModel):
    changed: int


class InterestIn(BaseModel):
    text: str = Field(min_length=1, max_length=500, pattern=r"\S")


class InterestOut(BaseModel):
    id: int
    text: str
    at: dt.datetime


class RemovedOut(BaseModel):
    removed: bool


class StatsOut(BaseModel):
    papers: int
    sources: dict[str, int]
    categories: dict[str, int]
    months: dict[str, int]


PaperId = Annotated[str, Path(description="A stored paper's id, arXiv id, DOI or source id")]
Window = Annotated[
    str | None,
    Query(
        max_length=20,
        pattern=r"^\s*(\d{1,4}\s*[dDwW]|\d{4}-\d{2}-\d{2}|all)\s*$",
        description="1d (the newest day), 7d, 2w, a date (YYYY-MM-DD), or all",
    ),
]


@router.get("/session", response_model=SessionOut)
def session(request: Request, store: Store) -> SessionOut:
    """Who you are, and the CSRF token your state-changing calls (and POST /login) must send."""
    from papersift.web.deps import get_reader
    from papersift.web.errors import NotLoggedIn

    try:
        name: str | None = get_reader(request, store).name
    except NotLoggedIn:
        name = None
    return SessionOut(
        user=name,
        multi_user=request.app.state.multi_user,
        csrf_token=csrf_token(request.session),
    )


@router.get("/search", response_model=list[HitOut], responses=ERROR_RESPONSES)
def search(
    store: Store,
    services: ServicesDep,
    reader: Reader,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, pattern=r"\S")],
    mode: Literal["hybrid", "semantic", "keyword"] = "hybrid",
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    since: dt.date | None = None,
    until: dt.date | None = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    author: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    """Keyword (BM25), semantic (embeddings) or hybrid (both, fused) search with filters."""
    where = PaperFilter(since=since, until=until, category=category or None, author=author or None)
    hits = run_search(
        store, q, mode=mode, k=k, where=where, semantic=lambda: services.semantic(store)
    )
    return [hit_as_dict(hit) for hit in hits]


@router.get("/recommend", response_model=RecommendOut, responses={**ERROR_RESPONSES, **NO_TAG})
def recommend(
    store: Store,
    services: ServicesDep,
    reader: Reader,
    k: Annotated[int, Query(ge=1, le=100)] = 20,
    since: Window = "1d",
    tag: Annotated[str | None, Query(max_length=100)] = None,
    include_seen: bool = False,
) -> RecommendOut:
    """Your ranked papers of a window, each with the reasons it is shown.

    Papers shown to you on an earlier day (feed, digest, e-mail) are left out unless they
    changed, or `include_seen`.
    """
    from papersift.rank.recommend import reason_as_dict

    window = None if since is None or since.strip() == "all" else since.strip()
    feed = services.feed(
        store,
        reader.id,
        since=window,
        k=k,
        tag=known_tag(store, reader.id, tag),
        include_seen=include_seen,
    )
    return RecommendOut(
        items=[
            RecommendationOut(
                id=item.paper.id,
                title=item.paper.title,
                score=round(item.score, 4),
                tldr=item.tldr,
                reasons=[ReasonOut.model_validate(reason_as_dict(r)) for r in item.reasons],
            )
            for item in feed.items
        ],
        candidates=feed.candidates,
        start=feed.start,
        end=feed.end,
        cold_start=feed.cold_start,
    )


@router.get(
    "/papers/{paper_id:path}/similar",
    response_model=list[HitOut],
    responses={**ERROR_RESPONSES, **NOT_FOUND},
)
def similar_papers(
    paper_id: PaperId,
    store: Store,
    services: ServicesDep,
    reader: Reader,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[dict[str, Any]]:
    """Papers nearest to this one in embedding space."""
    if store.rowid_of(paper_id) is None:
        raise HTTPException(404, f"no paper {paper_id!r} in the store")
    return [hit_as_dict(hit) for hit in similar(store, paper_id, services.semantic(store), k)]


@router.get(
    "/papers/{paper_id:path}", response_model=PaperOut, responses={**ERROR_RESPONSES, **NOT_FOUND}
)
def paper(paper_id: PaperId, store: Store, reader: Reader) -> dict[str, Any]:
    """One paper, with its TL;DR and your rating and tags."""
    from papersift.digest.summarize import extract_tldr

    rowid = store.rowid_of(paper_id)
    found = store.papers_by_rowid([rowid]).get(rowid) if rowid is not None else None
    if rowid is None or found is None:
        raise HTTPException(404, f"no paper {paper_id!r} in the store")
    mark = marks_for(store, reader.id, [rowid])[rowid]
    return {
        **paper_as_dict(found),
        "tldr": extract_tldr(found.abstract, found.title),
        "rating": mark.rating,
        "tags": list(mark.tags),
    }


@router.get(
    "/library", response_model=list[LibraryEntryOut], responses={**ERROR_RESPONSES, **NO_TAG}
)
def library(
    store: Store,
    reader: Reader,
    tag: Annotated[str | None, Query(max_length=100)] = None,
) -> list[LibraryEntryOut]:
    """Every paper you rated or tagged (or only those with `tag`), newest action first."""
    entries = library_actions.library_papers(store, known_tag(store, reader.id, tag), reader.id)
    return [
        LibraryEntryOut(id=paper.id, title=paper.title, rating=rating, tags=tags)
        for paper, rating, tags in entries
    ]


@router.post("/library/rate", response_model=ChangedOut, responses={**ERROR_RESPONSES, **NOT_FOUND})
def rate(body: RateIn, store: Store, services: ServicesDep, reader: Reader) -> ChangedOut:
    """Like, dislike or unlike papers: all or nothing (an unknown id changes nothing)."""
    known_ids(store, body.ids)
    changed = library_actions.rate(store, body.ids, body.action, reader.id)
    services.forget_user(reader.id)
    return ChangedOut(changed=changed)


@router.post("/library/tag", response_model=ChangedOut, responses={**ERROR_RESPONSES, **NOT_FOUND})
def tag(body: TagIn, store: Store, services: ServicesDep, reader: Reader) -> ChangedOut:
    """Tag papers (or remove the tag with `remove`); all or nothing."""
    rowids = known_ids(store, body.ids)
    if body.remove:
        with store.transaction():
            changed = store.library(reader.id).untag(body.tag.strip(), rowids)
    else:
        changed = library_actions.tag(store, body.tag, body.ids, reader.id)
    services.forget_user(reader.id)
    return ChangedOut(changed=changed)


@router.get("/library/interests", response_model=list[InterestOut])
def interests(store: Store, reader: Reader) -> list[InterestOut]:
    """What you wrote you want to read; they rank papers even before any like."""
    return [
        InterestOut(id=i.id, text=i.text, at=i.at) for i in store.library(reader.id).interests()
    ]


@router.post("/library/interests", response_model=InterestOut, responses=ERROR_RESPONSES)
def add_interest(
    body: InterestIn, store: Store, services: ServicesDep, reader: Reader
) -> InterestOut:
    """Add an interest in words (adding one you have is a no-op)."""
    text = " ".join(body.text.split())
    with store.transaction():
        store.library(reader.id).add_interest(text)
    services.forget_user(reader.id)
    found = next(i for i in store.library(reader.id).interests() if i.text == text)
    return InterestOut(id=found.id, text=found.text, at=found.at)


@router.delete("/library/interests/{key}", response_model=RemovedOut, responses=ERROR_RESPONSES)
def remove_interest(
    key: Annotated[str, Path(max_length=500)], store: Store, services: ServicesDep, reader: Reader
) -> RemovedOut:
    """Remove an interest by its id or its exact text."""
    usable = interest_key(key)
    with store.transaction():
        removed = usable is not None and store.library(reader.id).remove_interest(usable)
    services.forget_user(reader.id)
    return RemovedOut(removed=removed)


@router.get(
    "/library/export",
    response_class=Response,
    responses={
        **ERROR_RESPONSES,
        **NO_TAG,
        200: {
            "description": "The export",
            "content": {
                "application/x-bibtex": {"schema": {"type": "string"}},
                "application/x-research-info-systems": {"schema": {"type": "string"}},
                "application/vnd.citationstyles.csl+json": {
                    "schema": {"type": "array", "items": {"type": "object"}}
                },
            },
        },
    },
)
def export_library(
    store: Store,
    reader: Reader,
    fmt: ExportFormat = "bibtex",
    tag: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """Your library (or one tag of it) as BibTeX, RIS or CSL-JSON for a reference manager."""
    entries = library_actions.library_papers(store, known_tag(store, reader.id, tag), reader.id)
    return Response(export([paper for paper, _, _ in entries], fmt), media_type=EXPORT_TYPES[fmt])


@router.get("/stats", response_model=StatsOut)
def stats(store: Store, reader: Reader) -> StatsOut:
    """How many papers the store holds, per source, category and month."""
    numbers = store.stats()
    return StatsOut(papers=store.count(), **numbers)
