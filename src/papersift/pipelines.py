"""The use cases both front ends call: a window of papers, its map, a digest, the daily run.

The command line and the web app each parse their input, call one of these and show the
records they return; neither holds a use case of its own. Everything a use case touches (the
store, the configuration, the embedding model, the network client, the clock) is passed in,
and progress is reported through hooks, so these functions print nothing.

The defaults a front end would otherwise invent (which model, which window) live in
`papersift.defaults` and are re-exported here. Heavy libraries (numpy, the model, sklearn) are
imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papersift.defaults import DEFAULT_EMBEDDER, FEED_WINDOW, MAP_WINDOW, TRENDING_WINDOW
from papersift.digest import FORMATS, Format
from papersift.errors import UsageError
from papersift.store.base import LOCAL_USER

__all__ = [
    "DEFAULT_EMBEDDER",
    "FEED_WINDOW",
    "MAP_MIN_PAPERS",
    "MAP_WINDOW",
    "TRENDING_WINDOW",
    "DailyRun",
    "DigestRequest",
    "DigestRun",
    "DrawnMap",
    "Trending",
    "FetchOutcome",
    "fetch_configured",
    "load_model",
    "load_window",
    "make_digest",
    "make_map",
    "publish_and_send",
    "recommend_unseen",
    "run_daily",
    "tldr_summarizer",
    "trending",
    "window_text",
]

if TYPE_CHECKING:
    import httpx

    from papersift.config import Config
    from papersift.digest.build import BuiltDigest, DeliveryOutcome, Published, Summarizer
    from papersift.digest.webhook import WebhookOutcome
    from papersift.embed.base import Embedder
    from papersift.index.ray_embed import RayEmbedReport
    from papersift.ingest.harvest import HarvestReport
    from papersift.rank.candidates import Collection
    from papersift.rank.recommend import EmbedHooks, Recommendations
    from papersift.records import Digest, Paper
    from papersift.store.base import Store
    from papersift.viz.map import PaperMap

# Topics and a 2-D layout need a few points; fewer make no picture.
MAP_MIN_PAPERS = 3
# How many papers of a new day a configured fetch asks a category for, at most.
FETCH_MAX_PER_CATEGORY = 2000

Warn = Callable[[str], None]
OnPage = Callable[["HarvestReport"], None] | None
# A front end's live status while one source's pages arrive: entered with the source's label,
# it yields the callable that hears of each stored page (None: nobody listens).
PageStatus = Callable[[str], AbstractContextManager[OnPage]]


def _no_status(label: str) -> AbstractContextManager[OnPage]:
    return nullcontext(None)


# -- the model and a window ------------------------------------------------------------------


def load_model(name: str | None = None) -> Embedder:
    """The embedding model `name` asks for; None is the default every front end shares."""
    from papersift.embed import load_embedder

    return load_embedder(name or DEFAULT_EMBEDDER)


def embed_on_ray(
    store: Store,
    model: str | None,
    address: str | None,
    *,
    model_id: str | None = None,
    actors: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> RayEmbedReport:
    """`embed` on a Ray cluster (`address`, or "local" to start one here); resumable."""
    from papersift.index.ray_embed import connect, embed_on_ray

    disconnect = connect(address)
    try:
        return embed_on_ray(
            store,
            model or DEFAULT_EMBEDDER,
            model_id=model_id,
            actors=actors,
            progress=progress,
            on_total=on_total,
        )
    finally:
        disconnect()


def load_window(
    store: Store,
    embedder: Embedder,
    since: str | None,
    *,
    hooks: EmbedHooks | None = None,
    max_papers: int | None = None,
) -> Collection:
    """The papers of the window `since` with their vectors, embedding those that lack one.

    `max_papers` is the most a map can draw: a larger window is refused before anything is
    embedded.
    """
    from papersift.rank.candidates import load_collection, window_rowids

    if max_papers is not None:
        _, _, rowids = window_rowids(store, since)
        if len(rowids) > max_papers:
            raise UsageError(
                f"{len(rowids):,} papers in that window; a map shows at most "
                f"{max_papers:,}: pick a shorter window"
            )
    progress, on_total = (hooks.progress, hooks.on_total) if hooks else (None, None)
    return load_collection(store, since, embedder, progress, on_total)


def window_text(window: Collection) -> str:
    """The window in words, for a title or a summary line."""
    if window.start is None or window.end is None:
        return "all papers"
    return f"papers from {window.start.isoformat()} to {window.end.isoformat()}"


# -- trending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trending:
    """The window's most upvoted papers on Hugging Face, with their rowids (marks key on them)."""

    papers: tuple[tuple[int, Paper], ...]
    start: dt.date | None  # None: the whole store
    end: dt.date | None


