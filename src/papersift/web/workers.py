"""`serve --multi-user --workers N`: the app each of N worker processes builds for itself.

uvicorn starts its workers as new (spawned) processes that import an app factory by name, so
the options travel in an environment variable (`OPTIONS_VARIABLE`, JSON) and `from_environment`
builds the app from them. What must be the same in every worker is not kept in the process:

- the session-signing secret is in the store (`session_secret`), made once by the parent
  before any worker starts, so a cookie signed by one worker is good in all;
- a login, a logout and a new password are the account's session generation, in the store;
- feeds, maps and the vector index are per-process caches keyed by fingerprints read from the
  store on every request, so a like made through one worker shows in every other's next page;
- the login limits and the password-hashing slots stay in each process's memory, each worker
  with its share of them (see `share`).
"""

from __future__ import annotations

import json
import math
import os
import secrets
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from papersift.store.base import Store

if TYPE_CHECKING:
    from fastapi import FastAPI

OPTIONS_VARIABLE = "PAPERSIFT_SERVE_OPTIONS"
# Set (to anything) to have every response name the worker that answered (tests, the load
# benchmark): X-Papersift-Worker: <pid>.
WORKER_HEADER_VARIABLE = "PAPERSIFT_WORKER_HEADER"
WORKER_HEADER = "X-Papersift-Worker"
# The checkpoint that holds the secret signing every worker's session cookies.
SECRET_CHECKPOINT = "serve:session-secret"
# `create_app`'s defaults, of which each worker gets its share.
LOGIN_ATTEMPTS = 5
SIGNUPS_PER_HOUR = 10
PASSWORD_CHECKS = 2


@dataclass(frozen=True)
class WorkerOptions:
    """What `serve` passes to each worker."""

    db: str
    workers: int
    multi_user: bool = True
    allow_signup: bool = True
    model: str | None = None
    allowed_hosts: list[str] | None = None
    https_only: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> WorkerOptions:
        return cls(**json.loads(text))


def session_secret(store: Store) -> str:
    """The store's session-signing secret, made on first use.

    Kept in the store rather than in a process, so N workers (and a restarted server) sign and
    check cookies alike. Whoever can read the store can forge a cookie with it, but could as
    well rewrite the accounts' password hashes: the store is the trust boundary either way.
    """
    with store.transaction():
        secret = store.get_checkpoint(SECRET_CHECKPOINT)
        if secret is None:
            secret = secrets.token_urlsafe(32)
            store.set_checkpoint(SECRET_CHECKPOINT, secret)
    return secret


def share(total: int, workers: int) -> int:
    """One worker's share of a server-wide bound, at least 1.

    The login limits (issue 21: an attempt is recorded before its password is checked) and the
    password-hashing slots are kept in each worker's memory and divided among the workers,
    rather than shared through the store: a shared counter would be a write to one hot row on
    every login attempt, and a slot held in the database would outlive a killed worker. With
    the bound divided, N workers together allow at most `total + N - 1` guesses an account a
    window and hash at most `max(total, N)` passwords at once (64 MiB each), whichever
    worker the kernel hands each connection to.
    """
    return max(1, math.ceil(total / max(1, workers)))


def from_environment() -> FastAPI:
    """The app of one worker (uvicorn's factory), from the options `serve` put in the
    environment."""
    from papersift.store import is_url
    from papersift.web.app import create_app

    text = os.environ.get(OPTIONS_VARIABLE)
    if not text:
        raise RuntimeError(f"{OPTIONS_VARIABLE} is not set: start workers with `papersift serve`")
    options = WorkerOptions.from_json(text)
    location: str | Path = options.db if is_url(options.db) else Path(options.db)

    def warn(message: str) -> None:
        print(f"warning: {message}", file=sys.stderr)

    from papersift.store import open_store

    store = open_store(location)
    try:
        secret = session_secret(store)
    finally:
        store.close()
    app = create_app(
        location,
        multi_user=options.multi_user,
        allow_signup=options.allow_signup,
        model=options.model,
        preload_model=True,
        allowed_hosts=options.allowed_hosts,
        https_only=options.https_only,
        secret_key=secret,
        login_attempts=share(LOGIN_ATTEMPTS, options.workers),
        signups_per_hour=share(SIGNUPS_PER_HOUR, options.workers),
        password_checks=share(PASSWORD_CHECKS, options.workers),
        warn=warn,
    )
    if os.environ.get(WORKER_HEADER_VARIABLE):
        pid = str(os.getpid())

        @app.middleware("http")
        async def name_the_worker(request, call_next):  # type: ignore[no-untyped-def]
            response = await call_next(request)
            response.headers[WORKER_HEADER] = pid
            return response

    return app
