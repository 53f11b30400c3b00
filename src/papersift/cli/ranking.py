"""The reader's ranking: what to read next with reasons, and how well the profile predicts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from papersift.cli.common import JsonFlag, ModelOption, SinceOption, load_model, open_db
from papersift.cli.output import (
    EmbeddingProgress,
    console,
    count_matches,
    escape_markup,
    print_json,
)
from papersift.cli.trending import HasCodeFlag
from papersift.defaults import FEED_WINDOW

if TYPE_CHECKING:
    from collections.abc import Sequence

    from papersift.rank.evaluate import MethodScore


def recommend(
    k: Annotated[int, typer.Option("-k", help="How many papers.")] = 20,
    since: SinceOption = FEED_WINDOW,
    all_papers: Annotated[bool, typer.Option("--all", help="Rank the whole store.")] = False,
    tag: Annotated[str | None, typer.Option("--tag", help="Rank for one tag of yours.")] = None,
    has_code: HasCodeFlag = False,
    model: ModelOption = None,
    include_seen: Annotated[
        bool, typer.Option("--include-seen", help="Also rank papers you were shown before.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """The papers you should read next, each with the reasons it is shown."""
    from papersift.badges import badges_as_dict, compact
    from papersift.pipelines import recommend_unseen
    from papersift.rank.recommend import EmbedHooks, reason_as_dict

    store = open_db()
    embedder = load_model(model)
    with EmbeddingProgress() as bar:
        result = recommend_unseen(
            store,
            embedder,
            k=k,
            since=None if all_papers else since,
            tag=tag,
            include_seen=include_seen,
            hooks=EmbedHooks(bar.advance, bar.on_total),
            has_code=has_code,
        )
    papers = store.papers_by_rowid([r.key for r in result.items])
    if as_json:
        print_json(
            [
                {
                    "id": r.id,
                    "title": r.title,
                    "score": round(r.score, 4),
                    "strong": r.strong,
                    "reasons": [reason_as_dict(reason) for reason in r.reasons],
                    **(badges_as_dict(papers[r.key]) if r.key in papers else {}),
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
    out.print(f"{count_matches(strong)} (close to a paper you liked or an interest).")
    for i, rec in enumerate(result.items, start=1):
        if i == strong + 1:
            out.print(
                "\n[dim]-- weaker matches: nothing you liked is close to these --[/]", markup=True
            )
        signals = compact(papers[rec.key]) if rec.key in papers else ""
        out.print(
            f"\n[bold]{i}. {escape_markup(rec.title)}[/] [dim]{rec.id}[/]"
            + (f" {escape_markup(signals)}" if signals else ""),
            markup=True,
        )
        for reason in rec.reasons:
            out.print(f"   • {escape_markup(reason.text)}", markup=True)


def eval_command(model: ModelOption = None, as_json: JsonFlag = False) -> None:
    """How well your profile predicts your own likes, against simple baselines."""
    from papersift.rank.recommend import EmbedHooks, self_evaluate

    store = open_db()
    embedder = load_model(model)
    with EmbeddingProgress() as bar:
        evaluation = self_evaluate(store, embedder, hooks=EmbedHooks(bar.advance, bar.on_total))
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
        table.add_row(r.method, _score(r.ndcg_at_10), _score(r.recall_at_20), r.note or "")
    out = console()
    out.print(table)
    out.print(eval_verdict(evaluation.rows))


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def eval_verdict(rows: Sequence[MethodScore]) -> str:
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
