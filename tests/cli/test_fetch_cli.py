"""`papersift fetch` against real HTTP servers on 127.0.0.1, including kill -9 mid-harvest."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.oai_server import OaiServer
from tests.cli.store_probe import committed_papers

HTTP_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "http"


def _fetch_oai_args(url):
    return ["fetch", "oai", "--set", "cs", "--base-url", url, "--min-interval", "0"]


def test_oai_harvest_follows_tokens_and_clears_checkpoint(run):
    with OaiServer(pages=4, per_page=5) as server:
        result = run(*_fetch_oai_args(server.url), "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["pages"] == 4 and summary["added"] == 20
    assert [q.get("resumptionToken") for q in server.requests] == [None, "tok1", "tok2", "tok3"]
    con = sqlite3.connect(run.db)
    assert con.execute("SELECT count(*) FROM checkpoints").fetchone()[0] == 0


def test_no_records_match_stores_nothing_and_succeeds(run):
    with OaiServer() as server:
        server.empty = True
        result = run(*_fetch_oai_args(server.url), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["added"] == 0


def test_unreachable_server_is_one_clear_line(run):
    result = run("fetch", "hf-daily", "--base-url", "http://127.0.0.1:9/x", "--min-interval", "0")
    assert result.code == 2
    assert "Traceback" not in result.err and "127.0.0.1:9" in result.err


def _papers(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT id, title, authors, sources FROM papers ORDER BY id").fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_mid_harvest_resumes_without_loss_or_doubles(tmp_path):
    pages, per_page = 30, 20
    with OaiServer(pages=pages, per_page=per_page, delay=0.05) as server:
        env = {**os.environ, "PAPERSIFT_DB": str(tmp_path / "killed.db")}
        cmd = [sys.executable, "-m", "papersift.cli", *_fetch_oai_args(server.url)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while (
            committed_papers(tmp_path / "killed.db") < 10 * per_page and time.monotonic() < deadline
        ):
            assert proc.poll() is None, "harvest ended before it could be killed"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stored_before = committed_papers(tmp_path / "killed.db")
        assert 0 < stored_before < pages * per_page
        server.requests.clear()
        rerun = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        assert b"Resuming" in rerun.stderr
        # It resumed from the saved token rather than starting over.
        assert server.requests[0].get("resumptionToken", "").startswith("tok")

        clean_env = {**os.environ, "PAPERSIFT_DB": str(tmp_path / "clean.db")}
        clean = subprocess.run(cmd, env=clean_env, capture_output=True, timeout=120)
        assert clean.returncode == 0, clean.stderr
    killed, expected = _papers(tmp_path / "killed.db"), _papers(tmp_path / "clean.db")
    assert len(expected) == pages * per_page
    assert killed == expected
