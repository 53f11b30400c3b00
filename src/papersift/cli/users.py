"""`papersift user ...`: the accounts of a multi-user server, each with its own library."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from papersift.cli.common import JsonFlag, open_db
from papersift.cli.output import console, print_json

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]

user_app = typer.Typer(
    help="Accounts for `papersift serve --multi-user` (each has its own library).",
    no_args_is_help=True,
)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: PasswordStdin = False,
    admin: Annotated[
        bool,
        typer.Option("--admin", help="May see the server's configuration (the first account is)."),
    ] = False,
) -> None:
    """Create an account (asks for its password twice unless --password-stdin)."""
    from papersift.accounts import create_user

    user = create_user(open_db(create=True), name, _read_password(password_stdin), admin=admin)
    role = " (admin)" if user.admin else ""
    console().print(f"Created account {user.name!r}{role}.", markup=False)


@user_app.command("passwd")
def user_passwd(
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set an account's new password; every session it has is logged out."""
    from papersift.accounts import change_password

    user = change_password(open_db(), name, _read_password(password_stdin))
    console().print(
        f"Changed the password of {user.name!r}; its sessions are logged out.", markup=False
    )


@user_app.command("remove")
def user_remove(
    name: Annotated[str, typer.Argument(help="Login name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an account with its library and digests; its sessions end at once."""
    from papersift.accounts import remove_user

    store = open_db()
    if not yes and not typer.confirm(
        f"Delete the account {name!r}, its likes, tags, interests and digests?"
    ):
        raise typer.Exit(1)
    user = remove_user(store, name)
    console().print(f"Removed account {user.name!r}.", markup=False)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("list")
def user_list(as_json: JsonFlag = False) -> None:
    """The accounts, oldest first."""
    from papersift.accounts import list_accounts

    found = list_accounts(open_db())
    if as_json:
        print_json(
            [
                {"name": a.name, "created_at": a.created_at.isoformat(), "admin": a.is_admin}
                for a in found
            ]
        )
    elif not found:
        console().print("No accounts yet: `papersift user add NAME` creates one.")
    else:
        for account in found:
            role = ", admin" if account.is_admin else ""
            console().print(
                f"{account.name}  (since {account.created_at.date()}{role})", markup=False
            )
