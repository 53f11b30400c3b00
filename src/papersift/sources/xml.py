"""Safe XML reading shared by the XML parsers (arXiv Atom, OAI-PMH, RSS).

defusedxml refuses external entities and entity-expansion bombs; we turn its refusals and
plain syntax errors into our ParseError so no XML problem ever reaches the user as a traceback.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from papersift.errors import ParseError


def parse_xml(data: bytes, origin: str) -> ET.Element:
    try:
        return fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise ParseError(origin, f"unsafe XML refused ({type(err).__name__})") from None
    except ET.ParseError as err:
        raise ParseError(origin, f"malformed XML: {err}") from None
    except (ValueError, UnicodeError, LookupError) as err:  # LookupError: unknown encoding="..."
        raise ParseError(origin, f"unreadable XML: {err}") from None


def text_of(element: ET.Element | None) -> str | None:
    """All text inside an element (children included), or None when absent or blank."""
    if element is None:
        return None
    text = "".join(element.itertext())
    return text if text.strip() else None
