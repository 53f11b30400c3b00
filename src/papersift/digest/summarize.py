"""One- or two-sentence TL;DRs: extractive offline, abstractive via an OpenAI-compatible server.

`extract_tldr` is pure: it picks the abstract's sentences that say what the paper does and what it
finds. `summarize_with_llm` asks a chat-completions endpoint (OpenAI, Ollama, llama.cpp ...),
caches the answer on disk by paper, model and prompt, and falls back to `extract_tldr` whenever
the server is slow, down or talks nonsense: a digest must never fail because of a summary.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx

from papersift.atomic import write_atomically
from papersift.text import collapse_whitespace

# --- sentence splitting -----------------------------------------------------------------------

# A period after these never ends a sentence in an abstract ("et al. (2020)", "Fig. 3").
_ABBREVIATIONS = frozenset(
    "et al cf vs fig figs eq eqs sec secs tab ref refs resp approx ca no nos vol pp"
    " dr mr ms prof inc ltd co st jr sr viz cca est".split()
)
# A candidate boundary: . ! or ? (maybe closing quotes/brackets) then space then a sentence
# start. Decimals (3.5) and "e.g.," have no space-then-capital after the dot.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_LEADING_LABEL = re.compile(r"^(?:abstract|summary|tl;?dr)\s*[:.\-—–]\s*", re.I)


def split_sentences(text: str) -> list[str]:
    """Split an abstract into sentences, not at "e.g. The", "et al.", "Fig. 3", "3.5", "U.S."."""
    text = _LEADING_LABEL.sub("", collapse_whitespace(text))
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.start() + 1]
        if _ends_with_abbreviation(candidate):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _ends_with_abbreviation(candidate: str) -> bool:
    if not candidate.endswith("."):
        return False
    match = _LAST_WORD.search(candidate)
    if match is None:
        return False
    word = match.group(1).rstrip(".")
    # Dotted forms ("U.S.", "e.g.", "a.k.a.") are abbreviations; a lone capital is not taken
    # for an initial: "of a matrix A. We show" is commoner in abstracts than "J. Smith".
    return "." in word or word.lower() in _ABBREVIATIONS


# --- scoring ----------------------------------------------------------------------------------

_WE = (
    r"\b(?:we|this (?:paper|work|study|article)|here,? we)\s+"
    r"(?:(?:\w+ly|therefore|thus|hence|then|also|further|first|next|now|finally|here),?\s+)?"
)
# Verbs that announce the paper's own artefact weigh more than those that announce a topic
# ("we introduce TRACE" says more than "we study this gap").
_CONTRIBUTION = re.compile(
    _WE + r"(?:propose|introduce|present|develop|design|build|construct|contribute|"
    r"devise|put forward|curate|create)",
    re.I,
)
_TOPIC = re.compile(
    _WE + r"(?:study|investigate|address|tackle|revisit|analy[sz]e|explore|establish|extend|"
    r"leverage|describe|formulate|derive|provide|collect|examine|consider|focus)",
    re.I,
)
# "Test-time Rule Acquisition (TRACE)": a named method is usually the paper's own.
_NAMED = re.compile(r"\([A-Z][\w\-]*[A-Z0-9][\w\-]*\)")
_OURS = re.compile(r"\b(?:we|our)\b", re.I)
_OUR_THING = re.compile(
    r"\bour (?:method|approach|model|framework|algorithm|system|technique|analysis|"
    r"results?|experiments?|benchmark|dataset|findings)\b",
    re.I,
)
_FINDING = re.compile(
    r"\b(?:we (?:\w+ly )?(?:show|demonstrate|find|found|observe|prove|confirm|report|reveal|"
    r"verify|obtain)|(?:experiments|results|evaluations?|analysis) (?:\w+ )?(?:show|"
    r"demonstrate|indicate|reveal|suggest|confirm))",
    re.I,
)
_RESULT_WORD = re.compile(
    r"\b(?:achiev\w*|outperform\w*|improv\w*|surpass\w*|reduc\w*|state[- ]of[- ]the[- ]art|"
    r"significantly|speed-?ups?|faster|better than|beats?|exceed\w*|match(?:es|ing)|"
    r"competitive|accuracy|gains?|sota)\b",
    re.I,
)
_NUMBER_RESULT = re.compile(
    r"\d(?:[\d.,]*\d)?\s*(?:%|×|x\b|times\b|fold\b|points?\b|pp\b|percent)|"
    r"\bby (?:up to |over |about |nearly )?\d",
    re.I,
)
_BACKGROUND = re.compile(
    r"\b(?:in recent years|recently|has (?:attracted|gained|received|become)|"
    r"have (?:attracted|gained|received|become)|(?:has|have) been (?:widely|extensively)|"
    r"however,? (?:existing|current|most|these|prior)|existing (?:methods|approaches|work)|"
    r"remains? (?:a |an )?(?:open|challeng|difficult|unclear)|(?:is|are) (?:a )?fundamental|"
    r"plays? an? (?:important|crucial|key|central|vital) role|"
    r"(?:have|has) shown (?:great|remarkable|impressive|promising|strong)|despite|"
    r"(?:a|the) key challenge|suffers? from|are limited|is limited|a growing|increasingly)\b",
    re.I,
)
_NOT_A_FINDING = re.compile(
    r"\b(?:code|data|models?|weights|dataset|implementation)s? (?:(?:is|are|will be|has been|"
    r"have been) )?(?:publicly |freely |made )?(?:available|released)|github\.com|https?://|"
    r"\bwill be (?:made )?(?:publicly )?(?:available|released)|"
    r"\bwe (?:publicly )?(?:release|open-source) (?:our|the) (?:code|framework|models?|weights|"
    r"implementation|data)",
    re.I,
)
# Openers that point back at sentences the TL;DR leaves out ("To address this gap, we ...").
_DANGLING_OPENER = re.compile(
    r"^(?:(?:to (?:address|tackle|bridge|close|fill|overcome|solve|mitigate|study|this end)|"
    r"motivated by|building (?:on|upon)|inspired by|based on) (?:this|these|that|the above|"
    r"end|such)\b[^,]{0,60}|in this (?:paper|work|study|article)|here|therefore|thus|hence|"
    r"crucially|first|firstly|second|then|finally|in particular|specifically|additionally|"
    r"furthermore|moreover|in addition|consequently|to this end),\s+(?=[a-z])",
    re.I,
)
_WORD = re.compile(r"[a-z][a-z0-9\-]+")
_TITLE_STOPWORDS = frozenset(
    "a an the of for and or in on to with via from by at is are as its their towards toward"
    " using based learning model models".split()
)


@dataclass(frozen=True)
class _Scored:
    index: int
    text: str  # as shown: without an opener that points at left-out sentences
    does: float  # how much it states what the paper does
    finds: float  # how much it states what the paper finds
    base: float  # shared: title overlap, background and length penalties


def _score_sentences(sentences: Sequence[str], title: str | None) -> list[_Scored]:
    title_words = _content_words(title or "")
    scored = []
    for index, text in enumerate(sentences):
        does = (
            3.0 * bool(_CONTRIBUTION.search(text))
            + 1.5 * bool(_TOPIC.search(text))
            + 1.0 * bool(_OUR_THING.search(text))
            + 0.5 * bool(_NAMED.search(text) and _OURS.search(text))
        )
        finds = (
            2.5 * bool(_FINDING.search(text))
            + 1.5 * min(len(_RESULT_WORD.findall(text)), 2)
            + 1.5 * bool(_NUMBER_RESULT.search(text))
        )
        base = _base_score(text, index, len(sentences), title_words)
        scored.append(_Scored(index, _drop_dangling_opener(text), does, finds, base))
    return _add_position_bonuses(scored)


def _base_score(text: str, index: int, count: int, title_words: frozenset[str]) -> float:
    score = -2.5 * min(len(_BACKGROUND.findall(text)), 2) - 4.0 * bool(_NOT_A_FINDING.search(text))
    if title_words:
        overlap = len(_content_words(text) & title_words) / len(title_words)
        score += 1.5 * overlap
    words = len(text.split())
    if words < 6:
        score -= 2.0  # fragments left by odd punctuation, or "Code is available."
    elif words > 60:
        score -= 1.0  # a run-on sentence makes a poor TL;DR
    # Abstracts open with motivation: an opening that is not about "we" is likely background.
    if index == 0 and count > 2 and not _OURS.search(text):
        score -= 1.0
    return score


def _add_position_bonuses(scored: list[_Scored]) -> list[_Scored]:
    """The first sentence that says what "we" do and the last one reporting results get a lift."""
    first_does = next((s.index for s in scored if s.does >= 1.5), None)
    last_finds = next((s.index for s in reversed(scored) if s.finds > 0), None)
    bonus = {}
    if first_does is not None:
        bonus[first_does] = (1.0, 0.0)
    if last_finds is not None:
        does_bonus, _ = bonus.get(last_finds, (0.0, 0.0))
        bonus[last_finds] = (does_bonus, 0.5)
    return [
        _Scored(s.index, s.text, s.does + bonus.get(s.index, (0, 0))[0],
                s.finds + bonus.get(s.index, (0, 0))[1], s.base)
        for s in scored
    ]  # fmt: skip


def _content_words(text: str) -> frozenset[str]:
    words = {_stem(word) for word in _WORD.findall(text.lower())}
    return frozenset(words - _TITLE_STOPWORDS)


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


# --- selection --------------------------------------------------------------------------------


def extract_tldr(
    abstract: str | None, title: str | None = None, *, max_sentences: int = 2, max_chars: int = 300
) -> str:
    """The one or two sentences of the abstract that state what the paper does and finds.

    Picks the best "what it does" sentence, then the best "what it finds" sentence if it fits in
    `max_chars`, and keeps them in the abstract's order. Returns "" for an empty abstract.
    """
    if not abstract or not abstract.strip() or max_sentences < 1:
        return ""
    sentences = split_sentences(abstract)
    if not sentences:
        return ""
    scored = _score_sentences(sentences, title)
    first = max(scored, key=lambda s: (s.does + 0.5 * s.finds + s.base, -s.index))
    chosen = [first]
    if max_sentences >= 2:
        second = _best_complement(scored, first, max_chars)
        if second is not None:
            chosen.append(second)
    text = " ".join(s.text for s in sorted(chosen, key=lambda s: s.index))
    return _shorten(text, max_chars)


def _drop_dangling_opener(sentence: str) -> str:
    rest = _DANGLING_OPENER.sub("", sentence, count=1)
    return rest[0].upper() + rest[1:] if rest != sentence else sentence


def _best_complement(scored: list[_Scored], first: _Scored, max_chars: int) -> _Scored | None:
    """The sentence that best adds what `first` leaves out, if it is worth the room."""
    room = max_chars - len(first.text) - 1
    candidates = [s for s in scored if s.index != first.index and len(s.text) <= room]
    if not candidates:
        return None
    # A "does" sentence wants a finding beside it; a sentence that already reports results
    # wants the contribution it belongs to.
    if first.does >= first.finds:
        best = max(candidates, key=lambda s: (s.finds + s.base, -s.index))
        gain = best.finds
    else:
        best = max(candidates, key=lambda s: (s.does + s.base, -s.index))
        gain = best.does
    return best if gain + best.base >= 2.0 else None


def _shorten(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


# --- abstractive, via an OpenAI-compatible server --------------------------------------------

SYSTEM_PROMPT = (
    "You write TL;DRs of machine-learning papers for busy researchers. Given a title and an "
    "abstract, answer with one or two plain sentences saying what the paper does and what it "
    "finds, with its key number if there is one. No preamble, no markdown."
)
# Reasoning models served by Ollama or llama.cpp (qwen3, deepseek-r1) prepend their thoughts.
_THINKING = re.compile(r"<think>.*?</think>", re.S | re.I)
_ANSWER_LABEL = re.compile(r"^\s*(?:\*\*)?tl;?dr(?:\*\*)?\s*[:\-—–]\s*", re.I)


@dataclass(frozen=True)
class LlmSettings:
    """Where and how to ask for abstractive summaries (the `[llm]` part of the config file).

    `base_url` as OpenAI clients take it: "https://api.openai.com/v1",
    "http://localhost:11434/v1" (Ollama), "http://localhost:8080/v1" (llama.cpp); a bare
    "http://host:port" gets "/v1" added.
    """

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)  # never in logs or tracebacks
    timeout: float = 30.0
    system_prompt: str = SYSTEM_PROMPT
    max_tokens: int = 200

    @property
    def chat_url(self) -> str:
        base = self.base_url.rstrip("/")
        if urlsplit(base).path in ("", "/"):
            base += "/v1"
        return base + "/chat/completions"


@dataclass(frozen=True)
class Summary:
    text: str
    origin: Literal["llm", "extractive"]
    cached: bool = False
    error: str | None = None  # why the LLM was not used, for a log line


def summarize_with_llm(
    paper_id: str,
    title: str,
    abstract: str | None,
    settings: LlmSettings,
    cache_dir: Path,
    *,
    client: httpx.Client | None = None,
) -> Summary:
    """An abstractive TL;DR from the server in `settings`, cached; the extractive one on failure.

    Pass one `client` for many papers to reuse its connection. Failures are not cached, so a
    later run tries the server again.
    """
    fallback = extract_tldr(abstract, title)
    if not abstract or not abstract.strip():
        return Summary(fallback, "extractive", error="no abstract")
    messages = _messages(title, abstract, settings.system_prompt)
    cache_file = cache_dir / f"{_cache_key(paper_id, settings.model, messages)}.json"
    cached = _read_cache(cache_file)
    if cached is not None:
        return Summary(cached, "llm", cached=True)
    try:
        text = _ask(settings, messages, client)
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as err:
        return Summary(fallback, "extractive", error=_describe(err))
    _write_cache(cache_file, paper_id, settings.model, text)
    return Summary(text, "llm")


def _messages(title: str, abstract: str, system_prompt: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": f"Title: {title}\n\nAbstract: {abstract}"},
    ]


def _cache_key(paper_id: str, model: str, messages: list[dict[str, str]]) -> str:
    # The prompt includes title and abstract, so a revised abstract gets a fresh summary.
    prompt = json.dumps(messages, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256("\0".join((paper_id, model, prompt)).encode()).hexdigest()[:40]


def _ask(settings: LlmSettings, messages: list[dict[str, str]], client: httpx.Client | None) -> str:
    headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
    body = {
        "model": settings.model,
        "messages": messages,
        "temperature": 0,
        "max_tokens": settings.max_tokens,
        "stream": False,
    }
    if client is None:
        with httpx.Client() as own_client:
            return _ask(settings, messages, own_client)
    response = client.post(settings.chat_url, json=body, headers=headers, timeout=settings.timeout)
    response.raise_for_status()
    content = response.json()["choices"][0]["message"]["content"]
    if not isinstance(content, str):
        raise TypeError(f"message content is {type(content).__name__}, not text")
    text = collapse_whitespace(_ANSWER_LABEL.sub("", _THINKING.sub("", content)))
    if not text:
        raise ValueError("empty answer")
    return text


def _describe(err: Exception) -> str:
    if isinstance(err, httpx.TimeoutException):
        return "timed out"
    if isinstance(err, httpx.HTTPStatusError):
        return f"HTTP {err.response.status_code}"
    if isinstance(err, httpx.HTTPError):
        return f"connection failed: {err}"
    return f"unexpected answer: {err}"


def _read_cache(path: Path) -> str | None:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing or torn: ask again
    text = entry.get("text") if isinstance(entry, dict) else None
    return text if isinstance(text, str) and text else None


def _write_cache(path: Path, paper_id: str, model: str, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = json.dumps({"paper_id": paper_id, "model": model, "text": text}, ensure_ascii=False)
    # Write then rename, so a crash or a parallel run never leaves half a file behind.
    write_atomically(path, entry)
