"""Trending: the window's papers the Hugging Face community upvoted most, with their badges."""

from __future__ import annotations

from typing import Annotated

import typer

from papersift.cli.common import JsonFlag, open_db
from papersift.cli.output import console, escape_markup, print_json
from papersift.defaults import TRENDING_WINDOW

HasCodeFlag = Annotated[
    bool, typer.Option("--has-code", help="Only papers with a link to their code.")
]


def trending(
    since: Annotated[
        str,
        typer.Option("--since", help="Window: 1d, 7d (default), 2w, a date (YYYY-MM-DD), or all."),
    ] = TRENDING_WINDOW,
    k: Annotated[int, typer.Option("-k", help="How many papers.", min=1)] = 20,
    has_code: HasCodeFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """The most upvoted papers of the window on Hugging Face Papers (ties: newest first)."""
    from papersift.badges import badges_as_dict, compact
    from papersift.pipelines import trending as run_trending
    from papersift.text import short_authors

    store = open_db()
    result = run_trending(store, since, k=k, has_code=has_code)
    if as_json:
        print_json(
            [
                {
                    "id": paper.id,
                    "title": paper.title,
                    "authors": list(paper.authors),
                    "published": paper.published.isoformat() if paper.published else None,
                    **badges_as_dict(paper),
                }
                for _, paper in result.papers
            ]
        )
        return
    out = console()
    window = "the whole store" if result.start is None else f"papers since {result.start}"
    if not result.papers:
        out.print(
            f"No upvoted papers in {window}"
            + (" with code" if has_code else "")
            + ". Upvotes come from Hugging Face Daily Papers: `papersift fetch hf-daily`, "
            "or try --since 30d or --since all."
        )
        return
    out.print(f"Most upvoted of {window}" + (" with code" if has_code else "") + ":")
    for i, (_, paper) in enumerate(result.papers, start=1):
        out.print(f"\n[bold]{i}. {escape_markup(paper.title)}[/] [dim]{paper.id}[/]", markup=True)
        line = [compact(paper), short_authors(paper.authors, 1)]
        if paper.published:
            line.append(paper.published.isoformat())
        out.print("   " + escape_markup(" · ".join(part for part in line if part)), markup=True)
