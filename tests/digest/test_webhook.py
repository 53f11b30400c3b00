"""The digest posted to a webhook: payload shapes, and real posts to a server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from collections.abc import Iterator

import pytest

from papersift.config import Config, WebhookConfig
from papersift.digest.build import BuiltDigest
from papersift.digest.webhook import (
    DISCORD_CONTENT_CHARS,
    DISCORD_EMBED_DESCRIPTION_CHARS,
    DISCORD_EMBED_TITLE_CHARS,
    DISCORD_EMBEDS,
    DISCORD_TOTAL_EMBED_CHARS,
    SLACK_BLOCKS,
    SLACK_SECTION_CHARS,
    discord_payload,
    json_payload,
    post_webhook,
    slack_payload,
)
from papersift.errors import WebhookError
from papersift.pipelines import DigestRequest, publish_and_send
from papersift.records import Digest, DigestEntry, DigestTopic
from papersift.store import open_store
from tests.digest.conftest import hostile_digest, paper, sample_digest
from tests.test_deliver import free_port
from tests.webhook_server import SECRET_PATH, WebhookServer

DAY = dt.date(2026, 11, 21)


@pytest.fixture
def server() -> Iterator[WebhookServer]:
    with WebhookServer() as running:
        yield running


def huge_digest(topics: int = 40, per_topic: int = 30) -> Digest:
    """Far more than one chat message holds: long titles, many topics."""
    long = "An extremely long title about sparse mixtures of experts " * 4
    entries = [
        DigestEntry(paper(n, f"{long}{n}"), reasons=("Similar to 3 papers you liked",) * 3)
        for n in range(1, topics * per_topic + 1)
    ]
    return dataclasses.replace(
        sample_digest(),
        top_picks=tuple(entries[:25]),
        topics=tuple(
            DigestTopic(
                f"topic {t} " + "x" * 300, tuple(entries[t * per_topic : (t + 1) * per_topic])
            )
            for t in range(topics)
        ),
        total_papers=len(entries),
    )


# --- payloads ---


def test_json_payload_has_the_digest_sections():
    payload = json_payload(sample_digest())
    assert payload["schema"] == "papersift.digest/1"
    assert payload["window"] == {"start": "2026-11-20", "end": "2026-11-21"}
    first = payload["top_picks"][0]
    assert first["id"] == "2611.00001" and first["url"] == "https://arxiv.org/abs/2611.00001"
    assert first["reasons"] == ["Similar to 3 papers you liked", "Matches your category cs.LG"]
    assert [t["label"] for t in payload["topics"]] == ["retrieval · long context", "graph learning"]
    assert [p["id"] for p in payload["topics"][0]["papers"]] == [
        "2611.00003",
        "doi:10.5555/invented.4",
    ]
    assert payload["topics"][0]["papers"][1]["url"] == "https://example.org/papers/4"
    json.dumps(payload)  # plain JSON all the way down


def test_slack_payload_shape_and_escaping():
    payload = slack_payload(hostile_digest())
    assert isinstance(payload["text"], str) and payload["text"]
    blocks = payload["blocks"]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["type"] == "plain_text"
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert sections and sections[0].startswith("*Top picks for you*")
    for text in sections:
        # Slack's control characters from titles are escaped; only our own links use < >.
        assert "<img" not in text and "<b>" not in text and "</script>" not in text
        assert "<javascript:" not in text  # the hostile abs link is never a link target


def test_slack_payload_stays_within_slack_limits():
    payload = slack_payload(huge_digest())
    assert len(payload["blocks"]) <= SLACK_BLOCKS
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SLACK_SECTION_CHARS
    assert "… and" in payload["blocks"][2]["text"]["text"]  # the cut is said, not silent


def test_discord_payload_shape():
    payload = discord_payload(sample_digest())
    assert payload["content"].startswith("**papersift daily digest**")
    titles = [embed["title"] for embed in payload["embeds"]]
    assert titles == ["Top picks for you", "retrieval · long context", "graph learning"]
    assert "[Sparse mixtures of tiny experts" in payload["embeds"][0]["description"]
    assert "(https://arxiv.org/abs/2611.00001)" in payload["embeds"][0]["description"]


def test_discord_payload_stays_within_discord_limits():
    payload = discord_payload(huge_digest())
    assert len(payload["content"]) <= DISCORD_CONTENT_CHARS
    embeds = payload["embeds"]
    assert 1 < len(embeds) <= DISCORD_EMBEDS
    for embed in embeds:
        assert len(embed["title"]) <= DISCORD_EMBED_TITLE_CHARS
        assert len(embed["description"]) <= DISCORD_EMBED_DESCRIPTION_CHARS
    assert sum(len(e["title"]) + len(e["description"]) for e in embeds) <= DISCORD_TOTAL_EMBED_CHARS
    assert "more sections" in embeds[-1]["description"]


# --- posting to a real server ---


def test_post_reaches_the_server(server):
    post_webhook(server.url, {"hello": "world"}, timeout=5)
    assert server.posts == [(SECRET_PATH, {"hello": "world"})]


@pytest.mark.parametrize("status", [500, 404])
def test_error_answer_names_host_not_secret(server, status):
    server.status = status
    with pytest.raises(WebhookError) as caught:
        post_webhook(server.url, {}, timeout=5)
    message = str(caught.value)
    assert f"HTTP {status}" in message and "http://127.0.0.1" in message
    assert "s3cr3t" not in message and "services" not in message


def test_hanging_server_times_out(server):
    server.hang.set()
    started = time.monotonic()
    with pytest.raises(WebhookError, match="did not answer within 0.5 s") as caught:
        post_webhook(server.url, {}, timeout=0.5)
    assert time.monotonic() - started < 5
    assert "s3cr3t" not in str(caught.value)


def test_refused_connection_is_a_webhook_error():
    url = f"http://127.0.0.1:{free_port()}{SECRET_PATH}"
    with pytest.raises(WebhookError, match="unreachable") as caught:
        post_webhook(url, {}, timeout=2)
    assert "s3cr3t" not in str(caught.value)


# --- once a day, retried after a failure ---


def _config(url: str, fmt: str = "json", timeout: float = 5) -> Config:
    return Config(webhook=WebhookConfig(url=url, format=fmt, timeout=timeout))  # type: ignore[arg-type]


def test_publish_posts_once_a_day_and_retries_a_failure(server, tmp_path):
    store = open_store(tmp_path / "store.db")
    built = BuiltDigest(sample_digest(), None)
    out = tmp_path / "out"
    request = DigestRequest("all", 3, out, ("html",), webhook=True)
    config = _config(server.url, timeout=0.5)

    server.hang.set()
    hung = publish_and_send(store, config, built, request, day=DAY)
    assert hung.webhook is not None and hung.webhook.error and not hung.webhook.sent
    assert hung.published.files["html"].exists(), "the digest is written even when the post fails"

    server.hang.clear()
    server.status = 500
    failed = publish_and_send(store, config, built, request, day=DAY)
    assert failed.webhook is not None and "HTTP 500" in (failed.webhook.error or "")

    server.status = 200
    server.posts.clear()
    retried = publish_and_send(store, config, built, request, day=DAY)
    again = publish_and_send(store, config, built, request, day=DAY)
    assert retried.webhook is not None and retried.webhook.sent
    assert again.webhook is not None and again.webhook.skipped and not again.webhook.sent
    assert len(server.posts) == 1, "twice a day is one post"
    assert server.posts[0][1]["top_picks"][0]["id"] == "2611.00001"

    next_day = publish_and_send(store, config, built, request, day=DAY + dt.timedelta(days=1))
    assert next_day.webhook is not None and next_day.webhook.sent and len(server.posts) == 2
    # The log holds a hash, never the URL with its secret path.
    logged = [d.recipient for d in store.archive().unsent()]
    assert all("s3cr3t" not in r for r in logged)
    store.close()


def test_no_post_unless_asked_or_configured(server, tmp_path):
    store = open_store(tmp_path / "store.db")
    built = BuiltDigest(sample_digest(), None)
    unasked = DigestRequest("all", 3, None, ("html",))
    assert publish_and_send(store, _config(server.url), built, unasked, day=DAY).webhook is None
    asked = DigestRequest("all", 3, None, ("html",), webhook=True)
    assert publish_and_send(store, Config(), built, asked, day=DAY).webhook is None
    assert server.posts == []
    store.close()


@pytest.mark.parametrize("fmt", ["slack", "discord"])
def test_chat_formats_are_posted_as_configured(server, tmp_path, fmt):
    store = open_store(tmp_path / "store.db")
    request = DigestRequest("all", 3, None, ("html",), webhook=True)
    run = publish_and_send(
        store, _config(server.url, fmt), BuiltDigest(sample_digest(), None), request, day=DAY
    )
    assert run.webhook is not None and run.webhook.sent
    [(_, body)] = server.posts
    assert set(body) == ({"text", "blocks"} if fmt == "slack" else {"content", "embeds"})
    store.close()
