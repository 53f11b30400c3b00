"""Regenerate papersift's invented demo corpus and its search-evaluation queries.

    python tools/corpus/make_corpus.py [OUT_DIR]

Writes demo_papers.jsonl (arXiv metadata snapshot lines plus a `topic` field) and
eval_queries.json to OUT_DIR (default src/papersift/data). Deterministic: the same sources give
byte-identical files, which tests/test_demo_corpus.py checks.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pools
import topics_a
import topics_b
import topics_c
import topics_d
import topics_e
from pools import Featured, Topic

SEED = "papersift-demo-corpus-2026-11"
PAPERS_PER_TOPIC = 24
VEILED_PER_TOPIC = 5
MIN_WORDS, MAX_WORDS = 120, 220
# Generated abstracts of one topic must differ more than this; the test's bar is 0.8.
MAX_JACCARD = 0.6
FIRST_DAY = dt.date(2026, 11, 1)
# The last two days carry LATE_DAY_PAPERS each, so "today" and "yesterday" have full digests.
LATE_DAYS = (dt.date(2026, 11, 20), dt.date(2026, 11, 21))
LATE_DAY_PAPERS = 60
FIRST_ID_NUMBER = 137

PAPERS_FILE = "demo_papers.jsonl"
QUERIES_FILE = "eval_queries.json"
DEFAULT_OUT_DIR = Path(__file__).resolve().parents[2] / "src" / "papersift" / "data"

_SLOT = re.compile(r"\{([a-z][a-z_]{2,}?)(\d?)\}")
_WORD = re.compile(r"[a-z0-9]+")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def all_topics() -> list[Topic]:
    return [
        t for module in (topics_a, topics_b, topics_c, topics_d, topics_e) for t in module.TOPICS
    ]


# ---------------------------------------------------------------- slot filling (pure)


def _number(name: str, rng: random.Random) -> str:
    """A plausible number for a numeric slot; each call draws afresh."""
    if name == "gain":
        return f"{rng.uniform(0.6, 8.9):.1f}"
    if name == "pct":
        return str(rng.randint(12, 68))
    if name == "pct_small":
        return f"{rng.uniform(0.5, 4.9):.1f}"
    if name == "speedup":
        return f"{rng.uniform(1.4, 5.8):.1f}"
    if name == "count":
        return str(rng.randint(4, 36))
    if name == "big":
        return f"{rng.randint(12, 480) * 1000:,}"
    if name == "small_dec":
        return f"{rng.uniform(0.1, 0.6):.1f}"
    if name == "score":
        return f"{rng.uniform(41.0, 92.0):.1f}"
    if name == "keep":
        return str(rng.randint(70, 97))
    raise KeyError(name)


NUMERIC_SLOTS = (
    "gain",
    "pct",
    "pct_small",
    "speedup",
    "count",
    "big",
    "small_dec",
    "score",
    "keep",
)


class SlotFiller:
    """Fills `{slot}`s for one paper: `{dataset}` and `{dataset2}` stay fixed and distinct."""

    def __init__(
        self, slots: dict[str, tuple[str, ...]], rng: random.Random, fixed: dict[str, str]
    ) -> None:
        self._rng = rng
        self._fixed = fixed
        self._values = {name: rng.sample(values, len(values)) for name, values in slots.items()}

    def put_first(self, name: str, values: Sequence[str]) -> None:
        rest = [v for v in self._values.get(name, []) if v not in values]
        self._values[name] = [*values, *rest]

    def value(self, name: str, index: int) -> str:
        if name in self._fixed:
            return self._fixed[name]
        if name in self._values:
            values = self._values[name]
            return values[(index - 1) % len(values)]
        return _number(name, self._rng)

    def fill(self, template: str) -> str:
        return _SLOT.sub(lambda m: self.value(m.group(1), int(m.group(2) or 1)), template)


def mentions(text: str, stems: Sequence[str]) -> bool:
    """Whether a word of `text` starts with one of `stems` (`spars` finds block-sparse)."""
    lower = text.lower()
    return any(re.search(r"\b" + re.escape(stem), lower) for stem in stems)


def word_set(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def lower_first(sentence: str) -> str:
    """Lower-case the first word after a connector, unless it is a name (`LLMs`, `LoRA`)."""
    word = sentence.split(" ", 1)[0]
    if word[:1].isupper() and (len(word) == 1 or word[1:].islower()):
        return sentence[0].lower() + sentence[1:]
    return sentence


def word_count(sentences: Sequence[str]) -> int:
    return sum(len(s.split()) for s in sentences)


# ---------------------------------------------------------------- abstracts and titles (pure)


@dataclass(frozen=True)
class Draft:
    """A paper's content before it gets authors, dates and an id."""

    topic: str
    title: str
    abstract: str  # one paragraph, not yet wrapped
    categories: tuple[str, ...]
    key: str | None  # the Featured key, for resolving eval queries


