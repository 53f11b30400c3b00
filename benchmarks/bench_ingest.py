"""Ingest speed: N synthetic arXiv-snapshot records -> a fresh SQLite store, end to end.

Prints records/s and store size per 100k papers. Target: >= 20,000 records/s on 2 cores
(all of arXiv, 2.7M records, in under 3 minutes).

    python benchmarks/bench_ingest.py --n 200000
    python benchmarks/bench_ingest.py --snapshot all-of-arxiv.jsonl --rounds 1

Each round also times a minimal JSON-lines -> SQLite+FTS5 loader on the same file just
before, since this VM's speed drifts: the ratio to it is the number that compares sessions.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import orjson

WORDS = (
    "transformer attention sparse quantization diffusion graph neural network retrieval "
    "augmented generation policy gradient reinforcement learning language model benchmark "
    "federated privacy robust adversarial contrastive representation embedding latent "
    "variational inference bayesian optimization kernel convex stochastic gradient descent "
    "convergence bound empirical evaluation dataset state-of-the-art efficient scalable "
    "inference training fine-tuning low-rank adaptation pruning distillation"
).split()
# Function words, so word lengths and so abstract lengths look like arXiv's (mean ~1,000
# characters, ~150 words; the snapshot averages ~1.7 KB per JSON line).
FILLER = "we the of a and to in for on with that is are this our by from as an".split()
CATS = ["cs.LG", "cs.CL", "cs.CV", "stat.ML", "cs.AI", "math.OC", "hep-th", "quant-ph"]


def synthetic_record(i: int, rng: random.Random) -> dict[str, object]:
    arxiv_id = f"{10 + i // 1_000_000:02d}{1 + (i // 100_000) % 12:02d}.{i % 100_000:05d}"
    n_authors = rng.randint(1, 8)
    authors = [
        (f"Surname{rng.randint(0, 50_000)}", f"Given{rng.randint(0, 500)}", "")
        for _ in range(n_authors)
    ]
    words = [
        rng.choice(WORDS if rng.random() < 0.55 else FILLER) for _ in range(rng.randint(90, 210))
    ]
    # About a quarter of real abstracts carry LaTeX: mostly math, some accents and braces.
    if rng.random() < 0.25:
        words.insert(rng.randrange(len(words)), r"$O(n \log n)$")
        words.insert(rng.randrange(len(words)), r"$\alpha=0.5$")
    if rng.random() < 0.08:
        words.insert(rng.randrange(len(words)), r"{GAN}s by M\"uller")
    # Hard-wrapped at ~80 columns with two leading spaces, as the snapshot has it.
    lines, line = [], ""
    for word in words:
        if len(line) + len(word) > 78:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    abstract = "\n".join([*lines, line])
    cats = rng.sample(CATS, rng.randint(1, 3))
    # 58% of the records of the shared Kaggle sample carry a DOI: each is one more alias to
    # look up and store, at a random place in its index.
    doi = f"10.{rng.randint(1000, 9999)}/j.{rng.randint(0, 10**9)}" if rng.random() < 0.58 else None
    return {
        "id": arxiv_id,
        "submitter": f"{authors[0][1]} {authors[0][0]}",
        "authors": ", ".join(f"{g} {s}" for s, g, _ in authors),
        "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize(),
        "comments": f"{rng.randint(5, 40)} pages",
        "journal-ref": None,
        "doi": doi,
        "report-no": None,
        "categories": " ".join(cats),
        "license": "http://creativecommons.org/licenses/by/4.0/",
        "abstract": "  " + abstract + "\n",
        "versions": [
            {"version": f"v{v}", "created": f"Mon, {1 + v} Apr 2019 19:18:42 GMT"}
            for v in range(1, rng.randint(1, 3) + 1)
        ],
        "update_date": "2019-04-10",
        "authors_parsed": [list(a) for a in authors],
    }


def write_snapshot(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("wb") as fh:
        for i in range(n):
            fh.write(orjson.dumps(synthetic_record(i, rng)) + b"\n")


def minimal_loader(snapshot: Path, db: Path) -> float:
    """The floor to compare with: JSON lines -> one SQLite table + FTS5, nothing else."""
    import sqlite3

    for old in db.parent.glob(db.name + "*"):
        old.unlink()
    t0 = time.perf_counter()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(
        "CREATE TABLE p(rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, title TEXT, "
        "abstract TEXT, authors TEXT, categories TEXT)"
    )
    con.execute(
        "CREATE VIRTUAL TABLE f USING fts5(title, abstract, authors, content='p', "
        "content_rowid='rowid')"
    )
    rowid = 0
    with snapshot.open("rb") as fh:
        while lines := fh.readlines(8 * 1024 * 1024):
            rows = []
            for line in lines:
                r = orjson.loads(line)
                rowid += 1
                rows.append(
                    (rowid, r["id"], r["title"], r["abstract"], r["authors"], r["categories"])
                )
            con.execute("BEGIN")
            con.executemany("INSERT INTO p VALUES (?, ?, ?, ?, ?, ?)", rows)
            con.executemany(
                "INSERT INTO f(rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
                [(r[0], r[2], r[3], r[4]) for r in rows],
            )
            con.execute("COMMIT")
    con.close()
    return rowid / (time.perf_counter() - t0)


def ingest_into_fresh_store(snapshot: Path, db: Path) -> tuple[float, int]:
    """(seconds, records) to ingest the snapshot into a new store, closing it included (its
    last checkpoint writes what the WAL still holds: part of the job)."""
    from papersift.ingest.files import ingest_paths
    from papersift.store import open_store

    for old in db.parent.glob(db.name + "*"):
        old.unlink()
    t0 = time.perf_counter()
    store = open_store(db)
    report = ingest_paths(store, [str(snapshot)])
    store.close()
    elapsed = time.perf_counter() - t0
    assert report.ok and report.counts.added == report.records, report.counts
    return elapsed, report.records


def main() -> None:
    from papersift.ingest.files import ingest_paths
    from papersift.store import open_store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="records to ingest")
    parser.add_argument("--rounds", type=int, default=3, help="fresh-store ingests to time")
    parser.add_argument("--dir", type=Path, default=None, help="work directory (default: tmp)")
    parser.add_argument(
        "--snapshot",
        type=Path,
        default=None,
        help="ingest this snapshot file instead of generating --n records (e.g. a 2.7M one "
        "made once with write_snapshot: generating that takes ~7 minutes)",
    )
    args = parser.parse_args()
    if args.dir is not None and not args.dir.is_dir():
        parser.error(f"--dir {args.dir}: no such directory")
    if args.snapshot is not None and not args.snapshot.is_file():
        parser.error(f"--snapshot {args.snapshot}: no such file")

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        snapshot = args.snapshot or work / "snapshot.jsonl"
        if args.snapshot is None:
            t0 = time.perf_counter()
            write_snapshot(snapshot, args.n)
            print(
                f"generated {args.n:,} records ({snapshot.stat().st_size / 1e6:.0f} MB) "
                f"in {time.perf_counter() - t0:.1f} s"
            )
        # This VM's speed drifts by tens of percent within minutes, so papersift and the
        # minimal loader take turns, and each papersift run is compared with its neighbour.
        db = work / "bench.db"
        rates, ratios = [], []
        for round_ in range(1, args.rounds + 1):
            floor = minimal_loader(snapshot, work / f"minimal{round_}.db")
            elapsed, records = ingest_into_fresh_store(snapshot, db)
            rates.append(records / elapsed)
            ratios.append(rates[-1] / floor)
            print(
                f"round {round_}: {rates[-1]:,.0f} records/s ({elapsed:.2f} s); minimal "
                f"JSON-lines -> SQLite+FTS5 loader just before: {floor:,.0f}/s "
                f"(papersift {ratios[-1]:.2f}x of it); load {os.getloadavg()[0]:.2f}"
            )
        best = max(rates)
        print(
            f"ingest: best {best:,.0f} records/s, median {statistics.median(rates):,.0f}; "
            f"median {statistics.median(ratios):.2f}x the minimal loader"
        )
        size = sum(p.stat().st_size for p in work.glob("bench.db*"))
        print(
            f"store size: {size / 1e6:.1f} MB, {size / 1e6 * 100_000 / records:.1f} MB per 100k papers"
        )
        if records < 2_700_000:
            # A straight line from a small load: bigger loads are slower per paper (deeper
            # b-trees, an index built at the end), so time a 2.7M --snapshot to know.
            print(f"2.7M arXiv records at this rate: {2_700_000 / best / 60:.1f} min (optimistic)")

        store = open_store(db)
        t0 = time.perf_counter()
        again = ingest_paths(store, [str(snapshot)])
        elapsed = time.perf_counter() - t0
        print(
            f"re-ingest (all unchanged={again.counts.unchanged:,}): "
            f"{again.records / elapsed:,.0f} records/s"
        )
        store.close()
        print(f"cpu count: {os.cpu_count()}, load: {os.getloadavg()[0]:.2f}")
        print(f"parsing hot path: {hot_path_build()}")


def hot_path_build() -> str:
    """Whether this install runs the mypyc-compiled parsing modules (setup.py) or pure Python."""
    from papersift.ingest import bulk_rows

    compiled = Path(bulk_rows.__file__).suffix in (".so", ".pyd")
    return "compiled with mypyc" if compiled else "pure Python (editable install?)"


if __name__ == "__main__":
    main()
