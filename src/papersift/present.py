"""How a paper looks to scripts: the plain dict both front ends' JSON is made of. No I/O.

The command line's `--json` and the web API return the same shape (web.routes.api's PaperOut);
how a paper looks on a terminal is the CLI's own business (cli/output.py).
"""

from __future__ import annotations

from typing import Any

from papersift.records import Paper


def paper_as_dict(paper: Paper) -> dict[str, Any]:
    return {
        "id": paper.id,
        "title": paper.title,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "categories": list(paper.categories),
        "version": paper.version,
        "published": paper.published.isoformat() if paper.published else None,
        "updated": paper.updated.isoformat() if paper.updated else None,
        "doi": paper.doi,
        "arxiv_id": paper.arxiv_id,
        "links": {link.kind: link.url for link in reversed(paper.links)},
        "sources": list(paper.sources),
        "external_ids": paper.external_ids,
        "extra": paper.extra,
        "first_seen": paper.first_seen.isoformat() if paper.first_seen else None,
        "title_raw": paper.title_raw,
    }
