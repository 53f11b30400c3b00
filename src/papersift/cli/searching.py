"""Finding papers: embed the store, search it, papers similar to one, the vector index."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from papersift.cli.common import JsonFlag, LongFlag, ModelOption, load_model, open_db, parse_day
from papersift.cli.output import (
    EmbeddingProgress,
    Spinner,
    console,
    paper_list,
    print_json,
    warn,
)
from papersift.cli.trending import HasCodeFlag
from papersift.errors import UsageError

if TYPE_CHECKING:
    from papersift.index.sync import EmbedReport, SemanticSearcher
    from papersift.search import Hit
    from papersift.store.base import Store

index_app = typer.Typer(help="The vector index beside the store.", no_args_is_help=True)

# What every command that finds nothing in an empty store says: how papers get in.
EMPTY_STORE = (
    "The store is empty. Get papers in: `papersift fetch arxiv --category cs.LG`, "
    "`papersift ingest FILE` (arXiv snapshot, BibTeX, RIS, ...), or "
    "`papersift library import my-library.bib`."
)


def _searcher(store: Store, model: str | None) -> SemanticSearcher:
    from papersift.index.sync import semantic_searcher

    embedder = load_model(model)
    with EmbeddingProgress() as bar:
        return semantic_searcher(store, embedder, warn, progress=bar.advance, on_total=bar.on_total)


def _print_hits(hits: list[Hit], as_json: bool, empty_message: str, long: bool = False) -> None:
    from papersift.badges import badges_as_dict

    if as_json:
        from papersift.search import hit_as_dict

        print_json([{**hit_as_dict(h), **badges_as_dict(h.paper)} for h in hits])
        return
    if not hits:
        console().print(empty_message)
        return
    console().print(paper_list([hit.paper for hit in hits], long=long))


def embed(
    model: ModelOption = None,
    as_json: JsonFlag = False,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            help="Embed on a Ray cluster: `local` starts one here, else the cluster's address.",
        ),
    ] = None,
) -> None:
    """Embed every paper that has no embedding for the model yet (resumable; progress bar)."""
    from papersift.index.sync import embed_missing, open_searchable

    store = open_db()
    report: EmbedReport
    if ray is not None:
        from papersift import pipelines

        # The cluster is joined before the model loads: a wrong address fails in seconds.
        with EmbeddingProgress() as bar:
            on_ray = pipelines.embed_on_ray(
                store, model, ray, progress=bar.advance, on_total=bar.on_total
            )
        assert on_ray.dim is not None  # the driver loaded the model to learn its id
        report, dim = on_ray, on_ray.dim
    else:
        embedder = load_model(model)
        dim = embedder.dim
        with EmbeddingProgress() as bar:
            report = embed_missing(store, embedder, progress=bar.advance, on_total=bar.on_total)
    open_searchable(store, report.model_id, dim, warn, report.changed_rowids)
    if as_json:
        print_json(
            {"model": report.model_id, "embedded": report.embedded, "already": report.already}
        )
    else:
        console().print(
            f"Embedded {report.embedded:,} papers with {report.model_id} "
            f"({report.already:,} were up to date)."
        )


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
    has_code: HasCodeFlag = False,
    model: ModelOption = None,
    long: LongFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Search the store: keyword (BM25), semantic (embeddings) or hybrid (both, fused)."""
    from papersift.records import PaperFilter
    from papersift.search import search as run_search
    from papersift.window import window_start

    last_day = parse_day(until, "--until")
    store = open_db()
    # One --since grammar for every command: relative windows count back from the newest paper.
    first_day = window_start(since, store.latest_date())
    if first_day and last_day and first_day > last_day:
        raise UsageError(f"--since {since} starts after --until {until}: nothing could match")
    where = PaperFilter(
        since=first_day, until=last_day, category=category, author=author, has_code=has_code
    )
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
    _print_hits(hits, as_json, "No papers match. Try other words, or --mode semantic.", long)


def similar(
    paper_id: Annotated[str, typer.Argument(help="A stored paper's id.")],
    k: Annotated[int, typer.Option("-k", help="How many results.")] = 10,
    model: ModelOption = None,
    long: LongFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Papers most similar to one you name."""
    from papersift.search import similar as run_similar

    store = open_db()
    if store.rowid_of(paper_id) is None:
        raise UsageError(f"no paper {paper_id!r} in the store")
    hits = run_similar(store, paper_id, _searcher(store, model), k)
    _print_hits(hits, as_json, "No other papers to compare with yet.", long)


@index_app.command("rebuild")
def index_rebuild(model: ModelOption = None) -> None:
    """Rebuild the vector index from the stored embeddings."""
    from papersift.index.sync import embed_missing, open_searchable

    store = open_db()
    embedder = load_model(model)
    with EmbeddingProgress() as bar:
        embed_missing(store, embedder, progress=bar.advance, on_total=bar.on_total)
    with Spinner("Building the index"):
        index = open_searchable(store, embedder.model_id, embedder.dim, warn, rebuild=True)
    console().print(
        f"Rebuilt the {index.kind} index of {len(index):,} papers for {embedder.model_id}."
    )
