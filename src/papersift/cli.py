"""The `papersift` command: parse arguments, call one library function, print.

Exit codes: 0 ok, 1 some records rejected, 2 usage or fatal error. Heavy libraries (torch,
sklearn) are imported inside the commands that need them so `--help` starts instantly.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from papersift import __version__
from papersift.errors import PapersiftError, ParseError, ServerReportedError, UsageError

app = typer.Typer(
    name="papersift",
    help="Sift the daily flood of machine-learning papers: ingest, search, rank, digest. Offline.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
papers_app = typer.Typer(help="Look at the stored papers.", no_args_is_help=True)
fetch_app = typer.Typer(help="Fetch papers from the network into the store.", no_args_is_help=True)
app.add_typer(papers_app, name="papers")
app.add_typer(fetch_app, name="fetch")

EXIT_OK, EXIT_REJECTED, EXIT_FATAL = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
INTERRUPTED = "interrupted; everything stored so far is kept"


class State:
    db_path: Path | None = None


state = State()

JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"papersift {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="PAPERSIFT_DB",
            help="The store (SQLite file). Default: papersift.db in your user data directory.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    state.db_path = db


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    # Messages on stderr are one line each, whatever the terminal width: never wrapped.
    return Console(stderr=stderr, highlight=False, soft_wrap=stderr)


def open_db(create: bool = False) -> Any:
    """The store; `create`: this command may make a new one (and its folder) if there is none.

    A command that only reads refuses a store whose folder does not exist (a mistyped --db),
    rather than leaving a new folder and an empty store behind.
    """
    from papersift.store import default_db_path, open_store

    path = state.db_path or default_db_path()
    # A Path folds "postgresql://host" to "postgresql:/host"; a scheme is never a folder here.
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]+:/", str(path)):
        raise UsageError(
            f"--db {path}: database URLs are not supported; give the path of a SQLite file"
        )
    if not create and not path.exists() and not path.parent.is_dir():
        raise UsageError(f"no store at {path}: its folder does not exist (check --db)")
    return open_store(path, notice=warn)


def print_json(value: Any) -> None:
    import orjson

    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")


def warn(message: str) -> None:
    console(stderr=True).print(f"[yellow]warning:[/] {message}", markup=True, highlight=False)


def error_line(message: str) -> None:
    from rich.markup import escape

    console(stderr=True).print(f"[red]error:[/] {escape(message)}")


# -- ingest -------------------------------------------------------------------------------


@app.command()
def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files to read; '-' reads standard input.", show_default=False),
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="Source format, or 'auto' to detect it from the content."
        ),
    ] = "auto",
    as_json: JsonFlag = False,
) -> None:
    """Read papers from files (arXiv API/OAI/RSS/snapshot, HF daily, Semantic Scholar, OpenAlex,
    OpenReview, BibTeX, RIS, CSL-JSON) into the store, merging duplicates.

    Bad records are listed one per line and skipped; good ones are kept (exit code 1).
    """
    from papersift import sources
    from papersift.ingest.files import ingest_paths

    if fmt != "auto" and fmt not in sources.FORMATS:
        raise UsageError(
            f"unknown format {fmt!r}; choose one of: auto, {', '.join(sources.FORMATS)}"
        )
    store = open_db(create=True)
    total = sum(_size(p) for p in paths)
    with _progress("Ingesting", total) as advance:
        report = ingest_paths(store, paths, fmt, progress=advance, stdin=sys.stdin.buffer)
    for err in report.rejected:
        prefix = "server said: " if isinstance(err, ServerReportedError) else ""
        error_line(prefix + err.one_line() if not prefix else f"{err.file}: {prefix}{err.reason}")
    summary = {
        "files": report.files,
        "records": report.records,
        "added": report.counts.added,
        "merged": report.counts.merged,
        "unchanged": report.counts.unchanged,
        "rejected": len(report.rejected),
        "formats": report.formats,
        "total_papers": store.count(),
    }
    if as_json:
        print_json(summary)
    else:
        console().print(
            f"{report.records:,} records read: {report.counts.added:,} new, "
            f"{report.counts.merged:,} merged, {report.counts.unchanged:,} unchanged, "
            f"{len(report.rejected):,} rejected. Store now holds {summary['total_papers']:,} papers."
        )
    if not report.ok:
        raise typer.Exit(EXIT_REJECTED)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path) if path != "-" else 0
    except OSError:
        return 0


class _progress:
    """A Rich progress bar on a terminal (nothing on a pipe); yields an `advance(n)` callable."""

    def __init__(self, label: str, total: int | None) -> None:
        self.label = label
        self.total = total or None
        self.bar: Any = None

    def __enter__(self) -> Any:
        out = console(stderr=True)
        if not out.is_terminal:
            return lambda n: None
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn(self.label),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=out,
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task(self.label, total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


# -- fetch --------------------------------------------------------------------------------

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


def _parse_day(value: str | None, option: str) -> Any:
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} wants a date like 2026-11-20, not {value!r}") from None


def _client(min_interval: float | None) -> Any:
    from papersift.net.fetch import PoliteClient

    def explain_wait(url: str, seconds: float, reason: str) -> None:
        warn(f"{reason}; waiting {seconds:.0f} s before asking {url} again")

    return PoliteClient(min_interval=min_interval, on_wait=explain_wait)


def _report_harvest(report: Any, as_json: bool, what: str, store: Any) -> None:
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


class _page_status:
    """A one-line live status on a terminal while pages arrive."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.status: Any = None

    def __enter__(self) -> Any:
        out = console(stderr=True)
        if not out.is_terminal:
            return lambda report: None
        self.status = out.status(self.label)
        self.status.start()
        return lambda r: self.status.update(f"{self.label}: {r.pages} pages, {r.records:,} papers")

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.stop()


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
    from papersift.net.fetch import ARXIV_API_URL, arxiv_api_pages

    day = _parse_day(since, "--since")
    store = open_db(create=True)
    with _client(min_interval) as client, _page_status(f"Fetching {category}") as on_page:
        pages = arxiv_api_pages(
            client, category, since=day, max_results=max_results, base_url=base_url or ARXIV_API_URL
        )
        report = store_pages(store, pages, "arxiv-atom", keep=published_since(day), on_page=on_page)
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
    from papersift.net.fetch import ARXIV_OAI_URL, BadResumptionToken, oai_pages

    if prefix not in ("arXiv", "arXivRaw", "oai_dc"):
        raise UsageError(f"--prefix must be arXiv, arXivRaw or oai_dc, not {prefix!r}")
    day = _parse_day(from_date, "--from")
    store = open_db(create=True)
    checkpoint = oai_checkpoint_name(set_spec, prefix, day)
    token = None if restart else store.get_checkpoint(checkpoint)
    if token:
        console(stderr=True).print(f"Resuming the {set_spec} harvest from its saved position.")
    try:
        with _client(min_interval) as client, _page_status(f"Harvesting {set_spec}") as on_page:
            pages = oai_pages(
                client,
                set_spec,
                day,
                metadata_prefix=prefix,
                resume_token=token,
                base_url=base_url or ARXIV_OAI_URL,
            )
            report = store_pages(store, pages, "arxiv-oai", checkpoint=checkpoint, on_page=on_page)
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
    from papersift.net.fetch import HF_DAILY_URL, hf_daily_pages

    day = _parse_day(date, "--date")
    store = open_db(create=True)
    with _client(min_interval) as client, _page_status("Fetching HF daily papers") as on_page:
        pages = hf_daily_pages(client, day, base_url=base_url or HF_DAILY_URL)
        report = store_pages(store, pages, "hf-daily", on_page=on_page)
    _report_harvest(report, as_json, "HF daily papers", store)


