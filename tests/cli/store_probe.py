"""Read a store file from outside the process writing it (as a second reader would)."""

from __future__ import annotations

import sqlite3


def committed_papers(db) -> int:
    """Papers committed so far; 0 while the file does not exist or is being created."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM papers").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0
