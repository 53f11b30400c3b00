"""Drive the real `papersift` command in a subprocess against a real store file."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(tmp_path: Path):
    db = tmp_path / "store.db"

    def _run(*args: str, stdin: bytes | None = None, timeout: float = 120) -> Result:
        env = {**os.environ, "PAPERSIFT_DB": str(db), "COLUMNS": "200", "NO_COLOR": "1"}
        proc = subprocess.run(
            [sys.executable, "-m", "papersift.cli", *args],
            input=stdin,
            capture_output=True,
            env=env,
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())

    _run.db = db  # type: ignore[attr-defined]
    return _run
