"""Render a `Digest` as HTML (e-mail safe), Markdown, plain text or Atom, and write the files.

Every text that reaches a template came from the internet (titles, author names, TL;DRs), so
the HTML and Atom templates autoescape, Markdown escapes its own syntax, and every URL is
checked to be http(s) before it becomes a link.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from papersift.atomic import write_atomically
from papersift.badges import badges
from papersift.digest import FORMATS, Format
from papersift.errors import DigestWriteError, UsageError
from papersift.records import Digest, DigestEntry, DigestUpdate, Paper
from papersift.text import collapse_whitespace, safe_url, short_authors

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAMES: dict[Format, str] = {
    "html": "digest.html.j2",
    "md": "digest.md.j2",
    "txt": "digest.txt.j2",
    "atom": "digest.atom.j2",
}
EXTENSIONS: dict[Format, str] = {"html": "html", "md": "md", "txt": "txt", "atom": "atom"}
AUTHORS_SHOWN = 3
TEXT_WIDTH = 78
# Entry ids for papers without a stable URL; the tag date is fixed so ids never change.
TAG_PREFIX = "tag:papersift,2026:"
# Gmail clips an HTML body beyond about 102 KB, hiding the rest behind "View entire message".
# The HTML (the e-mail body) therefore lists a topic's papers one line each, and only its first
# few: 80 lines shared by the topics, 2 to 8 per topic (10 topics x 8, 40 topics x 2). The
# Markdown and text files keep every paper. Sizes: docs/benchmarks.md#digest-e-mail-size.
TOPIC_LINES_TOTAL = 80
TOPIC_LINES_MIN = 2
TOPIC_LINES_MAX = 8
# How an empty digest's reader widens the window (the CLI's one --since grammar).
WIDEN_HINT = "papersift digest --since 7d shows the past week, --since all everything"
# Topic labels that name no subject: their "more" link opens the window's feed, not a search.
_GENERIC_LABELS = frozenset({"other", "more papers"})

# XML 1.0 forbids C0 controls other than tab/newline/CR; C1 controls and non-characters are
# invisible junk in titles that validators reject, so they go too.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Characters that open Markdown syntax anywhere in a line (CommonMark backslash-escapes any
# ASCII punctuation; escaping only these keeps titles readable in the raw file).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~&])")
_MARKDOWN_LINE_START = re.compile(r"^(\d*)([-+=.)])")
# Percent-encode quotes, parentheses, angle brackets, spaces and non-ASCII: the result is safe
# inside an HTML attribute, a Markdown link and XML alike.


@dataclass(frozen=True)
class BadgeView:
    """A badge as the templates show it (badges.Badge with a checked URL)."""

    kind: str
    text: str
    title: str
    url: str | None


@dataclass(frozen=True)
class UpdateView:
    """A liked or tagged paper with what changed on it since the reader's last digest."""

    paper_id: str
    title: str
    abs_url: str | None
    changes: tuple[str, ...]


@dataclass(frozen=True)
class EntryView:
    """One paper as the templates show it: plain, cleaned strings and checked URLs."""

    number: int
    paper_id: str
    title: str
    abs_url: str | None
    pdf_url: str | None
    authors: tuple[str, ...]
    authors_short: str
    date: str | None
    updated: str | None  # only when later than `date`
    categories: tuple[str, ...]
    tldr: str | None
    reasons: tuple[str, ...]
    like_url: str | None
    dislike_url: str | None
    atom_id: str
    atom_updated: str
    badges: tuple[BadgeView, ...] = ()

    @property
    def badge_line(self) -> str:
        """The badges as plain text ("▲42 · code · ICLR 2025"), for the compact views."""
        return " · ".join(badge.text for badge in self.badges)

    read_url: str | None = None
    update: str | None = None  # "updated: v3, new abstract" for a paper shown before

    @property
    def meta(self) -> str:
        """Authors, date and categories on one line, for the compact views."""
        parts = [self.update] if self.update else []
        if self.authors_short:
            parts.append(self.authors_short)
        if self.date:
            parts.append(self.date + (f" (updated {self.updated})" if self.updated else ""))
        if self.categories:
            parts.append(", ".join(self.categories))
        return " · ".join(parts)


