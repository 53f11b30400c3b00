"""The reader's side: like, dislike and tag papers, the library list and its import/export,
and interests in words."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from papersift.cli.common import EXIT_REJECTED, JsonFlag, open_db
from papersift.cli.output import console, error_line, print_json
from papersift.errors import UsageError

library_app = typer.Typer(
    help="Your library: liked, disliked and tagged papers. Without a subcommand, lists it.",
    invoke_without_command=True,
)
interest_app = typer.Typer(
    help='Interests in words, e.g. "sparse attention for long context".',
    no_args_is_help=True,
)

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


def like(ids: PaperIds, as_json: JsonFlag = False) -> None:
    """Like papers: they teach `recommend` what you want more of."""
    _rate(ids, "like", as_json)


def dislike(ids: PaperIds, as_json: JsonFlag = False) -> None:
    """Dislike papers: `recommend` shows fewer like them. The latest of like/dislike wins."""
    _rate(ids, "dislike", as_json)


def unlike(ids: PaperIds, as_json: JsonFlag = False) -> None:
    """Forget a like or dislike."""
    _rate(ids, "unlike", as_json)


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
    from papersift.reader_library import library_papers
    from papersift.text import short_authors

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
    path: Annotated[
        Path,
        typer.Argument(help="A BibTeX, RIS or CSL-JSON export, or Zotero's zotero.sqlite."),
    ],
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="bibtex, ris, csl-json, zotero-sqlite or auto."),
    ] = "auto",
    as_json: JsonFlag = False,
) -> None:
    """Import a Zotero/Mendeley/… export, or Zotero's own database (read from a copy, so Zotero
    may keep running; collections become tags): match entries to stored papers, store the rest,
    like all."""
    from papersift.reader_library import IMPORT_FORMATS, REJECTED_SHOWN, import_library

    if fmt != "auto" and fmt not in IMPORT_FORMATS:
        raise UsageError(f"--format must be auto or one of {', '.join(IMPORT_FORMATS)}")
    report = import_library(open_db(create=True), path, fmt)
    for err in report.rejected[:REJECTED_SHOWN]:
        error_line(err.one_line())
    if len(report.rejected) > REJECTED_SHOWN:
        error_line(f"{path}: and {len(report.rejected) - REJECTED_SHOWN:,} more records rejected")
    summary = {
        "entries": report.entries,
        "matched": report.matched,
        "added": report.added,
        "liked": report.liked,
        "rejected": len(report.rejected),
        "tags": report.tags,
        "tagged": report.tagged,
    }
    if as_json:
        print_json(summary)
    else:
        console().print(
            f"{report.entries} entries: {report.matched} matched stored papers, "
            f"{report.added} new, {report.liked} newly liked, {len(report.rejected)} rejected."
        )
        if report.tags:
            console().print(
                f"Collections as tags: {', '.join(report.tags)} ({report.tagged} newly tagged)."
            )
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED)


@library_app.command("export")
def library_export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="bibtex, ris or csl-json.")] = "bibtex",
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
