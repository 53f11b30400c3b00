"""The `papersift` command: the table of commands and the entry point.

Each command parses its arguments, calls one library function (mostly `papersift.pipelines`)
and prints; the command groups live beside this file, by concern, and the terminal output
helpers in `output.py`. This file only assembles them, in the order `--help` lists them.

Exit codes: 0 ok, 1 some records rejected, 2 usage or fatal error. Heavy libraries (torch,
sklearn) are imported inside the commands that need them so `--help` starts instantly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args, get_origin

import typer
import typer.main
from typer.core import TyperArgument

from papersift import __version__

if TYPE_CHECKING:
    from typer._click.core import Command, Context
from papersift.cli import (
    digests,
    fetching,
    following,
    likes,
    maps,
    papers,
    ranking,
    reading,
    searching,
    serving,
    settings,
    stores,
    trending,
    users,
)
from papersift.cli.common import (
    EXIT_FATAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REJECTED,
    INTERRUPTED,
    state,
    store_location,
)
from papersift.cli.output import error_line
from papersift.errors import PapersiftError, ParseError, UsageError

__all__ = ["app", "main"]

app = typer.Typer(
    name="papersift",
    help="Sift the daily flood of machine-learning papers: ingest, search, rank, digest. Offline.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"papersift {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="PAPERSIFT_DB",
            help="The store: a SQLite file, or a PostgreSQL database as "
            "postgresql://USER@HOST:PORT/DB. Default: papersift.db in your user data directory.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    state.db_path = store_location(db)


# -- the commands, in the order of `papersift --help` ---------------------------------------

app.add_typer(papers.papers_app, name="papers")
app.add_typer(fetching.fetch_app, name="fetch")
app.command()(papers.ingest)
app.command()(papers.show)
app.command()(papers.stats)
app.add_typer(searching.index_app, name="index")
app.command()(searching.embed)
app.command()(searching.search)
app.command()(searching.similar)
app.command()(maps.topics)
app.command("map")(maps.map_command)
app.command()(ranking.recommend)
app.command()(trending.trending)
app.command("eval")(ranking.eval_command)
app.add_typer(settings.config_app, name="config")
app.command()(digests.digest)
app.command()(digests.daily)
app.command()(reading.seen)
app.command()(digests.demo)
app.command()(serving.serve)
app.add_typer(users.user_app, name="user")
app.add_typer(stores.store_app, name="store")
app.add_typer(likes.library_app, name="library")
app.add_typer(likes.interest_app, name="interest")
app.command()(likes.like)
app.command()(likes.dislike)
app.command()(likes.unlike)
app.command("tag")(likes.tag_papers)
app.add_typer(following.follow_app, name="follow")
app.add_typer(following.alert_app, name="alert")
app.add_typer(following.rule_app, name="rule")
app.add_typer(following.profile_app, name="profile")


# -- entry point ----------------------------------------------------------------------------


def quiet_libraries() -> None:
    """Keep third-party progress bars and advice off the terminal: we show our own."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _usage_error_line(err: Exception) -> str:
    """A usage mistake as one line: what was wrong, the command's usage, where help is."""
    message = err.format_message() if hasattr(err, "format_message") else str(err)
    message = " ".join(message.split())
    ctx = getattr(err, "ctx", None)
    if ctx is None:
        return message
    usage = " ".join(ctx.get_usage().split()).removeprefix("Usage: ")
    return f"{message} (usage: {usage}; see `{ctx.command_path} --help`)"


# How help screens name a value, as command-line tools conventionally do (typer's own labels
# are Python's types: "<str>", "<list[str]>", and "<bool>" even for a flag, which takes none).
_METAVARS = {str: "TEXT", int: "INTEGER", float: "NUMBER", Path: "PATH"}


class _PlainArgument(TyperArgument):
    """An argument whose help row shows its name (QUERY, ID...) and no separate type label."""

    def display_type_rich(self, ctx: typer.Context) -> str | None:  # type: ignore[override]
        return None

    def _usage_display_name(self) -> str:
        return self.display_name_raw if self.required else f"[{self.display_name_raw}]"


def conventional_metavars(command: Command, parent: Context | None = None) -> None:
    """Give every parameter of `command` and its sub-commands a conventional metavar."""
    # The help option is made per command on first use, with the names its context inherits
    # (-h): make it now, in the context it will have, to label it like the other flags.
    ctx = command.context_class(
        command, parent=parent, info_name=command.name, **command.context_settings
    )
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        help_option.metavar = ""
    for param in command.params:
        if param.metavar is not None:
            continue
        if isinstance(param, TyperArgument):
            name = (param.name or "value").upper()
            if name.endswith("_ID"):  # paper_id: the reader types an id, whatever it names
                name = "ID"
            if param.nargs != 1:
                name = name.removesuffix("S") + "..."
            param.metavar = name
            param.__class__ = _PlainArgument
        elif getattr(param, "is_flag", False):
            param.metavar = ""
        else:
            annotation = param.type_descriptor.annotation  # type: ignore[attr-defined]
            element = get_args(annotation)[0] if get_origin(annotation) is list else annotation
            param.metavar = _METAVARS.get(element, "TEXT")
    for sub in getattr(command, "commands", {}).values():
        conventional_metavars(sub, ctx)


def main() -> None:
    """Run the CLI; our errors become one line on stderr and an exit code, never a traceback."""
    quiet_libraries()
    try:
        command = typer.main.get_command(app)
        conventional_metavars(command)
        # With standalone_mode=False click returns the code of typer.Exit instead of exiting.
        code = command.main(standalone_mode=False, prog_name="papersift")
        if code == EXIT_INTERRUPTED:  # Ctrl-C, which click turns into this return code
            error_line(INTERRUPTED)
        sys.exit(code if isinstance(code, int) else EXIT_OK)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except UsageError as err:
        error_line(str(err))
        sys.exit(EXIT_FATAL)
    except ParseError as err:
        error_line(err.one_line())
        sys.exit(EXIT_REJECTED)
    except PapersiftError as err:
        error_line(str(err))
        sys.exit(EXIT_FATAL)
    except KeyboardInterrupt:
        error_line(INTERRUPTED)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as err:  # the promise is no traceback, even for our own bugs
        import click

        if isinstance(err, click.exceptions.Abort | typer.Abort):  # click's word for Ctrl-C
            error_line(INTERRUPTED)
            sys.exit(EXIT_INTERRUPTED)
        # Typer raises the usage errors of the click it bundles, which are not click's own.
        if isinstance(err, click.ClickException | typer.TyperException):
            error_line(_usage_error_line(err))
            sys.exit(getattr(err, "exit_code", EXIT_FATAL))
        if os.environ.get("PAPERSIFT_DEBUG"):
            raise
        error_line(f"unexpected {type(err).__name__}: {err} (set PAPERSIFT_DEBUG=1 for details)")
        sys.exit(EXIT_FATAL)
