"""The map of a set of papers as data: points, topics and colours, ready for either drawing.

`build_map` puts papers, their 2-D layout (`viz.layout`) and their topics (`topics.clusters`)
together into a `PaperMap`; `viz.html` and `viz.png` draw it. The geometry both drawings share
(point size, drawing order, where topic labels go) lives here so the page and the picture agree.
Paper text comes from the internet: a point's URL is kept only if it is http(s); the drawings
escape every title and label.
"""

from __future__ import annotations

import colorsys
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from papersift.records import Paper
from papersift.text import safe_url
from papersift.topics.clusters import Topic
from papersift.viz.layout import fit_unit_square

# Kenneth Kelly's colours of maximum contrast (1965), without white, black and the grey kept for
# "other", ordered so that the first ones differ most: neighbouring topics must not look alike,
# which a palette of two blues, two oranges and two greens could not promise.
PALETTE = (
    "#0067a5", "#f38400", "#008856", "#be0032", "#875692", "#f3c300", "#a1caf1", "#e68fac",
    "#8db600", "#604e97", "#f99379", "#882d17", "#dcd300", "#b3446c", "#c2b280", "#2b3d26",
    "#e25822", "#654522", "#f6a600",
)  # fmt: skip
OTHER_COLOUR = "#b4b4b4"
LIKED_RING = "#111111"
LIKED_SCALE = 1.5  # a liked paper's point is this much larger, so it stands out in a crowd


@dataclass(frozen=True)
class MapPoint:
    key: str
    title: str
    x: float  # 0..1, left to right
    y: float  # 0..1, top to bottom
    topic: int  # index into PaperMap.topics
    liked: bool = False
    url: str | None = None  # http(s) only


@dataclass(frozen=True)
class MapTopic:
    label: str
    size: int
    colour: str  # "#rrggbb"
    is_other: bool = False


@dataclass(frozen=True)
class PaperMap:
    title: str
    points: tuple[MapPoint, ...]
    topics: tuple[MapTopic, ...]


def build_map(
    papers: Sequence[Paper],
    coords: np.ndarray,
    topics: Sequence[Topic],
    *,
    liked: Collection[str] = (),
    title: str = "papersift map",
) -> PaperMap:
    """Put papers, their 2-D `coords` (from `layout_2d`) and topics together for drawing.

    `topics` come from `topics.find_topics` over the same papers; `liked` are paper ids.
    """
    if len(papers) != len(coords):
        raise ValueError(f"{len(papers)} papers but {len(coords)} coordinates")
    topic_index = {key: i for i, topic in enumerate(topics) for key in topic.members}
    missing = [paper.id for paper in papers if paper.id not in topic_index]
    if missing:
        raise ValueError(f"{len(missing)} papers in no topic, e.g. {missing[0]}")
    fitted = fit_unit_square(np.asarray(coords, dtype=np.float64))
    liked_ids = set(liked)
    map_topics = tuple(
        MapTopic(topic.label, topic.size, _colour(i, topic.is_other), topic.is_other)
        for i, topic in enumerate(topics)
    )
    points = tuple(
        MapPoint(
            key=paper.id,
            title=paper.title,
            x=float(fitted[i, 0]),
            y=float(1.0 - fitted[i, 1]),  # screen y grows downwards
            topic=topic_index[paper.id],
            liked=paper.id in liked_ids,
            url=_safe_url(paper),
        )
        for i, paper in enumerate(papers)
    )
    return PaperMap(title, points, map_topics)


def _colour(index: int, is_other: bool) -> str:
    if is_other:
        return OTHER_COLOUR
    if index < len(PALETTE):
        return PALETTE[index]
    # Past the palette, hues a golden angle apart: each new one lands in the widest gap left.
    hue = (0.61803398875 * index) % 1.0
    red, green, blue = colorsys.hls_to_rgb(hue, 0.45, 0.75)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def _safe_url(paper: Paper) -> str | None:
    """The paper's page, only if it is http(s): a `javascript:` link must never be clickable."""
    url = paper.link("abs") or paper.link("html") or paper.link("doi")
    if url is None and paper.arxiv_id:
        url = f"https://arxiv.org/abs/{paper.arxiv_id}"
    return safe_url(url)


# --- geometry both drawings share -------------------------------------------------------------


def points_in_drawing_order(paper_map: PaperMap) -> list[MapPoint]:
    """The points with "other" first and liked last: the reader's papers are never hidden."""
    return sorted(paper_map.points, key=lambda point: _draw_order(point, paper_map))


def _draw_order(point: MapPoint, paper_map: PaperMap) -> tuple[int, int]:
    return (0 if paper_map.topics[point.topic].is_other else 1 + point.liked, point.topic)


def point_radius(n: int, canvas: int) -> float:
    """Big enough to hover, small enough that 1,500 points still leave gaps between topics."""
    return float(np.clip(canvas / (6.0 * np.sqrt(max(n, 1))), 2.5, 10.0))


def topic_centres(paper_map: PaperMap) -> dict[int, tuple[float, float]]:
    """Where to print each named topic's label: the median of its points."""
    centres = {}
    for index, topic in enumerate(paper_map.topics):
        if topic.is_other:
            continue
        xs = [p.x for p in paper_map.points if p.topic == index]
        ys = [p.y for p in paper_map.points if p.topic == index]
        if xs:
            centres[index] = (float(np.median(xs)), float(np.median(ys)))
    return centres


def short_label(label: str) -> str:
    """A topic's first two keyphrases: the whole label would cover its own points."""
    return " · ".join(label.split(" · ")[:2])
