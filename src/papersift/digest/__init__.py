"""The daily digest: render a `Digest` as HTML, Markdown, plain text or an Atom feed.

Rendering lives in `papersift.digest.render` (it imports Jinja2, so this package stays light:
the config file validates formats against `FORMATS` without pulling in the templates).
"""

from __future__ import annotations

from typing import Literal

Format = Literal["html", "md", "txt", "atom"]
FORMATS: tuple[Format, ...] = ("html", "md", "txt", "atom")
