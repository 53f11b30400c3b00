"""One Atom feed per tag of the reader: the papers tagged with it, most recently tagged first.

The feed is the digest's Atom rendering (`digest.render`) of a digest with one section, the tag,
under an id of its own, so a feed reader keeps one subscription per tag. `tag_feed` is pure;
`write_tag_feeds` reads the store and writes `<out>/tags/<tag>.xml`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from papersift.atomic import write_atomically
from papersift.errors import DigestWriteError, UsageError
from papersift.records import Digest, DigestEntry, DigestTopic, Paper
from papersift.store.base import LOCAL_USER, Store

FEEDS_DIR = "tags"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def feed_filename(tag: str) -> str:
    """`quantization.xml`; a tag with other characters gets a short hash so two never collide
    (`a b` and `a_b`), and no tag can climb out of the folder (`../x`)."""
    safe = _UNSAFE.sub("_", tag).strip("._")[:80] or "tag"
    if safe != tag:
        safe += "-" + hashlib.sha256(tag.encode()).hexdigest()[:8]
    return f"{safe}.xml"


def tag_feed(
    tag: str, papers: Sequence[Paper], *, feedback_url: str | None = None, now: dt.datetime
) -> str:
    """The Atom feed of one tag's papers, in the order given."""
    from papersift.digest.render import TAG_PREFIX, digest_view, render_view

    days = [d for p in papers if (d := p.updated or p.published)]
    end = max(days, default=now.date())
    digest = Digest(
        title=f"papersift: papers tagged {tag}",
        generated_at=now,
        window_start=min(days, default=end),
        window_end=end,
        top_picks=(),
        topics=(DigestTopic(tag, tuple(DigestEntry(p) for p in papers)),),
        total_papers=len(papers),
        feedback_url=feedback_url,
    )
    view = dataclasses.replace(
        digest_view(digest), atom_id=f"{TAG_PREFIX}tag:{quote(tag, safe='')}"
    )
    return render_view(view, "atom")


def tagged_papers(store: Store, tag: str, user_id: int = LOCAL_USER) -> list[Paper]:
    """The reader's papers tagged `tag`, the most recently tagged first; UsageError if unknown."""
    tags = store.library(user_id).tags()
    if tag not in tags:
        known = ", ".join(sorted(tags)) or "none yet"
        raise UsageError(f"no tag {tag!r} (tags: {known})")
    rowids = list(reversed(tags[tag]))  # the store lists them oldest first
    found = store.papers_by_rowid(rowids)
    return [found[r] for r in rowids if r in found]


def write_tag_feeds(
    store: Store,
    out_dir: Path,
    tags: Sequence[str] | None = None,
    *,
    user_id: int = LOCAL_USER,
    feedback_url: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Path]:
    """Write `<out_dir>/tags/<tag>.xml` for each of `tags` (None: every tag); tag -> path."""
    names = list(tags) if tags is not None else sorted(store.library(user_id).tags())
    moment = now or dt.datetime.now(dt.UTC)
    documents = {
        tag: tag_feed(
            tag, tagged_papers(store, tag, user_id), feedback_url=feedback_url, now=moment
        )
        for tag in names
    }
    folder = out_dir / FEEDS_DIR
    written: dict[str, Path] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for tag, text in documents.items():
            path = folder / feed_filename(tag)
            write_atomically(path, text, mode=0o644)
            written[tag] = path
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise DigestWriteError(f"cannot write the tag feeds to {folder}: {reason}") from err
    return written
