"""The map: layout quality on planted clusters, a safe self-contained HTML page, a valid PNG."""

from __future__ import annotations

import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from papersift.records import Link, Paper
from papersift.topics.clusters import Topic
from papersift.viz.files import write_map
from papersift.viz.html import render_html
from papersift.viz.layout import layout_2d
from papersift.viz.map import LIKED_RING, OTHER_COLOUR, PaperMap, build_map
from papersift.viz.png import encode_png, render_png
from tests.helpers import make_paper

HOSTILE_TITLE = '<img src=x onerror=alert(1)> and " onmouseover="alert(2)'


def clustered_vectors(n_clusters: int, per_cluster: int, *, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_clusters, 48))
    points = np.repeat(centres, per_cluster, axis=0)
    points += 0.35 * rng.normal(size=points.shape)
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


# --- layout -------------------------------------------------------------------------------------


def test_layout_keeps_planted_clusters_apart() -> None:
    vectors = clustered_vectors(4, 30)
    truth = np.repeat(np.arange(4), 30)
    coords = layout_2d(vectors)
    assert coords.shape == (120, 2) and np.isfinite(coords).all()
    # Each point's nearest point on the map belongs to its own cluster.
    distances = np.linalg.norm(coords[:, None] - coords[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    nearest = distances.argmin(axis=1)
    assert (truth[nearest] == truth).mean() >= 0.97
    # Clusters are separated: a cluster's spread is small next to the gaps between centres.
    centres = np.array([coords[truth == c].mean(axis=0) for c in range(4)])
    spread = max(np.linalg.norm(coords[truth == c] - centres[c], axis=1).mean() for c in range(4))
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(4, 1)]
    assert gaps.min() > 2 * spread


def test_layout_is_deterministic() -> None:
    vectors = clustered_vectors(3, 20, seed=1)
    np.testing.assert_array_equal(layout_2d(vectors), layout_2d(vectors))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5])
def test_layout_of_tiny_sets(n: int) -> None:
    vectors = clustered_vectors(1, n) if n else np.zeros((0, 48), np.float32)
    coords = layout_2d(vectors)
    assert coords.shape == (n, 2) and np.isfinite(coords).all()


def test_layout_survives_duplicate_papers() -> None:
    vectors = np.repeat(clustered_vectors(2, 5), 4, axis=0)  # every vector four times
    coords = layout_2d(vectors)
    assert np.isfinite(coords).all()


# --- a small map --------------------------------------------------------------------------------