def trending(
    store: Store,
    since: str | None = TRENDING_WINDOW,
    *,
    k: int = 30,
    has_code: bool = False,
) -> Trending:
    """The `k` papers of the window `since` with the most Hugging Face upvotes (ties: newest);
    `has_code` keeps only papers with a code link."""
    from papersift.records import PaperFilter
    from papersift.window import window_start

    latest = store.latest_date()
    start = window_start(since, latest)
    rowids = store.trending_rowids(PaperFilter(since=start, has_code=has_code), k)
    found = store.papers_by_rowid(rowids)
    return Trending(tuple((r, found[r]) for r in rowids if r in found), start, latest)


def recommend_unseen(
    store: Store,
    embedder: Embedder,
    *,
    k: int,
    since: str | None,
    tag: str | None = None,
    user_id: int = LOCAL_USER,
    include_seen: bool = False,
    today: dt.date | None = None,
    hooks: EmbedHooks | None = None,
    has_code: bool = False,
) -> Recommendations:
    """The reader's ranked papers of the window, leaving out what they were shown before
    `today` (unless it changed, or `include_seen`); `has_code`: only papers with a code link.
    ColdStart without likes or interests.
    """
    from papersift.rank.candidates import load_collection
    from papersift.rank.recommend import NO_HOOKS, recommend
    from papersift.rank.unseen import leave_out_seen

    hooks = hooks or NO_HOOKS
    window = None
    if not include_seen:
        window = load_collection(store, since, embedder, hooks.progress, hooks.on_total)
        window = leave_out_seen(store, window, user_id, today or dt.date.today()).collection
    return recommend(
        store,
        embedder,
        k=k,
        since=since,
        tag=tag,
        user_id=user_id,
        hooks=hooks,
        collection=window,
        has_code=has_code,
    )


# -- the map ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawnMap:
    """A window's map, ready to render as HTML (and PNG); how many papers and topics it shows."""

    paper_map: PaperMap
    papers: int
    topics: int


def make_map(
    store: Store,
    window: Collection,
    *,
    user_id: int = LOCAL_USER,
    widen: str = "try a wider window",
) -> DrawnMap:
    """The window's papers laid out in 2-D, coloured by topic, the reader's likes ringed.

    `widen` is the front end's advice when the window is too small (a flag, a form field).
    """
    from papersift.topics.clusters import find_topics
    from papersift.viz.layout import layout_2d
    from papersift.viz.map import build_map

    if len(window.papers) < MAP_MIN_PAPERS:
        raise UsageError(f"a map needs at least {MAP_MIN_PAPERS} papers in the window; {widen}")
    liked_rowids = {f.paper_rowid for f in store.library(user_id).feedback() if f.rating > 0}
    liked = [p.id for r, p in zip(window.rowids, window.papers) if int(r) in liked_rowids]
    found = find_topics(window.vectors, window.texts, window.ids)
    coords = layout_2d(window.vectors)
    paper_map = build_map(
        window.papers, coords, found, liked=liked, title=f"papersift map: {window_text(window)}"
    )
    return DrawnMap(paper_map, len(window.papers), len(found))


