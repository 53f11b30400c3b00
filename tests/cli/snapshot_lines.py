"""Invented arXiv-snapshot records for CLI tests."""

from __future__ import annotations

import orjson


def snapshot_line(arxiv_id: str, title: str, *, version: int = 1, doi: str | None = None) -> bytes:
    record = {
        "id": arxiv_id,
        "submitter": "Ada Lovelace",
        "authors": "Ada Lovelace and Alan Turing",
        "title": title,
        "comments": "9 pages",
        "journal-ref": None,
        "doi": doi,
        "report-no": None,
        "categories": "cs.LG stat.ML",
        "license": None,
        "abstract": "  We propose a method for\\nsifting papers quickly.\n",
        "versions": [
            {"version": f"v{v}", "created": f"Mon, {v} Apr 2024 10:00:00 GMT"}
            for v in range(1, version + 1)
        ],
        "update_date": "2024-04-10",
        "authors_parsed": [["Lovelace", "Ada", ""], ["Turing", "Alan", ""]],
    }
    return orjson.dumps(record) + b"\n"


def snapshot_file(n: int, start: int = 1) -> bytes:
    return b"".join(
        snapshot_line(f"2404.{i:05d}", f"Invented paper number {i} about sifting")
        for i in range(start, start + n)
    )
