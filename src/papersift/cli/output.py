"""How the command line shows things: Rich console, JSON, one-line errors, progress, tables.

Everything here writes to the terminal; the library returns records and never prints. Rich is
imported inside the functions so that `papersift --help` does not pay for what it does not show.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from rich.console import Console, Group
    from rich.progress import Progress, TaskID
    from rich.status import Status
    from rich.table import Table
    from rich.text import Text

    from papersift.ingest.harvest import HarvestReport
    from papersift.records import Paper


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    # Messages on stderr are one line each, whatever the terminal width: never wrapped.
    return Console(stderr=stderr, highlight=False, soft_wrap=stderr)


def print_json(value: object) -> None:
    import orjson

    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")


def warn(message: str) -> None:
    from rich.markup import escape  # messages quote titles and names: "[" is not markup there

    console(stderr=True).print(
        f"[yellow]warning:[/] {escape(message)}", markup=True, highlight=False
    )


def error_line(message: str) -> None:
    from rich.markup import escape

    console(stderr=True).print(f"[red]error:[/] {escape(message)}")


def escape_markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def count_matches(count: int) -> str:
    """How the front ends count top picks: each is a strong match (rank.STRONG_LIKE_COSINE)."""
    return f"{count} strong match" + ("" if count == 1 else "es")


# -- live displays on stderr (nothing on a pipe) ------------------------------------------------


class _Live:
    """Stops whatever live display `__enter__` started, however the block ends."""

    display: Progress | Status | None = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.display is not None:
            self.display.stop()


class ByteProgress(_Live):
    """A Rich progress bar on a terminal; yields an `advance(n)` callable."""

    def __init__(self, label: str, total: int | None) -> None:
        self.label = label
        self.total = total or None

    def __enter__(self) -> Callable[[int], None]:
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

        bar = Progress(
            TextColumn(self.label),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=out,
            transient=True,
        )
        self.display = bar
        bar.start()
        task = bar.add_task(self.label, total=self.total)
        return lambda n: bar.advance(task, n)


class PageStatus(_Live):
    """A one-line live status on a terminal while pages arrive; yields the page listener."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> Callable[[HarvestReport], None]:
        out = console(stderr=True)
        if not out.is_terminal:
            return lambda report: None
        status = out.status(self.label)
        self.display = status
        status.start()
        return lambda r: status.update(f"{self.label}: {r.pages} pages, {r.records:,} papers")


class Spinner(_Live):
    """A spinner on a terminal while something without a count runs (a model loading)."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> None:
        out = console(stderr=True)
        if out.is_terminal:
            self.display = out.status(self.label)
            self.display.start()


class EmbeddingProgress(_Live):
    """A progress bar over papers being embedded, shown only when there are some to do."""

    def __init__(self, label: str = "Embedding papers") -> None:
        self.label = label
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> EmbeddingProgress:
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

        bar = Progress(
            TextColumn(self.label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=out,
            transient=True,
        )
        self.bar = self.display = bar
        bar.start()
        self.task = bar.add_task(self.label, total=total)

    def advance(self, n: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.advance(self.task, n)


# -- papers as Rich renderables -----------------------------------------------------------------


def render_paper(paper: Paper) -> Group:
    from rich.console import Group
    from rich.text import Text

    from papersift.text import short_authors

    lines: list[Text] = [Text(paper.title, style="bold")]
    if paper.authors:
        lines.append(Text(short_authors(paper.authors, 8)))
    meta = [paper.id]
    if paper.version:
        meta.append(f"v{paper.version}")
    if paper.published:
        meta.append(f"published {paper.published.isoformat()}")
    elif isinstance(year := paper.extra.get("year"), int):  # only the year is known
        meta.append(f"published {year}")
    if paper.updated and paper.updated != paper.published:
        meta.append(f"updated {paper.updated.isoformat()}")
    if paper.categories:
        meta.append(" ".join(paper.categories))
    if paper.doi:
        meta.append(f"doi {paper.doi}")
    lines.append(Text(" · ".join(meta), style="dim"))
    from papersift.badges import compact

    if signals := compact(paper):
        lines.append(Text(signals, style="bold"))
    for link in paper.links:
        lines.append(Text(f"{link.kind}: {link.url}", style="cyan"))
    if paper.abstract:
        lines.append(Text(""))
        lines.append(Text(paper.abstract))
    lines.append(Text(""))
    lines.append(Text(f"from {', '.join(paper.sources)}", style="dim"))
    return Group(*lines)


def paper_date(paper: Paper) -> str:
    """The paper's day, or its year when only the year is known (a journal paper, say)."""
    day = paper.published or paper.updated
    if day is not None:
        return day.isoformat()
    year = paper.extra.get("year")
    return str(year) if isinstance(year, int) else ""


def paper_list(papers: Sequence[Paper], *, long: bool = False) -> Table:
    """Numbered papers as a reader scans them, at any terminal width (80 columns included):
    the title wraps under itself, then authors, date, venue and badges, and the id, which can
    be long (`s2:` + 40 hex digits) and so never squeezes the title into a narrow column.
    `long`: a one-line TL;DR under each."""
    from rich.table import Table
    from rich.text import Text

    from papersift.badges import compact
    from papersift.digest.summarize import extract_tldr
    from papersift.text import short_authors

    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for number, paper in enumerate(papers, start=1):
        meta = [short_authors(paper.authors, 1), paper_date(paper), compact(paper), paper.id]
        lines = Text(paper.title, style="bold")
        lines.append("\n" + " · ".join(part for part in meta if part), style="dim")
        if long and paper.abstract:
            tldr = extract_tldr(paper.abstract, paper.title, max_sentences=1, max_chars=160)
            if tldr:
                lines.append("\n" + tldr)
        grid.add_row(f"{number}.", lines)
        if number < len(papers):
            grid.add_row("", "")
    return grid


def stats_tables(
    counts: Mapping[str, Mapping[str, int]], top: int | None = 20
) -> list[Table | Text]:
    """Papers per source, per category (the `top` most common) and per month (the last `top`),
    as tables that say what they leave out and how to see it (`top=None`: everything)."""
    from rich.table import Table
    from rich.text import Text

    tables: list[Table | Text] = []
    for key, label in (("sources", "Source"), ("categories", "Category"), ("months", "Month")):
        items = list(counts[key].items())
        shown = items if top is None else (items[-top:] if key == "months" else items[:top])
        left_out = len(items) - len(shown)
        which = f"the latest {len(shown)} months" if key == "months" else f"the top {len(shown)}"
        caption = (
            f"{which} of {len(items):,}; `papersift stats --all` shows every one"
            if left_out
            else None
        )
        table = Table(title=f"Papers per {label.lower()}", title_justify="left")
        table.add_column(label)
        table.add_column("Papers", justify="right")
        for name, n in shown:
            table.add_row(str(name), f"{n:,}")
        tables.append(table)
        if caption:
            tables.append(Text(f"Showing {caption}.", style="dim"))
    return tables
