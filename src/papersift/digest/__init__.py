"""The daily digest: render a `Digest` as HTML, Markdown, plain text or an Atom feed.

Rendering lives in `papersift.digest.render` (it imports Jinja2, so this package stays light).
The format names live in `papersift.records`, below the config file that validates them.
"""

from __future__ import annotations

from papersift.records import DIGEST_FORMATS as FORMATS
from papersift.records import DigestFormat as Format

__all__ = ["FORMATS", "Format"]
