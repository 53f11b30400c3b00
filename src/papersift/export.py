"""Write papers as BibTeX, RIS or CSL-JSON for reference managers. Pure: papers in, text out.

What was imported comes back out as it went in: the citation key (BibTeX key, RIS `ID`,
CSL `id`), venue, volume, issue, pages, the entry's own URL and a year-only date stay so
(the importers keep them in `Paper.extra`, `sources.bibtex.citation_details`). An arXiv
preprint with no venue is `@misc` with `eprint`, `archivePrefix = {arXiv}`, `primaryClass`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import orjson

from papersift.records import Paper
from papersift.text import match_key, surname

EXPORT_FORMATS = ("bibtex", "ris", "csl-json")
# A key reference managers accept back: no spaces, commas, braces, quotes or `#%~\\`.
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_:.+/@-]{1,120}$")
# Imported entry types by what they are, for the other formats' names.
_KIND_BY_TYPE = {
    "article": "journal",
    "jour": "journal",
    "jfull": "journal",
    "article-journal": "journal",
    "inproceedings": "proceedings",
    "conference": "proceedings",
    "conf": "proceedings",
    "cpaper": "proceedings",
    "paper-conference": "proceedings",
    "incollection": "chapter",
    "inbook": "chapter",
    "chap": "chapter",
    "chapter": "chapter",
    "book": "book",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
    "rprt": "report",
    "report": "report",
}
_BIBTEX_TYPE = {
    "journal": "article",
    "proceedings": "inproceedings",
    "chapter": "incollection",
    "book": "book",
    "thesis": "phdthesis",
    "report": "techreport",
}
_BIBTEX_VENUE = {"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle"}
_RIS_TYPE = {
    "journal": "JOUR",
    "proceedings": "CPAPER",
    "chapter": "CHAP",
    "book": "BOOK",
    "thesis": "THES",
    "report": "RPRT",
}
_CSL_TYPE = {
    "journal": "article-journal",
    "proceedings": "paper-conference",
    "chapter": "chapter",
    "book": "book",
    "thesis": "thesis",
    "report": "report",
}


def _extra(paper: Paper, name: str) -> str | None:
    value = paper.extra.get(name)
    return str(value) if value not in (None, "") else None


def _kind(paper: Paper) -> str | None:
    """journal, proceedings, chapter, ...; None for a preprint or an unknown type."""
    kind = _KIND_BY_TYPE.get((_extra(paper, "type") or "").lower())
    if kind is None and _extra(paper, "venue"):
        return "journal"
    return kind


def _is_preprint(paper: Paper) -> bool:
    return bool(paper.arxiv_id) and not _extra(paper, "venue") and not paper.doi


def _date_parts(paper: Paper) -> list[int]:
    """[year, month?, day?] as precise as the import said (a year-only entry stays a year)."""
    if paper.published is None:
        return []
    day = paper.published
    precision = paper.extra.get("date_parts")
    count = precision if isinstance(precision, int) and 1 <= precision <= 3 else 3
    return [day.year, day.month, day.day][:count]


def _url(paper: Paper) -> str | None:
    return (
        _extra(paper, "url")
        or paper.link("abs")
        or (f"https://doi.org/{paper.doi}" if paper.doi else None)
    )


def _pages(paper: Paper) -> tuple[str | None, str | None]:
    pages = _extra(paper, "pages")
    if not pages:
        return None, None
    first, _, last = pages.partition("-")
    return first or None, last or None


def citation_keys(papers: Sequence[Paper]) -> list[str]:
    """Each paper's key: the one it was imported with, else a made-up one; unique in one export."""
    taken: set[str] = set()
    keys: list[str | None] = []
    for paper in papers:
        own = next(
            (
                key
                for name in ("citekey", "csl", "ris")
                if (key := paper.external_ids.get(name))
                and _SAFE_KEY.match(key)
                and "://" not in key  # a Zotero item URI is an id, not a citation key
                and key not in taken
            ),
            None,
        )
        if own:
            taken.add(own)
        keys.append(own)
    return [key or citation_key(paper, taken) for key, paper in zip(keys, papers)]


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


# BibTeX tools read these fields verbatim (the url package): LaTeX escapes would corrupt them.
_VERBATIM = frozenset({"url", "doi", "eprint"})


def _bibtex_verbatim(text: str) -> str:
    # Only an unbalanced brace could end the field early; such a URL is escaped instead.
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return _bibtex_value(text)
    return "{" + text + "}" if depth == 0 else _bibtex_value(text)


def _bibtex_author(name: str) -> str:
    last = surname(name)
    first = name[: len(name) - len(last)].strip() if name.endswith(last) else ""
    return f"{last}, {first}" if first else last


