"""`papersift config ...`: where the configuration file is, a starter file, what is in force."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from papersift.cli.common import JsonFlag, load_config
from papersift.cli.output import console, print_json
from papersift.errors import UsageError

config_app = typer.Typer(help="The configuration file.", no_args_is_help=True)


@config_app.command("path")
def config_path_command() -> None:
    """Where the configuration file is (it need not exist: defaults apply)."""
    from papersift.config import config_path

    typer.echo(str(config_path()))


@config_app.command("init")
def config_init(
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a starter configuration file (the defaults, commented out) where papersift reads it."""
    from papersift.config import config_path, starter_config

    path = config_path()
    if path.exists() and not force:
        raise UsageError(f"{path} exists: edit it, or overwrite it with --force")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(starter_config(), encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror}") from None
    console().print(f"Wrote {path}; `papersift config show` shows what is in force.")


@config_app.command("show")
def config_show(as_json: JsonFlag = False) -> None:
    """The settings in force (file, then environment, then defaults); secrets masked."""
    from papersift.config import config_as_toml, show_config

    config = load_config()
    shown = show_config(config)
    if as_json:
        print_json(shown)
        return
    sys.stdout.write(config_as_toml(shown, str(config.path or "no config file; defaults")))
