"""arXiv OAI-PMH responses (ListRecords, GetRecord) in the `arXiv`, `arXivRaw` and `oai_dc` formats.

The metadata format is read from each record's content, not from the request echo (some
responses echo no metadataPrefix at all). OAI-PMH reports problems in-band as `<error code=...>`:
`noRecordsMatch` is an empty result, every other code is the server refusing the request.
`read_root` reads a response once; `root_resumption_token`, `root_error` and `parse_root` then let
a harvest decide whether to fetch the next page and take the papers from the same tree.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator

from papersift.errors import ParseError, ServerReportedError
from papersift.ids import normalize_doi
from papersift.records import Paper
from papersift.sources.arxiv_atom import (
    arxiv_categories,
    arxiv_key,
    arxiv_links,
    require_arxiv_id,
    root_name,
)
from papersift.sources.common import build_paper, keep_going, note, parse_date, record_label
from papersift.sources.xml import parse_xml, text_of
from papersift.text import collapse_whitespace

FORMAT = "arxiv-oai"
SOURCE = "arxiv-oai"

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"
ARXIV_RAW = "{http://arxiv.org/OAI/arXivRaw/}"
OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
DC = "{http://purl.org/dc/elements/1.1/}"

NO_RECORDS = "noRecordsMatch"

_VERSION = re.compile(r"^\s*v?(\d+)\s*$")
_AUTHOR_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv)\.?$", re.I)
# Between authors at parenthesis depth 0: a comma or semicolon (optionally followed by "and"),
# or a bare " and " / " & ".
_AUTHOR_SEPARATOR = re.compile(r"\s*[,;]\s*(?:and\s+)?|\s+(?:and|&)\s+")


def sniff(head: str) -> bool:
    return root_name(head) == "OAI-PMH"


def parse(data: bytes, origin: str) -> Iterator[Paper | ParseError]:
    """Papers of one OAI-PMH response; deleted records are skipped.

    Raises ServerReportedError for an OAI-PMH error other than noRecordsMatch, which yields
    nothing. Whole-file checks run at call time, before the first record is asked for.
    """
    return parse_root(read_root(data, origin), origin)


def parse_root(root: ET.Element, origin: str) -> Iterator[Paper | ParseError]:
    """`parse` for a response already read by `read_root`: a harvest reads the resumption token,
    the error and the papers from the same tree instead of parsing the page twice."""
    errors = _errors(root)
    if errors:
        _raise_unless_empty_result(errors, origin)
        return iter(())
    container = root.find(f"{OAI}ListRecords")
    if container is None:
        container = root.find(f"{OAI}GetRecord")
    if container is None:
        raise ParseError(origin, "OAI-PMH response holds no ListRecords or GetRecord element")
    live = [r for r in container.findall(f"{OAI}record") if not _is_deleted(r)]
    return keep_going(origin, _labelled(live), lambda label, rec: _paper(rec, origin, label))


def resumption_token(data: bytes) -> str | None:
    """The token that asks for the next page, or None when the list is complete.

    OAI-PMH marks the last page with an empty <resumptionToken/>, or with none at all.
    Raises ParseError when `data` is not a readable OAI-PMH response.
    """
    return root_resumption_token(read_root(data, "OAI-PMH response"))


def root_resumption_token(root: ET.Element) -> str | None:
    """`resumption_token` of a response already read by `read_root`."""
    for container in (root.find(f"{OAI}ListRecords"), root.find(f"{OAI}ListIdentifiers")):
        if container is not None:
            token = text_of(container.find(f"{OAI}resumptionToken"))
            return token.strip() if token else None
    return None


def oai_error(data: bytes) -> tuple[str, str] | None:
    """(code, message) of the first OAI-PMH <error>, or None for a normal response.

    Raises ParseError when `data` is not a readable OAI-PMH response.
    """
    return root_error(read_root(data, "OAI-PMH response"))


def root_error(root: ET.Element) -> tuple[str, str] | None:
    """`oai_error` of a response already read by `read_root`."""
    errors = _errors(root)
    return errors[0] if errors else None


def read_root(data: bytes, origin: str) -> ET.Element:
    """The OAI-PMH root element of a response; ParseError when it is unreadable or not OAI-PMH."""
    root = parse_xml(data, origin)
    if root.tag != f"{OAI}OAI-PMH":
        raise ParseError(origin, f"not an OAI-PMH response (root element <{_local(root.tag)}>)")
    return root


def _errors(root: ET.Element) -> list[tuple[str, str]]:
    return [
        (e.get("code", "unknown"), collapse_whitespace(text_of(e) or ""))
        for e in root.findall(f"{OAI}error")
    ]


def _raise_unless_empty_result(errors: list[tuple[str, str]], origin: str) -> None:
    for code, message in errors:
        if code == NO_RECORDS:
            note(
                ParseError(
                    origin, f"the server found no records ({code}: {message or 'no reason given'})"
                )
            )
    refusals = [(code, message) for code, message in errors if code != NO_RECORDS]
    if refusals:
        said = "; ".join(f"{code}: {message}" if message else code for code, message in refusals)
        raise ServerReportedError(origin, f"OAI-PMH error {said}")


def _is_deleted(record: ET.Element) -> bool:
    header = record.find(f"{OAI}header")
    return header is not None and header.get("status") == "deleted"


def _labelled(records: list[ET.Element]) -> Iterator[tuple[str, ET.Element]]:
    for index, record in enumerate(records):
        yield record_label(index, arxiv_key(_header_identifier(record))), record


def _header_identifier(record: ET.Element) -> str | None:
    # "oai:arXiv.org:1412.8323" -> "1412.8323"; old-style ids keep their slash.
    identifier = text_of(record.find(f"{OAI}header/{OAI}identifier"))
    return identifier.strip().removeprefix("oai:arXiv.org:") if identifier else None


def _paper(record: ET.Element, origin: str, label: str) -> Paper:
    metadata = record.find(f"{OAI}metadata")
    payload = next(iter(metadata), None) if metadata is not None else None
    if payload is None:
        raise ParseError(origin, "record has no metadata", record=label, field="metadata")
    builder = _BUILDERS.get(payload.tag)
    if builder is None:
        reason = f"unsupported metadata format <{_local(payload.tag)}>"
        raise ParseError(origin, reason, record=label, field="metadata")
    return builder(payload, _header_identifier(record), origin, label)


def _from_arxiv(meta: ET.Element, header_id: str | None, origin: str, label: str) -> Paper:
    """metadataPrefix=arXiv: split author names, <created> is v1, <updated> the latest version."""
    arxiv_id, _ = require_arxiv_id(text_of(meta.find(f"{ARXIV}id")) or header_id, origin, label)
    doi = normalize_doi(text_of(meta.find(f"{ARXIV}doi")))
    published = parse_date(text_of(meta.find(f"{ARXIV}created")), origin, label, "created")
    updated = parse_date(text_of(meta.find(f"{ARXIV}updated")), origin, label, "updated")
    return build_paper(
        origin,
        label,
        id=arxiv_id,
        title=text_of(meta.find(f"{ARXIV}title")),
        source=SOURCE,
        abstract=text_of(meta.find(f"{ARXIV}abstract")),
        authors=[_structured_author(a) for a in meta.iterfind(f"{ARXIV}authors/{ARXIV}author")],
        categories=arxiv_categories((text_of(meta.find(f"{ARXIV}categories")) or "").split()),
        published=published,
        updated=updated or published,
        doi=doi,
        arxiv_id=arxiv_id,
        links=arxiv_links(arxiv_id, doi),
        extra=_optional_fields(meta, ARXIV),
    )


def _structured_author(author: ET.Element) -> str:
    parts = (text_of(author.find(f"{ARXIV}{name}")) for name in ("forenames", "keyname", "suffix"))
    return " ".join(p.strip() for p in parts if p)


def _from_arxiv_raw(meta: ET.Element, header_id: str | None, origin: str, label: str) -> Paper:
    """metadataPrefix=arXivRaw: every version with its RFC 2822 date; authors as one string."""
    arxiv_id, _ = require_arxiv_id(text_of(meta.find(f"{ARXIV_RAW}id")) or header_id, origin, label)
    versions = _raw_versions(meta, origin, label)
    dois = (text_of(meta.find(f"{ARXIV_RAW}doi")) or "").split()
    doi = normalize_doi(dois[0]) if dois else None
    extra = _optional_fields(meta, ARXIV_RAW)
    extra["submitter"] = _one_line(meta.find(f"{ARXIV_RAW}submitter"))
    extra["version_dates"] = [day.isoformat() for _, day in versions if day] or None
    # An erratum adds a second DOI in the same element; keep all, the first is the paper's own.
    extra["dois"] = [d for d in map(normalize_doi, dois) if d] if len(dois) > 1 else None
    return build_paper(
        origin,
        label,
        id=arxiv_id,
        title=text_of(meta.find(f"{ARXIV_RAW}title")),
        source=SOURCE,
        abstract=text_of(meta.find(f"{ARXIV_RAW}abstract")),
        authors=split_author_string(text_of(meta.find(f"{ARXIV_RAW}authors"))),
        categories=arxiv_categories((text_of(meta.find(f"{ARXIV_RAW}categories")) or "").split()),
        version=versions[-1][0] if versions else None,
        published=versions[0][1] if versions else None,
        updated=versions[-1][1] if versions else None,
        doi=doi,
        arxiv_id=arxiv_id,
        links=arxiv_links(arxiv_id, doi),
        extra=extra,
    )


def _raw_versions(meta: ET.Element, origin: str, label: str) -> list[tuple[int, dt.date | None]]:
    """(number, date) of every version, oldest first."""
    versions = []
    for element in meta.findall(f"{ARXIV_RAW}version"):
        m = _VERSION.match(element.get("version", ""))
        if m is None:
            reason = f"unreadable version {element.get('version', '')[:20]!r}"
            raise ParseError(origin, reason, record=label, field="version")
        day = parse_date(text_of(element.find(f"{ARXIV_RAW}date")), origin, label, "version date")
        versions.append((int(m.group(1)), day))
    return sorted(versions, key=lambda v: v[0])


def _from_oai_dc(meta: ET.Element, header_id: str | None, origin: str, label: str) -> Paper:
    """oai_dc: the id comes from the abs URL; subjects are words, mapped to codes where known."""
    identifiers = [text_of(e) or "" for e in meta.findall(f"{DC}identifier")]
    arxiv_id, _ = require_arxiv_id(_abs_url(identifiers) or header_id, origin, label)
    descriptions = [text_of(e) for e in meta.findall(f"{DC}description")]
    comments = [d for d in descriptions if d and d.strip().startswith("Comment:")]
    abstracts = [d for d in descriptions if d and d not in comments]
    dates = [parse_date(text_of(e), origin, label, "date") for e in meta.findall(f"{DC}date")]
    dois = [normalize_doi(i) for i in identifiers if i.strip().lower().startswith("doi:")]
    doi = next((d for d in dois if d), None)
    subjects = [collapse_whitespace(text_of(e) or "") for e in meta.findall(f"{DC}subject")]
    return build_paper(
        origin,
        label,
        id=arxiv_id,
        title=text_of(meta.find(f"{DC}title")),
        source=SOURCE,
        abstract=abstracts[0] if abstracts else None,
        authors=[_display_name(text_of(e)) for e in meta.findall(f"{DC}creator")],
        categories=[SUBJECT_CODES[s] for s in subjects if s in SUBJECT_CODES],
        # arXiv writes the v1 date first and the latest version's date last.
        published=dates[0] if dates else None,
        updated=dates[-1] if dates else None,
        doi=doi,
        arxiv_id=arxiv_id,
        links=arxiv_links(arxiv_id, doi),
        extra={
            "subjects": [s for s in subjects if s] or None,
            "comments": _comment_text(comments[0]) if comments else None,
            "journal_ref": _journal_ref(identifiers),
        },
    )


def _abs_url(identifiers: list[str]) -> str | None:
    return next((i for i in identifiers if "arxiv.org/abs/" in i), None)


def _journal_ref(identifiers: list[str]) -> str | None:
    # Besides the abs URL and "doi:..." identifiers, arXiv's oai_dc lists the journal reference.
    refs = [
        collapse_whitespace(i)
        for i in identifiers
        if i.strip() and "://" not in i and not i.strip().lower().startswith("doi:")
    ]
    return refs[0] if refs else None


def _comment_text(description: str) -> str | None:
    return collapse_whitespace(description.strip().removeprefix("Comment:")) or None


def _display_name(creator: str | None) -> str:
    """`Family, Given` (how oai_dc writes creators) -> `Given Family`, like the other formats."""
    if not creator:
        return ""
    parts = [p.strip() for p in creator.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    return creator


def split_author_string(text: str | None) -> list[str]:
    """Names in arXiv's one-string author list, affiliations dropped.

    `A. Author, B. Author (MIT, USA), and C. Author` -> [`A. Author`, `B. Author`, `C. Author`].
    Used by arXivRaw <authors> and the RSS feed's <dc:creator>.
    """
    if not text:
        return []
    names: list[str] = []
    for piece in _AUTHOR_SEPARATOR.split(_drop_parenthesised(text)):
        name = collapse_whitespace(piece)
        if names and _AUTHOR_SUFFIX.match(name):
            names[-1] += f" {name}"  # "Smith, Jr." is one author
        elif name and name.lower() != "and":
            names.append(name)
    return names


def _drop_parenthesised(text: str) -> str:
    kept: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif depth == 0:
            kept.append(char)
    # An unclosed "(" would swallow every later author: keep the text as it was instead.
    return text if depth else "".join(kept)


def _optional_fields(meta: ET.Element, ns: str) -> dict[str, object]:
    """The optional free-text fields arXiv and arXivRaw share, as one-line strings."""
    fields = {
        "comments": "comments",
        "journal_ref": "journal-ref",
        "license": "license",
        "report_no": "report-no",
        "msc_class": "msc-class",
        "acm_class": "acm-class",
    }
    return {key: _one_line(meta.find(f"{ns}{tag}")) for key, tag in fields.items()}


def _one_line(element: ET.Element | None) -> str | None:
    text = text_of(element)
    return collapse_whitespace(text) if text else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_Builder = Callable[[ET.Element, str | None, str, str], Paper]
_BUILDERS: dict[str, _Builder] = {
    f"{ARXIV}arXiv": _from_arxiv,
    f"{ARXIV_RAW}arXivRaw": _from_arxiv_raw,
    f"{OAI_DC}dc": _from_oai_dc,
}

# oai_dc names subjects in words ("Computer Science - Machine Learning"). These are arXiv's own
# names for the archives an ML reader follows; other subjects stay in extra["subjects"] only.
SUBJECT_CODES: dict[str, str] = {
    **{
        f"Computer Science - {name}": f"cs.{code}"
        for code, name in {
            "AI": "Artificial Intelligence",
            "AR": "Hardware Architecture",
            "CC": "Computational Complexity",
            "CE": "Computational Engineering, Finance, and Science",
            "CG": "Computational Geometry",
            "CL": "Computation and Language",
            "CR": "Cryptography and Security",
            "CV": "Computer Vision and Pattern Recognition",
            "CY": "Computers and Society",
            "DB": "Databases",
            "DC": "Distributed, Parallel, and Cluster Computing",
            "DL": "Digital Libraries",
            "DM": "Discrete Mathematics",
            "DS": "Data Structures and Algorithms",
            "ET": "Emerging Technologies",
            "FL": "Formal Languages and Automata Theory",
            "GL": "General Literature",
            "GR": "Graphics",
            "GT": "Computer Science and Game Theory",
            "HC": "Human-Computer Interaction",
            "IR": "Information Retrieval",
            "IT": "Information Theory",
            "LG": "Machine Learning",
            "LO": "Logic in Computer Science",
            "MA": "Multiagent Systems",
            "MM": "Multimedia",
            "MS": "Mathematical Software",
            "NA": "Numerical Analysis",
            "NE": "Neural and Evolutionary Computing",
            "NI": "Networking and Internet Architecture",
            "OH": "Other Computer Science",
            "OS": "Operating Systems",
            "PF": "Performance",
            "PL": "Programming Languages",
            "RO": "Robotics",
            "SC": "Symbolic Computation",
            "SD": "Sound",
            "SE": "Software Engineering",
            "SI": "Social and Information Networks",
            "SY": "Systems and Control",
        }.items()
    },
    **{
        f"Statistics - {name}": f"stat.{code}"
        for code, name in {
            "AP": "Applications",
            "CO": "Computation",
            "ME": "Methodology",
            "ML": "Machine Learning",
            "OT": "Other Statistics",
            "TH": "Statistics Theory",
        }.items()
    },
    **{
        f"Electrical Engineering and Systems Science - {name}": f"eess.{code}"
        for code, name in {
            "AS": "Audio and Speech Processing",
            "IV": "Image and Video Processing",
            "SP": "Signal Processing",
            "SY": "Systems and Control",
        }.items()
    },
    **{
        f"Mathematics - {name}": f"math.{code}"
        for code, name in {
            "IT": "Information Theory",
            "NA": "Numerical Analysis",
            "OC": "Optimization and Control",
            "PR": "Probability",
            "ST": "Statistics Theory",
        }.items()
    },
    "Quantum Physics": "quant-ph",
}
