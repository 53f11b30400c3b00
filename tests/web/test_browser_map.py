# ruff: noqa: F811  (the browser fixtures are imported from test_browser and used by name)
"""The map in real Chromium: wide enough to read on a desktop, labels readable and whole, one
colour per topic, an "All" tab (issue 19, item 12)."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import LiveServer
from tests.web.test_browser import browser, page, pytestmark, shot  # noqa: F401  (fixtures)

DESKTOP = {"width": 1280, "height": 900}


def _open_map(page: Any, server: LiveServer, since: str) -> Any:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server.url}/map?since={since}")
    frame = page.frame_locator("iframe.map")
    frame.locator("circle.pt").first.wait_for()
    return frame


def test_the_map_is_wide_and_its_labels_readable_and_inside(page: Any, live_server: LiveServer):
    frame = _open_map(page, live_server, "all")
    svg_box = frame.locator("svg#map").bounding_box()
    assert svg_box["width"] >= 800, svg_box
    boxes = frame.locator("text.tl").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {top: r.top, left: r.left, right: r.right, bottom: r.bottom,"
        " px: parseFloat(getComputedStyle(e).fontSize) * (r.height ? 1 : 0),"
        " height: r.height}; })"
    )
    assert boxes, "the map names its topics"
    frame_box = page.locator("iframe.map").bounding_box()
    for box in boxes:
        assert box["height"] >= 11, box  # the rendered glyph box, in screen pixels
        assert box["left"] >= 0 and box["right"] <= svg_box["width"] + 1, box
        assert box["top"] >= 0 and box["bottom"] <= frame_box["height"], box
    shot(page, "map-all-desktop")


def test_zooming_out_keeps_labels_readable(page: Any, live_server: LiveServer):
    frame = _open_map(page, live_server, "all")
    svg = frame.locator("svg#map")
    box = svg.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(4):
        page.mouse.wheel(0, 300)  # zoom out: the drawing shrinks, the words must not
    heights = frame.locator("text.tl").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 11, heights


def test_every_topic_has_its_own_colour_and_all_is_a_tab(page: Any, live_server: LiveServer):
    frame = _open_map(page, live_server, "all")
    swatches = frame.locator("aside li .sw").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)"
    )
    labels = frame.locator("aside li").evaluate_all("els => els.map(e => e.textContent)")
    named = [colour for colour, label in zip(swatches, labels) if not label.startswith("other")]
    assert len(named) == len(set(named)), swatches
    tabs = page.locator("nav.tabs a").all_text_contents()
    assert "All" in tabs
    assert page.locator("nav.tabs a[aria-current=page]").text_content() == "All"
