"""A lab's server under load: `serve --multi-user --workers N`, 50 readers for 60 s, likes checked.

    python benchmarks/bench_serve_load.py --db /tmp/lab.db             # SQLite
    python benchmarks/bench_serve_load.py --pg                         # a throw-away PostgreSQL
    python benchmarks/bench_serve_load.py --db postgresql://me@127.0.0.1/lab --workers 4
    python benchmarks/bench_serve_load.py --readers 10 --seconds 10 --papers 100   # quick

Seeds the store (when it has fewer papers than --papers) with real arXiv cs papers, read by
path from ../shared/datasets/arxiv-daily (the first --papers records), embeds them, and makes
--readers accounts; then starts the server on 127.0.0.1 and lets each reader log in and, at
random, like a paper, tag one, search, or load their feed, through the HTTP API with its CSRF
token, until --seconds have passed. Every like a reader made is recorded, and afterwards the
store must hold each exactly once (per reader and paper) and no like nobody made: no lost or
doubled writes. Prints p50/p95 latency per kind of request and overall, errors, requests/s.

Readers sit behind a pretend proxy: each sends its own X-Forwarded-For, which the server
believes from 127.0.0.1 only (--forwarded-allow-ips), as a lab's TLS proxy would pass them on;
otherwise 50 logins from one address would meet the login limit. The load only ever goes to
the server this script starts on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERSIFT_SHARED", REPO.parent / "shared"))
ARXIV_DAILY = SHARED / "datasets" / "arxiv-daily" / "arxiv_cs_daily_2025-03-18_2026-07-01.jsonl.gz"
PASSWORD = "load test password 1"
KINDS = ("like", "tag", "search", "feed")
QUERIES = (
    "language models",
    "diffusion",
    "graph neural networks",
    "reinforcement learning",
    "quantization",
    "speech recognition",
    "robot",
    "privacy",
)
TAGS = ("to-read", "methods", "baseline", "group-meeting")


# --- the store --------------------------------------------------------------------------------


def open_location(db: str) -> Any:
    """The store at a SQLite path or a postgresql:// URL."""
    from papersift.store import is_url, open_store

    return open_store(db if is_url(db) else Path(db))


