"""Commands over the stored papers themselves: ingest files, count, show one, statistics."""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import Annotated

import typer

from papersift.cli.common import EXIT_REJECTED, JsonFlag, open_db
from papersift.cli.output import ByteProgress, console, error_line, print_json, warn
from papersift.errors import ServerReportedError, UsageError

papers_app = typer.Typer(help="Look at the stored papers.", no_args_is_help=True)


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
    with ByteProgress("Ingesting", total) as advance:
        report = ingest_paths(store, paths, fmt, progress=advance, stdin=sys.stdin.buffer)
    for err in report.rejected:
        prefix = "server said: " if isinstance(err, ServerReportedError) else ""
        error_line(prefix + err.one_line() if not prefix else f"{err.file}: {prefix}{err.reason}")
    for repaired in report.warnings:
        warn(repaired.one_line())
    summary = {
        "files": report.files,
        "records": report.records,
        "added": report.counts.added,
        "merged": report.counts.merged,
        "unchanged": report.counts.unchanged,
        "repeated": report.repeated,
        "rejected": len(report.rejected),
        "repaired": len(report.warnings),
        "formats": report.formats,
        "total_papers": store.count(),
    }
    if as_json:
        print_json(summary)
    else:
        repeated = f"{report.repeated:,} repeated within a file, " if report.repeated else ""
        console().print(
            f"{report.records:,} records read: {report.counts.added:,} new, "
            f"{report.counts.merged:,} merged, {report.counts.unchanged:,} unchanged, "
            f"{repeated}{len(report.rejected):,} rejected. "
            f"Store now holds {summary['total_papers']:,} papers."
        )
        if report.files > 1:
            per_format = Counter(report.formats.values())
            console().print(
                "Formats: "
                + ", ".join(f"{n} {name}" for name, n in sorted(per_format.items()))
                + f" ({report.files} files)."
            )
    if not report.ok:
        raise typer.Exit(EXIT_REJECTED)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path) if path != "-" else 0
    except OSError:
        return 0


@papers_app.command("count")
def papers_count(as_json: JsonFlag = False) -> None:
    """How many papers the store holds."""
    n = open_db().count()
    if as_json:
        print_json({"papers": n})
    else:
        typer.echo(n)


def show(
    paper_id: Annotated[
        str, typer.Argument(help="arXiv id, DOI, or a source id like openreview:X")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Show one paper: title, authors, dates, links, abstract, where it came from."""
    from papersift.cli.output import render_paper
    from papersift.present import paper_as_dict

    paper = open_db().get(paper_id)
    if paper is None:
        raise UsageError(f"no paper {paper_id!r} in the store")
    if as_json:
        print_json(paper_as_dict(paper))
    else:
        console().print(render_paper(paper))


def stats(
    as_json: JsonFlag = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every category and month, not only the top 20.")
    ] = False,
) -> None:
    """Papers per source, per category and per month."""
    store = open_db()
    counts = store.stats()
    numbers = {"papers": store.count(), **counts}
    if as_json:
        print_json(numbers)
        return
    from papersift.cli.output import stats_tables

    out = console()
    out.print(f"{numbers['papers']:,} papers in {store.location}")
    for table in stats_tables(counts, top=None if show_all else 20):
        out.print(table)


@papers_app.command("promote")
def papers_promote(
    paper_ids: Annotated[
        list[str],
        typer.Argument(
            help="Papers to make public: arXiv id, DOI or a source id.", show_default=False
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Make papers a reader imported on a shared server (private to them) visible to everyone."""
    from papersift.reader_library import promote

    store = open_db()
    promoted = promote(store, paper_ids)
    if as_json:
        print_json({"promoted": promoted})
    else:
        console().print(
            f"{promoted} of {len(paper_ids)} paper{'' if len(paper_ids) == 1 else 's'} made "
            "public" + ("" if promoted == len(paper_ids) else " (the others already were)")
        )
