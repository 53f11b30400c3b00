"""Web app speed: the feed page with 100k papers stored, then 50 clients searching for 30 s.

    python benchmarks/bench_web.py                        # 100k papers, 50 clients, 30 s
    python benchmarks/bench_web.py --papers 20000 --clients 10 --seconds 10

Targets (issue 6): the feed page in <= 100 ms of server time with 100k papers stored; 50
concurrent clients searching for 30 s on 127.0.0.1 with no errors.

The store is synthetic (bench_ingest's records, dated over a year so "today" holds a day's
worth of papers) and kept in --dir for the next run. Paper vectors are random unit vectors,
stored under the real model's id with the papers' real text hashes so nothing is re-embedded:
what ranking and vector search cost does not depend on what the vectors mean, and embedding
100k abstracts would take an hour on 2 cores. Query embeddings are real (the bundled model).
Server time is the app's own Server-Timing header (request in -> first response byte).

The load test only talks to the server it starts on 127.0.0.1, and stops after --seconds or
--max-requests, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import WORDS, synthetic_record  # noqa: E402

FIRST_DAY = dt.date(2025, 1, 1)
DAYS = 365
LIKES = 30
VOCABULARY = 30_000
READY_MARKER = "bench_web.ready.v2"


# --- the store ------------------------------------------------------------------------------


def vocabulary(size: int = VOCABULARY) -> list[str]:
    """Pseudo-words ranked by frequency, bench_ingest's ML words among the fairly common.

    bench_ingest draws half of every abstract from 60 words, so each word is in most papers
    and any keyword query scores half the store: fine for ingest speed, far from arXiv, where
    a query term is in a few percent of papers at most. Word frequencies here follow Zipf's
    law over VOCABULARY words, as real text does.
    """
    syllables = "ka lo mi ne ru sa ti vo pe da go hu ji ze fa ".split()
    words = []
    for rank in range(size):
        word, n = "", rank + 1
        while n:
            n, digit = divmod(n, len(syllables))
            word += syllables[digit]
        words.append(word)
    words[200 : 200 + len(WORDS)] = WORDS
    return words


def zipf_cdf(size: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1)
    return np.cumsum(weights) / weights.sum()


def zipf_text(words: list[str], cdf: np.ndarray, rng: np.random.Generator, n: int) -> str:
    picks = np.minimum(np.searchsorted(cdf, rng.random(n)), len(words) - 1)
    return " ".join(words[i] for i in picks)


def dated_record(
    i: int,
    n: int,
    rng: random.Random,
    words: list[str],
    cdf: np.ndarray,
    text_rng: np.random.Generator,
) -> dict[str, object]:
    """bench_ingest's record with Zipfian text, first published on one of DAYS days."""
    record = synthetic_record(i, rng)
    day = FIRST_DAY + dt.timedelta(days=i * DAYS // n)
    record["versions"] = [{"version": "v1", "created": f"{day:%a, %d %b %Y} 12:00:00 GMT"}]
    record["update_date"] = day.isoformat()
    record["title"] = zipf_text(words, cdf, text_rng, rng.randint(6, 14)).capitalize()
    record["abstract"] = "  " + zipf_text(words, cdf, text_rng, rng.randint(90, 210)) + "\n"
    return record


def build_store(folder: Path, n: int, embedder: Any) -> Path:
    """The synthetic store with vectors, index and a reader's likes (reused when present)."""
    from papersift import reader_library as library
    from papersift.embed.base import paper_text, text_hash
    from papersift.index.sync import open_index
    from papersift.ingest.files import ingest_paths
    from papersift.store import open_store

    db = folder / f"web-{n}.db"
    marker = folder / f"{READY_MARKER}.{n}"
    if marker.exists() and db.exists():
        return db
    for stale in folder.glob(f"web-{n}.db*"):
        if stale.is_file():
            stale.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    snapshot = folder / f"web-{n}.jsonl"
    rng = random.Random(6)
    text_rng = np.random.default_rng(6)
    words = vocabulary()
    cdf = zipf_cdf(len(words))
    with snapshot.open("wb") as out:
        for i in range(n):
            out.write(orjson.dumps(dated_record(i, n, rng, words, cdf, text_rng)) + b"\n")
    started = time.perf_counter()
    store = open_store(db)
    report = ingest_paths(store, [str(snapshot)])
    print(f"ingested {report.counts.added:,} papers in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    vectors_rng = np.random.default_rng(6)
    batch_rowids: list[int] = []
    batch_hashes: list[str] = []

    def flush() -> None:
        vectors = vectors_rng.standard_normal((len(batch_rowids), embedder.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.save_embeddings(embedder.model_id, batch_rowids, batch_hashes, vectors)
        batch_rowids.clear()
        batch_hashes.clear()

    for rowid, title, abstract, _ in store.embedding_inputs(embedder.model_id):
        batch_rowids.append(rowid)
        batch_hashes.append(text_hash(paper_text(title, abstract)))
        if len(batch_rowids) == 10_000:
            flush()
    if batch_rowids:
        flush()
    open_index(store, embedder.model_id, embedder.dim, warn=print)
    print(f"random vectors and the index in {time.perf_counter() - started:.1f} s")

    liked = random.Random(1).sample(range(1, n + 1), LIKES)
    ids = [p.id for p in store.papers_by_rowid(liked).values()]
    library.rate(store, ids, "like")
    store.close()
    snapshot.unlink()
    marker.touch()
    return db


# --- server time of single pages -------------------------------------------------------------


def server_ms(response: Any) -> float:
    timing = response.headers["server-timing"]
    return float(timing.split("dur=")[1])


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "max": round(ordered[-1], 1),
    }


def page_times(db: Path, embedder: Any, repeats: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from papersift.web import create_app

    app = create_app(db, embedder=embedder)
    client = TestClient(app, base_url="http://127.0.0.1")
    results: dict[str, Any] = {}
    first = client.get("/")
    assert first.status_code == 200 and "Re-rank with my latest likes" in first.text, first.text[
        :500
    ]
    results["feed_first_ms"] = round(server_ms(first), 1)
    results["feed_cached_ms"] = summary([server_ms(client.get("/")) for _ in range(repeats)])

    token = client.get("/api/session").json()["csrf_token"]
    some_id = first.text.split('href="/papers/')[1].split('"')[0]
    client.post(f"/papers/{some_id}/like", data={"csrf_token": token})
    reranked = client.get("/")
    results["feed_after_like_ms"] = round(server_ms(reranked), 1)

    queries = make_queries(repeats, seed=3)
    client.get("/search", params={"q": "warm up the index"})
    results["search_page_ms"] = summary(
        [server_ms(client.get("/search", params={"q": q})) for q in queries]
    )
    results["paper_page_ms"] = summary(
        [server_ms(client.get(f"/papers/{some_id}")) for _ in range(repeats)]
    )
    return results


def make_queries(n: int, seed: int) -> list[str]:
    """Two to four words of middling frequency, as a reader's query has (and the ML words)."""
    rng = random.Random(seed)
    pool = vocabulary()[100:3000]
    return [" ".join(rng.sample(pool, rng.randint(2, 4))) for _ in range(n)]


# --- load: many clients against a real server ------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    code = (
        "import sys; from pathlib import Path; from papersift.web import run; "
        f"run(Path(sys.argv[1]), '127.0.0.1', {port})"
    )
    return subprocess.Popen([sys.executable, "-c", code, str(db)])


async def load(
    base: str, clients: int, seconds: float, max_requests: int, queries: list[str]
) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    server_times: list[float] = []
    errors: list[str] = []
    sent = 0
    deadline = time.monotonic() + seconds

    async def client_loop(number: int, http: httpx.AsyncClient) -> None:
        nonlocal sent
        rng = random.Random(number)
        while time.monotonic() < deadline and sent < max_requests:
            sent += 1
            query = rng.choice(queries)
            # Half the readers use the page, half the API; modes as a person would mix them.
            if rng.random() < 0.5:
                path, params = "/search", {"q": query, "mode": rng.choice(["hybrid", "keyword"])}
            else:
                path, params = "/api/search", {"q": query, "k": 20}
            started = time.perf_counter()
            try:
                response = await http.get(path, params=params)
            except httpx.HTTPError as err:
                errors.append(f"{path}: {type(err).__name__}: {err}")
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                errors.append(f"{path}: HTTP {response.status_code}: {response.text[:200]}")
            else:
                server_times.append(server_ms(response))

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        started = time.monotonic()
        await asyncio.gather(*(client_loop(i, http) for i in range(clients)))
        elapsed = time.monotonic() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:5],
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "latency_ms": summary(latencies) if latencies else None,
        "server_ms": summary(server_times) if server_times else None,
    }


def run_load(db: Path, clients: int, seconds: float, max_requests: int) -> dict[str, Any]:
    import httpx

    port = free_port()
    server = start_server(db, port)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                # The first search waits for the model to load: warm up before the clock starts.
                if httpx.get(f"{base}/api/search?q=warm+up", timeout=120).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.5)
        queries = make_queries(200, seed=11)
        return asyncio.run(load(base, clients, seconds, max_requests, queries))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-requests", type=int, default=20_000, help="stop early after these")
    parser.add_argument("--repeats", type=int, default=30, help="timed requests per page")
    parser.add_argument("--dir", type=Path, default=Path("bench-out"), help="store kept here")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()

    from papersift.embed import load_embedder

    embedder = load_embedder(None)
    db = build_store(args.dir, args.papers, embedder)
    results: dict[str, Any] = {
        "papers": args.papers,
        "pages": page_times(db, embedder, args.repeats),
    }
    print(json.dumps(results["pages"], indent=2))
    if not args.skip_load:
        results["load"] = run_load(db, args.clients, args.seconds, args.max_requests)
        print(json.dumps(results["load"], indent=2))
    (args.dir / "bench_web.json").write_text(json.dumps(results, indent=2) + "\n")
    feed_p95 = results["pages"]["feed_cached_ms"]["p95"]
    failed = feed_p95 > 100 or (not args.skip_load and results["load"]["errors"])
    print(
        f"feed p95 {feed_p95} ms (target <= 100);"
        + ("" if args.skip_load else f" load errors {results['load']['errors']} (target 0)")
    )
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
