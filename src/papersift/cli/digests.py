"""Digests: build one now, the daily fetch-rank-send run, and the offline demo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from papersift.cli.common import (
    EXIT_REJECTED,
    JsonFlag,
    ModelOption,
    load_config,
    load_model,
    open_db,
    parse_day,
    shown_location,
    state,
)
from papersift.cli.output import (
    EmbeddingProgress,
    PageStatus,
    Spinner,
    console,
    count_matches,
    error_line,
    escape_markup,
    print_json,
    warn,
)

if TYPE_CHECKING:
    from papersift.digest.build import DeliveryOutcome
    from papersift.digest.webhook import WebhookOutcome

IncludeSeen = Annotated[
    bool,
    typer.Option(
        "--include-seen", help="Also show papers shown before (in a digest, the feed, an e-mail)."
    ),
]


def _report_failures(delivery: DeliveryOutcome | None) -> None:
    for recipient, reason in delivery.failed if delivery else ():
        error_line(f"not sent to {recipient}: {reason} (the digest is kept; the next run retries)")


def _report_webhook(outcome: WebhookOutcome | None) -> None:
    if outcome is not None and outcome.error:
        error_line(f"not posted: {outcome.error} (the digest is kept; the next run retries)")


def _webhook_summary(outcome: WebhookOutcome | None) -> str | None:
    """The post in the run's summary: sent, already sent or failed; None: no webhook."""
    if outcome is None:
        return None
    return "sent" if outcome.sent else "already sent" if outcome.skipped else "failed"


