"""What every command group shares: the store named by --db, option types, exit codes.

Light on purpose: `papersift --help` imports this module, so anything heavy (the store, the
model, numpy) is imported inside the functions that need it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from papersift.errors import UsageError

if TYPE_CHECKING:
    import datetime as dt

    from papersift.config import Config
    from papersift.embed.base import Embedder
    from papersift.store.sqlite import SqliteStore

EXIT_OK, EXIT_REJECTED, EXIT_FATAL = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
INTERRUPTED = "interrupted; everything stored so far is kept"


class State:
    """The global options, set by the app's callback before any command runs."""

    db_path: Path | None = None


state = State()

JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")
]
LongFlag = Annotated[
    bool, typer.Option("--long", "-l", help="Also a one-line TL;DR of each paper.")
]
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
SinceOption = Annotated[
    str,
    typer.Option(
        "--since",
        help="Window: 1d (the newest day's papers), 7d, 2w, a date (YYYY-MM-DD), or all.",
    ),
]


def open_db(create: bool = False) -> SqliteStore:
    """The store; `create`: this command may make a new one (and its folder) if there is none.

    A command that only reads refuses a store whose folder does not exist (a mistyped --db),
    rather than leaving a new folder and an empty store behind.
    """
    from papersift.cli.output import warn
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


def load_config() -> Config:
    from papersift.config import load_config as load

    return load()


def load_model(model: str | None) -> Embedder:
    """The embedding model (the library's default when None), with a spinner while it loads."""
    from papersift import pipelines
    from papersift.cli.output import Spinner

    with Spinner("Loading the embedding model"):
        return pipelines.load_model(model)


def parse_day(value: str | None, option: str) -> dt.date | None:
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} wants a date like 2026-11-20, not {value!r}") from None
