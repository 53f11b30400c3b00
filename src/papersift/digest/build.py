"""The daily digest: rank a window for the reader, group the rest by topic, summarize, deliver.

`build_digest` turns the store into a `Digest` record; `publish` renders, archives and writes
it; `deliver` e-mails it at most once a day, retrying what failed on a later run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from papersift.config import Config
from papersift.digest import FORMATS, Format
from papersift.digest.render import WIDEN_HINT
from papersift.digest.summarize import extract_tldr
from papersift.digest.updates import followed_updates
from papersift.embed.base import Embedder
from papersift.errors import ColdStart
from papersift.rank.candidates import Collection, load_collection
from papersift.rank.pinned import pin_window, without
from papersift.rank.recommend import NO_HOOKS, EmbedHooks, recommend
from papersift.rank.types import Recommendation
from papersift.records import Digest, DigestEntry, DigestTopic, Paper
from papersift.store.base import LOCAL_USER, PaperSnapshot, Store
from papersift.topics.clusters import MIN_PAPERS_TO_GROUP

ALL_FORMATS: tuple[Format, ...] = FORMATS
# Topics need a few papers to be worth naming; fewer than this are listed as one group (the
# topics' own threshold, so the digest never shows a "too few to group" section).
MIN_PAPERS_FOR_TOPICS = MIN_PAPERS_TO_GROUP

Summarizer = Callable[[Paper], str]


@dataclass(frozen=True)
class BuiltDigest:
    digest: Digest
    cold_start: str | None  # why there are no top picks, when the library is empty
    # The liked and tagged papers' state to remember once published (digest.updates is told).
    snapshots: dict[int, PaperSnapshot] = field(default_factory=dict)


def extractive_summarizer(paper: Paper) -> str:
    return extract_tldr(paper.abstract, paper.title)


def llm_summarizer(config: Config, cache_dir: Path) -> Summarizer:
    """TL;DRs from the configured OpenAI-compatible endpoint, extractive when it fails."""
    import httpx

    from papersift.digest.summarize import LlmSettings, summarize_with_llm

    llm = config.llm
    assert llm.base_url and llm.model
    settings = LlmSettings(
        base_url=llm.base_url,
        model=llm.model,
        api_key=llm.api_key,
        timeout=llm.timeout,
        max_tokens=llm.max_tokens,
    )
    client = httpx.Client(timeout=llm.timeout)
    failed = False

    def summarize(paper: Paper) -> str:
        nonlocal failed
        if failed:  # one timeout is enough: don't wait on a dead server once per paper
            return extract_tldr(paper.abstract, paper.title)
        summary = summarize_with_llm(
            paper.id, paper.title, paper.abstract, settings, cache_dir, client=client
        )
        failed = summary.error is not None and summary.origin == "extractive" and not summary.cached
        return summary.text

    return summarize


def _reason_lines(rec: Recommendation) -> tuple[str, ...]:
    return tuple(reason.text for reason in rec.reasons)


def build_digest(
    store: Store,
    embedder: Embedder,
    *,
    since: str | None,
    k: int,
    feedback_url: str | None,
    summarize: Summarizer = extractive_summarizer,
    user_id: int = LOCAL_USER,
    hooks: EmbedHooks = NO_HOOKS,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
    include_seen: bool = False,
    quiet: str | None = None,
) -> BuiltDigest:
    """Top picks with reasons, then every other paper of the window grouped by topic.

    Papers the reader was shown before `today` are left out unless they came back changed
    (marked as updates) or `include_seen`. `quiet` says why no announcement came (the daily
    run's calendar); an empty digest gives it, or else why else it is empty.
    """
    from papersift.rank.unseen import leave_out_seen

    collection = load_collection(store, since, embedder, hooks.progress, hooks.on_total)
    in_window = len(collection.papers)
    updates: dict[str, str] = {}
    if not include_seen and in_window:
        unseen = leave_out_seen(store, collection, user_id, today or dt.date.today())
        collection, updates = unseen.collection, unseen.updates
    # The reader's follows, alerts and rules next: exclude rules take papers out of the
    # window; the rest is shown in its own sections whatever the ranking says.
    pinned = pin_window(store, embedder, collection, user_id)
    collection = without(collection, pinned.excluded)
    cold_start = None
    picks: list[Recommendation] = []
    if collection.papers:
        try:
            # The window is loaded once: recommend ranks these papers rather than reloading them.
            ranked = recommend(
                store,
                embedder,
                k=k,
                since=since,
                user_id=user_id,
                hooks=hooks,
                collection=collection,
            )
            # Only strong matches are top picks: a day with three gets three, and the rest of
            # the window is in the topic sections rather than padding the list.
            picks = [r for r in ranked.items if r.strong]
        except ColdStart as why:
            cold_start = str(why)
    by_id = {p.id: p for p in collection.papers}
    pinned_sections = tuple(
        DigestTopic(
            section.label,
            tuple(
                DigestEntry(p.paper, summarize(p.paper), None, p.reasons) for p in section.papers
            ),
        )
        for section in pinned.sections
    )
    shown = {entry.paper.id for section in pinned_sections for entry in section.entries}
    top = tuple(
        DigestEntry(
            by_id[r.id], summarize(by_id[r.id]), r.score, _reason_lines(r), updates.get(r.id)
        )
        for r in picks
        if r.id in by_id and r.id not in shown
    )
    picked = {entry.paper.id for entry in top} | shown
    topics = _topics(collection, picked, summarize, updates)
    followed = followed_updates(store, user_id)
    empty_reason = None
    if not top and not topics and not pinned_sections:
        # The reason names its remedy, so the CLI line, the webhook and the digest all say how
        # to see more.
        if quiet:
            empty_reason = f"{quiet} ({WIDEN_HINT})"
        elif not in_window:
            empty_reason = f"none in your categories in this window ({WIDEN_HINT})"
        else:
            empty_reason = (
                f"all {in_window:,} papers of the window were already shown "
                "(--include-seen shows them again)"
            )
    end = collection.end or dt.date.today()
    digest = Digest(
        title=f"papersift digest for {end.isoformat()}",
        generated_at=now or dt.datetime.now(dt.UTC),
        window_start=collection.start or _earliest(collection.papers) or end,
        window_end=end,
        top_picks=top,
        topics=topics,
        total_papers=len(collection.papers),
        feedback_url=feedback_url,
        updates=followed.updates,
        pinned=pinned_sections,
        hidden_by_rules=len(pinned.excluded),
        empty_reason=empty_reason,
    )
    return BuiltDigest(digest, cold_start, followed.snapshots)


def _earliest(papers: Sequence[Paper]) -> dt.date | None:
    days = [p.published for p in papers if p.published]
    return min(days) if days else None


def _topics(
    collection: Collection,
    picked: set[str],
    summarize: Summarizer,
    updates: dict[str, str] | None = None,
) -> tuple[DigestTopic, ...]:
    from papersift.topics.clusters import find_topics

    rows = [i for i, p in enumerate(collection.papers) if p.id not in picked]
    if not rows:
        return ()
    papers = [collection.papers[i] for i in rows]
    marks = updates or {}

    def entry(paper: Paper) -> DigestEntry:
        return DigestEntry(paper, summarize(paper), update=marks.get(paper.id))

    if len(rows) < MIN_PAPERS_FOR_TOPICS:
        return (DigestTopic("More papers", tuple(entry(p) for p in papers)),)
    vectors = collection.vectors[np.asarray(rows)]
    all_texts = collection.texts  # a property that builds the list: read it once
    texts = [all_texts[i] for i in rows]
    found = find_topics(vectors, texts, [p.id for p in papers])
    by_id = {p.id: p for p in papers}
    return tuple(DigestTopic(t.label, tuple(entry(by_id[i]) for i in t.members)) for t in found)


@dataclass(frozen=True)
class Published:
    digest_id: int
    files: dict[str, Path]
    rendered: dict[str, str]


def publish(
    store: Store,
    digest: Digest,
    out_dir: Path | None,
    formats: Sequence[Format],
    user_id: int = LOCAL_USER,
    snapshots: dict[int, PaperSnapshot] | None = None,
) -> Published:
    """Render every format, archive the digest in the store, write the asked-for files.

    `snapshots` (BuiltDigest.snapshots) are recorded with the archived digest, so the updates
    it tells are not told again.
    """
    from papersift.digest.render import render, write_digest

    rendered: dict[str, str] = {fmt: render(digest, fmt) for fmt in ALL_FORMATS}
    with store.transaction():
        digest_id = store.archive(user_id).add(
            digest.title,
            digest.window_start,
            digest.window_end,
            digest.total_papers,
            rendered,
        )
        if snapshots:
            store.snapshots(user_id).record(snapshots)
    files = write_digest(digest, out_dir, formats) if out_dir is not None else {}
    return Published(digest_id, {str(kind): path for kind, path in files.items()}, rendered)


@dataclass(frozen=True)
class DeliveryOutcome:
    sent: list[str]
    skipped: list[str]  # already sent today
    failed: list[tuple[str, str]]  # (recipient, one-line reason); retried on the next run


def deliver(
    store: Store,
    config: Config,
    published: Published,
    subject: str,
    recipients: Sequence[str],
    day: dt.date,
    user_id: int = LOCAL_USER,
) -> DeliveryOutcome:
    """E-mail the digest to each recipient once per `day`; failures are logged for a retry."""
    from papersift.digest.email import send_digest_email
    from papersift.errors import PapersiftError

    archive = store.archive(user_id)
    outcome = DeliveryOutcome([], [], [])
    for recipient in recipients:
        earlier = archive.delivery(day, recipient)
        if earlier is not None and earlier.sent_at is not None:
            outcome.skipped.append(recipient)
            continue
        try:
            send_digest_email(
                published.rendered["txt"],
                published.rendered["html"],
                subject,
                config.email,
                [recipient],
            )
            error = None
            outcome.sent.append(recipient)
        except PapersiftError as err:
            error = str(err)
            outcome.failed.append((recipient, error))
        with store.transaction():
            archive.record_delivery(day, published.digest_id, recipient, error)
    return outcome