def pick(
    pool: Sequence[str], filler: SlotFiller, rng: random.Random, avoid: Sequence[str], count: int
) -> list[str]:
    """Up to `count` distinct filled sentences from `pool`, in random order, free of `avoid`."""
    chosen: list[str] = []
    for template in rng.sample(list(pool), len(pool)):
        sentence = filler.fill(template)
        if sentence in chosen or (avoid and mentions(sentence, avoid)):
            continue
        chosen.append(sentence)
        if len(chosen) == count:
            break
    return chosen


def pick_one(
    pool: Sequence[str], filler: SlotFiller, rng: random.Random, avoid: Sequence[str]
) -> str:
    chosen = pick(pool, filler, rng, avoid, 1)
    if not chosen:
        raise ValueError(f"every sentence of {pool[0][:40]!r}... uses one of {avoid}")
    return chosen[0]


def interleave(first: list[str], second: list[str]) -> list[str]:
    merged = [s for pair in zip(first, second, strict=False) for s in pair]
    shorter = min(len(first), len(second))
    return merged + first[shorter:] + second[shorter:]


@dataclass
class AbstractParts:
    contexts: list[str]
    gap: str
    intro: str
    details: list[str]
    required_details: int
    results: list[str]
    closing: str | None
    wants_closing: bool


def gather_parts(
    topic: Topic,
    featured: Featured | None,
    veiled: bool,
    filler: SlotFiller,
    lender: tuple[Topic, SlotFiller] | None,
    rng: random.Random,
) -> AbstractParts:
    """Candidate sentences for every move of an abstract: more than fit, trimmed later."""
    avoid = topic.avoid if veiled else ()
    contexts = pick(topic.veiled_contexts if veiled else topic.contexts, filler, rng, avoid, 2)
    gap = pick_one(topic.gaps, filler, rng, avoid)
    if featured:
        intro = filler.fill(featured.intro)
        own_details = [filler.fill(s) for s in featured.details]
    else:
        intro = pick_one(topic.intros, filler, rng, avoid)
        own_details = []
    details = pick(topic.details, filler, rng, avoid, 5)
    results = pick(topic.results, filler, rng, avoid, 4)
    if lender:
        other, other_filler = lender
        details = interleave(pick(other.details, other_filler, rng, avoid, 2), details)
        results = interleave(pick(other.results, other_filler, rng, avoid, 2), results)
    results += pick(pools.GENERIC_RESULTS, filler, rng, avoid, 1)
    closings = pick((*topic.closings, *pools.GENERIC_CLOSINGS), filler, rng, avoid, 1)
    wants_closing = rng.random() < 0.6
    return AbstractParts(
        contexts=contexts,
        gap=gap,
        intro=intro,
        details=own_details + details,
        required_details=len(own_details),
        results=results,
        closing=closings[0] if closings else None,
        wants_closing=wants_closing,
    )


