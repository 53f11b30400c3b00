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
    from papersift.store.base import Store

EXIT_OK, EXIT_REJECTED, EXIT_FATAL = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
INTERRUPTED = "interrupted; everything stored so far is kept"


class State:
    """The global options, set by the app's callback before any command runs."""

    # A SQLite file's path, or a postgresql:// URL (kept as typed: a Path would fold "//").
    db_path: Path | str | None = None


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


# Kept here rather than imported from the store: `papersift --help` must stay light.
_URL = re.compile(r"^postgres(ql)?://", re.IGNORECASE)
_ANY_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


def store_location(value: str | None) -> Path | str | None:
    """--db as given: a URL as text (a Path would fold its "//"), anything else a path."""
    if value is None or _ANY_URL.match(value):
        return value
    return Path(value)


def shown_location(location: Path | str) -> str:
    """A store location for messages: a URL's password left out (as the store's `redact`)."""
    text = re.sub(r"(?i)(password=)[^&]*", r"\1***", str(location))
    found = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^?#]*)@", text)
    if found and ":" in found.group(2):
        user = found.group(2).split(":", 1)[0]
        return f"{found.group(1)}{user}:***@{text[found.end() :]}"
    return text


def open_db(create: bool = False) -> Store:
    """The store; `create`: this command may make a new one (and its folder) if there is none.

    A command that only reads refuses a store whose folder does not exist (a mistyped --db),
    rather than leaving a new folder and an empty store behind.
    """
    from papersift.cli.output import warn
    from papersift.store import default_location, open_store

    location = state.db_path or default_location()
    if isinstance(location, str) and _URL.match(location):
        return open_store(location, notice=warn)
    if _ANY_URL.match(str(location)):
        raise UsageError(
            f"--db {shown_location(location)}: only postgresql:// URLs name a database server; "
            "otherwise give the path of a SQLite file"
        )
    path = Path(location)
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