# -- digests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestRequest:
    """What a digest covers and where it goes; `from_config` fills what was not asked."""

    since: str
    k: int
    out_dir: Path | None  # None: archived in the store only, no files
    formats: tuple[Format, ...] = FORMATS
    recipients: tuple[str, ...] = ()
    webhook: bool = False  # post to the configured [webhook] url too
    include_seen: bool = False  # papers shown on earlier days too, not only the unseen

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        since: str | None = None,
        k: int | None = None,
        out_dir: Path | None = None,
        formats: Sequence[Format] | None = None,
        recipients: Sequence[str] = (),
        webhook: bool = False,
        include_seen: bool = False,
    ) -> DigestRequest:
        return cls(
            since=since or config.digest.since,
            k=k or config.digest.k,
            out_dir=out_dir or config.digest.out_dir,
            formats=tuple(formats or config.digest.formats),
            recipients=tuple(recipients),
            webhook=webhook,
            include_seen=include_seen,
        )


@dataclass(frozen=True)
class DigestRun:
    """A published digest and, when it was e-mailed, who got it."""

    built: BuiltDigest
    published: Published
    delivery: DeliveryOutcome | None  # None: nobody to send it to
    webhook: WebhookOutcome | None = None  # None: no webhook configured or asked for


def tldr_summarizer(config: Config) -> Summarizer:
    """The configured LLM's TL;DRs (cached per user), or extractive ones when none is set."""
    from papersift.digest.build import extractive_summarizer, llm_summarizer

    if not (config.llm.base_url and config.llm.model):
        return extractive_summarizer
    from platformdirs import user_cache_dir

    return llm_summarizer(config, Path(user_cache_dir("papersift", appauthor=False)) / "tldr")


def make_digest(
    store: Store,
    embedder: Embedder,
    config: Config,
    request: DigestRequest,
    *,
    hooks: EmbedHooks | None = None,
    user_id: int = LOCAL_USER,
    summarize: Summarizer | None = None,
    today: dt.date | None = None,
    quiet: str | None = None,
) -> BuiltDigest:
    """Rank the window for the reader and group the rest by topic (not yet published).

    What the reader was shown before `today` is left out unless it changed or the request
    says `include_seen`; `quiet` is why no announcement came, for an empty digest to say.
    """
    from papersift.digest.build import build_digest
    from papersift.rank.recommend import NO_HOOKS

    if request.out_dir is not None:  # fail before minutes of embedding, not after
        try:
            request.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise UsageError(
                f"cannot write the digest to {request.out_dir}: {err.strerror}"
            ) from None
    return build_digest(
        store,
        embedder,
        since=request.since,
        k=request.k,
        feedback_url=config.serve.public_url,
        summarize=summarize or tldr_summarizer(config),
        user_id=user_id,
        hooks=hooks or NO_HOOKS,
        today=today,
        include_seen=request.include_seen,
        quiet=quiet,
    )


def publish_and_send(
    store: Store,
    config: Config,
    built: BuiltDigest,
    request: DigestRequest,
    *,
    day: dt.date | None = None,
    user_id: int = LOCAL_USER,
    now: dt.datetime | None = None,
) -> DigestRun:
    """Archive and write the digest, then e-mail it to each recipient at most once on `day`,
    and post it to the configured webhook (when `request.webhook`) at most once on `day`.

    A failed delivery is recorded (and retried by the next run), not raised: the run's
    `delivery.failed` lists it. Every paper of the digest is recorded as shown to the reader
    (and as e-mailed once an e-mail went out), so later digests leave it out.
    """
    from papersift.digest.build import deliver, publish
    from papersift.digest.render import email_subject
    from papersift.rank.unseen import record_shown

    day = day or dt.date.today()
    now = now or dt.datetime.now(dt.UTC)
    published = publish(
        store, built.digest, request.out_dir, request.formats, user_id, built.snapshots
    )
    shown = digest_papers(built.digest)
    record_shown(store, user_id, shown, "digest", now, day)
    delivery = None
    if request.recipients:
        delivery = deliver(
            store,
            config,
            published,
            email_subject(built.digest),
            request.recipients,
            day,
            user_id,
        )
        if delivery.sent:
            record_shown(store, user_id, shown, "email", now, day)
    webhook = None
    if request.webhook:
        from papersift.digest.webhook import deliver_webhook

        webhook = deliver_webhook(store, config, built.digest, published.digest_id, day, user_id)
    return DigestRun(built, published, delivery, webhook)