def compose_abstract(parts: AbstractParts, rng: random.Random) -> str:
    """Context, gap, method, details, results, closing; sized into MIN_WORDS..MAX_WORDS."""
    with_context = bool(parts.contexts) and rng.random() < 0.85
    gap = rng.choice(pools.GAP_CONNECTORS) if with_context else ""
    gap_sentence = gap + lower_first(parts.gap) if gap else parts.gap
    opener = rng.choice(pools.INTRO_OPENERS)
    intro = (
        opener + lower_first(parts.intro)
        if opener and parts.intro.startswith("We ")
        else parts.intro
    )
    early_result = rng.random() < 0.3
    counts = {
        "contexts": 1 if with_context else 0,
        "details": max(parts.required_details, min(2, len(parts.details))),
        "results": min(2, len(parts.results)),
    }
    limits = {
        "contexts": len(parts.contexts) if with_context else 0,
        "details": len(parts.details),
        "results": len(parts.results),
    }
    closing = parts.closing if parts.wants_closing else None

    def assemble() -> list[str]:
        contexts = parts.contexts[: counts["contexts"]]
        details = parts.details[: counts["details"]]
        results = parts.results[: counts["results"]]
        if early_result and len(results) > 1:
            # A headline number may precede the design details, never a featured paper's own.
            own = details[: parts.required_details]
            body = [*own, results[0], *details[len(own) :], *results[1:]]
        else:
            body = [*details, *results]
        return [*contexts, gap_sentence, intro, *body, *([closing] if closing else [])]

    target = rng.randint(MIN_WORDS + 15, 185)
    growth = ("details", "results", "contexts")
    while word_count(assemble()) < target:
        room = [part for part in growth if counts[part] < limits[part]]
        if not room:
            break
        counts[room[0]] += 1
        growth = growth[1:] + growth[:1]
    if word_count(assemble()) < MIN_WORDS:
        closing = parts.closing
    while word_count(assemble()) > MAX_WORDS:
        if closing:
            closing = None
        elif counts["details"] > max(1, parts.required_details):
            counts["details"] -= 1
        elif counts["results"] > 1:
            counts["results"] -= 1
        elif counts["contexts"] > 1:
            counts["contexts"] -= 1
        else:
            break
    return " ".join(assemble())


def make_title(topic: Topic, method: str, veiled: bool, rng: random.Random) -> str:
    def allowed(options: Sequence[str]) -> list[str]:
        kept = [o for o in options if not (veiled and mentions(o, topic.avoid))]
        if not kept:
            raise ValueError(f"{topic.slug}: no title piece free of {topic.avoid}")
        return kept

    with_method = rng.random() < 0.8
    patterns = pools.TITLE_PATTERNS if with_method else pools.TITLE_PATTERNS_WITHOUT_METHOD
    return rng.choice(patterns).format(
        method=method,
        adjective=rng.choice(allowed(topic.title_adjectives)),
        core=rng.choice(allowed(topic.title_cores)),
        target=rng.choice(allowed(topic.title_targets)),
    )


def invent_method_name(topic: Topic, veiled: bool, rng: random.Random, taken: set[str]) -> str:
    prefixes = [p for p in topic.name_prefixes if not (veiled and mentions(p, topic.avoid))]
    while True:
        prefix, suffix = rng.choice(prefixes), rng.choice(pools.NAME_SUFFIXES)
        name = prefix + suffix
        if prefix != suffix and name not in taken:
            taken.add(name)
            return name


def pick_categories(topic: Topic, lender: Topic | None, rng: random.Random) -> tuple[str, ...]:
    chosen = [topic.categories[0]]
    if lender and lender.categories[0] not in chosen:
        chosen.append(lender.categories[0])
    for category in topic.categories[1:]:
        if len(chosen) < 3 and category not in chosen and rng.random() < 0.4:
            chosen.append(category)
    return tuple(chosen)


def write_draft(
    topic: Topic,
    featured: Featured | None,
    veiled: bool,
    method: str,
    lender_topic: Topic | None,
    rng: random.Random,
) -> Draft:
    filler = SlotFiller(topic.slots, rng, {"method": method})
    if featured and featured.datasets:
        filler.put_first("dataset", featured.datasets)
    lender = None
    if lender_topic:
        lender = (lender_topic, SlotFiller(lender_topic.slots, rng, {"method": method}))
    parts = gather_parts(topic, featured, veiled, filler, lender, rng)
    return Draft(
        topic=topic.slug,
        title=featured.title if featured else make_title(topic, method, veiled, rng),
        abstract=compose_abstract(parts, rng),
        categories=pick_categories(topic, lender_topic, rng),
        key=featured.key if featured else None,
    )


