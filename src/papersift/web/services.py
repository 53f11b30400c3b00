"""What the web app keeps between requests: the model, the vector index, each reader's feed.

SQLite connections are not shared between threads: every request opens its own store (half a
millisecond) and closes it. The expensive things live here, once per process: the embedding
model, the vector index, and each reader's ranked feed and map, kept until the store or the
reader's library changes (a cheap fingerprint of both is checked on every request).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from papersift.embed.base import Embedder
from papersift.errors import ColdStart, PapersiftError, SemanticUnavailable, StoreBusy
from papersift.index.sync import SemanticSearcher
from papersift.rank.pinned import PinnedSection
from papersift.rank.types import Reason
from papersift.records import Paper
from papersift.store import open_store, watch_commits
from papersift.store.base import Store

# How long a request waits for the write lock (`papersift daily` holds it while it stores a
# batch) before the page says the store is busy. Reads never wait: WAL lets them proceed.
BUSY_TIMEOUT_MS = 2_000
QUERY_CACHE_SIZE = 512
# Feeds and maps kept per process; each is a few hundred KB at most.
CACHE_ENTRIES = 256
# Laying out and labelling more papers than this takes minutes and a map nobody can read.
MAP_MAX_PAPERS = 5_000
# Papers a search request embeds while the reader waits (about a second on two cores; 868
# took 22.8 s, issue 19). More than this are embedded in the background, and the search answers
# with keyword matches until the vectors and the index are ready.
EMBED_WHILE_WAITING = 64


@dataclass(frozen=True)
class FeedItem:
    key: int  # the paper's rowid
    paper: Paper
    score: float
    reasons: tuple[Reason, ...]
    tldr: str
    update: str | None = None  # "updated: v3, new abstract": shown before, back changed


@dataclass(frozen=True)
class Feed:
    items: tuple[FeedItem, ...]
    candidates: int
    start: dt.date | None
    end: dt.date | None
    cold_start: str | None = None
    seconds: float = 0.0  # time spent ranking (not counting cache hits)
    stale: bool = False  # an older feed, shown because the store was busy
    # The reader's follows, alerts and include rules: shown above the ranked papers.
    pinned: tuple[PinnedSection, ...] = ()
    # Nothing to rank by yet (a cold start): the window's papers, by Hugging Face upvotes when
    # any has some, else newest first, so a first visit shows papers, not only advice.
    browse: tuple[FeedItem, ...] = ()
    browse_order: Literal["upvotes", "newest"] | None = None


class LruCache:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, keep: Callable[[Hashable], bool]) -> None:
        with self._lock:
            for key in [k for k in self._items if not keep(k)]:
                del self._items[key]


class KeyedLocks:
    """One lock per key, so fifty readers asking for the same stale feed rank it once."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, key: Hashable) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


# --- fingerprints (cheap reads that change whenever what they summarize changes) ------------


def papers_state(store: Store, model_id: str) -> tuple[Any, ...]:
    """Changes when papers are added or embedded (see `Store.papers_fingerprint`)."""
    return store.papers_fingerprint(model_id)


def library_state(store: Store, user_id: int) -> tuple[Any, ...]:
    """Changes when this reader likes, dislikes, tags, writes interests, follows or switches
    (here or in the CLI)."""
    return (
        *store.library(user_id).fingerprint(),
        *store.follows(user_id).fingerprint(),
        *store.profile(user_id).fingerprint(),
    )


def feed_from(recommendations: Any, store: Store, updates: Mapping[str, str] | None = None) -> Feed:
    """Turn `recommend.Recommendations` into what the page shows: papers, reasons, TL;DRs, and
    `updates` (by paper id) for papers the reader saw before that came back changed."""
    from papersift.digest.summarize import extract_tldr

    papers = store.papers_by_rowid([item.key for item in recommendations.items])
    items = tuple(
        FeedItem(
            key=item.key,
            paper=papers[item.key],
            score=float(item.score),
            reasons=tuple(item.reasons),
            tldr=extract_tldr(papers[item.key].abstract, papers[item.key].title),
            update=(updates or {}).get(papers[item.key].id),
        )
        for item in recommendations.items
        if item.key in papers
    )
    return Feed(items, recommendations.candidates, recommendations.start, recommendations.end)