@dataclass(frozen=True)
class TopicView:
    label: str
    entries: tuple[EntryView, ...]
    # The HTML's anchor for the table of contents, and where the papers it leaves out are.
    anchor: str = ""
    more_url: str | None = None


@dataclass(frozen=True)
class DigestView:
    title: str
    window: str
    generated: str
    total_papers: int
    top_picks: tuple[EntryView, ...]
    topics: tuple[TopicView, ...]
    feedback_url: str | None
    atom_id: str
    atom_updated: str
    updates: tuple[UpdateView, ...] = ()
    # The reader's own sections (follows, alerts, rules), shown before the top picks.
    pinned: tuple[TopicView, ...] = ()
    hidden_by_rules: int = 0
    empty_reason: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.top_picks and not self.topics and not self.updates and not self.pinned

    @property
    def counts(self) -> str:
        papers = _plural(self.total_papers, "paper")
        hidden = [f"{self.hidden_by_rules} hidden by your rules"] if self.hidden_by_rules else []
        if self.is_empty:
            return " · ".join([papers, *hidden])
        picks = len(self.top_picks)
        parts = [papers]
        followed = sum(len(section.entries) for section in self.pinned)
        if followed:
            parts.append(f"{followed} you asked for")
        parts.append(f"{picks} strong match" + ("" if picks == 1 else "es"))
        if self.topics:
            parts.append(_plural(len(self.topics), "topic"))
        if self.updates:
            parts.append(_plural(len(self.updates), "update"))
        return " · ".join([*parts, *hidden])

    @property
    def empty_message(self) -> str:
        if self.empty_reason:
            message = f"No new papers to show: {self.empty_reason}."
        elif self.total_papers:  # papers were counted but none was handed over to show
            message = f"{_plural(self.total_papers, 'paper')} in this window, none to show."
        else:
            message = f"No new papers in this window ({self.window})."
        # A reason that already names its remedy (build.py's "--include-seen shows them
        # again", the widen hint itself) is not told twice.
        if "--" in (self.empty_reason or ""):
            return message
        return f"{message} To see more: {WIDEN_HINT}."

    @property
    def topic_lines(self) -> int:
        """How many papers of each topic the HTML lists (the rest: "and N more")."""
        share = TOPIC_LINES_TOTAL // max(len(self.topics), 1)
        return max(TOPIC_LINES_MIN, min(TOPIC_LINES_MAX, share))


def render(digest: Digest, fmt: Format) -> str:
    """The digest as one document in `fmt` ("html", "md", "txt" or "atom")."""
    if fmt not in TEMPLATE_NAMES:
        raise UsageError(f"unknown digest format {fmt!r} (choose from {', '.join(FORMATS)})")
    template = _environment().get_template(TEMPLATE_NAMES[fmt])
    return template.render(digest=digest_view(digest))


def render_view(view: DigestView, fmt: Format) -> str:
    """An already built view in `fmt`: for feeds that are not a day's digest (one tag's papers)."""
    return _environment().get_template(TEMPLATE_NAMES[fmt]).render(digest=view)


def write_digest(digest: Digest, out_dir: Path, formats: Iterable[Format]) -> dict[Format, Path]:
    """Write one file per format into `out_dir` (created if needed); returns format -> path.

    Files are named `papersift-<window end>.<ext>` and replaced atomically, so a reader never
    sees half a digest.
    """
    documents = {fmt: render(digest, fmt) for fmt in dict.fromkeys(formats)}
    stem = f"papersift-{digest.window_end.isoformat()}"
    written: dict[Format, Path] = {}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for fmt, text in documents.items():
            path = out_dir / f"{stem}.{EXTENSIONS[fmt]}"
            write_atomically(path, text, mode=0o644)
            written[fmt] = path
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise DigestWriteError(f"cannot write the digest to {out_dir}: {reason}") from err
    return written