def topic_drafts(
    topic: Topic, topics: dict[str, Topic], taken: set[str], titles: set[str]
) -> list[Draft]:
    """PAPERS_PER_TOPIC drafts: the featured papers, then generated ones, some veiled.

    `taken` (method names) and `titles` are shared across topics and grow as drafts are made.
    """
    rng = random.Random(f"{SEED}/{topic.slug}")
    veiled_left = max(0, VEILED_PER_TOPIC - sum(f.veiled for f in topic.featured))
    plan: list[tuple[Featured | None, bool]] = [(f, f.veiled) for f in topic.featured]
    plan += [(None, i < veiled_left) for i in range(PAPERS_PER_TOPIC - len(topic.featured))]
    drafts: list[Draft] = []
    seen: list[frozenset[str]] = []
    for featured, veiled in plan:
        method = featured.method if featured else invent_method_name(topic, veiled, rng, taken)
        lender = topics[featured.also] if featured and featured.also else None
        for _attempt in range(40):
            draft = write_draft(topic, featured, veiled, method, lender, rng)
            words = word_set(draft.abstract)
            if (
                MIN_WORDS <= len(draft.abstract.split()) <= MAX_WORDS
                and draft.title not in titles
                and all(jaccard(words, other) < MAX_JACCARD for other in seen)
            ):
                break
        else:
            raise RuntimeError(f"{topic.slug}: cannot write a distinct abstract for {method}")
        drafts.append(draft)
        seen.append(words)
        titles.add(draft.title)
    return drafts


# ---------------------------------------------------------------- snapshot metadata (pure)


@dataclass(frozen=True)
class Person:
    first: str  # as arXiv's `authors` string writes it, LaTeX accents included
    first_plain: str  # as `authors_parsed` has it, accents decoded
    last: str
    last_plain: str


def invent_person(rng: random.Random) -> Person:
    if rng.random() < 0.025:
        first, first_plain = rng.choice(pools.ACCENTED_FIRST_NAMES)
    else:
        first = first_plain = rng.choice(pools.FIRST_NAMES)
    if rng.random() < 0.025:
        last, last_plain = rng.choice(pools.ACCENTED_LAST_NAMES)
    else:
        last = last_plain = rng.choice(pools.LAST_NAMES)
    if rng.random() < 0.1:
        middle = f" {rng.choice('ABCDEFGHJKLMNPRSTVW')}."
        first, first_plain = first + middle, first_plain + middle
    return Person(first, first_plain, last, last_plain)


def invent_authors(rng: random.Random) -> list[Person]:
    count = rng.choices(range(2, 9), weights=(10, 20, 25, 20, 12, 8, 5))[0]
    people: list[Person] = []
    while len(people) < count:
        person = invent_person(rng)
        if all(person.last_plain != p.last_plain for p in people):
            people.append(person)
    return people


def initials(first: str) -> str:
    return " ".join(f"{part[0]}." for part in first.split())


def author_fields(people: Sequence[Person], abbreviate: bool) -> tuple[str, list[list[str]]]:
    """The `authors` string ("A, B and C") and `authors_parsed` ([last, first, suffix])."""
    firsts = [initials(p.first_plain) if abbreviate else p.first for p in people]
    plain_firsts = [initials(p.first_plain) if abbreviate else p.first_plain for p in people]
    names = [f"{first} {p.last}" for first, p in zip(firsts, people, strict=True)]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    parsed = [[p.last_plain, first, ""] for first, p in zip(plain_firsts, people, strict=True)]
    return text, parsed