def browse_items(
    rowids: Sequence[int], papers: Sequence[Paper], k: int, use_upvotes: bool = True
) -> tuple[tuple[FeedItem, ...], Literal["upvotes", "newest"]]:
    """What a reader with nothing to rank by sees: the `k` papers with the most Hugging Face
    upvotes when any paper has some (ties: newest), else the `k` newest (by the date the lists
    show, so the list reads in order). `use_upvotes` False (the reader switched the trending
    signal off): newest first whatever the upvotes."""
    from papersift.badges import upvotes
    from papersift.digest.summarize import extract_tldr

    pairs = [(int(rowid), paper) for rowid, paper in zip(rowids, papers, strict=True)]

    def newest(pair: tuple[int, Paper]) -> tuple[dt.date, int]:
        rowid, paper = pair
        return (paper.published or paper.updated or dt.date.min, rowid)

    order: Literal["upvotes", "newest"] = (
        "upvotes" if use_upvotes and any(upvotes(paper) for _, paper in pairs) else "newest"
    )
    if order == "upvotes":
        pairs.sort(key=lambda pair: (upvotes(pair[1]) or 0, *newest(pair)), reverse=True)
    else:
        pairs.sort(key=newest, reverse=True)
    items = tuple(
        FeedItem(
            rowid, paper, float(upvotes(paper) or 0), (), extract_tldr(paper.abstract, paper.title)
        )
        for rowid, paper in pairs[:k]
    )
    return items, order


class StoreWatch:
    """The papers' state, recounted only when anyone committed to the store since last time.

    Counting the embeddings of a large store is too slow to do on every page
    (docs/benchmarks.md#costs-the-server-works-around); telling whether anyone (this server's
    requests, `papersift daily`, the CLI) committed costs almost nothing (`store.watch_commits`).
    """

    def __init__(self, path: Path | str) -> None:
        self._commits = watch_commits(path)
        self._states: dict[str, tuple[int, tuple[Any, ...]]] = {}

    def papers_state(self, store: Store, model_id: str) -> tuple[Any, ...]:
        generation = self._commits.generation()
        cached = self._states.get(model_id)
        if cached is not None and cached[0] == generation:
            return cached[1]
        # Read after taking the generation: a commit in between only causes one more recount.
        state = (generation, papers_state(store, model_id))
        self._states[model_id] = state
        return state[1]