def digest(
    since: Annotated[
        str | None, typer.Option("--since", help="Window: 1d, 7d, a date or all.")
    ] = None,
    k: Annotated[int | None, typer.Option("-k", help="How many top picks.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Directory for the files.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="Comma-separated: html,md,txt,atom.")
    ] = None,
    email: Annotated[
        list[str] | None, typer.Option("--email", help="Send it to this address (repeatable).")
    ] = None,
    webhook: Annotated[
        bool, typer.Option("--webhook", help="Post it to the configured [webhook] url too.")
    ] = False,
    tags: Annotated[
        list[str] | None,
        typer.Option(
            "--tag", help="Write this tag's Atom feed to <out>/tags/ instead (repeatable)."
        ),
    ] = None,
    model: ModelOption = None,
    include_seen: IncludeSeen = False,
    as_json: JsonFlag = False,
) -> None:
    """Build a digest: top picks for you with reasons, then the rest of the window by topic."""
    from papersift.digest.render import parse_formats
    from papersift.pipelines import DigestRequest, make_digest, publish_and_send
    from papersift.rank.recommend import EmbedHooks

    config = load_config()
    if tags:
        _write_tag_feeds(tags, out or config.digest.out_dir, config.serve.public_url, as_json)
        return
    request = DigestRequest.from_config(
        config,
        since=since,
        k=k,
        out_dir=out,
        formats=parse_formats(fmt) if fmt else None,
        recipients=email or (),
        webhook=webhook,
        include_seen=include_seen,
    )
    store = open_db()
    embedder = load_model(model)
    with EmbeddingProgress() as bar:
        built = make_digest(
            store, embedder, config, request, hooks=EmbedHooks(bar.advance, bar.on_total)
        )
    run = publish_and_send(store, config, built, request)
    _report_failures(run.delivery)
    _report_webhook(run.webhook)
    files = {f: str(p) for f, p in run.published.files.items()}
    summary = {
        "papers": built.digest.total_papers,
        "top_picks": len(built.digest.top_picks),
        "topics": len(built.digest.topics),
        "files": files,
        "archived_as": run.published.digest_id,
        "emailed": run.delivery.sent if run.delivery else [],
        "webhook": _webhook_summary(run.webhook),
        "note": built.cold_start,
        "empty_because": built.digest.empty_reason,
    }
    if as_json:
        print_json(summary)
    else:
        out_console = console()
        if built.cold_start:
            out_console.print(f"[yellow]note:[/] {escape_markup(built.cold_start)}", markup=True)
        if built.digest.empty_reason:
            out_console.print(f"Nothing new: {escape_markup(built.digest.empty_reason)}.")
        out_console.print(
            f"Digest of {built.digest.total_papers:,} papers "
            f"({count_matches(len(built.digest.top_picks))}, {len(built.digest.topics)} topics): "
            + ", ".join(files.values())
        )
    if (run.delivery and run.delivery.failed) or (run.webhook and run.webhook.error):
        raise typer.Exit(EXIT_REJECTED)


def _write_tag_feeds(tags: list[str], out: Path, feedback_url: str, as_json: bool) -> None:
    from papersift.digest.feeds import write_tag_feeds

    written = write_tag_feeds(open_db(), out, tags, feedback_url=feedback_url)
    if as_json:
        print_json({tag: str(path) for tag, path in written.items()})
    else:
        for tag, path in written.items():
            console().print(f"Feed of tag {escape_markup(tag)!r}: {path}")


def daily(
    fetch: Annotated[
        bool, typer.Option("--fetch/--no-fetch", help="Fetch the configured sources first.")
    ] = True,
    model: ModelOption = None,
    include_seen: IncludeSeen = False,
    as_json: JsonFlag = False,
    today: Annotated[
        str | None,
        typer.Option("--today", hidden=True, help="Run as on this date (for testing)."),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", hidden=True, help="arXiv API to ask (testing).")
    ] = None,
    min_interval: Annotated[
        float | None,
        typer.Option("--min-interval", hidden=True, help="Seconds between requests (testing)."),
    ] = None,
) -> None:
    """Fetch, embed, rank, build and deliver today's digest. Safe to run twice: one e-mail a day.

    After a gap it catches up every missed arXiv announcement; offline, it says so in seconds.
    """
    from contextlib import nullcontext

    from papersift.cli.fetching import polite_client
    from papersift.pipelines import run_daily
    from papersift.rank.recommend import EmbedHooks

    day = parse_day(today, "--today")
    config = load_config()
    store = open_db(create=True)
    with (
        polite_client(min_interval, fail_fast=True) if fetch else nullcontext() as client,
        EmbeddingProgress() as bar,
    ):
        done = run_daily(
            store,
            config,
            lambda: load_model(model),
            client=client,
            warn=warn,
            page_status=PageStatus,
            hooks=EmbedHooks(bar.advance, bar.on_total),
            day=day,
            include_seen=include_seen,
            arxiv_url=base_url,
        )
    built, run = done.digest.built, done.digest
    _report_failures(run.delivery)
    _report_webhook(run.webhook)
    delivery = run.delivery
    digest_file = next(iter(run.published.files.values()), None)
    mail = ""
    if delivery:
        mail = (
            f"; e-mailed {len(delivery.sent)}, already sent {len(delivery.skipped)}, "
            f"failed {len(delivery.failed)}"
        )
    posted = _webhook_summary(run.webhook)
    if posted and run.webhook:
        mail += f"; webhook {run.webhook.target}: {posted}"
    if as_json:
        print_json(
            {
                "fetched": done.fetched,
                "announcements": [a.isoformat() for a in done.announcements],
                "caught_up": done.caught_up,
                "failed_sources": list(done.failed_sources),
                "offline": done.offline,
                "papers": built.digest.total_papers,
                "top_picks": len(built.digest.top_picks),
                "empty_because": built.digest.empty_reason,
                "files": {f: str(p) for f, p in run.published.files.items()},
                "emailed": delivery.sent if delivery else [],
                "already_sent": delivery.skipped if delivery else [],
                "failed": [r for r, _ in delivery.failed] if delivery else [],
                "webhook": posted,
                "tag_feeds": {tag: str(path) for tag, path in done.tag_feeds.items()},
            }
        )
    else:
        out = console()
        if done.caught_up:
            out.print(
                f"daily: caught up {len(done.announcements)} announcement days "
                f"({', '.join(a.isoformat() for a in done.announcements)})"
            )
        if done.failed_sources:
            why = "no network" if done.offline else "failed; the next run tries again"
            out.print(f"daily: not fetched ({why}): {', '.join(done.failed_sources)}")
        if built.digest.empty_reason:
            out.print(f"daily: nothing new: {escape_markup(built.digest.empty_reason)}")
        out.print(
            f"daily: {done.fetched:,} new papers fetched; digest of "
            f"{built.digest.total_papers:,} papers, {count_matches(len(built.digest.top_picks))}, "
            f"{len(built.digest.topics)} topics -> {digest_file}{mail}"
        )
    if (delivery and delivery.failed) or (run.webhook and run.webhook.error) or done.failed_sources:
        raise typer.Exit(EXIT_REJECTED)


def demo(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Directory for the demo digest.")
    ] = None,
    model: ModelOption = None,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the digest in a browser.")
    ] = False,
) -> None:
    """Try papersift offline: a store of invented papers, a few likes, and a digest for them."""
    from platformdirs import user_data_dir

    from papersift.demo import DEMO_SINCE, build_demo_store
    from papersift.pipelines import DigestRequest, make_digest, publish_and_send
    from papersift.rank.recommend import EmbedHooks
    from papersift.store import open_store

    home = Path(user_data_dir("papersift", appauthor=False))
    db_path = state.db_path or home / "demo.db"
    request = DigestRequest(DEMO_SINCE, 10, out or home / "demo-digest")
    store = open_store(db_path)
    with Spinner("Building the demo store"):
        report = build_demo_store(store)
    config = load_config()
    embedder = load_model(model)
    with EmbeddingProgress() as bar:
        built = make_digest(
            store, embedder, config, request, hooks=EmbedHooks(bar.advance, bar.on_total)
        )
    run = publish_and_send(store, config, built, request)
    html = run.published.files.get("html")
    console().print(
        f"Demo store {shown_location(db_path)}: {store.count()} invented papers ({report.counts.added} new), "
        f"5 liked, 1 interest.\n"
        f"Digest of {built.digest.total_papers} papers with "
        f"{count_matches(len(built.digest.top_picks))} "
        f"and {len(built.digest.topics)} topics:\n  {html}\n"
        f"Next: papersift --db {shown_location(db_path)} recommend   |   "
        f'papersift --db {shown_location(db_path)} search "fewer bits per weight"'
    )
    if open_browser and html:
        import webbrowser

        webbrowser.open(html.as_uri())