def sample_papers(count: int) -> list[Any]:
    """The first `count` real arXiv cs papers of the shared daily data set (see its
    SOURCES.md), dated by the listing they appeared in."""
    import datetime as dt
    import json

    from papersift.sources.common import build_paper

    papers = []
    with gzip.open(ARXIV_DAILY, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            day = dt.date.fromisoformat(row["listing_date"])
            papers.append(
                build_paper(
                    "arxiv-daily",
                    row["id"],
                    id=row["id"],
                    title=row["title"],
                    source="arxiv-api",
                    abstract=row["abstract"],
                    authors=tuple(row["authors"] or ()),
                    arxiv_id=row["id"],
                    published=day,
                    updated=day,
                    categories=tuple(row["categories"]),
                )
            )
            if len(papers) >= count:
                break
    return papers


def reader_names(readers: int) -> list[str]:
    return [f"reader{index:03d}" for index in range(readers)]


def seed(db: str, papers: int, readers: int, log: Any = print) -> list[str]:
    """Real papers (embedded, so no worker has to) and the readers' accounts; the paper ids."""
    from papersift import accounts
    from papersift.defaults import DEFAULT_EMBEDDER
    from papersift.embed import load_embedder
    from papersift.index.sync import embed_missing, open_index

    store = open_location(db)
    try:
        if store.count() < papers:
            started = time.perf_counter()
            store.upsert(sample_papers(papers))
            log(f"stored {store.count()} papers in {time.perf_counter() - started:.1f} s")
        embedder = load_embedder(DEFAULT_EMBEDDER)  # the model `serve` loads
        started = time.perf_counter()
        embed_missing(store, embedder)
        open_index(store, embedder.model_id, embedder.dim, warn=lambda message: None)
        log(f"embedded and indexed in {time.perf_counter() - started:.1f} s")
        for name in reader_names(readers):
            if store.users().named(name) is None:
                accounts.create_user(store, name, PASSWORD)
        return [paper.id for _, paper in store.iter_papers()][:papers]
    finally:
        store.close()


def stored_likes(db: str, names: list[str]) -> dict[str, Counter[str]]:
    """Each reader's liked paper ids, counted (anything above 1 is a doubled write)."""
    store = open_location(db)
    try:
        likes: dict[str, Counter[str]] = {}
        for name in names:
            account = store.users().named(name)
            assert account is not None, name
            liked = [f.paper_rowid for f in store.library(account.id).feedback() if f.rating > 0]
            papers = store.papers_by_rowid(liked)
            likes[name] = Counter(papers[rowid].id for rowid in liked)
        return likes
    finally:
        store.close()


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(db: str, workers: int, port: int | None = None) -> Iterator[str]:
    """`papersift serve --multi-user --workers N` on 127.0.0.1 until the block ends; its URL."""
    port = port or free_port()
    env = {
        **os.environ,
        "PAPERSIFT_WORKER_HEADER": "1",
        "PYTHONPATH": os.pathsep.join(
            [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    command = [
        sys.executable, "-m", "papersift.cli", "--db", db, "serve", "--multi-user",
        "--workers", str(workers), "--host", "127.0.0.1", "--port", str(port),
        "--forwarded-allow-ips", "127.0.0.1",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/api/session", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None:
                raise RuntimeError(f"the server stopped: {server.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start in 120 s")
            time.sleep(0.25)
        yield url
    finally:
        # The supervisor stops its workers on SIGTERM; the group is ours, made for this server.
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


# --- the readers ------------------------------------------------------------------------------


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    likes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    workers: set[str] = field(default_factory=set)
    busy_logins: int = 0
    started: float = 0.0
    elapsed: float = 0.0

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 10:
            self.examples.append(f"{kind}: {detail}")


async def log_in(client: httpx.AsyncClient, name: str, results: Results) -> bool:
    """Log in as a browser would: the form with its CSRF token; a 503 (every password-hashing
    slot busy) is waited out as its Retry-After says, and counted."""
    for _ in range(30):
        started = time.perf_counter()
        token = (await client.get("/api/session")).json()["csrf_token"]
        login = await client.post(
            "/login",
            data={"name": name, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        results.latencies["login"].append(time.perf_counter() - started)
        if login.status_code == 303:
            client.headers["X-CSRF-Token"] = (await client.get("/api/session")).json()["csrf_token"]
            return True
        if login.status_code != 503:
            results.error("login", f"{login.status_code} {login.text[:200]}")
            return False
        results.busy_logins += 1
        await asyncio.sleep(float(login.headers.get("retry-after", "1")))
    results.error("login", "503 thirty times")
    return False


async def request(
    client: httpx.AsyncClient, kind: str, paper: str, rng: random.Random
) -> httpx.Response:
    if kind == "like":
        return await client.post("/api/library/rate", json={"ids": [paper], "action": "like"})
    if kind == "tag":
        return await client.post("/api/library/tag", json={"tag": rng.choice(TAGS), "ids": [paper]})
    if kind == "search":
        return await client.get("/api/search", params={"q": rng.choice(QUERIES), "k": 10})
    return await client.get("/api/recommend")  # the newest day, as the feed page shows


async def reader(
    client: httpx.AsyncClient,
    index: int,
    name: str,
    paper_ids: list[str],
    until: float,
    results: Results,
) -> None:
    rng = random.Random(index)
    while time.monotonic() < until:
        kind = rng.choice(KINDS)
        paper = rng.choice(paper_ids)
        started = time.perf_counter()
        try:
            response = await request(client, kind, paper, rng)
        except httpx.HTTPError as err:
            results.error(kind, f"{type(err).__name__}: {err}")
            continue
        results.latencies[kind].append(time.perf_counter() - started)
        results.workers.add(response.headers.get("x-papersift-worker", "?"))
        if response.status_code != 200:
            results.error(kind, f"{response.status_code} {response.text[:200]}")
        elif kind == "like":
            results.likes[name].add(paper)


async def load(url: str, names: list[str], paper_ids: list[str], seconds: float) -> Results:
    """Log every reader in, warm each worker up (its model's first encodes, its first feed),
    then the measured `seconds` of reading."""
    results = Results()
    clients = [
        httpx.AsyncClient(
            base_url=url,
            # Each reader behind the pretend proxy has its own address.
            headers={"X-Forwarded-For": f"10.0.{index // 250}.{index % 250 + 1}"},
            timeout=120,
        )
        for index in range(len(names))
    ]
    try:
        logged_in = await asyncio.gather(
            *(log_in(client, name, results) for client, name in zip(clients, names))
        )
        readers = [(i, c, n) for i, (c, n, ok) in enumerate(zip(clients, names, logged_in)) if ok]
        warm = random.Random(0)
        for kind in ("search", "feed"):
            await asyncio.gather(*(request(c, kind, paper_ids[0], warm) for _, c, _ in readers))
        results.started = time.monotonic()
        until = results.started + seconds
        await asyncio.gather(*(reader(c, i, n, paper_ids, until, results) for i, c, n in readers))
        results.elapsed = time.monotonic() - results.started
    finally:
        for client in clients:
            await client.aclose()
    return results


def check_likes(made: dict[str, set[str]], stored: dict[str, Counter[str]]) -> list[str]:
    """What is wrong with the stored likes: one made and missing, doubled, or never made."""
    problems: list[str] = []
    for name, counts in stored.items():
        wanted = made.get(name, set())
        for paper in wanted - set(counts):
            problems.append(f"{name}: like of {paper} lost")
        for paper, count in counts.items():
            if count != 1:
                problems.append(f"{name}: like of {paper} stored {count} times")
            if paper not in wanted:
                problems.append(f"{name}: like of {paper} that nobody made")
    return problems


@dataclass
class Report:
    backend: str
    workers: int
    readers: int
    seconds: float
    results: Results
    problems: list[str]

    @property
    def requests(self) -> int:
        return sum(len(v) for k, v in self.results.latencies.items() if k != "login")

    def lines(self) -> list[str]:
        def row(kind: str, values: list[float]) -> str:
            if not values:
                return f"  {kind:<8} {0:>7}"
            ordered = sorted(values)
            p50 = statistics.median(ordered) * 1000
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000
            return f"  {kind:<8} {len(values):>7} {p50:>9.1f} {p95:>9.1f}"

        latencies = self.results.latencies
        everything = [x for kind in KINDS for x in latencies.get(kind, [])]
        likes = sum(len(v) for v in self.results.likes.values())
        return [
            f"{self.backend}: {self.readers} readers, {self.workers} workers, {self.seconds:.0f} s"
            f" (served by {len(self.results.workers - {'?'})} worker processes)",
            f"  {'request':<8} {'count':>7} {'p50 ms':>9} {'p95 ms':>9}",
            *(row(kind, latencies.get(kind, [])) for kind in ("login", *KINDS)),
            row("all", everything),
            f"  logins waited out a busy server (503) {self.results.busy_logins} times",
            f"  {self.requests / self.seconds:.1f} requests/s, "
            f"{sum(self.results.errors.values())} errors {dict(self.results.errors)}",
            f"  likes: {likes} made, "
            + ("each stored exactly once" if not self.problems else f"{len(self.problems)} wrong"),
            *(f"  ! {line}" for line in self.results.examples + self.problems[:10]),
        ]


def run(
    db: str, workers: int, readers: int, seconds: float, papers: int, log: Any = print
) -> Report:
    from papersift.store.postgres.connection import is_url

    names = reader_names(readers)
    paper_ids = seed(db, papers, readers, log)
    with serving(db, workers) as url:
        results = asyncio.run(load(url, names, paper_ids, seconds))
    problems = check_likes(results.likes, stored_likes(db, names))
    backend = "PostgreSQL" if is_url(db) else "SQLite"
    return Report(backend, workers, readers, results.elapsed, results, problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="a SQLite file or a postgresql:// URL (default: a temp file)")
    parser.add_argument("--pg", action="store_true", help="start a throw-away PostgreSQL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--papers", type=int, default=300)
    args = parser.parse_args()
    if not ARXIV_DAILY.exists():
        sys.exit(f"the real sample is not at {ARXIV_DAILY} (set PAPERSIFT_SHARED)")
    cluster = None
    if args.pg:
        sys.path.insert(0, str(REPO))
        from tests.pg_cluster import PgCluster, why_unavailable

        if reason := why_unavailable():
            sys.exit(reason)
        cluster = PgCluster().start()
        db = cluster.create_database()
    else:
        import tempfile

        db = args.db or str(Path(tempfile.mkdtemp(prefix="papersift-load-")) / "lab.db")
    try:
        report = run(db, args.workers, args.readers, args.seconds, args.papers)
    finally:
        if cluster is not None:
            cluster.stop()
    print("\n".join(report.lines()))
    sys.exit(1 if report.problems or report.results.errors else 0)


if __name__ == "__main__":
    main()
