"""Writing a map to disk: the HTML page and its PNG picture side by side."""

from __future__ import annotations

from pathlib import Path

from papersift.viz.html import render_html
from papersift.viz.map import PaperMap
from papersift.viz.png import render_png


def write_map(paper_map: PaperMap, html_path: Path) -> tuple[Path, Path]:
    """Write `map.html` and `map.png` beside it; returns both paths."""
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render_html(paper_map), encoding="utf-8")
    png_path = html_path.with_suffix(".png")
    png_path.write_bytes(render_png(paper_map))
    return html_path, png_path
