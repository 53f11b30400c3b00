"""One parser per source format; this module names them and detects which one a file is.

Every parser module exposes:
  FORMAT: str                                   its name on the command line
  sniff(head: str) -> bool                      whether the first 64 KiB look like this format
  parse(data: bytes, origin: str) -> Iterator[Paper | ParseError]
      yields a Paper per good record and a ParseError per bad one (good ones are kept);
      raises ParseError when the whole file is unreadable and ServerReportedError when the
      file is a server's error response.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from types import ModuleType

from papersift.errors import ParseError
from papersift.records import Paper

# Order matters for detection: the most specific sniffers first.
_MODULES: dict[str, str] = {
    "arxiv-atom": "arxiv_atom",
    "arxiv-oai": "arxiv_oai",
    "arxiv-rss": "arxiv_rss",
    "arxiv-snapshot": "snapshot",
    "hf-daily": "hf_daily",
    "semantic-scholar": "semantic_scholar",
    "openalex": "openalex",
    "openreview": "openreview",
    "csl-json": "csl",
    "bibtex": "bibtex",
    "ris": "ris",
}
FORMATS: tuple[str, ...] = tuple(_MODULES)
SNIFF_BYTES = 64 * 1024

Parser = Callable[[bytes, str], Iterator[Paper | ParseError]]


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"papersift.sources.{_MODULES[name]}")


def parser_for(name: str) -> Parser:
    if name not in _MODULES:
        raise KeyError(name)
    return _module(name).parse  # type: ignore[no-any-return]


def head_text(data: bytes) -> str:
    """The start of a file as text, for sniffing (BOM and undecodable bytes tolerated)."""
    return data[:SNIFF_BYTES].decode("utf-8-sig", errors="replace").lstrip()


def detect_format(data: bytes, origin: str) -> str:
    """Name of the format `data` is in, or a ParseError saying none matched."""
    head = head_text(data)
    if not head:
        raise ParseError(origin, "file is empty")
    for name in _MODULES:
        if _module(name).sniff(head):
            return name
    raise ParseError(
        origin, "unrecognised format; pass --format with one of: " + ", ".join(FORMATS)
    )


def parse(data: bytes, origin: str, fmt: str = "auto") -> Iterator[Paper | ParseError]:
    name = detect_format(data, origin) if fmt == "auto" else fmt
    return parser_for(name)(data, origin)
