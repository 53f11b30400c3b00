"""What a topic module declares, plus the sentence and name pools every topic shares.

All text here is invented for papersift's demo corpus; none of it comes from a real paper.
Slots are written `{name}` (three or more letters, optional digit suffix: `{dataset2}` is the
paper's second dataset) so LaTeX such as `$\\sqrt{n}$` in a template is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Featured:
    """A hand-specified paper that eval queries can single out.

    `intro` replaces the generated method sentence; `details` come first among the method
    sentences. `veiled` papers never use their topic's head words; `also` names a second topic
    whose pools lend half of the detail and result sentences (a cross-topic paper).
    """

    key: str
    method: str
    title: str
    intro: str
    details: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    veiled: bool = False
    also: str | None = None


@dataclass(frozen=True)
class Query:
    """An eval query; `relevant` holds Featured keys, resolved to arXiv ids when written."""

    text: str
    kind: str  # keyword | paraphrase | mixed
    relevant: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    """Everything the generator needs to write one topic's papers.

    `avoid` lists lower-case word stems that a veiled paper must not contain (the words a
    keyword search would key on); every pool needs some sentences free of them.
    """

    slug: str
    categories: tuple[str, ...]  # primary first; later ones are occasional cross-lists
    avoid: tuple[str, ...]
    name_prefixes: tuple[str, ...]
    contexts: tuple[str, ...]
    veiled_contexts: tuple[str, ...]
    gaps: tuple[str, ...]
    intros: tuple[str, ...]
    details: tuple[str, ...]
    results: tuple[str, ...]
    closings: tuple[str, ...]
    title_adjectives: tuple[str, ...]
    title_cores: tuple[str, ...]
    title_targets: tuple[str, ...]
    slots: dict[str, tuple[str, ...]] = field(default_factory=dict)
    featured: tuple[Featured, ...] = ()
    queries: tuple[Query, ...] = ()


# Second halves of generated method names (`Bit` + `Sieve`); topic modules give the first.
NAME_SUFFIXES = (
    "Forge", "Sieve", "Mix", "Lens", "Shift", "Pilot", "Weave", "Bridge", "Fold", "Spark",
    "Drift", "Scope", "Craft", "Tide", "Loom", "Nest", "Kite", "Vane", "Prism", "Anchor",
    "Ember", "Flux", "Grove", "Harbor", "Relay", "Quill", "Ridge", "Comet", "Lattice", "Mosaic",
)  # fmt: skip

TITLE_PATTERNS = (
    "{method}: {adjective} {core} for {target}",
    "{method}: {core} for {target}",
    "{method}: Towards {adjective} {core}",
    "{adjective} {core} for {target} with {method}",
    "{method}: Revisiting {core} for {target}",
    "{adjective} {core} for {target}",
    "Rethinking {core} for {target}",
    "{method}: Simple and {adjective} {core}",
)
# Patterns above without {method}: used now and then, as real titles often omit the name.
TITLE_PATTERNS_WITHOUT_METHOD = tuple(p for p in TITLE_PATTERNS if "{method}" not in p)

# Openers placed before a gap sentence; "" keeps the sentence as written.
GAP_CONNECTORS = ("However, ", "Yet ", "", "Unfortunately, ", "In practice, ")
INTRO_OPENERS = ("", "In this work, ", "In this paper, ", "To address this, ", "Here ")

# Topic-neutral sentences; topic pools carry the substance, these add variety.
GENERIC_RESULTS = (
    "Ablation studies show that the {component} accounts for most of the improvement.",
    "The gains hold across {count} random seeds, with a standard deviation below {small_dec}.",
    "{method} adds less than {pct_small}% overhead at inference time.",
    "Across {count} configurations, {method} is never worse than {baseline} and usually better.",
    "Removing the {component} costs {gain} points, the largest drop in our ablations.",
    "A sensitivity analysis shows that {method} is robust to its two hyperparameters.",
)
GENERIC_CLOSINGS = (
    "Code and trained models will be released.",
    "We release our code, configurations and evaluation scripts to support reproducibility.",
    "Our analysis also clarifies when {method} helps and when simpler baselines suffice.",
    "We discuss limitations and outline directions for future work.",
    "All experiments fit on a single node, and we release the full training recipe.",
)

# Invented people: common given names and surnames from many languages, paired at random.
# Entries with LaTeX accents are (as written in `authors`, as decoded in `authors_parsed`).
FIRST_NAMES = (
    "Amara", "Lukas", "Mei", "Tomasz", "Priya", "Daniel", "Yuki", "Farah", "Oskar", "Lina",
    "Mateo", "Ingrid", "Kwame", "Sofia", "Arjun", "Hana", "Pavel", "Chloe", "Emeka", "Nadia",
    "Ruben", "Xin", "Leila", "Jonas", "Aisha", "Marco", "Sung-min", "Elena", "Tariq", "Freya",
    "Wei", "Camille", "Dmitri", "Isabel", "Kenji", "Zara", "Hugo", "Ananya", "Felix", "Noor",
    "Thabo", "Julia", "Rohan", "Astrid", "Diego", "Yara", "Minh", "Clara", "Bilal", "Greta",
    "Jun", "Marta", "Kofi", "Selin", "Anton", "Ivy", "Rafael", "Ayumi", "Nikhil", "Sara",
)  # fmt: skip
LAST_NAMES = (
    "Okafor", "Lindqvist", "Tanaka", "Kowalski", "Raman", "Moreau", "Chen", "Haddad", "Berg",
    "Santos", "Ivanova", "Nakamura", "Mensah", "Rossi", "Sharma", "Park", "Novak", "Dubois",
    "Adeyemi", "Karimi", "Fischer", "Liu", "Petrov", "Alvarez", "Yamada", "Osei", "Bianchi",
    "Gupta", "Kim", "Horvat", "Laurent", "Eze", "Rahimi", "Weber", "Zhang", "Sokolov", "Ortega",
    "Hayashi", "Boateng", "Conti", "Iyer", "Choi", "Marek", "Fontaine", "Nwosu", "Jafari",
    "Hoffmann", "Wang", "Volkov", "Herrera", "Mori", "Asante", "Greco", "Menon", "Lee",
    "Vasquez", "Brandt", "Zhou", "Kuznetsov", "Navarro", "Sato", "Owusu", "Ferrari", "Rao",
    "Yoon", "Kral", "Girard", "Obi", "Tehrani", "Schulz", "Huang", "Lebedev", "Castillo", "Ueda",
    "Darko", "Lombardi", "Pillai", "Jung", "Sedlak", "Mercier", "Afolabi", "Farahani", "Keller",
)  # fmt: skip
ACCENTED_FIRST_NAMES = (
    ("Jos\\'e", "José"),
    ('Bj{\\"o}rn', "Björn"),
    ("Ren\\'ee", "Renée"),
    ('Zo{\\"e}', "Zoë"),
    ("In\\^es", "Inês"),
)
ACCENTED_LAST_NAMES = (
    ('M{\\"u}ller', "Müller"),
    ("Garc{\\'\\i}a", "García"),
    ("Nov\\'akov\\'a", "Nováková"),
    ('Sch{\\"o}nberg', "Schönberg"),
    ("Ya{\\u{g}}mur", "Yağmur"),
    ("Dvo{\\v{r}}\\'ak", "Dvořák"),
    ("Jim\\'enez", "Jiménez"),
)

LICENSES = (
    "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-nc-sa/4.0/",
    None,
)
JOURNAL_REFS = (
    "Transactions on Machine Learning Research, 2026",
    "Journal of Machine Learning Research 27 (2026)",
)
COMMENT_EXTRAS = (
    "Preprint, under review",
    "Technical report",
    "Extended version of a workshop paper",
    "Code to be released",
)
