"""Request dependencies shared by pages and API: the store, the reader, the CSRF check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from papersift.accounts import LOCAL_READER, User, user_by_id
from papersift.store.base import Store as PaperStore
from papersift.web.auth import (
    CSRF_FIELD,
    CSRF_HEADER,
    csrf_valid,
    session_is_current,
    session_user_id,
)
from papersift.web.services import Services

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# No account has this id (ids start at 1): the viewer that sees public papers only.
NOBODY = 0


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def get_store(
    request: Request, services: Annotated[Services, Depends(get_services)]
) -> Iterator[PaperStore]:
    """One store connection per request (SQLite connections are not shared across threads).

    On a shared server it reads as nobody (public papers only) until `get_reader` names the
    reader: a route that never asks who is reading still shows no one's private papers.
    """
    with services.store() as store:
        if request.app.state.multi_user:
            store.set_viewer(NOBODY)
        yield store


def get_reader(request: Request, store: Annotated[PaperStore, Depends(get_store)]) -> User:
    """Whose library this request reads and changes: the session's account, or the local one."""
    from papersift.web.errors import NotLoggedIn

    if not request.app.state.multi_user:
        user = LOCAL_READER
    else:
        uid = session_user_id(request.session)
        found = user_by_id(store, uid) if uid is not None else None
        if found is None or not session_is_current(request.session, found):
            # Logged out elsewhere, password changed, or account removed: the cookie is dead.
            request.session.pop("uid", None)
            request.session.pop("gen", None)
            raise NotLoggedIn()
        user = found
        store.set_viewer(user.id)
    request.state.user = user
    return user


async def check_csrf(request: Request) -> None:
    """Every state-changing request carries the session's token (header or form field)."""
    from papersift.web.errors import CsrfRejected

    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not csrf_valid(request.session, sent):
        raise CsrfRejected()


def get_admin(request: Request, reader: Annotated[User, Depends(get_reader)]) -> User:
    """The reader, who must be an admin (the local reader of single-user mode is one)."""
    from fastapi import HTTPException

    if not reader.admin:
        raise HTTPException(403, "Only an admin of this server may do that.")
    return reader


Store = Annotated[PaperStore, Depends(get_store)]
Reader = Annotated[User, Depends(get_reader)]
ServicesDep = Annotated[Services, Depends(get_services)]
