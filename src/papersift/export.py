"""Write papers as BibTeX or CSL-JSON for reference managers. Pure: papers in, text out."""

from __future__ import annotations

import re
from collections.abc import Sequence

import orjson

from papersift.records import Paper
from papersift.text import match_key, surname

EXPORT_FORMATS = ("bibtex", "csl-json")


def citation_key(paper: Paper, taken: set[str]) -> str:
    """`lovelace2023sparse`-style key, made unique within one export."""
    author = match_key(surname(paper.authors[0])) if paper.authors else "anon"
    year = str(paper.published.year) if paper.published else ""
    word = next((match_key(w) for w in paper.title.split() if len(match_key(w)) > 3), "paper")
    base = f"{author or 'anon'}{year}{word}"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}{chr(ord('a') + (n - 2) % 26)}{'' if n < 28 else n}"
    taken.add(key)
    return key


def _bibtex_value(text: str) -> str:
    # Braces balanced and special characters escaped so every reference manager reads it back.
    text = text.replace("\\", r"\textbackslash{}")
    text = re.sub(r"([&%#_$])", r"\\\1", text)
    text = text.replace("{", r"\{").replace("}", r"\}")
    return "{" + text + "}"


def _bibtex_author(name: str) -> str:
    last = surname(name)
    first = name[: len(name) - len(last)].strip() if name.endswith(last) else ""
    return f"{last}, {first}" if first else last


def to_bibtex(papers: Sequence[Paper]) -> str:
    taken: set[str] = set()
    entries = []
    for paper in papers:
        fields: list[tuple[str, str]] = [("title", paper.title)]
        if paper.authors:
            fields.append(("author", " and ".join(_bibtex_author(a) for a in paper.authors)))
        if paper.published:
            fields.append(("year", str(paper.published.year)))
            fields.append(("month", str(paper.published.month)))
        if paper.arxiv_id:
            fields += [("eprint", paper.arxiv_id), ("archiveprefix", "arXiv")]
            if paper.categories:
                fields.append(("primaryclass", paper.categories[0]))
        if paper.doi:
            fields.append(("doi", paper.doi))
        url = paper.link("abs") or (f"https://doi.org/{paper.doi}" if paper.doi else None)
        if url:
            fields.append(("url", url))
        if paper.abstract:
            fields.append(("abstract", paper.abstract))
        kind = "misc" if paper.arxiv_id and not paper.doi else "article"
        body = ",\n".join(f"  {name} = {_bibtex_value(value)}" for name, value in fields)
        entries.append(f"@{kind}{{{citation_key(paper, taken)},\n{body}\n}}\n")
    return "\n".join(entries)


def to_csl_json(papers: Sequence[Paper]) -> str:
    taken: set[str] = set()
    items = []
    for paper in papers:
        item: dict[str, object] = {
            "id": citation_key(paper, taken),
            "type": "article" if paper.arxiv_id and not paper.doi else "article-journal",
            "title": paper.title,
            "author": [_csl_name(a) for a in paper.authors],
        }
        if paper.published:
            item["issued"] = {
                "date-parts": [[paper.published.year, paper.published.month, paper.published.day]]
            }
        if paper.abstract:
            item["abstract"] = paper.abstract
        if paper.doi:
            item["DOI"] = paper.doi
        if paper.arxiv_id:
            item["number"] = f"arXiv:{paper.arxiv_id}"
            item["publisher"] = "arXiv"
        url = paper.link("abs")
        if url:
            item["URL"] = url
        items.append(item)
    return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode() + "\n"


def _csl_name(name: str) -> dict[str, str]:
    last = surname(name)
    first = name[: len(name) - len(last)].strip() if name.endswith(last) else ""
    return {"family": last, "given": first} if first else {"literal": name}


def export(papers: Sequence[Paper], fmt: str) -> str:
    if fmt == "bibtex":
        return to_bibtex(papers)
    if fmt == "csl-json":
        return to_csl_json(papers)
    raise ValueError(fmt)