# -- inspect ------------------------------------------------------------------------------


@papers_app.command("count")
def papers_count(as_json: JsonFlag = False) -> None:
    """How many papers the store holds."""
    n = open_db().count()
    if as_json:
        print_json({"papers": n})
    else:
        typer.echo(n)


@app.command()
def show(
    paper_id: Annotated[
        str, typer.Argument(help="arXiv id, DOI, or a source id like openreview:X")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Show one paper: title, authors, dates, links, abstract, where it came from."""
    from papersift.present import paper_as_dict, render_paper

    paper = open_db().get(paper_id)
    if paper is None:
        raise UsageError(f"no paper {paper_id!r} in the store")
    if as_json:
        print_json(paper_as_dict(paper))
    else:
        console().print(render_paper(paper))


@app.command()
def stats(as_json: JsonFlag = False) -> None:
    """Papers per source, per category and per month."""
    store = open_db()
    numbers = {"papers": store.count(), **store.stats()}
    if as_json:
        print_json(numbers)
        return
    from papersift.present import stats_tables

    out = console()
    out.print(f"{numbers['papers']:,} papers in {store.path}")
    for table in stats_tables(numbers):
        out.print(table)


# -- search -------------------------------------------------------------------------------

ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        envvar="PAPERSIFT_MODEL",
        help="Embedding model: 'fast' (default: the bundled all-MiniLM-L6-v2 as int8 ONNX), "
        "'all-MiniLM-L6-v2' (the reference PyTorch model), 'static' (a distilled lookup "
        "table, thousands of papers a second), or any sentence-transformers name or path.",
    ),
]
index_app = typer.Typer(help="The vector index beside the store.", no_args_is_help=True)
app.add_typer(index_app, name="index")


# The bundled all-MiniLM-L6-v2 exported to int8 ONNX: 3.1-3.7x the reference's speed at cosine
# 0.994 (docs/benchmarks.md). One default for every command, so vectors are computed once.
DEFAULT_MODEL = "fast"


def _embedder(model: str | None) -> Any:
    from papersift.embed import load_embedder

    with _spinner("Loading the embedding model"):
        return load_embedder(model or DEFAULT_MODEL)


class _spinner:
    def __init__(self, label: str) -> None:
        self.label = label
        self.status: Any = None

    def __enter__(self) -> None:
        out = console(stderr=True)
        if out.is_terminal:
            self.status = out.status(self.label)
            self.status.start()

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.stop()


class _embedding_progress:
    """A progress bar over papers being embedded, shown only when there are some to do."""

    def __init__(self, label: str = "Embedding papers") -> None:
        self.label = label
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> _embedding_progress:
        return self

    def on_total(self, total: int) -> None:
        out = console(stderr=True)
        if total == 0 or not out.is_terminal:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn(self.label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=out,
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=total)

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _searcher(store: Any, model: str | None) -> Any:
    from papersift.index.sync import semantic_searcher

    embedder = _embedder(model)
    with _embedding_progress() as bar:
        return semantic_searcher(store, embedder, warn, progress=bar.advance, on_total=bar.on_total)


def _print_hits(hits: list[Any], as_json: bool, empty_message: str) -> None:
    from papersift.search import hit_as_dict

    if as_json:
        print_json([hit_as_dict(h) for h in hits])
        return
    if not hits:
        console().print(empty_message)
        return
    from rich.table import Table

    from papersift.present import short_authors

    table = Table()
    table.add_column("#", justify="right")
    table.add_column("Title", ratio=3)
    table.add_column("First author")
    table.add_column("Date")
    table.add_column("Id", no_wrap=True)
    for i, hit in enumerate(hits, start=1):
        paper = hit.paper
        table.add_row(
            str(i),
            paper.title,
            short_authors(paper.authors, 1),
            paper.published.isoformat() if paper.published else "",
            paper.id,
        )
    console().print(table)


@app.command()
def embed(model: ModelOption = None, as_json: JsonFlag = False) -> None:
    """Embed every paper that has no embedding for the model yet (resumable; progress bar)."""
    from papersift.index.sync import embed_missing, open_index

    store = open_db()
    embedder = _embedder(model)
    with _embedding_progress() as bar:
        report = embed_missing(store, embedder, progress=bar.advance, on_total=bar.on_total)
    open_index(store, embedder.model_id, embedder.dim, warn, report.changed_rowids)
    if as_json:
        print_json(
            {"model": report.model_id, "embedded": report.embedded, "already": report.already}
        )
    else:
        console().print(
            f"Embedded {report.embedded:,} papers with {report.model_id} "
            f"({report.already:,} were up to date)."
        )


# What every command that finds nothing in an empty store says: how papers get in.
EMPTY_STORE = (
    "The store is empty. Get papers in: `papersift fetch arxiv --category cs.LG`, "
    "`papersift ingest FILE` (arXiv snapshot, BibTeX, RIS, ...), or "
    "`papersift library import my-library.bib`."
)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What you remember of a paper, or a topic.")],
    k: Annotated[int, typer.Option("-k", help="How many results.")] = 10,
    mode: Annotated[
        str, typer.Option("--mode", help="hybrid (default), semantic or keyword.")
    ] = "hybrid",
    since: Annotated[
        str | None,
        typer.Option("--since", help="1d, 7d, 2w (back from the newest paper), a date, or all."),
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Papers up to this date.")] = None,
    category: Annotated[str | None, typer.Option("--category", help="e.g. cs.LG")] = None,
    author: Annotated[
        str | None, typer.Option("--author", help="Part of an author's name.")
    ] = None,
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Search the store: keyword (BM25), semantic (embeddings) or hybrid (both, fused)."""
    from papersift.records import PaperFilter
    from papersift.search import search as run_search
    from papersift.window import window_start

    last_day = _parse_day(until, "--until")
    store = open_db()
    # One --since grammar for every command: relative windows count back from the newest paper.
    first_day = window_start(since, store.latest_date())
    if first_day and last_day and first_day > last_day:
        raise UsageError(f"--since {since} starts after --until {until}: nothing could match")
    where = PaperFilter(since=first_day, until=last_day, category=category, author=author)
    if not store.count():
        _print_hits([], as_json, EMPTY_STORE)
        return
    hits = run_search(
        store,
        query,
        mode=mode,  # type: ignore[arg-type]
        k=k,
        where=where,
        semantic=lambda: _searcher(store, model),
        warn=warn,
    )
    _print_hits(hits, as_json, "No papers match. Try other words, or --mode semantic.")


@app.command()
def similar(
    paper_id: Annotated[str, typer.Argument(help="A stored paper's id.")],
    k: Annotated[int, typer.Option("-k", help="How many results.")] = 10,
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Papers most similar to one you name."""
    from papersift.search import similar as run_similar

    store = open_db()
    if store.rowid_of(paper_id) is None:
        raise UsageError(f"no paper {paper_id!r} in the store")
    hits = run_similar(store, paper_id, _searcher(store, model), k)
    _print_hits(hits, as_json, "No other papers to compare with yet.")


@index_app.command("rebuild")
def index_rebuild(model: ModelOption = None) -> None:
    """Rebuild the vector index from the stored embeddings."""
    from papersift.index.sync import embed_missing, rebuild_index

    store = open_db()
    embedder = _embedder(model)
    with _embedding_progress() as bar:
        embed_missing(store, embedder, progress=bar.advance, on_total=bar.on_total)
    with _spinner("Building the index"):
        index: Any = rebuild_index(store, embedder.model_id, embedder.dim)
    console().print(
        f"Rebuilt the {index.kind} index of {len(index):,} papers for {embedder.model_id}."
    )


# -- topics and map -----------------------------------------------------------------------

SinceOption = Annotated[
    str,
    typer.Option(
        "--since",
        help="Window: 1d (the newest day's papers), 7d, 2w, a date (YYYY-MM-DD), or all.",
    ),
]


def _collection(store: Any, since: str, model: str | None) -> Any:
    from papersift.rank.candidates import load_collection

    embedder = _embedder(model)
    with _embedding_progress() as bar:
        return load_collection(store, since, embedder, progress=bar.advance, on_total=bar.on_total)


def _window_text(collection: Any) -> str:
    if collection.start is None:
        return "all papers"
    return f"papers from {collection.start.isoformat()} to {collection.end.isoformat()}"


@app.command()
def topics(
    since: SinceOption = "1d",
    n_topics: Annotated[
        int | None, typer.Option("--topics", "-n", help="How many topics (default: automatic).")
    ] = None,
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Group a window of papers (a day, a week, a conference) into labelled topics."""
    from papersift.topics.clusters import find_topics

    store = open_db()
    collection = _collection(store, since, model)
    if not collection.papers:
        if as_json:
            print_json([])
        else:
            console().print("No papers in that window. Try --since 7d or --since all.")
        return
    with _spinner("Finding topics"):
        found = find_topics(collection.vectors, collection.texts, collection.ids, n_topics=n_topics)
    titles = {p.id: p.title for p in collection.papers}
    if as_json:
        print_json(
            [
                {
                    "label": t.label,
                    "keyphrases": list(t.keyphrases),
                    "size": t.size,
                    "representatives": [{"id": i, "title": titles[i]} for i in t.representatives],
                    "papers": list(t.members),
                    "other": t.is_other,
                }
                for t in found
            ]
        )
        return
    out = console()
    out.print(f"{len(found)} topics among {len(collection.papers):,} {_window_text(collection)}")
    for topic in found:
        out.print(f"\n[bold]{topic.label}[/] ({topic.size} papers)", markup=True)
        for paper_id in topic.representatives:
            out.print(f"  • {titles[paper_id]} [dim]{paper_id}[/]", markup=True)


@app.command("map")
def map_command(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="HTML file to write (a PNG goes beside it).")
    ] = Path("map.html"),
    since: SinceOption = "7d",
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Draw an interactive 2-D map of a window of papers, coloured by topic, your likes marked."""
    from papersift.topics.clusters import find_topics
    from papersift.viz.map import build_map, layout_2d, write_map

    store = open_db()
    collection = _collection(store, since, model)
    if len(collection.papers) < 3:
        raise UsageError("a map needs at least 3 papers in the window; try --since all")
    liked_rowids = {f.paper_rowid for f in store.library().feedback() if f.rating > 0}
    liked = [p.id for r, p in zip(collection.rowids, collection.papers) if int(r) in liked_rowids]
    with _spinner("Laying out the map"):
        found = find_topics(collection.vectors, collection.texts, collection.ids)
        coords = layout_2d(collection.vectors)
        paper_map = build_map(
            collection.papers,
            coords,
            found,
            liked=liked,
            title=f"papersift map: {_window_text(collection)}",
        )
        try:
            html_path, png_path = write_map(paper_map, out)
        except OSError as err:
            raise UsageError(f"{out}: cannot write the map: {err.strerror}") from None
    if as_json:
        print_json(
            {
                "html": str(html_path),
                "png": str(png_path),
                "papers": len(collection.papers),
                "topics": len(found),
            }
        )
    else:
        console().print(
            f"Wrote {html_path} and {png_path} ({len(collection.papers):,} papers, "
            f"{len(found)} topics)."
        )


# -- recommend and eval -------------------------------------------------------------------


@app.command()
def recommend(
    k: Annotated[int, typer.Option("-k", help="How many papers.")] = 20,
    since: SinceOption = "1d",
    all_papers: Annotated[bool, typer.Option("--all", help="Rank the whole store.")] = False,
    tag: Annotated[str | None, typer.Option("--tag", help="Rank for one tag of yours.")] = None,
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """The papers you should read next, each with the reasons it is shown."""
    from papersift.rank.recommend import EmbedHooks, reason_as_dict
    from papersift.rank.recommend import recommend as run_recommend

    store = open_db()
    embedder = _embedder(model)
    with _embedding_progress() as bar:
        result = run_recommend(
            store,
            embedder,
            k=k,
            since=None if all_papers else since,
            tag=tag,
            hooks=EmbedHooks(bar.advance, bar.on_total),
        )
    if as_json:
        print_json(
            [
                {
                    "id": r.id,
                    "title": r.title,
                    "score": round(r.score, 4),
                    "strong": r.strong,
                    "reasons": [reason_as_dict(reason) for reason in r.reasons],
                }
                for r in result.items
            ]
        )
        return
    out = console()
    if not result.items:
        out.print("No new papers to recommend in that window. Try --since 7d or --all.")
        return
    window = "papers in the whole store" if result.start is None else f"papers since {result.start}"
    out.print(
        f"Top {len(result.items)} of {result.candidates:,} {window}"
        + (f" for tag {tag!r}" if tag else "")
        + ":"
    )
    strong = sum(rec.strong for rec in result.items)
    out.print(f"{_matches(strong)} (close to a paper you liked or an interest).")
    for i, rec in enumerate(result.items, start=1):
        if i == strong + 1:
            out.print(
                "\n[dim]-- weaker matches: nothing you liked is close to these --[/]", markup=True
            )
        out.print(f"\n[bold]{i}. {escape_markup(rec.title)}[/] [dim]{rec.id}[/]", markup=True)
        for reason in rec.reasons:
            out.print(f"   • {escape_markup(reason.text)}", markup=True)


def _matches(count: int) -> str:
    """How the front ends count top picks: each is a strong match (rank.STRONG_LIKE_COSINE)."""
    return f"{count} strong match" + ("" if count == 1 else "es")


def escape_markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command("eval")
def eval_command(model: ModelOption = None, as_json: JsonFlag = False) -> None:
    """How well your profile predicts your own likes, against simple baselines."""
    from papersift.rank.recommend import EmbedHooks, self_evaluate

    store = open_db()
    embedder = _embedder(model)
    with _embedding_progress() as bar:
        evaluation: Any = self_evaluate(
            store, embedder, hooks=EmbedHooks(bar.advance, bar.on_total)
        )
    rows = [
        {"method": r.method, "ndcg@10": r.ndcg_at_10, "recall@20": r.recall_at_20, "note": r.note}
        for r in evaluation.rows
    ]
    if as_json:
        print_json(
            {
                "protocol": evaluation.protocol,
                "queries": evaluation.queries,
                "held_out": evaluation.held_out,
                "candidates": evaluation.candidates,
                "rows": rows,
            }
        )
        return
    from rich.table import Table

    table = Table(
        title=f"Self-evaluation ({evaluation.protocol}): {evaluation.held_out} of your likes "
        f"held out, hidden among {evaluation.candidates} papers (them and unrated papers of "
        "the store); how high does each method rank them?",
        title_justify="left",
    )
    for column in ("Method", "nDCG@10", "Recall@20", "Note"):
        table.add_column(column, justify="right" if column.startswith(("n", "R")) else "left")
    for r in evaluation.rows:
        fmt = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
        table.add_row(r.method, fmt(r.ndcg_at_10), fmt(r.recall_at_20), r.note or "")
    out = console()
    out.print(table)
    out.print(_eval_verdict(evaluation.rows))


def _eval_verdict(rows: Any) -> str:
    """One line: does the reader's profile beat reading the feed in order?"""
    by_method = {r.method: r for r in rows}
    ours, in_order = by_method.get("papersift"), by_method.get("newest first")
    if ours is None or in_order is None or ours.ndcg_at_10 is None:
        return "No verdict: too few likes to hold any out."
    scores = f"nDCG@10 {ours.ndcg_at_10:.3f} vs {in_order.ndcg_at_10 or 0:.3f}"
    if ours.ndcg_at_10 > (in_order.ndcg_at_10 or 0):
        return f"Your profile beats reading in order ({scores})."
    return (
        f"Your profile does not yet beat reading in order ({scores}): like or tag more of "
        "the papers you want."
    )


# -- digest, daily, demo, config ----------------------------------------------------------

config_app = typer.Typer(help="The configuration file.", no_args_is_help=True)
app.add_typer(config_app, name="config")


def _config() -> Any:
    from papersift.config import load_config

    return load_config()


def _summarizer(config: Any) -> Any:
    from papersift.digest.build import extractive_summarizer, llm_summarizer

    if not (config.llm.base_url and config.llm.model):
        return extractive_summarizer
    from platformdirs import user_cache_dir

    return llm_summarizer(config, Path(user_cache_dir("papersift", appauthor=False)) / "tldr")


def _make_digest(
    store: Any,
    config: Any,
    model: str | None,
    since: str,
    k: int,
    out: Path | None,
    formats: tuple[str, ...],
) -> tuple[Any, Any]:
    from papersift.digest.build import build_digest, publish
    from papersift.rank.recommend import EmbedHooks

    if out is not None:  # fail before minutes of embedding, not after
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise UsageError(f"cannot write the digest to {out}: {err.strerror}") from None
    embedder = _embedder(model)
    with _embedding_progress() as bar:
        built = build_digest(
            store,
            embedder,
            since=since,
            k=k,
            feedback_url=config.serve.public_url,
            summarize=_summarizer(config),
            hooks=EmbedHooks(bar.advance, bar.on_total),
        )
    return built, publish(store, built.digest, out, formats)


def _send(store: Any, config: Any, built: Any, published: Any, recipients: list[str]) -> Any:
    import datetime as dt

    from papersift.digest.build import deliver
    from papersift.digest.render import email_subject

    outcome = deliver(
        store, config, published, email_subject(built.digest), recipients, dt.date.today()
    )
    for recipient, reason in outcome.failed:
        error_line(f"not sent to {recipient}: {reason} (the digest is kept; the next run retries)")
    return outcome


@app.command()
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
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Build a digest: top picks for you with reasons, then the rest of the window by topic."""
    from papersift.digest.render import parse_formats

    config = _config()
    formats = parse_formats(fmt) if fmt else config.digest.formats
    store = open_db()
    built, published = _make_digest(
        store,
        config,
        model,
        since or config.digest.since,
        k or config.digest.k,
        out or config.digest.out_dir,
        formats,
    )
    outcome = _send(store, config, built, published, email) if email else None
    summary = {
        "papers": built.digest.total_papers,
        "top_picks": len(built.digest.top_picks),
        "topics": len(built.digest.topics),
        "files": {f: str(p) for f, p in published.files.items()},
        "archived_as": published.digest_id,
        "emailed": outcome.sent if outcome else [],
        "note": built.cold_start,
    }
    if as_json:
        print_json(summary)
    else:
        out_console = console()
        if built.cold_start:
            out_console.print(f"[yellow]note:[/] {escape_markup(built.cold_start)}", markup=True)
        out_console.print(
            f"Digest of {summary['papers']:,} papers ({_matches(summary['top_picks'])}, "
            f"{summary['topics']} topics): " + ", ".join(summary["files"].values())
        )
    if outcome and outcome.failed:
        raise typer.Exit(EXIT_REJECTED)


@app.command()
def daily(
    fetch: Annotated[
        bool, typer.Option("--fetch/--no-fetch", help="Fetch the configured sources first.")
    ] = True,
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Fetch, embed, rank, build and deliver today's digest. Safe to run twice: one e-mail a day."""
    config = _config()
    store = open_db(create=True)
    fetched = _fetch_configured(store, config) if fetch else 0
    built, published = _make_digest(
        store,
        config,
        model,
        config.digest.since,
        config.digest.k,
        config.digest.out_dir,
        config.digest.formats,
    )
    outcome = (
        _send(store, config, built, published, list(config.email.to)) if config.email.to else None
    )
    digest_file = next(iter(published.files.values()), None)
    mail = ""
    if outcome:
        mail = (
            f"; e-mailed {len(outcome.sent)}, already sent {len(outcome.skipped)}, "
            f"failed {len(outcome.failed)}"
        )
    line = (
        f"daily: {fetched:,} new papers fetched; digest of {built.digest.total_papers:,} papers, "
        f"{_matches(len(built.digest.top_picks))}, {len(built.digest.topics)} topics -> "
        f"{digest_file}{mail}"
    )
    if as_json:
        print_json(
            {
                "fetched": fetched,
                "papers": built.digest.total_papers,
                "top_picks": len(built.digest.top_picks),
                "files": {f: str(p) for f, p in published.files.items()},
                "emailed": outcome.sent if outcome else [],
                "already_sent": outcome.skipped if outcome else [],
                "failed": [r for r, _ in outcome.failed] if outcome else [],
            }
        )
    else:
        console().print(line)
    if outcome and outcome.failed:
        raise typer.Exit(EXIT_REJECTED)


def _fetch_configured(store: Any, config: Any) -> int:
    """Fetch new papers of the configured categories and HF daily; a network failure warns."""
    import datetime as dt

    from papersift.ingest.harvest import published_since, store_pages
    from papersift.net.fetch import FetchError, arxiv_api_pages, hf_daily_pages

    latest = store.latest_date()
    since = (latest or dt.date.today() - dt.timedelta(days=3)) - dt.timedelta(days=1)
    added = 0
    with _client(None) as client:
        jobs: list[tuple[str, Any, str, Any]] = []
        if config.sources.arxiv:
            for category in config.sources.categories:
                jobs.append(
                    (
                        f"arXiv {category}",
                        lambda c=category: arxiv_api_pages(
                            client, c, since=since, max_results=2000
                        ),
                        "arxiv-atom",
                        published_since(since),
                    )
                )
        if config.sources.hf:
            jobs.append(("HF daily papers", lambda: hf_daily_pages(client, None), "hf-daily", None))
        for label, pages, fmt, keep in jobs:
            try:
                with _page_status(f"Fetching {label}") as on_page:
                    report = store_pages(store, pages(), fmt, keep=keep, on_page=on_page)
                added += report.counts.added
            except FetchError as err:
                warn(f"{label}: {err}; going on without it")
    return added


@app.command()
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
    from papersift.store import open_store

    home = Path(user_data_dir("papersift", appauthor=False))
    db_path = state.db_path or home / "demo.db"
    out_dir = out or home / "demo-digest"
    store = open_store(db_path)
    with _spinner("Building the demo store"):
        report = build_demo_store(store)
    config = _config()
    built, published = _make_digest(
        store, config, model, DEMO_SINCE, 10, out_dir, ("html", "md", "txt", "atom")
    )
    html = published.files.get("html")
    out_console = console()
    out_console.print(
        f"Demo store {db_path}: {store.count()} invented papers ({report.counts.added} new), "
        f"5 liked, 1 interest.\n"
        f"Digest of {built.digest.total_papers} papers with {_matches(len(built.digest.top_picks))} "
        f"and {len(built.digest.topics)} topics:\n  {html}\n"
        f"Next: papersift --db {db_path} recommend   |   "
        f'papersift --db {db_path} search "fewer bits per weight"'
    )
    if open_browser and html:
        import webbrowser

        webbrowser.open(html.as_uri())


@config_app.command("path")
def config_path_command() -> None:
    """Where the configuration file is (it need not exist: defaults apply)."""
    from papersift.config import config_path

    typer.echo(str(config_path()))


@config_app.command("init")
def config_init(
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a starter configuration file (the defaults, commented out) where papersift reads it."""
    from papersift.config import config_path, starter_config

    path = config_path()
    if path.exists() and not force:
        raise UsageError(f"{path} exists: edit it, or overwrite it with --force")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(starter_config(), encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror}") from None
    console().print(f"Wrote {path}; `papersift config show` shows what is in force.")


@config_app.command("show")
def config_show(as_json: JsonFlag = False) -> None:
    """The settings in force (file, then environment, then defaults); secrets masked."""
    from papersift.config import config_as_toml, show_config

    config = _config()
    shown = show_config(config)
    if as_json:
        print_json(shown)
        return
    sys.stdout.write(config_as_toml(shown, str(config.path or "no config file; defaults")))


# -- serve --------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option("--port", "-p", help="Port to listen on.")] = None,
    multi_user: Annotated[
        bool, typer.Option("--multi-user", help="Accounts with passwords (for a shared server).")
    ] = False,
    no_signup: Annotated[
        bool,
        typer.Option(
            "--no-signup",
            help="With --multi-user: no sign-up page; accounts come from `papersift user add`.",
        ),
    ] = False,
    model: ModelOption = None,
) -> None:
    """The local web app: feed, search, library, map and digests in your browser."""
    if no_signup and not multi_user:
        raise UsageError("--no-signup only applies with --multi-user (single-user has no accounts)")
    from papersift.store import default_db_path
    from papersift.web import run

    config = _config()
    db_path = state.db_path or default_db_path()
    open_db(create=True).close()  # create and migrate the store before the server starts

    def ready(url: str) -> None:
        console(stderr=True).print(f"papersift is serving {db_path} at {url} (Ctrl+C stops it)")

    run(
        db_path,
        host or config.serve.host,
        port or config.serve.port,
        multi_user,
        allow_signup=not no_signup,
        model=model or DEFAULT_MODEL,
        on_ready=ready,
    )


# -- user accounts (multi-user serve) -----------------------------------------------------

user_app = typer.Typer(
    help="Accounts for `papersift serve --multi-user` (each has its own library).",
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account (asks for its password twice unless --password-stdin)."""
    from papersift.web.auth import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = create_user(open_db(create=True), name, password)
    console().print(f"Created account {user.name!r}.", markup=False)


@user_app.command("list")
def user_list(as_json: JsonFlag = False) -> None:
    """The accounts, oldest first."""
    rows = (
        open_db()
        .db.execute(
            "SELECT name, created_at FROM users WHERE password_hash IS NOT NULL ORDER BY id"
        )
        .fetchall()
    )
    if as_json:
        print_json([{"name": name, "created_at": created} for name, created in rows])
    elif not rows:
        console().print("No accounts yet: `papersift user add NAME` creates one.")
    else:
        for name, created in rows:
            console().print(f"{name}  (since {created[:10]})", markup=False)


# -- library ------------------------------------------------------------------------------

library_app = typer.Typer(
    help="Your library: liked, disliked and tagged papers. Without a subcommand, lists it.",
    invoke_without_command=True,
)
interest_app = typer.Typer(
    help='Interests in words, e.g. "sparse attention for long context".',
    no_args_is_help=True,
)
app.add_typer(library_app, name="library")
app.add_typer(interest_app, name="interest")

PaperIds = Annotated[list[str], typer.Argument(help="arXiv ids, DOIs or ids shown by papersift.")]


def _rate(ids: list[str], action: str, as_json: bool) -> None:
    from papersift.reader_library import rate

    changed = rate(open_db(), ids, action)
    if as_json:
        print_json({"action": action, "papers": ids, "changed": changed})
    else:
        past = {"like": "Liked", "dislike": "Disliked", "unlike": "Forgot the rating of"}[action]
        unchanged = len(ids) - changed
        note = f" ({unchanged} already so)" if unchanged > 0 else ""
        console().print(f"{past} {changed} paper{'s' if changed != 1 else ''}{note}.")


@app.command()
def like(ids: PaperIds, as_json: JsonFlag = False) -> None:
    """Like papers: they teach `recommend` what you want more of."""
    _rate(ids, "like", as_json)


@app.command()
def dislike(ids: PaperIds, as_json: JsonFlag = False) -> None:
    """Dislike papers: `recommend` shows fewer like them. The latest of like/dislike wins."""
    _rate(ids, "dislike", as_json)


@app.command()
def unlike(ids: PaperIds, as_json: JsonFlag = False) -> None:
    """Forget a like or dislike."""
    _rate(ids, "unlike", as_json)


@app.command("tag")
def tag_papers(
    tag: Annotated[str, typer.Argument(help="A named interest, e.g. quantization.")],
    ids: PaperIds,
    as_json: JsonFlag = False,
) -> None:
    """Tag papers with a named interest; `recommend --tag TAG` ranks for that tag alone."""
    from papersift.reader_library import tag as tag_ids

    added = tag_ids(open_db(), tag, ids)
    if as_json:
        print_json({"tag": tag, "papers": ids, "added": added})
    else:
        console().print(f"Tagged {added} paper{'s' if added != 1 else ''} with {tag!r}.")


@library_app.callback()
def library_list(
    ctx: typer.Context,
    tag: Annotated[str | None, typer.Option("--tag", help="Only papers with this tag.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List your liked, disliked and tagged papers."""
    if ctx.invoked_subcommand is not None:
        return
    from papersift.present import short_authors
    from papersift.reader_library import library_papers

    rows = library_papers(open_db(), tag)
    if as_json:
        print_json(
            [
                {
                    "id": p.id,
                    "title": p.title,
                    "authors": list(p.authors),
                    "rating": {1: "like", -1: "dislike"}.get(r) if r else None,
                    "tags": t,
                }
                for p, r, t in rows
            ]
        )
        return
    if not rows:
        console().print(
            "Your library is empty. Start with `papersift like ID` or "
            "`papersift library import my-library.bib`."
        )
        return
    from rich.table import Table

    table = Table()
    for column in ("", "Title", "First author", "Tags", "Id"):
        table.add_column(column)
    for paper, rating, tags in rows:
        mark = {1: "+", -1: "-"}.get(rating or 0, " ")
        table.add_row(mark, paper.title, short_authors(paper.authors, 1), ", ".join(tags), paper.id)
    console().print(table)


@library_app.command("import")
def library_import(
    path: Annotated[Path, typer.Argument(help="A BibTeX, RIS or CSL-JSON export.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="bibtex, ris, csl-json or auto.")
    ] = "auto",
    as_json: JsonFlag = False,
) -> None:
    """Import a Zotero/Mendeley/… export: match entries to stored papers, store the rest, like all."""
    from papersift.reader_library import LIBRARY_FORMATS, import_library

    if fmt != "auto" and fmt not in LIBRARY_FORMATS:
        raise UsageError(f"--format must be auto or one of {', '.join(LIBRARY_FORMATS)}")
    report = import_library(open_db(create=True), path, fmt)
    for err in report.rejected:
        error_line(err.one_line())
    summary = {
        "entries": report.entries,
        "matched": report.matched,
        "added": report.added,
        "liked": report.liked,
        "rejected": len(report.rejected),
    }
    if as_json:
        print_json(summary)
    else:
        console().print(
            f"{report.entries} entries: {report.matched} matched stored papers, "
            f"{report.added} new, {report.liked} newly liked, {len(report.rejected)} rejected."
        )
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED)


@library_app.command("export")
def library_export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="bibtex or csl-json.")] = "bibtex",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: stdout).")
    ] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only papers with this tag.")] = None,
) -> None:
    """Export your liked (and tagged) papers for a reference manager."""
    from papersift.export import EXPORT_FORMATS, export
    from papersift.reader_library import library_papers

    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format must be one of {', '.join(EXPORT_FORMATS)}")
    papers = [p for p, rating, tags in library_papers(open_db(), tag) if rating != -1]
    text = export(papers, fmt)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as err:
        raise UsageError(f"{out}: cannot write: {err.strerror}") from None
    console(stderr=True).print(f"Wrote {len(papers)} papers to {out}.")


@interest_app.command("add")
def interest_add(
    text: Annotated[str, typer.Argument(help="What you want to read about, in words.")],
) -> None:
    """Add an interest in words; recommendations use it (and it starts a cold library)."""
    text = " ".join(text.split())
    if not text:
        raise UsageError('an interest needs words, e.g. papersift interest add "sparse attention"')
    store = open_db(create=True)
    with store.transaction():
        added = store.library().add_interest(text)
    console().print(f"Added interest {text!r}." if added else f"Already interested in {text!r}.")


@interest_app.command("list")
def interest_list(as_json: JsonFlag = False) -> None:
    """List your interests with their numbers."""
    interests = open_db().library().interests()
    if as_json:
        print_json([{"id": i.id, "text": i.text, "added": i.at.isoformat()} for i in interests])
    elif not interests:
        console().print('No interests yet: papersift interest add "what you want to read about"')
    else:
        for i in interests:
            console().print(f"{i.id:>3}  {i.text}")


@interest_app.command("remove")
def interest_remove(
    key: Annotated[
        str, typer.Argument(help="The interest's number (from `interest list`) or text.")
    ],
) -> None:
    """Remove an interest."""
    store = open_db()
    with store.transaction():
        removed = store.library().remove_interest(key)
    if not removed:
        raise UsageError(f"no interest {key!r}; see `papersift interest list`")
    console().print(f"Removed interest {key!r}.")


# -- entry point ----------------------------------------------------------------------------


def quiet_libraries() -> None:
    """Keep third-party progress bars and advice off the terminal: we show our own."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _usage_error_line(err: Exception) -> str:
    """A usage mistake as one line: what was wrong, the command's usage, where help is."""
    message = err.format_message() if hasattr(err, "format_message") else str(err)
    message = " ".join(message.split())
    ctx = getattr(err, "ctx", None)
    if ctx is None:
        return message
    usage = " ".join(ctx.get_usage().split()).removeprefix("Usage: ")
    return f"{message} (usage: {usage}; see `{ctx.command_path} --help`)"


def main() -> None:
    """Run the CLI; our errors become one line on stderr and an exit code, never a traceback."""
    quiet_libraries()
    try:
        # With standalone_mode=False click returns the code of typer.Exit instead of exiting.
        code = app(standalone_mode=False, prog_name="papersift")
        if code == EXIT_INTERRUPTED:  # Ctrl-C, which click turns into this return code
            error_line(INTERRUPTED)
        sys.exit(code if isinstance(code, int) else EXIT_OK)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except UsageError as err:
        error_line(str(err))
        sys.exit(EXIT_FATAL)
    except ParseError as err:
        error_line(err.one_line())
        sys.exit(EXIT_REJECTED)
    except PapersiftError as err:
        error_line(str(err))
        sys.exit(EXIT_FATAL)
    except KeyboardInterrupt:
        error_line(INTERRUPTED)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as err:  # the promise is no traceback, even for our own bugs
        import click

        if isinstance(err, click.exceptions.Abort | typer.Abort):  # click's word for Ctrl-C
            error_line(INTERRUPTED)
            sys.exit(EXIT_INTERRUPTED)
        # Typer raises the usage errors of the click it bundles, which are not click's own.
        if isinstance(err, click.ClickException | typer.TyperException):
            error_line(_usage_error_line(err))
            sys.exit(getattr(err, "exit_code", EXIT_FATAL))
        if os.environ.get("PAPERSIFT_DEBUG"):
            raise
        error_line(f"unexpected {type(err).__name__}: {err} (set PAPERSIFT_DEBUG=1 for details)")
        sys.exit(EXIT_FATAL)


if __name__ == "__main__":
    main()