def submission_times(count: int, rng: random.Random) -> list[dt.datetime]:
    """Spread over FIRST_DAY..the day before LATE_DAYS, then LATE_DAY_PAPERS on each late day."""
    early = count - LATE_DAY_PAPERS * len(LATE_DAYS)
    span = (LATE_DAYS[0] - FIRST_DAY).days
    days = [FIRST_DAY + dt.timedelta(days=i * span // early) for i in range(early)]
    days += [day for day in LATE_DAYS for _ in range(LATE_DAY_PAPERS)]
    midnight = dt.time()
    return [
        dt.datetime.combine(day, midnight) + dt.timedelta(seconds=rng.randint(0, 86399))
        for day in days
    ]


def rfc2822(moment: dt.datetime) -> str:
    """arXiv's version date, e.g. `Fri, 20 Nov 2026 19:18:42 GMT` (English names, any locale)."""
    return (
        f"{_WEEKDAYS[moment.weekday()]}, {moment.day} {_MONTHS[moment.month - 1]} "
        f"{moment.year} {moment:%H:%M:%S} GMT"
    )


def wrap_title(title: str) -> str:
    # The snapshot keeps arXiv's 80-column wrapping of titles: "\n  " before the continuation.
    return "\n  ".join(textwrap.wrap(title, width=72, break_on_hyphens=False))


def wrap_abstract(abstract: str) -> str:
    wrapped = textwrap.fill(
        abstract, width=80, initial_indent="  ", break_long_words=False, break_on_hyphens=False
    )
    return wrapped + "\n"


def make_comments(revised: bool, rng: random.Random) -> str | None:
    if rng.random() < 0.3:
        return None
    text = f"{rng.randint(8, 34)} pages, {rng.randint(2, 12)} figures"
    if rng.random() < 0.4:
        text += f", {rng.randint(2, 9)} tables"
    if rng.random() < 0.15:
        text += "; " + rng.choice(pools.COMMENT_EXTRAS)
    if revised:
        text += "; v2: clarified the experimental setup and fixed typos"
    return text


def snapshot_record(
    draft: Draft, arxiv_id: str, created: dt.datetime, rng: random.Random
) -> dict[str, object]:
    """One line of the snapshot, fields in the Kaggle dump's order, plus `topic`."""
    people = invent_authors(rng)
    authors, parsed = author_fields(people, abbreviate=rng.random() < 0.25)
    submitter = rng.choice([people[0], people[0], rng.choice(people)])
    moments = [created]
    # A v2 only for papers old enough that it still lands inside the window.
    if (LATE_DAYS[-1] - created.date()).days >= 3 and rng.random() < 0.12:
        later = created + dt.timedelta(days=rng.randint(1, 3), seconds=rng.randint(0, 40000))
        moments.append(min(later, dt.datetime.combine(LATE_DAYS[-1], dt.time(23, 59))))
    versions = [{"version": f"v{n}", "created": rfc2822(m)} for n, m in enumerate(moments, 1)]
    revised = len(moments) > 1
    return {
        "id": arxiv_id,
        "submitter": f"{submitter.first_plain} {submitter.last_plain}",
        "authors": authors,
        "title": wrap_title(draft.title),
        "comments": make_comments(revised, rng),
        "journal-ref": rng.choice(pools.JOURNAL_REFS) if rng.random() < 0.04 else None,
        "doi": None,
        "report-no": None,
        "categories": " ".join(draft.categories),
        "license": rng.choice(pools.LICENSES),
        "abstract": wrap_abstract(draft.abstract),
        "versions": versions,
        "update_date": moments[-1].date().isoformat(),
        "authors_parsed": parsed,
        "topic": draft.topic,
    }


def schedule(drafts: Sequence[Draft], rng: random.Random) -> list[tuple[Draft, dt.datetime]]:
    """Drafts in submission order, each with its v1 time; topics mixed across days."""
    shuffled = rng.sample(list(drafts), len(drafts))
    timed = zip(shuffled, submission_times(len(drafts), rng), strict=True)
    return sorted(timed, key=lambda pair: pair[1])


def assign_ids(count: int, rng: random.Random) -> list[str]:
    """Ascending 2611.0xxxx ids with gaps, as other submissions fall between ours."""
    number = FIRST_ID_NUMBER
    ids = []
    for _ in range(count):
        number += rng.randint(3, 40)
        ids.append(f"2611.{number:05d}")
    if number > 9999:
        raise ValueError("ids ran past 2611.09999")
    return ids


def resolve_queries(topics: Sequence[Topic], ids_by_key: dict[str, str]) -> list[dict[str, object]]:
    return [
        {
            "query": query.text,
            "relevant": [ids_by_key[key] for key in query.relevant],
            "kind": query.kind,
        }
        for topic in topics
        for query in topic.queries
    ]


# ---------------------------------------------------------------- checks on the sources


def check_topics(topics: Sequence[Topic]) -> None:
    """Catch authoring slips: unknown slots, veiled papers using head words, bad queries."""
    slugs = {t.slug for t in topics}
    keys: set[str] = set()
    for topic in topics:
        known = set(topic.slots) | set(NUMERIC_SLOTS) | {"method"}
        templates = [
            *topic.contexts, *topic.veiled_contexts, *topic.gaps, *topic.intros, *topic.details,
            *topic.results, *topic.closings, *pools.GENERIC_RESULTS, *pools.GENERIC_CLOSINGS,
        ]  # fmt: skip
        for featured in topic.featured:
            templates += [featured.intro, *featured.details]
            if featured.also and featured.also not in slugs:
                raise ValueError(f"{featured.key}: unknown topic {featured.also}")
            if featured.veiled:
                text = " ".join(
                    [featured.title, featured.intro, *featured.details, featured.method]
                )
                if mentions(text, topic.avoid):
                    raise ValueError(f"{featured.key} is veiled but uses {topic.avoid}")
            if featured.key in keys:
                raise ValueError(f"duplicate featured key {featured.key}")
            keys.add(featured.key)
        for template in templates:
            unknown = {m.group(1) for m in _SLOT.finditer(template)} - known
            if unknown:
                raise ValueError(f"{topic.slug}: unknown slots {unknown} in {template!r}")
    for topic in topics:
        for query in topic.queries:
            if query.kind not in ("keyword", "paraphrase", "mixed"):
                raise ValueError(f"bad kind in {query}")
            if not 1 <= len(query.relevant) <= 3 or not set(query.relevant) <= keys:
                raise ValueError(f"bad relevant keys in {query}")


# ---------------------------------------------------------------- building and writing


def build_corpus() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The snapshot records and the eval queries, fully determined by the sources and SEED."""
    topics = all_topics()
    check_topics(topics)
    by_slug = {t.slug: t for t in topics}
    taken = {f.method for t in topics for f in t.featured}
    titles: set[str] = set()
    drafts = [d for topic in topics for d in topic_drafts(topic, by_slug, taken, titles)]
    calendar_rng = random.Random(f"{SEED}/calendar")
    timed = schedule(drafts, calendar_rng)
    ids = assign_ids(len(timed), calendar_rng)
    people_rng = random.Random(f"{SEED}/people")
    records = [
        snapshot_record(draft, arxiv_id, created, people_rng)
        for (draft, created), arxiv_id in zip(timed, ids, strict=True)
    ]
    ids_by_key = {d.key: i for (d, _), i in zip(timed, ids, strict=True) if d.key}
    return records, resolve_queries(topics, ids_by_key)


def render_papers(records: Sequence[dict[str, object]]) -> str:
    # Compact and ASCII-escaped like the Kaggle dump ("Bal\u00e1zs").
    return "".join(json.dumps(r, ensure_ascii=True, separators=(",", ":")) + "\n" for r in records)


def render_queries(queries: Sequence[dict[str, object]]) -> str:
    return json.dumps(queries, indent=2, ensure_ascii=False) + "\n"


def write_corpus(out_dir: Path = DEFAULT_OUT_DIR) -> tuple[Path, Path]:
    """Write demo_papers.jsonl and eval_queries.json into `out_dir`; return their paths."""
    records, queries = build_corpus()
    out_dir.mkdir(parents=True, exist_ok=True)
    papers_path, queries_path = out_dir / PAPERS_FILE, out_dir / QUERIES_FILE
    papers_path.write_bytes(render_papers(records).encode("ascii"))
    queries_path.write_bytes(render_queries(queries).encode("utf-8"))
    return papers_path, queries_path


def main(argv: Sequence[str]) -> None:
    out_dir = Path(argv[0]) if argv else DEFAULT_OUT_DIR
    papers_path, queries_path = write_corpus(out_dir)
    print(f"wrote {papers_path} ({papers_path.stat().st_size:,} bytes) and {queries_path}")


if __name__ == "__main__":
    main(sys.argv[1:])
