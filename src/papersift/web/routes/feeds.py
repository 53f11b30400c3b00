"""Each tag of the reader as an Atom feed: `/feeds/tags/<tag>.xml`.

Single-user: open like every other page of a local server. Multi-user: the feed belongs to the
logged-in reader's session, like the library it is made from. A per-user token in the URL would
let a feed reader without the session subscribe, but such URLs end up in feed-reader services,
proxy logs and browser history, and anyone holding one reads that reader's library; until
tokens can be revoked one by one, the session is the safe choice.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from papersift.digest.feeds import feed_filename, tag_feed, tagged_papers
from papersift.web.deps import Reader, Store

router = APIRouter(include_in_schema=False)
ATOM_TYPE = "application/atom+xml; charset=utf-8"


@router.get("/feeds/tags/{filename}")
def tag_feed_page(filename: str, store: Store, reader: Reader) -> Response:
    # The file name, not the tag, is in the URL: the same names `digest --tag` writes.
    tag = next(
        (name for name in store.library(reader.id).tags() if feed_filename(name) == filename),
        None,
    )
    if tag is None:
        raise HTTPException(404, f"no tag feed {filename!r}")
    text = tag_feed(tag, tagged_papers(store, tag, reader.id), now=dt.datetime.now(dt.UTC))
    return Response(text, media_type=ATOM_TYPE)
