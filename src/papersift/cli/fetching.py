"""`papersift fetch ...`: harvest a network source into the store, politely and resumably."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from papersift.cli.common import EXIT_REJECTED, JsonFlag, open_db, parse_day
from papersift.cli.output import PageStatus, console, error_line, print_json, warn
from papersift.errors import UsageError

if TYPE_CHECKING:
    import httpx

    from papersift.ingest.harvest import HarvestReport
    from papersift.store.base import Store

fetch_app = typer.Typer(help="Fetch papers from the network into the store.", no_args_is_help=True)

BaseUrl = Annotated[
    str | None, typer.Option("--base-url", hidden=True, help="Server to ask (for testing).")
]
MinInterval = Annotated[
    float | None,
    typer.Option(
        "--min-interval",
        hidden=True,
        help="Seconds between requests (arXiv asks for 3; only lower it for a local mirror).",
    ),
]


def polite_client(min_interval: float | None, *, fail_fast: bool = False) -> httpx.Client:
    """The network client; a wait the server asked for is explained on stderr.

    `fail_fast`: no network at all ends the run at once instead of after minutes of retries.
    """

    def explain_wait(url: str, seconds: float, reason: str) -> None:
        warn(f"{reason}; waiting {seconds:.0f} s before asking {url} again")

    from papersift.net import transport

    return transport.polite_client(
        min_interval=min_interval, on_wait=explain_wait, fail_fast=fail_fast
    )


def _report_harvest(report: HarvestReport, as_json: bool, what: str, store: Store) -> None:
    for err in report.rejected:
        error_line(err.one_line())
    summary = {
        "pages": report.pages,
        "records": report.records,
        "skipped_outside_window": report.skipped,
        "added": report.counts.added,
        "merged": report.counts.merged,
        "unchanged": report.counts.unchanged,
        "rejected": len(report.rejected),
        "total_papers": store.count(),
    }
    if as_json:
        print_json(summary)
    else:
        console().print(
            f"{what}: {report.pages} pages, {report.records:,} papers "
            f"({report.counts.added:,} new, {report.counts.merged:,} merged, "
            f"{report.counts.unchanged:,} unchanged, {len(report.rejected)} rejected)."
        )
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED)


@fetch_app.command("arxiv")
def fetch_arxiv(
    category: Annotated[str, typer.Option("--category", "-c", help="arXiv category, e.g. cs.LG")],
    since: Annotated[
        str | None, typer.Option("--since", help="Only papers from this date on (YYYY-MM-DD).")
    ] = None,
    max_results: Annotated[int | None, typer.Option("--max", help="Stop after N papers.")] = None,
    as_json: JsonFlag = False,
    base_url: BaseUrl = None,
    min_interval: MinInterval = None,
) -> None:
    """Newest papers of a category from the arXiv API (3 s between requests, as arXiv asks)."""
    from papersift.ingest.harvest import published_since, store_pages
    from papersift.net.listings import ARXIV_API_URL, arxiv_api_pages

    day = parse_day(since, "--since")
    store = open_db(create=True)
    with polite_client(min_interval) as client, PageStatus(f"Fetching {category}") as on_page:
        pages = arxiv_api_pages(
            client, category, since=day, max_results=max_results, base_url=base_url or ARXIV_API_URL
        )
        report = store_pages(store, pages, keep=published_since(day), on_page=on_page)
    _report_harvest(report, as_json, f"arXiv {category}", store)


@fetch_app.command("oai")
def fetch_oai(
    set_spec: Annotated[str, typer.Option("--set", help="OAI set, e.g. cs or cs:cs:LG")],
    from_date: Annotated[
        str | None, typer.Option("--from", help="Records changed on or after this date.")
    ] = None,
    prefix: Annotated[
        str, typer.Option("--prefix", help="metadataPrefix: arXiv, arXivRaw or oai_dc.")
    ] = "arXiv",
    restart: Annotated[
        bool, typer.Option("--restart", help="Ignore a saved resumption token and start over.")
    ] = False,
    as_json: JsonFlag = False,
    base_url: BaseUrl = None,
    min_interval: MinInterval = None,
) -> None:
    """Harvest arXiv's OAI-PMH interface (bulk metadata). Resumes where a killed run stopped."""
    from papersift.ingest.harvest import oai_checkpoint_name, store_pages
    from papersift.net.listings import ARXIV_OAI_URL, BadResumptionToken, oai_pages

    if prefix not in ("arXiv", "arXivRaw", "oai_dc"):
        raise UsageError(f"--prefix must be arXiv, arXivRaw or oai_dc, not {prefix!r}")
    day = parse_day(from_date, "--from")
    store = open_db(create=True)
    checkpoint = oai_checkpoint_name(set_spec, prefix, day)
    token = None if restart else store.get_checkpoint(checkpoint)
    if token:
        console(stderr=True).print(f"Resuming the {set_spec} harvest from its saved position.")
    try:
        with (
            polite_client(min_interval) as client,
            PageStatus(f"Harvesting {set_spec}") as on_page,
        ):
            pages = oai_pages(
                client,
                set_spec,
                day,
                metadata_prefix=prefix,
                resume_token=token,
                base_url=base_url or ARXIV_OAI_URL,
            )
            report = store_pages(store, pages, checkpoint=checkpoint, on_page=on_page)
    except BadResumptionToken:
        store.set_checkpoint(checkpoint, None)
        raise
    _report_harvest(report, as_json, f"OAI set {set_spec}", store)


@fetch_app.command("hf-daily")
def fetch_hf_daily(
    date: Annotated[
        str | None, typer.Option("--date", help="The day's list (YYYY-MM-DD); default latest.")
    ] = None,
    as_json: JsonFlag = False,
    base_url: BaseUrl = None,
    min_interval: MinInterval = None,
) -> None:
    """Hugging Face Daily Papers for a day (upvotes, AI summaries, code links)."""
    from papersift.ingest.harvest import store_pages
    from papersift.net.listings import HF_DAILY_URL, hf_daily_pages

    day = parse_day(date, "--date")
    store = open_db(create=True)
    with polite_client(min_interval) as client, PageStatus("Fetching HF daily papers") as on_page:
        pages = hf_daily_pages(client, day, base_url=base_url or HF_DAILY_URL)
        report = store_pages(store, pages, on_page=on_page)
    _report_harvest(report, as_json, "HF daily papers", store)
