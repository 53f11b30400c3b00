"""TL;DRs: the extractive scorer on invented abstracts, the LLM client against a real local server.

The abstracts below are written for these tests (no real paper text). Each states which
sentences a reader would want in a one- or two-sentence TL;DR, and the scorer must pick them.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from papersift.digest.summarize import (
    LlmSettings,
    extract_tldr,
    split_sentences,
    summarize_with_llm,
)

# --- sentence splitting ------------------------------------------------------------------------


def test_split_keeps_abbreviations_decimals_and_initials_inside_sentences() -> None:
    text = (
        "Prior work (e.g. Smith et al. 2021) uses dense retrievers, i.e. bi-encoders. "
        "As Fig. 2 shows, recall drops from 71.5 to 3.5 vs. the baseline, e.g. The U.S. Tax "
        "corpus. We fix this! Does it generalize? Yes, see Sec. 4 and Eq. 3 for details."
    )
    assert split_sentences(text) == [
        "Prior work (e.g. Smith et al. 2021) uses dense retrievers, i.e. bi-encoders.",
        "As Fig. 2 shows, recall drops from 71.5 to 3.5 vs. the baseline, e.g. The U.S. Tax "
        "corpus.",
        "We fix this!",
        "Does it generalize?",
        "Yes, see Sec. 4 and Eq. 3 for details.",
    ]


def test_a_sentence_may_end_in_a_single_capital() -> None:
    assert split_sentences("We factor a matrix A. Then we invert it.") == [
        "We factor a matrix A.",
        "Then we invert it.",
    ]


def test_split_handles_line_wraps_closing_brackets_and_an_abstract_label() -> None:
    text = "Abstract: We train a\n  small model (in JAX.) Then we\n test it.  "
    assert split_sentences(text) == ["We train a small model (in JAX.)", "Then we test it."]


def test_split_of_text_without_a_final_period_keeps_the_tail() -> None:
    assert split_sentences("One sentence. And a trailing fragment") == [
        "One sentence.",
        "And a trailing fragment",
    ]


# --- choosing sentences ------------------------------------------------------------------------

RETRIEVAL_ABSTRACT = (
    "In recent years, retrieval-augmented generation has attracted considerable attention. "
    "However, existing retrievers are limited to a single granularity of passages. "
    "In this paper, we propose GranuRAG, a retriever that indexes documents at three "
    "granularities and routes each query to the right one. "
    "The router is a small classifier trained on synthetic queries. "
    "Experiments on five open-domain QA benchmarks show that GranuRAG outperforms the "
    "strongest baseline by 4.2% exact match. "
    "Code is available at https://example.org/granurag."
)


def test_picks_the_contribution_and_the_result_in_original_order() -> None:
    tldr = extract_tldr(RETRIEVAL_ABSTRACT, "GranuRAG: multi-granularity retrieval for RAG")
    assert tldr == (
        "We propose GranuRAG, a retriever that indexes documents at three granularities and "
        "routes each query to the right one. Experiments on five open-domain QA benchmarks show "
        "that GranuRAG outperforms the strongest baseline by 4.2% exact match."
    )


def test_one_sentence_when_asked_for_one() -> None:
    tldr = extract_tldr(RETRIEVAL_ABSTRACT, "GranuRAG", max_sentences=1)
    assert tldr == (
        "We propose GranuRAG, a retriever that indexes documents at three granularities and "
        "routes each query to the right one."
    )


def test_never_picks_motivation_or_a_code_link() -> None:
    for max_sentences in (1, 2):
        tldr = extract_tldr(RETRIEVAL_ABSTRACT, None, max_sentences=max_sentences)
        assert "In recent years" not in tldr
        assert "existing retrievers" not in tldr
        assert "https://" not in tldr


def test_background_that_sounds_like_a_result_is_not_taken_for_one() -> None:
    abstract = (
        "In recent years, diffusion models have achieved state-of-the-art image quality, "
        "improving FID by 30% over GANs. "
        "However, existing samplers need hundreds of steps. "
        "We present StepShrink, a distillation scheme that maps noise to images in four steps. "
        "StepShrink matches the teacher's FID within 0.3 points."
    )
    tldr = extract_tldr(abstract, "StepShrink: four-step diffusion sampling")
    assert tldr == (
        "We present StepShrink, a distillation scheme that maps noise to images in four steps. "
        "StepShrink matches the teacher's FID within 0.3 points."
    )


def test_a_theory_abstract_gives_its_main_result() -> None:
    abstract = (
        "Stochastic gradient descent is the workhorse of deep learning. "
        "Its behaviour on non-smooth objectives remains poorly understood. "
        "We prove that SGD with a decaying step size converges to a stationary point of any "
        "weakly convex loss at rate $O(1/\\sqrt{T})$. "
        "The proof rests on a new potential function. "
        "A lower bound shows the rate cannot be improved in general."
    )
    tldr = extract_tldr(abstract, "Convergence of SGD on weakly convex losses")
    assert tldr.startswith("We prove that SGD with a decaying step size converges")


def test_a_finding_first_abstract_keeps_the_what_and_the_how_much() -> None:
    abstract = (
        "Large language models have shown remarkable abilities on reasoning benchmarks. "
        "We study whether these abilities survive paraphrasing the questions. "
        "To this end, we build ParaBench, 3,000 paraphrased grade-school math problems. "
        "We find that accuracy drops by 18 points on average across nine models. "
        "Larger models are not more robust than smaller ones."
    )
    tldr = extract_tldr(abstract, "Paraphrase robustness of LLM reasoning")
    assert tldr == (
        "We build ParaBench, 3,000 paraphrased grade-school math problems. "
        "We find that accuracy drops by 18 points on average across nine models."
    )


def test_openers_that_point_at_dropped_sentences_are_removed() -> None:
    abstract = (
        "Graph transformers scale quadratically with the number of nodes. "
        "To address this limitation, we introduce SparseGT, which attends only along edges "
        "and a few global tokens. "
        "SparseGT trains 6x faster than full attention on graphs with a million nodes."
    )
    tldr = extract_tldr(abstract, "SparseGT")
    assert tldr.startswith("We introduce SparseGT, which attends only along edges")
    assert "To address" not in tldr
    assert tldr.endswith("on graphs with a million nodes.")


def test_a_cue_free_abstract_still_gives_a_sentence_about_the_title() -> None:
    abstract = (
        "Protein folding is hard. "
        "Contact maps summarise residue proximity. "
        "A contact map predictor based on axial attention is described and evaluated on "
        "held-out protein families."
    )
    tldr = extract_tldr(abstract, "Axial attention for contact map prediction")
    assert tldr.startswith("A contact map predictor based on axial attention")


def test_long_sentences_are_cut_at_a_word_with_an_ellipsis() -> None:
    sentence = "We propose " + " ".join(f"component{i}" for i in range(80)) + "."
    tldr = extract_tldr(sentence, None, max_chars=120)
    assert len(tldr) <= 120
    assert tldr.endswith("…")
    assert tldr[:-1].split()[-1].startswith("component")


@pytest.mark.parametrize("abstract", [None, "", "   \n "])
def test_empty_abstract_gives_empty_tldr(abstract: str | None) -> None:
    assert extract_tldr(abstract, "Some title") == ""


@given(
    st.lists(
        st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=120),
        min_size=0,
        max_size=12,
    ),
    st.integers(min_value=20, max_value=400),
    st.integers(min_value=1, max_value=3),
)
def test_tldr_is_bounded_and_deterministic(
    parts: list[str], max_chars: int, max_sentences: int
) -> None:
    abstract = ". ".join(parts)
    tldr = extract_tldr(abstract, "a title", max_sentences=max_sentences, max_chars=max_chars)
    assert len(tldr) <= max_chars
    assert tldr == extract_tldr(
        abstract, "a title", max_sentences=max_sentences, max_chars=max_chars
    )
    if abstract.strip():
        assert tldr, "a non-empty abstract always yields something"


# --- the LLM client against a real server on 127.0.0.1 ------------------------------------------


@dataclass
class ChatServer:
    """Serves /<mode>/v1/chat/completions: ok, slow, fail (500), junk (not JSON), empty."""

    url: str
    answer: str = "GranuRAG routes queries across three passage sizes and gains 4.2 EM."
    hits: dict[str, int] = field(default_factory=dict)
    requests: list[dict[str, object]] = field(default_factory=list)


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server_state: ChatServer | None = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            assert server_state is not None
            mode = self.path.strip("/").split("/")[0]
            server_state.hits[mode] = server_state.hits.get(mode, 0) + 1
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            server_state.requests.append(
                {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
            )
            if mode == "slow":
                time.sleep(1.0)
            if mode == "fail":
                self._reply(500, b'{"error": "model crashed"}')
            elif mode == "junk":
                self._reply(200, b"<html>not json</html>")
            elif mode == "empty":
                self._reply(200, json.dumps({"choices": [{"message": {"content": " "}}]}).encode())
            else:
                content = f"<think>the user wants a summary</think>TL;DR: {server_state.answer}"
                completion = {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
                }
                self._reply(200, json.dumps(completion).encode())

        def _reply(self, status: int, payload: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left: that is the point of the slow mode

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server_state = ChatServer(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        server.shutdown()
        server.server_close()


def settings(server: ChatServer, mode: str, **changes: object) -> LlmSettings:
    base = LlmSettings(base_url=f"{server.url}/{mode}/v1", model="tiny-test", timeout=0.3)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_llm_summary_is_fetched_once_then_served_from_the_cache(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    config = settings(chat_server, "ok", api_key="sk-test")
    first = summarize_with_llm("2401.00001", "GranuRAG", RETRIEVAL_ABSTRACT, config, tmp_path)
    assert first.origin == "llm" and not first.cached
    # The reasoning block and the "TL;DR:" label are not part of the summary.
    assert first.text == chat_server.answer
    request = chat_server.requests[0]
    assert request["path"] == "/ok/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    body = request["body"]
    assert isinstance(body, dict) and body["model"] == "tiny-test"
    assert "GranuRAG" in body["messages"][-1]["content"]

    second = summarize_with_llm("2401.00001", "GranuRAG", RETRIEVAL_ABSTRACT, config, tmp_path)
    assert second == type(first)(first.text, "llm", cached=True)
    assert chat_server.hits == {"ok": 1}, "the cache must spare the second request"


def test_cache_is_keyed_by_paper_model_and_prompt(chat_server: ChatServer, tmp_path: Path) -> None:
    config = settings(chat_server, "ok")
    summarize_with_llm("2401.00001", "GranuRAG", RETRIEVAL_ABSTRACT, config, tmp_path)
    summarize_with_llm("2401.00002", "GranuRAG", RETRIEVAL_ABSTRACT, config, tmp_path)
    other_model = settings(chat_server, "ok", model="other-model")
    summarize_with_llm("2401.00001", "GranuRAG", RETRIEVAL_ABSTRACT, other_model, tmp_path)
    other_prompt = settings(chat_server, "ok", system_prompt="Summarise in five words.")
    summarize_with_llm("2401.00001", "GranuRAG", RETRIEVAL_ABSTRACT, other_prompt, tmp_path)
    revised = RETRIEVAL_ABSTRACT.replace("4.2%", "4.5%")
    summarize_with_llm("2401.00001", "GranuRAG", revised, config, tmp_path)
    assert chat_server.hits == {"ok": 5}
    assert len(list(tmp_path.glob("*.json"))) == 5


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("slow", "timed out"),
        ("fail", "HTTP 500"),
        ("junk", "unexpected answer"),
        ("empty", "empty answer"),
    ],
)
def test_failures_fall_back_to_the_extractive_tldr_and_are_not_cached(
    chat_server: ChatServer, tmp_path: Path, mode: str, error: str
) -> None:
    config = settings(chat_server, mode)
    started = time.monotonic()
    summary = summarize_with_llm("2401.00001", "GranuRAG", RETRIEVAL_ABSTRACT, config, tmp_path)
    assert time.monotonic() - started < 0.9, "the timeout must cut the slow server short"
    assert summary.origin == "extractive"
    assert summary.text == extract_tldr(RETRIEVAL_ABSTRACT, "GranuRAG")
    assert summary.error is not None and error in summary.error
    assert list(tmp_path.glob("*.json")) == []
    summarize_with_llm("2401.00001", "GranuRAG", RETRIEVAL_ABSTRACT, config, tmp_path)
    assert chat_server.hits == {mode: 2}, "a failure is retried on the next run"


def test_unreachable_server_falls_back(tmp_path: Path) -> None:
    with httpx.Client() as client:
        # Port 9 (discard) on localhost: nothing listens in a test environment.
        config = LlmSettings(base_url="http://127.0.0.1:9/v1", model="m", timeout=0.5)
        summary = summarize_with_llm(
            "x", "GranuRAG", RETRIEVAL_ABSTRACT, config, tmp_path, client=client
        )
    assert summary.origin == "extractive"
    assert summary.error is not None and summary.error.startswith("connection failed")


def test_a_shared_client_is_reused_and_still_honours_the_timeout(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    with httpx.Client(timeout=30.0) as client:
        ok = summarize_with_llm(
            "a",
            "GranuRAG",
            RETRIEVAL_ABSTRACT,
            settings(chat_server, "ok"),
            tmp_path,
            client=client,
        )
        started = time.monotonic()
        slow = summarize_with_llm(
            "b", "GranuRAG", RETRIEVAL_ABSTRACT, settings(chat_server, "slow"), tmp_path,
            client=client,
        )  # fmt: skip
    assert ok.origin == "llm"
    assert slow.origin == "extractive" and time.monotonic() - started < 0.9


def test_no_abstract_means_no_request(chat_server: ChatServer, tmp_path: Path) -> None:
    summary = summarize_with_llm("x", "A title", None, settings(chat_server, "ok"), tmp_path)
    assert summary.origin == "extractive" and summary.text == ""
    assert chat_server.hits == {}


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("http://localhost:11434", "http://localhost:11434/v1/chat/completions"),
        ("http://localhost:11434/", "http://localhost:11434/v1/chat/completions"),
        ("http://localhost:8080/v1", "http://localhost:8080/v1/chat/completions"),
        (
            "https://api.example.com/openai/v1/",
            "https://api.example.com/openai/v1/chat/completions",
        ),
    ],
)
def test_chat_url_follows_the_openai_base_url_convention(base_url: str, expected: str) -> None:
    assert LlmSettings(base_url=base_url, model="m").chat_url == expected


def test_the_api_key_stays_out_of_repr() -> None:
    assert "sk-secret" not in repr(LlmSettings("http://localhost:1/v1", "m", api_key="sk-secret"))


def test_a_torn_cache_file_is_ignored(chat_server: ChatServer, tmp_path: Path) -> None:
    config = settings(chat_server, "ok")
    summarize_with_llm("p", "GranuRAG", RETRIEVAL_ABSTRACT, config, tmp_path)
    (cache_file,) = tmp_path.glob("*.json")
    cache_file.write_text('{"text": "half', encoding="utf-8")
    summary = summarize_with_llm("p", "GranuRAG", RETRIEVAL_ABSTRACT, config, tmp_path)
    assert summary.origin == "llm" and not summary.cached
    assert chat_server.hits == {"ok": 2}