def to_bibtex(papers: Sequence[Paper]) -> str:
    entries = []
    for paper, key in zip(papers, citation_keys(papers)):
        kind = "misc" if _is_preprint(paper) else _BIBTEX_TYPE.get(_kind(paper) or "", "misc")
        fields: list[tuple[str, str]] = [("title", paper.title)]
        if paper.authors:
            fields.append(("author", " and ".join(_bibtex_author(a) for a in paper.authors)))
        parts = _date_parts(paper)
        if parts:
            fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", str(parts[1])))
        if len(parts) > 2:  # BibLaTeX's date keeps the day, which year and month cannot
            fields.append(("date", paper.published.isoformat() if paper.published else ""))
        venue = _extra(paper, "venue")
        if venue:
            fields.append((_BIBTEX_VENUE.get(kind, "howpublished"), venue))
        for name, extra in (("volume", "volume"), ("number", "issue")):
            if value := _extra(paper, extra):
                fields.append((name, value))
        if pages := _extra(paper, "pages"):
            fields.append(("pages", pages.replace("-", "--")))
        if paper.arxiv_id:
            fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
            if paper.categories:
                fields.append(("primaryClass", paper.categories[0]))
        if paper.doi:
            fields.append(("doi", paper.doi))
        if url := _url(paper):
            fields.append(("url", url))
        if paper.abstract:
            fields.append(("abstract", paper.abstract))
        body = ",\n".join(
            f"  {name} = {_bibtex_verbatim(value) if name in _VERBATIM else _bibtex_value(value)}"
            for name, value in fields
        )
        entries.append(f"@{kind}{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def _ris_line(tag: str, value: str) -> str:
    # One line per tag: a newline inside a value would start a tag of its own.
    return f"{tag}  - {' '.join(value.split())}"


def _ris_date(parts: list[int]) -> str:
    """`2019///`, `2019/07//`, `2019/07/24/`: RIS's YYYY/MM/DD/other with the unknown left empty."""
    fields = [f"{part:02d}" for part in parts] + [""] * (3 - len(parts))
    return "/".join(fields) + "/"


def to_ris(papers: Sequence[Paper]) -> str:
    records = []
    for paper, key in zip(papers, citation_keys(papers)):
        kind = "GEN" if _is_preprint(paper) else _RIS_TYPE.get(_kind(paper) or "", "GEN")
        imported = _extra(paper, "type")
        if imported and "ris" in paper.sources and re.fullmatch(r"[A-Z]{2,6}", imported):
            kind = imported  # an RIS record keeps its own type (ELEC, CONF, ...)
        lines = [_ris_line("TY", kind)]
        # An RIS record imported without an ID is known by its title: a made-up ID would make
        # it another paper when the export is read back.
        if not ("ris" in paper.sources and "ris" not in paper.external_ids):
            lines.append(_ris_line("ID", key))
        lines.append(_ris_line("TI", paper.title))
        lines += [_ris_line("AU", _bibtex_author(name)) for name in paper.authors]
        parts = _date_parts(paper)
        if parts:
            lines.append(_ris_line("PY", str(parts[0])))
            lines.append(_ris_line("DA", _ris_date(parts)))
        if venue := _extra(paper, "venue"):
            lines.append(_ris_line("T2", venue))
        if volume := _extra(paper, "volume"):
            lines.append(_ris_line("VL", volume))
        if issue := _extra(paper, "issue"):
            lines.append(_ris_line("IS", issue))
        first, last = _pages(paper)
        if first:
            lines.append(_ris_line("SP", first))
        if last:
            lines.append(_ris_line("EP", last))
        if paper.doi:
            lines.append(_ris_line("DO", paper.doi))
        if url := _url(paper):
            lines.append(_ris_line("UR", url))
        if paper.arxiv_id:
            lines.append(_ris_line("N1", f"arXiv:{paper.arxiv_id}"))
        if paper.abstract:
            lines.append(_ris_line("AB", paper.abstract))
        lines.append("ER  - ")
        records.append("\n".join(lines) + "\n")
    return "\n".join(records)


def to_csl_json(papers: Sequence[Paper]) -> str:
    items = []
    for paper, key in zip(papers, citation_keys(papers)):
        imported = _extra(paper, "type")
        if imported and "csl-json" in paper.sources:
            kind = imported  # a CSL item keeps its own type
        elif _is_preprint(paper):
            kind = "article"  # CSL's type for a preprint
        else:
            kind = _CSL_TYPE.get(_kind(paper) or "", "article")
        item: dict[str, object] = {
            # A CSL id may be anything (Zotero writes its item URI): it is kept as it was, and a
            # citation key is added only where there was one or nothing identified the item.
            "id": paper.external_ids.get("csl") or key,
            "type": kind,
            "title": paper.title,
            "author": [_csl_name(a) for a in paper.authors],
        }
        if "csl" not in paper.external_ids or "citekey" in paper.external_ids:
            item["citation-key"] = paper.external_ids.get("citekey") or key
        parts = _date_parts(paper)
        if parts:
            item["issued"] = {"date-parts": [parts]}
        if venue := _extra(paper, "venue"):
            item["container-title"] = venue
        for name, extra in (("volume", "volume"), ("issue", "issue"), ("page", "pages")):
            if value := _extra(paper, extra):
                item[name] = value
        if paper.abstract:
            item["abstract"] = paper.abstract
        if paper.doi:
            item["DOI"] = paper.doi
        if paper.arxiv_id:
            item["number"] = f"arXiv:{paper.arxiv_id}"
            if _is_preprint(paper):
                item["publisher"] = "arXiv"
        if url := _url(paper):
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
    if fmt == "ris":
        return to_ris(papers)
    raise ValueError(fmt)