def digest_papers(digest: Digest) -> list[Paper]:
    """Every paper a digest shows: the reader's own sections, its top picks, then each topic's."""
    sections = (*digest.pinned, *digest.topics)
    entries = [*digest.top_picks, *(e for section in sections for e in section.entries)]
    return [entry.paper for entry in entries]


# -- fetching and the daily run --------------------------------------------------------------

# Checkpoints of the daily run: the last arXiv announcement (an Eastern date) it covered, for
# the run as a whole and per source, so a source that failed is fetched again from where it
# stood while the others move on.
DAILY_COVERED = "daily:covered"
DAILY_SOURCE_COVERED = "daily:covered:"


@dataclass(frozen=True)
class FetchOutcome:
    """What a configured fetch brought: new papers, the sources that failed, and whether the
    network was not there at all (then the remaining sources were not tried)."""

    added: int
    failed: tuple[str, ...] = ()
    offline: bool = False


def _covered(store: Store, name: str) -> dt.date | None:
    value = store.get_checkpoint(name)
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:  # a checkpoint of another shape: start afresh rather than fail daily
        return None


def fetch_configured(
    store: Store,
    config: Config,
    client: httpx.Client,
    *,
    warn: Warn,
    page_status: PageStatus = _no_status,
    today: dt.date | None = None,
    covered: dt.date | None = None,
    arxiv_url: str | None = None,
) -> FetchOutcome:
    """Fetch new papers of the configured categories and HF daily.

    A source that fails on the network is reported to `warn` and skipped: the others still
    count, and the digest goes out with what there is. When the first request finds no network
    at all (`NetworkUnreachable`), the other sources are not tried. `covered` is the last
    announcement this source list was fetched through (the daily checkpoint): each source
    starts from its own checkpoint, else from there, else from the newest stored paper; a
    source that succeeds has its checkpoint moved to `covered`'s successor by the caller.
    """
    from papersift.errors import FetchError, NetworkUnreachable
    from papersift.ingest.harvest import published_since, store_pages
    from papersift.net.listings import ARXIV_API_URL, Page, arxiv_api_pages, hf_daily_pages

    # From the day before the newest stored paper: late announcements of that day come in too.
    latest = store.latest_date()
    default_since = (latest or (today or dt.date.today()) - dt.timedelta(days=3)) - dt.timedelta(
        days=1
    )

    def since_for(label: str) -> dt.date:
        # A day before the announcement covered: submissions of that date announced later,
        # and the hours between UTC and Eastern dates.
        last = _covered(store, DAILY_SOURCE_COVERED + label) or covered
        return default_since if last is None else last - dt.timedelta(days=1)

    def arxiv(category: str, since: dt.date) -> Callable[[], Iterator[Page]]:
        return lambda: arxiv_api_pages(
            client,
            category,
            since=since,
            max_results=FETCH_MAX_PER_CATEGORY,
            base_url=arxiv_url or ARXIV_API_URL,
        )

    # (label, its pages, which papers to keep)
    jobs: list[tuple[str, Callable[[], Iterator[Page]], Callable[[Paper], bool] | None]] = []
    if config.sources.arxiv:
        for category in config.sources.categories:
            label = f"arXiv {category}"
            since = since_for(label)
            jobs.append((label, arxiv(category, since), published_since(since)))
    if config.sources.hf:
        jobs.append(("HF daily papers", lambda: hf_daily_pages(client, None), None))
    added = 0
    failed: list[str] = []
    offline = False
    for label, pages, keep in jobs:
        if offline:
            failed.append(label)
            continue
        try:
            with page_status(f"Fetching {label}") as on_page:
                report = store_pages(store, pages(), keep=keep, on_page=on_page)
            added += report.counts.added
        except NetworkUnreachable as err:
            warn(f"{label}: {err}; no network, so no other source is tried either")
            failed.append(label)
            offline = True
        except FetchError as err:
            warn(f"{label}: {err}; going on without it (the next run tries it again)")
            failed.append(label)
        else:
            if covered is not None:
                with store.transaction():
                    store.set_checkpoint(DAILY_SOURCE_COVERED + label, covered.isoformat())
    return FetchOutcome(added, tuple(failed), offline)