@contextmanager
def _exclusive(index: Path) -> Iterator[None]:
    """Held by one process at a time: an advisory lock on a file beside the index."""
    import fcntl

    index.parent.mkdir(parents=True, exist_ok=True)
    with open(index.parent / f"{index.name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Services:
    """The process-wide parts of the web app; every method is safe to call from any thread."""

    def __init__(
        self,
        db_path: Path | str,
        *,
        embedder: Embedder | None = None,
        model: str | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        warn: Callable[[str], None] = lambda message: None,
        embed_while_waiting: int = EMBED_WHILE_WAITING,
    ) -> None:
        self.db_path = db_path
        self.embed_while_waiting = embed_while_waiting
        self.model = model
        self.busy_timeout_ms = busy_timeout_ms
        self.warn = warn
        self._embedder = embedder
        self._embedder_error: PapersiftError | None = None
        self._embedder_lock = threading.Lock()
        self._encode_lock = threading.Lock()
        self._index: Any = None
        self._index_state: tuple[Any, ...] | None = None
        self._index_lock = threading.Lock()
        self._query_vectors = LruCache(QUERY_CACHE_SIZE)
        self._feeds = LruCache(CACHE_ENTRIES)
        self._maps = LruCache(CACHE_ENTRIES)
        self._feed_locks = KeyedLocks()
        # Create and migrate the store once, up front, so requests never run migrations.
        open_store(db_path).close()
        self._watch = StoreWatch(db_path)

    # -- the store ----------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """The store, as shown to an admin: a file's path, or a URL without its password."""
        from papersift.store.postgres.connection import redact

        return redact(str(self.db_path))

    @contextmanager
    def store(self) -> Iterator[Store]:
        """A store for one request, with a short wait for the write lock (then StoreBusy)."""
        store = open_store(self.db_path, lock_wait=self.busy_timeout_ms / 1000)
        try:
            yield store
        finally:
            store.close()

    # -- the model ----------------------------------------------------------------------------

    def embedder(self) -> Embedder:
        """The embedding model, loaded once (a few seconds) by whichever request needs it first."""
        with self._embedder_lock:
            if self._embedder is None:
                if self._embedder_error is not None:
                    raise self._embedder_error
                from papersift.embed import load_embedder

                try:
                    self._embedder = load_embedder(self.model)
                except PapersiftError as err:
                    self._embedder_error = err
                    raise
            return self._embedder

    def loaded_model_id(self) -> str | None:
        return self._embedder.model_id if self._embedder is not None else None

    def warm_up(self) -> threading.Thread:
        """Load the model in the background so the first search does not wait for it."""

        def load() -> None:
            try:
                embedder = self.embedder()
            except PapersiftError as err:
                self.warn(f"semantic search and the feed are unavailable: {err}")
                return
            # A fresh model's first encodes are many times slower than later ones
            # (docs/benchmarks.md#costs-the-server-works-around): spend them on queries of
            # typical lengths, not on a reader's.
            for words in range(1, 17):
                with self._encode_lock:
                    embedder.encode([" ".join(["paper"] * words)])

        thread = threading.Thread(target=load, name="papersift-model", daemon=True)
        thread.start()
        return thread

    def query_vector(self, text: str) -> np.ndarray:
        """The query's embedding; repeated queries (and htmx's as-you-type) hit a cache."""
        cached = self._query_vectors.get(text)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        embedder = self.embedder()
        # One query at a time: on two cores, parallel encodes only slow each other down.
        with self._encode_lock:
            vector = np.asarray(embedder.encode([text])[0], dtype=np.float32)
        vector.setflags(write=False)
        self._query_vectors.put(text, vector)
        return vector

    # -- semantic search ----------------------------------------------------------------------

    def semantic(self, store: Store) -> SemanticSearcher:
        """A searcher over the current index, refreshed when papers were added or embedded.

        One request refreshes (embedding new papers, updating the index file); the others
        keep searching the previous index meanwhile instead of queueing behind it.
        """
        try:
            embedder = self.embedder()
        except PapersiftError as err:
            raise SemanticUnavailable(f"no embedding model: {err}") from None
        index = self._current_index(store, embedder)
        model_id = embedder.model_id
        # pgvector searches inside the store: on this request's connection, since the one that
        # brought its index up to date is closed with its request.
        inside = store.nearest(model_id, embedder.dim, self.warn)

        def vector_of(rowid: int) -> np.ndarray | None:
            keys, vectors = store.load_embeddings(model_id, [rowid])
            return vectors[0] if len(keys) else None

        return SemanticSearcher(
            embed_query=self.query_vector,
            search=(inside or index).search,
            vector_of=vector_of,
        )

    def _current_index(self, store: Store, embedder: Embedder) -> Any:
        state = self._watch.papers_state(store, embedder.model_id)
        if self._index is not None and self._index_state == state:
            return self._index
        blocking = self._index is None
        if not self._index_lock.acquire(blocking=blocking):
            return self._index  # another request is refreshing it
        try:
            if self._index is not None and self._index_state == state:
                return self._index
            return self._refresh_index(store, embedder)
        finally:
            self._index_lock.release()

    def _refresh_index(self, store: Store, embedder: Embedder) -> Any:
        """Embed what lacks a vector and bring the index up to date (hold `_index_lock`)."""
        from papersift.index.sync import embed_missing, index_path, open_searchable

        # `serve --workers N`: N processes see the same new papers at once; one embeds them
        # and saves the index file while the others wait, then find it up to date (two
        # writers appending to one vector file would leave it for a rebuild).
        with _exclusive(index_path(store, embedder.model_id)):
            try:
                report = embed_missing(store, embedder)
                index = open_searchable(
                    store, embedder.model_id, embedder.dim, self.warn, report.changed_rowids
                )
            except StoreBusy:
                if self._index is not None:
                    return self._index
                raise SemanticUnavailable(
                    "new papers need embedding but the store is busy; try again in a moment"
                ) from None
        self._index, self._index_state = (
            index,
            self._watch.papers_state(store, embedder.model_id),
        )
        return index

    def semantic_pending(self, store: Store) -> int | None:
        """None when a semantic search can answer now without a long wait; otherwise how many
        papers still need a vector (0: the model is still loading), and they are being
        prepared in the background meanwhile.

        A store whose papers were never embedded would keep the first search waiting for
        all of them (22.8 s for 868 papers, issue 19); a few new ones are embedded at once.
        """
        embedder = self._embedder
        if embedder is None:
            if self._embedder_error is not None:
                return None  # `semantic` says why it is unavailable
            self._prepare_in_background()
            return 0
        state = self._watch.papers_state(store, embedder.model_id)
        if self._index is not None and self._index_state == state:
            return None
        # papers_fingerprint: (max rowid, papers, vectors of this model).
        missing = max(0, int(state[1] or 0) - int(state[2] or 0))
        if missing <= self.embed_while_waiting:
            return None
        if self._index is not None and self._index_lock.locked():
            return None  # the previous index answers while it is refreshed (`_current_index`)
        self._prepare_in_background()
        # While the background refresh holds the lock, `semantic` returns the previous index.
        return None if self._index is not None else missing

    def _prepare_in_background(self) -> None:
        """Load the model, embed every paper lacking a vector and open the index, in a thread.

        The lock is taken here, before the thread starts, so the request that started it (and
        every later one) sees the refresh as running; the thread releases it when done.
        """
        if not self._index_lock.acquire(blocking=False):
            return  # already being prepared

        def prepare() -> None:
            try:
                embedder = self.embedder()
                with self.store() as store:
                    self._refresh_index(store, embedder)
            except PapersiftError as err:
                self.warn(f"semantic search is not ready: {err}")
            finally:
                self._index_lock.release()

        threading.Thread(target=prepare, name="papersift-index", daemon=True).start()

    # -- the feed -----------------------------------------------------------------------------

    def feed(
        self,
        store: Store,
        user_id: int,
        *,
        since: str | None = "1d",
        k: int = 20,
        tag: str | None = None,
        include_seen: bool = False,
        today: dt.date | None = None,
    ) -> Feed:
        """This reader's ranked papers, from the cache unless the store or library changed.

        Papers shown to the reader before `today` are left out unless `include_seen`; the day
        is in the cache key, so yesterday's showings take effect at midnight.
        """
        today = today or dt.date.today()
        key = (user_id, since, k, tag, include_seen, today)
        embedder = self.embedder()

        def current_state() -> tuple[Any, ...]:
            return (
                self._watch.papers_state(store, embedder.model_id),
                library_state(store, user_id),
                store.seen(user_id).fingerprint(),
            )

        state = current_state()
        cached = self._feeds.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]  # type: ignore[no-any-return]
        with self._feed_locks(key):
            cached = self._feeds.get(key)
            if cached is not None and cached[0] == state:
                return cached[1]  # type: ignore[no-any-return]
            try:
                feed = self._rank(store, embedder, user_id, since, k, tag, include_seen, today)
            except StoreBusy:
                if cached is None:
                    raise
                return replace(cached[1], stale=True)
            # Ranking may embed papers that had no vector yet, which changes the state.
            self._feeds.put(key, (current_state(), feed))
            return feed

    def _rank(
        self,
        store: Store,
        embedder: Embedder,
        user_id: int,
        since: str | None,
        k: int,
        tag: str | None,
        include_seen: bool = False,
        today: dt.date | None = None,
    ) -> Feed:
        from papersift.rank.candidates import load_collection
        from papersift.rank.pinned import pin_window, without
        from papersift.rank.recommend import recommend
        from papersift.rank.unseen import leave_out_seen

        started = time.perf_counter()
        # Follows and rules first: an exclude rule hides papers from the feed too, and the
        # followed papers are shown whatever the ranking (or a cold start) says.
        window = load_collection(store, since, embedder)
        updates: dict[str, str] = {}
        if not include_seen:  # what the reader was shown on an earlier day, unless it changed
            unseen = leave_out_seen(store, window, user_id, today or dt.date.today())
            window, updates = unseen.collection, unseen.updates
        pinned = pin_window(store, embedder, window, user_id)
        window = without(window, pinned.excluded | pinned.rowids)
        try:
            recommendations = recommend(
                store, embedder, k=k, since=since, tag=tag, user_id=user_id, collection=window
            )
        except ColdStart as err:
            trending = store.profile(user_id).switches().uses("trending")
            browse, order = browse_items(window.rowids.tolist(), window.papers, k, trending)
            return Feed(
                (),
                len(window.papers),
                window.start,
                window.end,
                cold_start=str(err),
                pinned=pinned.sections,
                browse=browse,
                browse_order=order,
            )
        feed = feed_from(recommendations, store, updates)
        return replace(feed, seconds=time.perf_counter() - started, pinned=pinned.sections)

    def forget_user(self, user_id: int) -> None:
        """Drop this reader's cached feeds and maps (after a like, a tag, an interest)."""
        self._feeds.drop(lambda key: key[0] != user_id)  # type: ignore[index]
        self._maps.drop(lambda key: key[0] != user_id)  # type: ignore[index]

    # -- the map ------------------------------------------------------------------------------

    def map_html(self, store: Store, user_id: int, since: str) -> str:
        """The self-contained map page (map.render_html) of a window, the reader's likes ringed."""
        from papersift.pipelines import load_window, make_map
        from papersift.viz.html import render_html

        embedder = self.embedder()
        key = (user_id, since)
        liked_rowids = {f.paper_rowid for f in store.library(user_id).feedback() if f.rating > 0}
        state = (self._watch.papers_state(store, embedder.model_id), tuple(sorted(liked_rowids)))
        cached = self._maps.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]  # type: ignore[no-any-return]
        with self._feed_locks(("map", *key)):
            cached = self._maps.get(key)
            if cached is not None and cached[0] == state:
                return cached[1]  # type: ignore[no-any-return]
            window = load_window(store, embedder, since, max_papers=MAP_MAX_PAPERS)
            drawn = make_map(store, window, user_id=user_id, widen="try a wider one")
            html = render_html(drawn.paper_map)
            state = (self._watch.papers_state(store, embedder.model_id), state[1])
            self._maps.put(key, (state, html))
            return html
