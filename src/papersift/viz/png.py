"""The map as a PNG picture: points on the left, the legend on the right, drawn with Pillow.

For places a page cannot go (an e-mail, a chat, a README): the same points, colours and drawing
order as the HTML page, without interaction. Text is Pillow's bundled default font.
"""

from __future__ import annotations

import functools
import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from papersift.viz.map import (
    LIKED_RING,
    LIKED_SCALE,
    MapTopic,
    PaperMap,
    point_radius,
    points_in_drawing_order,
)

# Pillow draws ellipses with hard, stair-stepped edges: discs are drawn this many times larger
# and averaged down, which gives each rim pixel its share of the colour (smooth edges) while
# the inside keeps the topic's exact colour.
_SUPERSAMPLE = 3
_MARGIN = 16
_BACKGROUND = (255, 255, 255)
_INK = (34, 34, 34)
_MUTED = (120, 120, 120)
_FONT_SIZE = 15
_TITLE_SIZE = 17
_LINE_HEIGHT = 22
_RING_WIDTH = 2.0  # px around a liked paper's point


def render_png(paper_map: PaperMap, *, size: int = 900, legend_width: int = 560) -> bytes:
    """The map as a PNG: points on the left (`size` square), the legend on the right; the
    picture grows taller when the legend needs it, so no topic is left out."""
    rows = sum(len(_legend_lines(t, legend_width)) for t in paper_map.topics) + 3
    height = max(size, 2 * _MARGIN + rows * _LINE_HEIGHT)
    image = Image.new("RGB", (size + legend_width, height), _BACKGROUND)
    image.paste(_points(paper_map, size), (0, 0))
    _draw_legend(image, paper_map, left=size + 12, top=_MARGIN)
    return _png_bytes(image)


def encode_png(pixels: np.ndarray) -> bytes:
    """An RGB uint8 array (height, width, 3) as PNG bytes."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError("expected an RGB uint8 array of shape (height, width, 3)")
    return _png_bytes(Image.fromarray(pixels))


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _points(paper_map: PaperMap, size: int) -> Image.Image:
    """The square panel of points, drawn large and averaged down to `size`."""
    scale = _SUPERSAMPLE
    panel = Image.new("RGB", (size * scale, size * scale), _BACKGROUND)
    draw = ImageDraw.Draw(panel)
    radius = point_radius(len(paper_map.points), size)
    span = size - 2 * _MARGIN
    for point in points_in_drawing_order(paper_map):
        cx, cy = _MARGIN + point.x * span, _MARGIN + point.y * span
        colour = paper_map.topics[point.topic].colour
        if point.liked:
            _disc(draw, cx, cy, radius * LIKED_SCALE + _RING_WIDTH, LIKED_RING, scale)
            _disc(draw, cx, cy, radius * LIKED_SCALE, colour, scale)
        else:
            _disc(draw, cx, cy, radius, colour, scale)
    return panel.reduce(scale)


def _disc(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill: str, scale: int) -> None:
    draw.ellipse(
        (scale * (cx - r), scale * (cy - r), scale * (cx + r), scale * (cy + r)), fill=fill
    )


def _swatch(image: Image.Image, cx: int, cy: int, r: float, fill: str, ring: str | None) -> None:
    """A small smooth disc for the legend (optionally ringed), on the white legend background."""
    scale = _SUPERSAMPLE
    half = math.ceil(r + _RING_WIDTH) + 1
    tile = Image.new("RGB", (2 * half * scale, 2 * half * scale), _BACKGROUND)
    draw = ImageDraw.Draw(tile)
    if ring is not None:
        _disc(draw, half, half, r + _RING_WIDTH, ring, scale)
    _disc(draw, half, half, r, fill, scale)
    image.paste(tile.reduce(scale), (cx - half, cy - half))


def _draw_legend(image: Image.Image, paper_map: PaperMap, *, left: int, top: int) -> None:
    draw = ImageDraw.Draw(image)
    text_left = left + 24
    title_font, font = _font(_TITLE_SIZE), _font(_FONT_SIZE)
    title = _fit(paper_map.title, title_font, image.width - left - 12)
    draw.text((left, top), title, _INK, font=title_font)
    y = top + _LINE_HEIGHT + 6
    for topic in paper_map.topics:
        _swatch(image, left + 7, y + _LINE_HEIGHT // 2, 6, topic.colour, None)
        for line in _legend_lines(topic, image.width - left):
            draw.text((text_left, y + _LINE_HEIGHT // 2), line, _INK, font=font, anchor="lm")
            y += _LINE_HEIGHT
    if any(point.liked for point in paper_map.points):
        middle = y + 6 + _LINE_HEIGHT // 2
        _swatch(image, left + 7, middle, 6, "#ffffff", LIKED_RING)
        draw.text((text_left, middle), "liked", _INK, font=font, anchor="lm")


def _legend_lines(topic: MapTopic, legend_width: int) -> list[str]:
    """A topic's legend entry, wrapped at its keyphrases onto as many lines as it needs."""
    font, room = _font(_FONT_SIZE), legend_width - 24 - 12 - 12
    lines: list[str] = []
    for phrase in f"{topic.label} ({topic.size})".split(" · "):
        joined = f"{lines[-1]} · {phrase}" if lines else phrase
        if lines and font.getlength(joined) <= room:
            lines[-1] = joined
        else:
            lines.append(_fit(phrase, font, room))
    return lines


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size)


def _fit(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float) -> str:
    """`text`, cut short with "..." if it would run wider than `width` pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."
