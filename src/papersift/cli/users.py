"""`papersift user ...`: the accounts of a multi-user server, each with its own library."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from papersift.cli.common import JsonFlag, open_db
from papersift.cli.output import console, print_json

user_app = typer.Typer(
    help="Accounts for `papersift serve --multi-user` (each has its own library).",
    no_args_is_help=True,
)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account (asks for its password twice unless --password-stdin)."""
    from papersift.accounts import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = create_user(open_db(create=True), name, password)
    console().print(f"Created account {user.name!r}.", markup=False)


@user_app.command("list")
def user_list(as_json: JsonFlag = False) -> None:
    """The accounts, oldest first."""
    from papersift.accounts import list_accounts

    found = list_accounts(open_db())
    if as_json:
        print_json([{"name": a.name, "created_at": a.created_at.isoformat()} for a in found])
    elif not found:
        console().print("No accounts yet: `papersift user add NAME` creates one.")
    else:
        for account in found:
            console().print(f"{account.name}  (since {account.created_at.date()})", markup=False)
