"""The map as one self-contained HTML page: inline SVG, a legend, hover, zoom and pan.

The markup is the Jinja2 template `templates/map.html.j2`, rendered with autoescape on: paper
titles and topic labels come from the internet and reach the page only escaped.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from papersift.viz.map import (
    LIKED_SCALE,
    PaperMap,
    point_radius,
    points_in_drawing_order,
    short_label,
    topic_centres,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
_SVG_WIDTH, _SVG_HEIGHT, _SVG_MARGIN = 1000, 1000, 20


def render_html(paper_map: PaperMap) -> str:
    """One self-contained page: the map as inline SVG, a legend, hover, zoom and pan."""
    inner_w = _SVG_WIDTH - 2 * _SVG_MARGIN
    inner_h = _SVG_HEIGHT - 2 * _SVG_MARGIN
    radius = point_radius(len(paper_map.points), _SVG_WIDTH)
    circles = [
        {
            "classes": "pt liked" if point.liked else "pt",
            "cx": _SVG_MARGIN + point.x * inner_w,
            "cy": _SVG_MARGIN + point.y * inner_h,
            "r": radius * (LIKED_SCALE if point.liked else 1),
            "colour": paper_map.topics[point.topic].colour,
            "topic": point.topic,
            "title": point.title,
            "label": paper_map.topics[point.topic].label,
            "url": point.url,
        }
        for point in points_in_drawing_order(paper_map)
    ]
    labels = [
        {
            "x": _SVG_MARGIN + x * inner_w,
            "y": _SVG_MARGIN + y * inner_h,
            "text": short_label(paper_map.topics[index].label),
        }
        for index, (x, y) in topic_centres(paper_map).items()
    ]
    template = _environment().get_template("map.html.j2")
    return template.render(
        title=paper_map.title,
        width=_SVG_WIDTH,
        height=_SVG_HEIGHT,
        circles=circles,
        labels=labels,
        topics=paper_map.topics,
        n_papers=len(paper_map.points),
        n_liked=sum(point.liked for point in paper_map.points),
    )


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every title and label is text from the internet
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
