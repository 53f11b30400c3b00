"""`papersift store ...`: the store as a whole, e.g. moved from a laptop to a lab's server."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from papersift.cli.output import console

store_app = typer.Typer(
    help="The store as a whole: copy it between SQLite files and PostgreSQL databases.",
    no_args_is_help=True,
)


@store_app.command("copy")
def store_copy(
    src: Annotated[
        str, typer.Argument(help="The store to copy: a SQLite file or postgresql:// URL.")
    ],
    dst: Annotated[
        str, typer.Argument(help="Where to: a new SQLite file or an empty PostgreSQL database.")
    ],
    batch_rows: Annotated[
        int, typer.Option("--batch-rows", min=1, help="Rows per committed batch.")
    ] = 1000,
) -> None:
    """Copy a whole store, every table with its ids; run it again to resume a stopped copy."""
    from papersift.store.copy import copy_store

    err = console(stderr=True)
    shown: dict[str, float] = {}  # table -> when its progress was last printed

    def progress(table: str, done: int, total: int) -> None:
        now = time.monotonic()
        if table not in shown or done == total or now - shown[table] >= 1.0:
            err.print(f"copying {table}: {done:,}/{total:,} rows", markup=False)
            shown[table] = now

    report = copy_store(src, dst, batch_rows=batch_rows, progress=progress)
    if report.already_done:
        console().print(
            f"{dst} already holds a complete copy of {src}; nothing to do.", markup=False
        )
        return
    rows = sum(report.tables.values())
    resumed = " (resumed)" if report.resumed else ""
    console().print(f"Copied {rows:,} rows in {len(report.tables)} tables{resumed}.", markup=False)
