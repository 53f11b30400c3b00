"""A real arXiv listing day at real scale: each step as a whole `papersift` process, timed.

Reads the shared arxiv-daily corpus (../shared/datasets/arxiv-daily, see its SOURCES.md; 74,728
real papers with their listing dates) and writes, under a temporary directory, two files in
the arXiv metadata snapshot format: the "store" (every paper listed before --day, or the last
--store-limit of them) and the "day" (the papers listed on --day; 300 on 2026-07-01). Dates are
the listing dates, so `--since 1d` is exactly the day. Then it times the real commands:

    store: ingest store.jsonl, embed (every paper, the default model)
    day:   like (8 store papers), ingest day.jsonl, embed, recommend --since 1d, digest --since 1d,
           and `daily --no-fetch` on a copy with the day ingested (embed + rank + digest at once)

and prints seconds per step, the day's total (ingest + embed + recommend + digest) and the top
10 recommendations. The liked papers are the 8 newest store papers whose title contains
--like-query ("speculative decoding"), topped up from abstracts when fewer titles match (a
small --store-limit may leave fewer than 8: the run says so and goes on with those).

    python benchmarks/bench_real_day.py --store-limit 3000      # quick: about 2 minutes
    python benchmarks/bench_real_day.py --db /tmp/real-store.db # full: 20-35 min of embedding, once

With --db the store is kept there and reused by later runs with the same --day and
--store-limit (its ingest is skipped and its embed only finishes what is missing); the day's
steps always run on a copy of it, so the stored store stays as it was.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import minimal_loader  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATASET = (
    Path(os.environ.get("PAPERSIFT_SHARED", ROOT.parent / "shared"))
    / "datasets/arxiv-daily/arxiv_cs_daily_2025-03-18_2026-07-01.jsonl.gz"
)
PAPERSIFT = Path(sys.executable).with_name("papersift")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# -- the data ---------------------------------------------------------------------------------


def read_split(path: Path, day: str, store_limit: int | None) -> tuple[list[dict], list[dict]]:
    """(store rows: listed before `day`, the last `store_limit` of them; the day's rows)."""
    store: collections.deque[dict] = collections.deque(maxlen=store_limit)
    today: list[dict] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            listed = row["listing_date"]
            if listed < day:
                store.append(row)
            elif listed == day:
                today.append(row)
            else:
                break  # the file is sorted by listing date
    return list(store), today


def snapshot_record(row: dict) -> dict[str, object]:
    """A corpus row in the arXiv metadata snapshot format (sources/snapshot.py), dated by its
    listing: one version created that day, so published = updated = the listing date."""
    day = dt.date.fromisoformat(row["listing_date"])
    created = (
        f"{WEEKDAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year} 00:00:00 GMT"
    )
    authors = row["authors"] or []
    return {
        "id": row["id"],
        "submitter": None,
        "authors": ", ".join(authors),
        "title": row["title"],
        "comments": row.get("comment"),
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": " ".join(row["categories"]),
        "license": None,
        "abstract": row["abstract"],
        "versions": [{"version": "v1", "created": created}],
        "update_date": row["listing_date"],
        # Whole names as the "last name" part: the snapshot parser then keeps them verbatim.
        "authors_parsed": [[name, "", ""] for name in authors],
    }


def write_snapshot(path: Path, rows: list[dict]) -> None:
    with path.open("wb") as fh:
        for row in rows:
            fh.write(orjson.dumps(snapshot_record(row)) + b"\n")


def pick_likes(store: list[dict], phrase: str, n: int) -> list[dict]:
    """The n newest store papers whose title contains `phrase` (case-insensitive), topped up
    with the newest whose abstract does when fewer titles match."""
    phrase = phrase.lower()
    newest_first = store[::-1]
    picked = [r for r in newest_first if phrase in " ".join(r["title"].split()).lower()][:n]
    if len(picked) < n:
        chosen = {r["id"] for r in picked}
        picked += [
            r
            for r in newest_first
            if r["id"] not in chosen and phrase in " ".join(r["abstract"].split()).lower()
        ][: n - len(picked)]
    return picked


# -- running papersift ------------------------------------------------------------------------


class Bench:
    def __init__(self, env: dict[str, str], model: str | None) -> None:
        self.env = env
        self.model = model
        self.times: list[tuple[str, float, str]] = []  # (step, seconds, note)

    def run(
        self,
        step: str,
        db: Path,
        *argv: str,
        model: bool = False,
        note: str = "",
        ok: tuple[int, ...] = (0,),
        env: dict[str, str] | None = None,
    ) -> Any:
        """Time `papersift --db db argv... --json` as its own process; its parsed JSON output.

        `ok` lists the exit codes that are not a failure (an ingest exits 1 when it rejected
        records and kept the rest)."""
        command = [str(PAPERSIFT), "--db", str(db), *argv, "--json"]
        if model and self.model:
            command += ["--model", self.model]
        print(f"  {step} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run(
            command, env={**self.env, **(env or {})}, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - t0
        if proc.returncode not in ok:
            sys.stderr.write(proc.stderr)
            raise SystemExit(
                f"step {step!r} failed (exit {proc.returncode} after {elapsed:.1f} s): "
                + " ".join(command[1:])
            )
        self.times.append((step, elapsed, note))
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError:
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit(f"step {step!r}: output is not the JSON --json promises") from None

    @contextlib.contextmanager
    def timed(self, step: str, note: str = "") -> Iterator[None]:
        """Time a step run in this process (not papersift: the data preparation, the floor)."""
        print(f"  {step} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        yield
        self.times.append((step, time.perf_counter() - t0, note))

    def seconds(self, step: str) -> float:
        return next(s for name, s, _ in self.times if name == step)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"check failed: {message}")


# Real records papersift still rejects whole (a 500-author name run together, say): a few are
# named and counted, not a failure of the benchmark.
MAX_REJECTED = 10


def expect_ingest(report: Any, n: int, what: str) -> None:
    check(
        isinstance(report, dict)
        and report["added"] + report["rejected"] == n
        and report["rejected"] <= MAX_REJECTED,
        f"ingest of the {what} should add its {n:,} papers: {report}",
    )
    if report["rejected"]:
        print(f"  ({report['rejected']} {what} record(s) rejected by papersift)", file=sys.stderr)


def ids_in(db: Path) -> set[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0] for r in con.execute("SELECT id FROM papers")}
    finally:
        con.close()


def copy_store(src: Path, dst: Path) -> None:
    """The store file and everything beside it (`.index/`, WAL, keyword index) under dst's name."""
    for path in sorted(src.parent.glob(src.name + "*")):
        target = dst.with_name(dst.name + path.name[len(src.name) :])
        if path.is_dir():
            shutil.copytree(path, target)
        else:
            shutil.copy2(path, target)


# -- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", default="2026-07-01", help="the listing day (YYYY-MM-DD)")
    parser.add_argument(
        "--store-limit", type=int, default=None, help="keep only the last N store papers"
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="store DB to build once and reuse (default: a temporary one)",
    )
    parser.add_argument(
        "--like-query", default="speculative decoding", help="what the reader liked"
    )
    parser.add_argument("--likes", type=int, default=8, help="how many papers the reader liked")
    parser.add_argument("--model", default=None, help="embedding model (default: the CLI's own)")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (digest)")
    args = parser.parse_args()
    try:
        dt.date.fromisoformat(args.day)
    except ValueError:
        parser.error(f"--day wants YYYY-MM-DD, not {args.day!r}")
    if args.store_limit is not None and args.store_limit < 1:
        parser.error("--store-limit must be at least 1")
    check(PAPERSIFT.exists(), f"no papersift executable beside {sys.executable}")
    check(args.dataset.exists(), f"no data set at {args.dataset}")

    work = Path(tempfile.mkdtemp(prefix="bench_real_day_"))
    try:
        run_bench(args, work)
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run_bench(args: argparse.Namespace, work: Path) -> None:
    # The user's settings and store stay out of it: no PAPERSIFT_* variable, a config of our own.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSIFT_")}
    env["PAPERSIFT_CONFIG"] = str(work / "config.toml")
    (work / "config.toml").write_text("# bench_real_day.py: all defaults\n")
    bench = Bench(env, args.model)

    print(f"reading {args.dataset.name} ...", file=sys.stderr, flush=True)
    with bench.timed("split the corpus (python)", "preparation"):
        store_rows, day_rows = read_split(args.dataset, args.day, args.store_limit)
    check(bool(day_rows), f"no paper was listed on {args.day}")
    check(bool(store_rows), f"no paper was listed before {args.day}")
    likes = pick_likes(store_rows, args.like_query, args.likes)
    check(bool(likes), f"no store paper mentions {args.like_query!r}; try another --like-query")
    if len(likes) < args.likes:
        print(f"note: only {len(likes)} store papers mention {args.like_query!r}", file=sys.stderr)
    day_file = work / "day.jsonl"
    write_snapshot(day_file, day_rows)

    store_db = args.db.resolve() if args.db else work / "store.db"
    reuse = store_db.exists()
    if reuse:  # before anything slow: the store must be this run's store, paper for paper
        have = ids_in(store_db)
        want = {r["id"] for r in store_rows}
        check(
            have <= want and len(want - have) <= MAX_REJECTED,
            f"{store_db} holds {len(have):,} papers, not the {len(want):,} of this store "
            f"({len(have - want):,} extra, {len(want - have):,} missing): another --day or "
            "--store-limit? Delete it or pick another --db",
        )
        print(f"reusing the store {store_db} ({len(have):,} papers)", file=sys.stderr)
    # The model's one-time preparation (the ONNX export) is cached per machine, not per store:
    # warm it on an empty store so the store's embed measures embedding.
    bench.run(
        "model preparation (empty store)",
        work / "warm.db",
        "embed",
        model=True,
        note="once per machine",
    )

    first, last = store_rows[0]["listing_date"], store_rows[-1]["listing_date"]
    store_note = f"{len(store_rows):,} papers listed {first}..{last}"
    if reuse:
        report = bench.run(
            "store: embed (resume; ingest skipped)", store_db, "embed", model=True, note=store_note
        )
    else:
        store_db.parent.mkdir(parents=True, exist_ok=True)
        store_file = work / "store.jsonl"
        write_snapshot(store_file, store_rows)
        with bench.timed("store: minimal loader (comparison)", "JSON lines -> SQLite+FTS5 only"):
            minimal_loader(store_file, work / "minimal-store.db")
        report = bench.run(
            "store: ingest", store_db, "ingest", str(store_file), note=store_note, ok=(0, 1)
        )
        expect_ingest(report, len(store_rows), "store")
        store_file.unlink()
        report = bench.run("store: embed", store_db, "embed", model=True, note=store_note)
    check(
        isinstance(report, dict)
        and len(store_rows) - MAX_REJECTED
        <= report["embedded"] + report["already"]
        <= len(store_rows),
        f"the store's embeddings should cover its {len(store_rows):,} papers: {report}",
    )
    model_id = report["model"]

    # The day runs on a copy, so a reused store stays exactly the store.
    db = work / "day.db"
    copy_store(store_db, db)
    bench.run(
        "reader: like",
        db,
        "like",
        *[r["id"] for r in likes],
        note=f"{len(likes)} papers on {args.like_query!r}",
    )
    n = len(day_rows)
    with bench.timed("day: minimal loader (comparison)", "JSON lines -> SQLite+FTS5 only"):
        minimal_loader(day_file, work / "minimal-day.db")
    expect_ingest(
        bench.run("day: ingest", db, "ingest", str(day_file), note=f"{n} papers", ok=(0, 1)),
        n,
        "day",
    )
    # `daily` on its own copy of the store with the day ingested: what the morning run does
    # after its fetch (embed the new papers, rank, build and write the digest).
    daily_db = work / "daily.db"
    copy_store(db, daily_db)
    report = bench.run("day: embed", db, "embed", model=True, note=model_id)
    check(
        n - MAX_REJECTED <= report["embedded"] <= n,
        f"the day's embed should embed its {n} papers: {report}",
    )
    picks = bench.run("day: recommend --since 1d", db, "recommend", "--since", "1d", model=True)
    day_ids = {r["id"] for r in day_rows}
    check(
        isinstance(picks, list) and bool(picks) and all(p["id"] in day_ids for p in picks),
        "recommend --since 1d should pick among the day's papers only",
    )
    summary = bench.run(
        "day: digest --since 1d",
        db,
        "digest",
        "--since",
        "1d",
        "--out",
        str(work / "digest"),
        model=True,
    )
    check(
        n - MAX_REJECTED <= summary["papers"] <= n,
        f"the digest should cover the day's {n} papers: {summary}",
    )
    bench.times[-1] = (
        *bench.times[-1][:2],
        f"{summary['top_picks']} picks, {summary['topics']} topics",
    )

    daily = bench.run(
        "day: daily --no-fetch",
        daily_db,
        "daily",
        "--no-fetch",
        model=True,
        ok=(0, 1),
        env={"PAPERSIFT_DIGEST_SINCE": "1d", "PAPERSIFT_DIGEST_OUT_DIR": str(work / "daily")},
        note="embed + rank + digest, as one command",
    )
    check(isinstance(daily, dict), f"daily --json should print an object: {daily!r}")

    day_steps = ("day: ingest", "day: embed", "day: recommend --since 1d", "day: digest --since 1d")
    total = sum(bench.seconds(s) for s in day_steps)
    total_label = "day total (ingest + embed + recommend + digest)"
    width = max(len(total_label), *(len(name) for name, _, _ in bench.times))
    print(
        f"\npapersift on the real arXiv listing of {args.day}: {n} new papers, a store of "
        f"{len(store_rows):,}, model {model_id}, {os.cpu_count()} cores"
    )
    for name, seconds, note in bench.times:
        print(f"  {name:<{width}}  {seconds:8.2f} s  {note}")
    print(f"  {total_label:<{width}}  {total:8.2f} s")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")

    print(f"\nliked ({args.like_query!r}):")
    for row in likes:
        print(f"  {row['id']}  {' '.join(row['title'].split())}")
    print("\ntop 10 recommended:")
    for i, pick in enumerate(picks[:10], start=1):
        print(f"  {i:2}. {pick['id']}  {' '.join(pick['title'].split())}  ({pick['score']:.3f})")
    if args.keep:
        print(f"\ndigest: {', '.join(summary['files'].values())}")


if __name__ == "__main__":
    main()
