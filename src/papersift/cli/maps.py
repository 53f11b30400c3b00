"""A window of papers seen whole: its topics, and its map as an HTML page with a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from papersift.cli.common import JsonFlag, ModelOption, SinceOption, load_model, open_db
from papersift.cli.output import EmbeddingProgress, Spinner, console, print_json
from papersift.defaults import FEED_WINDOW, MAP_WINDOW
from papersift.errors import UsageError

if TYPE_CHECKING:
    from papersift.rank.candidates import Collection
    from papersift.store.base import Store


def _window(store: Store, since: str, model: str | None) -> Collection:
    from papersift.pipelines import load_window
    from papersift.rank.recommend import EmbedHooks

    embedder = load_model(model)
    with EmbeddingProgress() as bar:
        return load_window(store, embedder, since, hooks=EmbedHooks(bar.advance, bar.on_total))


def topics(
    since: SinceOption = FEED_WINDOW,
    n_topics: Annotated[
        int | None, typer.Option("--topics", "-n", help="How many topics (default: automatic).")
    ] = None,
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Group a window of papers (a day, a week, a conference) into labelled topics."""
    from papersift.pipelines import window_text
    from papersift.topics.clusters import find_topics

    store = open_db()
    window = _window(store, since, model)
    if not window.papers:
        if as_json:
            print_json([])
        else:
            console().print("No papers in that window. Try --since 7d or --since all.")
        return
    with Spinner("Finding topics"):
        found = find_topics(window.vectors, window.texts, window.ids, n_topics=n_topics)
    titles = {p.id: p.title for p in window.papers}
    if len(found) == 1 and found[0].is_other and not as_json:
        # A window too small to group: say so, not a topic called "other" (issue 19).
        console().print(f"{found[0].label}. Try --since 7d for more.")
        for paper_id in found[0].members:
            console().print(f"  • {titles[paper_id]} [dim]{paper_id}[/]", markup=True)
        return
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
    out.print(f"{len(found)} topics among {len(window.papers):,} {window_text(window)}")
    for topic in found:
        out.print(f"\n[bold]{topic.label}[/] ({topic.size} papers)", markup=True)
        for paper_id in topic.representatives:
            out.print(f"  • {titles[paper_id]} [dim]{paper_id}[/]", markup=True)


def map_command(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="HTML file to write (a PNG goes beside it).")
    ] = Path("map.html"),
    since: SinceOption = MAP_WINDOW,
    model: ModelOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Draw an interactive 2-D map of a window of papers, coloured by topic, your likes marked."""
    from papersift.pipelines import make_map
    from papersift.viz.files import write_map

    store = open_db()
    window = _window(store, since, model)
    with Spinner("Laying out the map"):
        drawn = make_map(store, window, widen="try --since all")
        try:
            html_path, png_path = write_map(drawn.paper_map, out)
        except OSError as err:
            raise UsageError(f"{out}: cannot write the map: {err.strerror}") from None
    if as_json:
        print_json(
            {
                "html": str(html_path),
                "png": str(png_path),
                "papers": drawn.papers,
                "topics": drawn.topics,
            }
        )
    else:
        console().print(
            f"Wrote {html_path} and {png_path} ({drawn.papers:,} papers, {drawn.topics} topics)."
        )