def small_map(*, liked: tuple[str, ...] = ("p1", "p5")) -> PaperMap:
    papers = [
        make_paper(f"p{i}", title=f"Paper number {i} on topic {i % 3}", arxiv=False)
        for i in range(9)
    ]
    papers[4] = make_paper("p4", title=HOSTILE_TITLE, arxiv=False)
    papers[7] = Paper(
        id="p7",
        title="A paper with a hostile link",
        title_raw="A paper with a hostile link",
        links=(Link("abs", "javascript:alert(3)"),),
    )
    papers[8] = make_paper("2401.00008", title="An arXiv paper", arxiv=True)
    keys = [paper.id for paper in papers]
    topics = [
        Topic("sparse attention · long context", ("sparse attention", "long context"), 3,
              tuple(keys[0:3]), tuple(keys[0:1])),
        Topic("<b>bold</b> · label", ("<b>bold</b>", "label"), 3, tuple(keys[3:6]), ()),
        Topic("other", (), 3, tuple(keys[6:9]), (), is_other=True),
    ]  # fmt: skip
    coords = np.array([[i % 3, i // 3] for i in range(9)], dtype=np.float64)
    return build_map(papers, coords, topics, liked=liked, title="Map <script>alert(4)</script>")


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(page: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = TagCollector()
    collector.feed(page)
    return collector.tags


def test_html_has_one_point_per_paper_coloured_by_topic() -> None:
    paper_map = small_map()
    tags = parse(render_html(paper_map))
    points = [attrs for tag, attrs in tags if tag == "circle" and "pt" in (attrs["class"] or "")]
    assert len(points) == 9
    colours = {attrs["data-k"]: attrs["fill"] for attrs in points}
    assert colours["2"] == OTHER_COLOUR
    assert len({colours["0"], colours["1"], colours["2"]}) == 3
    liked = [attrs for attrs in points if "liked" in (attrs["class"] or "").split()]
    assert sorted(attrs["data-t"] or "" for attrs in liked) == [
        "Paper number 1 on topic 1",
        "Paper number 5 on topic 2",
    ]


def test_hostile_text_is_inert() -> None:
    page = render_html(small_map())
    tags = parse(page)
    assert not any(tag in ("img", "b") for tag, _ in tags)
    assert [tag for tag, _ in tags].count("script") == 1  # ours, none from the data
    for tag, attrs in tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "alert(4)</script>" not in page
    # The title reaches the tooltip only through data-t and textContent.
    hostile = [
        attrs for tag, attrs in tags if tag == "circle" and attrs.get("data-t") == HOSTILE_TITLE
    ]
    assert len(hostile) == 1
    assert "innerHTML" not in page


def test_only_http_links_are_clickable() -> None:
    tags = parse(render_html(small_map()))
    urls = {attrs["data-t"]: attrs.get("data-u") for tag, attrs in tags if tag == "circle"}
    assert urls["A paper with a hostile link"] is None
    assert urls["An arXiv paper"] == "https://arxiv.org/abs/2401.00008"
    assert "javascript:" not in render_html(small_map())


def test_page_is_self_contained() -> None:
    page = render_html(small_map())
    tags = parse(page)
    assert not any(tag in ("link", "iframe", "img", "object", "embed") for tag, _ in tags)
    assert not any("src" in attrs or "href" in attrs for _, attrs in tags)
    csp = [
        a for tag, a in tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")


def test_legend_lists_topics_with_sizes() -> None:
    page = render_html(small_map())
    assert "sparse attention · long context" in page
    assert "&lt;b&gt;bold&lt;/b&gt; · label" in page
    assert page.count('<li data-k="') == 3


def test_map_refuses_mismatched_inputs() -> None:
    with pytest.raises(ValueError, match="coordinates"):
        build_map([make_paper("a")], np.zeros((2, 2)), [])
    with pytest.raises(ValueError, match="in no topic"):
        build_map([make_paper("a")], np.zeros((1, 2)), [])


def test_coordinates_fill_the_unit_square_keeping_the_aspect() -> None:
    paper_map = small_map()
    xs = [point.x for point in paper_map.points]
    ys = [point.y for point in paper_map.points]
    assert min(xs) == pytest.approx(0) and max(xs) == pytest.approx(1)
    # The layout is 3 wide and 3 tall here (0..2 both ways): same extent on both axes.
    assert min(ys) == pytest.approx(0) and max(ys) == pytest.approx(1)


# --- PNG ----------------------------------------------------------------------------------------


def decode_png(data: bytes) -> np.ndarray:
    """Our PNGs: 8-bit RGB, one or more IDAT, each row with one of the five PNG filters (checked
    and undone here, independently of the library that wrote the file)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour_type, interlace) == (8, 2, 0)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, 1 + 3 * width)
    assert (rows[:, 0] <= 4).all()  # None, Sub, Up, Average, Paeth
    return unfilter(rows).reshape(height, width, 3)


def unfilter(rows: np.ndarray, bpp: int = 3) -> np.ndarray:
    """Undo PNG's per-row filters (PNG spec, section 9): each row's first byte names its filter."""
    pixels = np.zeros((len(rows), rows.shape[1] - 1), dtype=np.uint8)
    prior = np.zeros(rows.shape[1] - 1, dtype=np.int64)
    for y, row in enumerate(rows):
        kind, line = int(row[0]), row[1:].astype(np.int64)
        if kind == 0:
            current = line
        elif kind == 1:  # Sub: plus the byte one pixel to the left, i.e. a running sum
            current = np.cumsum(line.reshape(-1, bpp), axis=0).ravel() % 256
        elif kind == 2:  # Up: plus the byte above
            current = (line + prior) % 256
        else:  # Average or Paeth: depend on the byte just decoded, so one byte at a time
            out: list[int] = []
            above = prior.tolist()
            for i, value in enumerate(line.tolist()):
                left = out[i - bpp] if i >= bpp else 0
                up, up_left = above[i], above[i - bpp] if i >= bpp else 0
                if kind == 3:
                    out.append((value + (left + up) // 2) % 256)
                    continue
                estimate = left + up - up_left
                distances = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
                if distances[0] <= distances[1] and distances[0] <= distances[2]:
                    predictor = left
                elif distances[1] <= distances[2]:
                    predictor = up
                else:
                    predictor = up_left
                out.append((value + predictor) % 256)
            current = np.array(out, dtype=np.int64)
        pixels[y] = current
        prior = current
    return pixels


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_png_decodes_and_shows_every_topic_colour() -> None:
    paper_map = small_map()
    pixels = decode_png(render_png(paper_map, size=400, legend_width=300))
    assert pixels.shape == (400, 700, 3)
    map_area = pixels[:, :400]
    for topic in paper_map.topics:
        exact = (map_area == rgb(topic.colour)).all(axis=2).sum()
        assert exact >= 3 * 20, f"{topic.label}: {exact} pixels"  # 3 discs of r >= 2.5
    assert (map_area == rgb(LIKED_RING)).all(axis=2).sum() > 0
    background = (pixels == 255).all(axis=2).mean()
    assert 0.5 < background < 1.0
    # The legend has text: dark pixels right of the map.
    assert (pixels[:, 400:] < 60).all(axis=2).sum() > 200


def test_png_without_likes_has_no_ring() -> None:
    pixels = decode_png(render_png(small_map(liked=()), size=300, legend_width=200))
    assert (pixels[:, :300] == rgb(LIKED_RING)).all(axis=2).sum() == 0


def test_encode_png_round_trips_an_array() -> None:
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(encode_png(pixels)), pixels)
    with pytest.raises(ValueError):
        encode_png(np.zeros((2, 2), np.uint8))


def test_write_map_puts_the_png_beside_the_html(tmp_path: Path) -> None:
    html_path, png_path = write_map(small_map(), tmp_path / "out" / "map.html")
    assert html_path == tmp_path / "out" / "map.html"
    assert png_path == tmp_path / "out" / "map.png"
    assert html_path.read_text(encoding="utf-8").startswith("<!doctype html>")
    decode_png(png_path.read_bytes())
