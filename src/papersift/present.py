"""How papers look to people (Rich renderables) and to scripts (plain dicts). No I/O."""

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


def short_authors(authors: tuple[str, ...], limit: int = 3) -> str:
    if len(authors) <= limit:
        return ", ".join(authors)
    return ", ".join(authors[:limit]) + f" +{len(authors) - limit}"


def render_paper(paper: Paper) -> Any:
    from rich.console import Group
    from rich.text import Text

    lines: list[Any] = [Text(paper.title, style="bold")]
    if paper.authors:
        lines.append(Text(short_authors(paper.authors, 8)))
    meta = [paper.id]
    if paper.version:
        meta.append(f"v{paper.version}")
    if paper.published:
        meta.append(f"published {paper.published.isoformat()}")
    if paper.updated and paper.updated != paper.published:
        meta.append(f"updated {paper.updated.isoformat()}")
    if paper.categories:
        meta.append(" ".join(paper.categories))
    if paper.doi:
        meta.append(f"doi {paper.doi}")
    lines.append(Text(" · ".join(meta), style="dim"))
    for link in paper.links:
        lines.append(Text(f"{link.kind}: {link.url}", style="cyan"))
    if paper.abstract:
        lines.append(Text(""))
        lines.append(Text(paper.abstract))
    lines.append(Text(""))
    lines.append(Text(f"from {', '.join(paper.sources)}", style="dim"))
    return Group(*lines)


def stats_tables(numbers: dict[str, Any], top: int = 20) -> list[Any]:
    from rich.table import Table

    tables = []
    for key, label in (("sources", "Source"), ("categories", "Category"), ("months", "Month")):
        table = Table(title=f"Papers per {label.lower()}", title_justify="left")
        table.add_column(label)
        table.add_column("Papers", justify="right")
        items = list(numbers[key].items())
        if key == "months":
            items = items[-top:]
        for name, n in items[:top]:
            table.add_row(str(name), f"{n:,}")
        tables.append(table)
    return tables