def parse_formats(text: str) -> tuple[Format, ...]:
    """`"html,md"` -> ("html", "md"); unknown names raise UsageError."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise UsageError(
            f"unknown digest format {', '.join(unknown) or repr(text)} "
            f"(choose from {', '.join(FORMATS)})"
        )
    return tuple(dict.fromkeys(name for name in names if name in FORMATS))


def email_subject(digest: Digest) -> str:
    view = digest_view(digest)
    return f"{view.title}: {view.counts} ({view.window})"


def feedback_link(feedback_url: str, paper_id: str, action: str) -> str:
    """`{feedback_url}/papers/{id}/{action}`; `/` and `:` stay literal (`hep-th/9901001`)."""
    return f"{feedback_url.rstrip('/')}/papers/{quote(paper_id, safe='/:')}/{action}"


def clean_text(text: str | None) -> str | None:
    """One line of displayable text: invisible characters dropped, whitespace collapsed."""
    if text is None:
        return None
    return collapse_whitespace(_INVISIBLE.sub("", text)) or None


# --- building the view (pure) ---


def digest_view(digest: Digest) -> DigestView:
    feedback_url = safe_url(digest.feedback_url)
    if feedback_url:
        feedback_url = feedback_url.rstrip("/")
    fallback_updated = _rfc3339(digest.generated_at)
    numbers = iter(range(1, 1_000_000))

    def views(entries: Iterable[DigestEntry]) -> tuple[EntryView, ...]:
        return tuple(
            entry_view(entry, next(numbers), feedback_url, fallback_updated) for entry in entries
        )

    pinned = tuple(
        TopicView(clean_text(section.label) or "Yours", views(section.entries), f"yours-{n}")
        for n, section in enumerate((s for s in digest.pinned if s.entries), start=1)
    )
    top_picks = views(digest.top_picks)
    topics = tuple(
        TopicView(
            label,
            views(topic.entries),
            f"topic-{n}",
            _more_url(feedback_url, label, len(topic.entries), digest),
        )
        for n, topic in enumerate((t for t in digest.topics if t.entries), start=1)
        for label in [clean_text(topic.label) or "Other"]
    )
    window = _window(digest.window_start, digest.window_end)
    return DigestView(
        title=clean_text(digest.title) or "papersift digest",
        window=window,
        generated=_human_time(digest.generated_at),
        total_papers=digest.total_papers,
        top_picks=top_picks,
        topics=topics,
        feedback_url=feedback_url,
        atom_id=f"{TAG_PREFIX}digest:{digest.window_start.isoformat()}/{digest.window_end}",
        atom_updated=fallback_updated,
        updates=tuple(filter(None, map(update_view, digest.updates))),
        pinned=pinned,
        hidden_by_rules=digest.hidden_by_rules,
        empty_reason=clean_text(digest.empty_reason),
    )


def update_view(update: DigestUpdate) -> UpdateView | None:
    changes = tuple(c for c in map(clean_text, update.changes) if c)
    if not changes:
        return None
    paper = update.paper
    return UpdateView(
        paper_id=paper.id,
        title=clean_text(paper.title) or clean_text(paper.title_raw) or paper.id,
        abs_url=_abs_url(paper),
        changes=changes,
    )


def badge_views(paper: Paper) -> tuple[BadgeView, ...]:
    return tuple(
        BadgeView(badge.kind, clean_text(badge.text) or "", clean_text(badge.title) or "", url)
        for badge in badges(paper)
        # A badge whose URL is unsafe would link nowhere: it is left out, not shown dead.
        if (url := safe_url(badge.url)) or badge.url is None
    )


def entry_view(
    entry: DigestEntry, number: int, feedback_url: str | None, fallback_updated: str
) -> EntryView:
    paper = entry.paper
    authors = tuple(name for name in map(clean_text, paper.authors) if name)
    abs_url = _abs_url(paper)
    shown_date = paper.published or paper.updated
    later = (
        paper.updated
        if paper.published and paper.updated and paper.updated > paper.published
        else None
    )
    latest = paper.updated or paper.published
    return EntryView(
        number=number,
        paper_id=paper.id,
        title=clean_text(paper.title) or clean_text(paper.title_raw) or paper.id,
        abs_url=abs_url,
        pdf_url=_pdf_url(paper),
        authors=authors,
        authors_short=short_authors(authors, AUTHORS_SHOWN, et_al=True),
        date=shown_date.isoformat() if shown_date else None,
        updated=later.isoformat() if later else None,
        categories=tuple(c for c in map(clean_text, paper.categories) if c),
        tldr=clean_text(entry.tldr),
        reasons=tuple(r for r in map(clean_text, entry.reasons) if r),
        like_url=feedback_link(feedback_url, paper.id, "like") if feedback_url else None,
        dislike_url=feedback_link(feedback_url, paper.id, "dislike") if feedback_url else None,
        atom_id=abs_url or f"{TAG_PREFIX}paper:{quote(paper.id, safe='/:')}",
        atom_updated=_rfc3339_date(latest) if latest else fallback_updated,
        badges=badge_views(paper),
        read_url=feedback_link(feedback_url, paper.id, "read") if feedback_url else None,
        update=clean_text(entry.update),
    )


def _more_url(feedback_url: str | None, label: str, count: int, digest: Digest) -> str | None:
    """The web app's page with all of a topic's papers: a search for its label in the window
    (hybrid search finds the cluster's papers by meaning), or the window's feed when the
    label names no subject."""
    if not feedback_url:
        return None
    start, end = digest.window_start.isoformat(), digest.window_end.isoformat()
    if label.lower() in _GENERIC_LABELS:
        return f"{feedback_url}/?" + urlencode({"since": start, "k": 100})
    words = collapse_whitespace(label.replace("·", " "))
    # The search page shows at most 100 results; a topic's count asks for all of them.
    query = {"q": words, "since": start, "until": end, "k": min(count, 100)}
    return f"{feedback_url}/search?" + urlencode(query)


def _abs_url(paper: Paper) -> str | None:
    candidates = [paper.link("abs"), paper.link("html")]
    if paper.arxiv_id:
        candidates.append(f"https://arxiv.org/abs/{paper.arxiv_id}")
    if paper.doi:
        candidates.append(f"https://doi.org/{paper.doi}")
    candidates.append(paper.link("openreview"))
    return next(filter(None, map(safe_url, candidates)), None)


def _pdf_url(paper: Paper) -> str | None:
    candidates = [paper.link("pdf")]
    if paper.arxiv_id:
        candidates.append(f"https://arxiv.org/pdf/{paper.arxiv_id}")
    return next(filter(None, map(safe_url, candidates)), None)


def _window(start: dt.date, end: dt.date) -> str:
    if start == end:
        return start.isoformat()
    return f"{start.isoformat()} to {end.isoformat()}"


def _aware(moment: dt.datetime) -> dt.datetime:
    # A naive time is the machine's local time (datetime.now()); astimezone() says so.
    return moment if moment.tzinfo else moment.astimezone()


def _human_time(moment: dt.datetime) -> str:
    return _aware(moment).strftime("%Y-%m-%d %H:%M %Z").strip()


def _rfc3339(moment: dt.datetime) -> str:
    return _aware(moment).replace(microsecond=0).isoformat()


def _rfc3339_date(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


# --- filters the Markdown and text templates use ---


def markdown_escape(text: object) -> str:
    """Text that Markdown shows literally: no links, emphasis or raw HTML can sneak in."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    # At the start of a line "-", "+", "=" and "1." open lists, rules or headings.
    return _MARKDOWN_LINE_START.sub(r"\1\\\2", escaped)


def wrap_text(
    text: object, width: int = TEXT_WIDTH, indent: str = "", first: str | None = None
) -> str:
    """Word-wrap to `width` columns; URLs and long words are never broken."""
    lines = textwrap.wrap(
        str(text),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines)


def _escapes_markup(template_name: str | None) -> bool:
    return (template_name or "").endswith((".html.j2", ".atom.j2"))


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2  # imported here: `papersift --help` should not pay for Jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=_escapes_markup,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = markdown_escape
    env.filters["wrap"] = wrap_text
    return env


# --- I/O ---
