"""Follow authors, save alerts, set keyword rules, and control what the ranking learns from.

Each command calls one function of `papersift.reader_follows` and prints what it did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from papersift.cli.common import JsonFlag, open_db
from papersift.cli.output import console, print_json
from papersift.errors import UsageError

if TYPE_CHECKING:
    from papersift.store.base import Follow, FollowKind

follow_app = typer.Typer(
    help="Follow authors: their new papers get a digest section of their own.",
    no_args_is_help=True,
)
alert_app = typer.Typer(
    help="Saved searches run over every digest window; their hits get a section.",
    no_args_is_help=True,
)
rule_app = typer.Typer(
    help="Hard keyword rules: exclude hides papers everywhere, include always shows them.",
    no_args_is_help=True,
)
profile_app = typer.Typer(
    help="What the ranking learns from: switch signals and tags on or off, or reset.",
    no_args_is_help=True,
)

RemoveKey = Annotated[str, typer.Argument(help="Its number (from the list) or its text.")]


def _describe(follow: Follow) -> str:
    if follow.kind == "alert":
        return f"{follow.text} ({follow.mode})"
    if follow.kind == "rule":
        return f"{follow.mode} {follow.text!r}"
    return follow.text


def _list(kind: FollowKind, as_json: bool, empty: str) -> None:
    from papersift.reader_follows import list_follows

    follows = list_follows(open_db(), kind)
    if as_json:
        print_json(
            [
                {"id": f.id, "text": f.text, "mode": f.mode, "added": f.at.isoformat()}
                for f in follows
            ]
        )
    elif not follows:
        console().print(empty)
    else:
        for follow in follows:
            console().print(f"{follow.id:>3}  {_describe(follow)}", markup=False)


def _remove(kind: FollowKind, key: str) -> None:
    from papersift.reader_follows import remove_follow

    for follow in remove_follow(open_db(), kind, key):
        console().print(f"Removed {_describe(follow)}.", markup=False)


def _added(text: str, added: bool, new: str, old: str) -> None:
    console().print((new if added else old).format(text=repr(text)), markup=False)


# -- follow --------------------------------------------------------------------------------


@follow_app.command("author")
def follow_author(
    name: Annotated[str, typer.Argument(help='The name, e.g. "Yann LeCun" (initials match).')],
) -> None:
    """Follow an author: matched on the name, case, accents and initials aside."""
    from papersift.reader_follows import add_follow

    text, added = add_follow(open_db(create=True), "author", name)
    _added(text, added, "Following {text}.", "Already following {text}.")


@follow_app.command("list")
def follow_list(as_json: JsonFlag = False) -> None:
    """List the authors you follow, with their numbers."""
    _list("author", as_json, 'Nobody followed yet: papersift follow author "Name Surname"')


@follow_app.command("remove")
def follow_remove(key: RemoveKey) -> None:
    """Stop following an author."""
    _remove("author", key)


# -- alert ---------------------------------------------------------------------------------


@alert_app.command("add")
def alert_add(
    query: Annotated[str, typer.Argument(help='What to watch for, e.g. "speculative decoding".')],
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="keyword: papers with every word (stemmed); semantic: papers close in meaning.",
        ),
    ] = "keyword",
) -> None:
    """Save a search: every digest lists the window's papers it finds."""
    from papersift.reader_follows import add_follow

    text, added = add_follow(open_db(create=True), "alert", query, mode)
    _added(text, added, f"Added alert {{text}} ({mode}).", "Already have alert {text}.")


@alert_app.command("list")
def alert_list(as_json: JsonFlag = False) -> None:
    """List your alerts, with their numbers."""
    _list("alert", as_json, 'No alerts yet: papersift alert add "speculative decoding"')


@alert_app.command("remove")
def alert_remove(key: RemoveKey) -> None:
    """Remove an alert."""
    _remove("alert", key)


# -- rule ----------------------------------------------------------------------------------


