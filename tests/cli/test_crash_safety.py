"""kill -9 during ingest, then the same command again: exactly what a clean run leaves."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from papersift.ingest.files import PARALLEL_MIN_BYTES
from tests.cli.snapshot_lines import snapshot_file, snapshot_line
from tests.cli.store_probe import committed_papers

N = 36_000


def _start_ingest(db, path):
    env = {**os.environ, "PAPERSIFT_DB": str(db)}
    return subprocess.Popen(
        [sys.executable, "-m", "papersift.cli", "ingest", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _contents(db):
    con = sqlite3.connect(db)
    try:
        papers = con.execute(
            "SELECT id, title, version, sources, authors, abstract FROM papers ORDER BY id"
        ).fetchall()
        fts = con.execute(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'sifting'"
        ).fetchone()
        aliases = con.execute("SELECT count(*) FROM paper_aliases").fetchone()
        # rank 1: also check the index against the papers table (plain only checks itself).
        integrity = con.execute(
            "INSERT INTO papers_fts(papers_fts, rank) VALUES('integrity-check', 1)"
        )
        del integrity
        return papers, fts, aliases
    finally:
        con.close()


def _children(pid):
    """Processes whose parent is `pid` (Linux /proc; none found elsewhere)."""
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parent = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            found.append(int(entry))
    return found


def _all_exit(pids, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(os.path.exists(f"/proc/{pid}") and not _is_zombie(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def _is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.fixture(scope="module")
def big_snapshot(tmp_path_factory):
    path = tmp_path_factory.mktemp("crash") / "snap.jsonl"
    # Later versions of some papers near the end, so a re-run must merge, not just skip.
    path.write_bytes(
        snapshot_file(N)
        + b"".join(
            snapshot_line(f"2404.{i:05d}", f"Revised paper {i} about sifting", version=2)
            for i in range(1, 200)
        )
    )
    # Big enough for the parallel (worker process) path, the one bulk loads take.
    assert path.stat().st_size >= PARALLEL_MIN_BYTES
    return path


@pytest.fixture(scope="module")
def clean_contents(big_snapshot, tmp_path_factory):
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    proc = _start_ingest(db, big_snapshot)
    assert proc.wait(timeout=600) == 0, proc.stderr.read()
    return _contents(db)


@pytest.mark.slow
@pytest.mark.parametrize("when", ["early", "after_first_commit", "late"])
def test_kill_9_then_rerun_equals_clean_run(big_snapshot, clean_contents, tmp_path, when):
    db = tmp_path / "killed.db"
    proc = _start_ingest(db, big_snapshot)
    deadline = time.monotonic() + 300
    target = {"early": None, "after_first_commit": 1, "late": N // 2}[when]
    if target is None:
        time.sleep(0.8)
    else:
        while committed_papers(db) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    if proc.poll() is not None:
        pytest.fail(f"ingest finished before it could be killed ({when}); grow N")
    helpers = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert committed_papers(db) < N + 1  # really cut short
    assert _all_exit(helpers, timeout=10), "the killed ingest left processes running"
    rerun = _start_ingest(db, big_snapshot)
    assert rerun.wait(timeout=600) == 0, rerun.stderr.read()
    assert _contents(db) == clean_contents


@pytest.mark.slow
def test_ctrl_c_then_rerun_equals_clean_run(big_snapshot, clean_contents, tmp_path):
    # The signal can land after the last paper is written (on a loaded machine the first
    # commit a reader sees may be the last): that run finished its work, so try again.
    for attempt in range(3):
        db = tmp_path / f"interrupted-{attempt}.db"
        proc = _start_ingest(db, big_snapshot)
        deadline = time.monotonic() + 300
        while committed_papers(db) < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is not None:
            pytest.fail("ingest finished before it could be interrupted; grow N")
        proc.send_signal(signal.SIGINT)
        if proc.wait(timeout=120) != 0 or committed_papers(db) < N:
            break
    assert proc.returncode == 130
    assert "interrupted; everything stored so far is kept" in proc.stderr.read().decode()
    # The bulk load's keyword index was not finished: the next command repairs it, and says so.
    env = {**os.environ, "PAPERSIFT_DB": str(db)}
    count = subprocess.run(
        [sys.executable, "-m", "papersift.cli", "papers", "count"],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert count.returncode == 0
    assert "rebuilding the indexes" in count.stderr.decode()
    rerun = _start_ingest(db, big_snapshot)
    assert rerun.wait(timeout=600) == 0, rerun.stderr.read()
    assert _contents(db) == clean_contents