@dataclass(frozen=True)
class DailyRun:
    """What `papersift daily` did: papers fetched, and the digest it made and sent.

    `announcements` are the arXiv announcements this run covered (Eastern dates), more than
    one after a gap; `failed_sources` are retried by the next run.
    """

    fetched: int
    digest: DigestRun
    announcements: tuple[dt.date, ...] = ()
    failed_sources: tuple[str, ...] = ()
    offline: bool = False
    tag_feeds: dict[str, Path] = field(default_factory=dict)  # tag -> its Atom feed

    @property
    def caught_up(self) -> int:
        """How many missed announcement days this run fetched besides the latest (0: none)."""
        return max(0, len(self.announcements) - 1)


def run_daily(
    store: Store,
    config: Config,
    load_embedder: Callable[[], Embedder],
    *,
    client: httpx.Client | None,
    warn: Warn,
    page_status: PageStatus = _no_status,
    hooks: EmbedHooks | None = None,
    day: dt.date | None = None,
    include_seen: bool = False,
    arxiv_url: str | None = None,
) -> DailyRun:
    """Fetch (unless `client` is None), embed, rank, publish and e-mail today's digest.

    Safe to run twice a day: a recipient already sent today's digest is skipped, and papers
    shown earlier today are shown again rather than counted as seen. After a gap (machine
    off, network down, a failed run) the fetch and the digest reach back to the last arXiv
    announcement covered, and the run's `announcements` lists each one it caught up on. The
    model is loaded (`load_embedder`) only after the fetch, so a network run does not wait
    on it. `day` is the reader's date (a run at noon US Eastern of it); None is now.
    """
    from papersift.arxiv_calendar import (
        announcements_after,
        eastern_noon,
        latest_announcement,
        quiet_reason,
    )
    from papersift.window import window_start

    now = eastern_noon(day) if day is not None else dt.datetime.now(dt.UTC)
    today = day or dt.date.today()
    latest = latest_announcement(now)
    last = _covered(store, DAILY_COVERED)
    missed = tuple(announcements_after(last, now)) if last is not None else (latest,)
    outcome = FetchOutcome(0)
    if client is not None:
        outcome = fetch_configured(
            store,
            config,
            client,
            warn=warn,
            page_status=page_status,
            today=today,
            covered=latest,
            arxiv_url=arxiv_url,
        )
    since = config.digest.since
    if last is not None and missed:
        # Reach back to the last announcement covered; what was shown then is left out anyway.
        configured = window_start(since, store.latest_date())
        since = min(configured, last).isoformat() if configured else since
    quiet = quiet_reason(last, now) if last is not None and not missed else None
    request = DigestRequest.from_config(
        config, since=since, recipients=config.email.to, include_seen=include_seen, webhook=True
    )
    built = make_digest(
        store, load_embedder(), config, request, hooks=hooks, today=today, quiet=quiet
    )
    run = publish_and_send(store, config, built, request, day=today, now=now)
    # Each of the reader's tags keeps its Atom feed beside the digest, fresh every morning.
    feeds = {}
    if store.library().tags():
        from papersift.digest.feeds import write_tag_feeds

        folder = request.out_dir or config.digest.out_dir
        feeds = write_tag_feeds(store, folder, feedback_url=config.serve.public_url)
    if client is not None and not outcome.failed:
        with store.transaction():
            store.set_checkpoint(DAILY_COVERED, latest.isoformat())
    return DailyRun(
        outcome.added,
        run,
        missed if client is not None else (),
        outcome.failed,
        outcome.offline,
        feeds,
    )