@rule_app.command("add")
def rule_add(
    exclude: Annotated[
        str | None,
        typer.Option("--exclude", help="Hide papers with these words everywhere."),
    ] = None,
    include: Annotated[
        str | None,
        typer.Option("--include", help="Always show papers with these words, in their section."),
    ] = None,
) -> None:
    """Add a keyword rule (whole words in the title or abstract; an exclude beats an include)."""
    from papersift.reader_follows import add_follow

    if (exclude is None) == (include is None):
        raise UsageError('give one of --exclude "WORDS" or --include "WORDS"')
    mode, text = ("exclude", exclude) if exclude is not None else ("include", include)
    assert text is not None
    kept, added = add_follow(open_db(create=True), "rule", text, mode)
    _added(kept, added, f"Added rule: {mode} {{text}}.", f"Already have rule: {mode} {{text}}.")


@rule_app.command("list")
def rule_list(as_json: JsonFlag = False) -> None:
    """List your rules, with their numbers."""
    _list("rule", as_json, 'No rules yet: papersift rule add --exclude "survey"')


@rule_app.command("remove")
def rule_remove(key: RemoveKey) -> None:
    """Remove a rule (by text: both its include and its exclude)."""
    _remove("rule", key)


# -- profile -------------------------------------------------------------------------------


@profile_app.command("reset")
def profile_reset(
    likes: Annotated[bool, typer.Option("--likes", help="Forget your likes.")] = False,
    dislikes: Annotated[bool, typer.Option("--dislikes", help="Forget your dislikes.")] = False,
    every: Annotated[
        bool, typer.Option("--all", help="Forget likes, dislikes, tags and interests.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget what the ranking learned from: likes, dislikes, or everything."""
    from papersift.reader_follows import reset_profile

    chosen = [name for name, on in (("likes", likes), ("dislikes", dislikes)) if on]
    if every:
        chosen = ["all"]
    if not chosen:
        raise UsageError("say what to reset: --likes, --dislikes or --all")
    what = {"likes": "your likes", "dislikes": "your dislikes"}
    wording = (
        "your likes, dislikes, tags and interests"
        if every
        else " and ".join(what[name] for name in chosen)
    )
    if not yes and not typer.confirm(f"Forget {wording}?", default=False):
        console().print("Nothing was changed.")
        raise typer.Exit(1)
    store = open_db()
    counts = [reset_profile(store, part) for part in chosen]
    removed = {
        "likes": sum(c.likes for c in counts),
        "dislikes": sum(c.dislikes for c in counts),
        "tags": sum(c.tags for c in counts),
        "interests": sum(c.interests for c in counts),
    }
    parts = [f"{n} {name}" for name, n in removed.items() if n or name in chosen or every]
    console().print(f"Removed {', '.join(parts)}.")


@profile_app.command("set")
def profile_set(
    signal: Annotated[
        str, typer.Argument(help="likes, interests, follows, trending, or tag:NAME.")
    ],
    value: Annotated[str, typer.Argument(help="on or off.")],
) -> None:
    """Switch a signal or a tag on or off for the ranking."""
    from papersift.reader_follows import parse_switch, set_switch

    enabled = parse_switch(value)
    changed = set_switch(open_db(create=True), signal, enabled)
    state = "on" if enabled else "off"
    console().print(
        f"{signal} is now {state}." if changed else f"{signal} was already {state}.",
        markup=False,
    )


@profile_app.command("show")
def profile_show(as_json: JsonFlag = False) -> None:
    """Show which signals and tags the ranking uses, and what your profile holds."""
    from papersift.reader_follows import profile_state
    from papersift.store.base import SIGNALS

    state = profile_state(open_db())
    signals = {s: state.signal_on(s) for s in SIGNALS}
    tags = {name: state.tag_on(name) for name, _ in state.tags}
    if as_json:
        print_json(
            {
                "signals": signals,
                "tags": tags,
                "likes": state.likes,
                "dislikes": state.dislikes,
                "interests": state.interests,
            }
        )
        return
    out = console()
    for signal, enabled in signals.items():
        out.print(f"{signal:<10} {'on' if enabled else 'off'}", markup=False)
    for name, count in state.tags:
        word = "on" if state.tag_on(name) else "off"
        out.print(f"tag:{name}  {word}  ({count} papers)", markup=False)
    out.print(
        f"{state.likes} likes, {state.dislikes} dislikes, {state.interests} interests.",
        markup=False,
    )
