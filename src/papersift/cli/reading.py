"""What you have read: `papersift seen` lists the papers shown to you, newest first."""

from __future__ import annotations

from typing import Annotated

import typer

from papersift.cli.common import JsonFlag, open_db
from papersift.cli.output import console, escape_markup, print_json
from papersift.store.base import LOCAL_USER


def seen(
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only the last 1d, 7d, 2w, since a date, or all (default)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 200,
    as_json: JsonFlag = False,
) -> None:
    """Papers shown to you in a digest, the feed or an e-mail (or marked read), newest first."""
    import datetime as dt

    from papersift.rank.unseen import shown_papers
    from papersift.window import window_start

    start = window_start(since, dt.date.today())
    shown = shown_papers(open_db(), LOCAL_USER, start, limit)
    if as_json:
        print_json(
            [
                {
                    "at": s.at.isoformat(),
                    "where": s.place,
                    "id": s.paper.id,
                    "title": s.paper.title,
                    "version": s.paper.version,
                }
                for s in shown
            ]
        )
        return
    out = console()
    if not shown:
        out.print("Nothing shown to you yet in that window.")
        return
    for s in shown:
        when = s.at.astimezone().strftime("%Y-%m-%d %H:%M")
        out.print(
            f"{when}  {s.place:<6}  [dim]{escape_markup(s.paper.id)}[/]  "
            f"{escape_markup(s.paper.title)}",
            markup=True,
        )
