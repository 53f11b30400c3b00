"""`papersift serve`: the local web app over the same store and the same default model."""

from __future__ import annotations

from typing import Annotated

import typer

from papersift.cli.common import ModelOption, load_config, open_db, shown_location, state
from papersift.cli.output import console
from papersift.errors import UsageError


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option("--port", "-p", help="Port to listen on.")] = None,
    multi_user: Annotated[
        bool, typer.Option("--multi-user", help="Accounts with passwords (for a shared server).")
    ] = False,
    no_signup: Annotated[
        bool,
        typer.Option(
            "--no-signup",
            help="With --multi-user: no sign-up page; accounts come from `papersift user add`.",
        ),
    ] = False,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="With --multi-user: a Host name to answer (repeatable; default: loopback "
            "names when listening on loopback, else any).",
        ),
    ] = None,
    https_only: Annotated[
        bool,
        typer.Option(
            "--https-only",
            help="With --multi-user, behind a TLS proxy: Secure session cookie and HSTS.",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="With --multi-user: comma-separated proxy addresses whose X-Forwarded-For "
            "and X-Forwarded-Proto are believed (default: none).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="With --multi-user: this many server processes over the one store "
            "(a lab's server; see docs/deploying.md).",
        ),
    ] = 1,
    model: ModelOption = None,
) -> None:
    """The local web app: feed, search, library, map and digests in your browser."""
    if no_signup and not multi_user:
        raise UsageError("--no-signup only applies with --multi-user (single-user has no accounts)")
    for flag, given in (
        ("--allowed-host", bool(allowed_host)),
        ("--https-only", https_only),
        ("--forwarded-allow-ips", forwarded_allow_ips is not None),
        ("--workers", workers != 1),
    ):
        if given and not multi_user:
            raise UsageError(f"{flag} only applies with --multi-user (see docs/deploying.md)")
    proxies = [ip.strip() for ip in (forwarded_allow_ips or "").split(",") if ip.strip()]
    from papersift.defaults import DEFAULT_EMBEDDER
    from papersift.store import default_location
    from papersift.web import run

    config = load_config()
    db_path = state.db_path or default_location()
    open_db(create=True).close()  # create and migrate the store before the server starts

    def ready(url: str) -> None:
        processes = f" with {workers} workers" if workers > 1 else ""
        console(stderr=True).print(
            f"papersift is serving {shown_location(db_path)} at {url}{processes} (Ctrl+C stops it)"
        )

    run(
        db_path,
        host or config.serve.host,
        port or config.serve.port,
        multi_user,
        allow_signup=not no_signup,
        model=model or DEFAULT_EMBEDDER,
        on_ready=ready,
        https_only=https_only,
        allowed_hosts=allowed_host or (),
        forwarded_allow_ips=proxies,
        workers=workers,
    )
