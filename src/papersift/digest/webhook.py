"""Post the digest to a webhook: papersift's own JSON, or a Slack or Discord message.

`webhook_payload` is pure (a `Digest` in, a JSON-ready dict out); `post_webhook` does the one
HTTP request; `deliver_webhook` posts at most once per day and logs the attempt in the store's
delivery log, so a failed post is retried by the next run, as a failed e-mail is.

A webhook URL is a secret: Slack's and Discord's carry their key in the path. Messages name the
scheme and host only, and the delivery log keys the post by a hash of host and path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from papersift.config import Config, WebhookFormat
from papersift.errors import WebhookError
from papersift.records import Digest
from papersift.store.base import LOCAL_USER, Store

SCHEMA = "papersift.digest/1"
# Discord rejects a message past these (discord.com/developers/docs/resources/message).
DISCORD_CONTENT_CHARS = 2000
DISCORD_EMBEDS = 10
DISCORD_EMBED_TITLE_CHARS = 256
DISCORD_EMBED_DESCRIPTION_CHARS = 4096
DISCORD_TOTAL_EMBED_CHARS = 6000
# Slack: a section's text is at most 3,000 characters, a header's 150, a message 50 blocks.
SLACK_SECTION_CHARS = 3000
SLACK_HEADER_CHARS = 150
SLACK_BLOCKS = 50


def shown_url(url: str) -> str:
    """`scheme://host` of a webhook URL: what messages may show of it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}"


def delivery_key(url: str) -> str:
    """The delivery log's recipient for a webhook: a hash of host and path, never the URL."""
    parts = urlsplit(url)
    digest = hashlib.sha256(f"{parts.hostname}{parts.path}".encode()).hexdigest()[:16]
    return f"webhook:{digest}"


# --- payloads (pure) ---


def webhook_payload(digest: Digest, fmt: WebhookFormat) -> dict[str, Any]:
    if fmt == "slack":
        return slack_payload(digest)
    if fmt == "discord":
        return discord_payload(digest)
    return json_payload(digest)


def json_payload(digest: Digest) -> dict[str, Any]:
    """papersift's schema: the digest's sections, each paper with id, title, url and reasons."""
    from papersift.digest.render import EntryView, digest_view

    view = digest_view(digest)

    def paper(entry: EntryView) -> dict[str, Any]:
        return {
            "id": entry.paper_id,
            "title": entry.title,
            "url": entry.abs_url,
            "authors": list(entry.authors),
            "tldr": entry.tldr,
            "reasons": list(entry.reasons),
        }

    return {
        "schema": SCHEMA,
        "title": view.title,
        "window": {
            "start": digest.window_start.isoformat(),
            "end": digest.window_end.isoformat(),
        },
        "generated_at": digest.generated_at.isoformat(),
        "total_papers": digest.total_papers,
        "top_picks": [paper(entry) for entry in view.top_picks],
        "topics": [
            {"label": topic.label, "papers": [paper(entry) for entry in topic.entries]}
            for topic in view.topics
        ],
    }


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn treats these three as control characters (api.slack.com/reference/surfaces/formatting).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(title: str, url: str | None) -> str:
    label = _slack_escape(title).replace("|", "¦")
    return f"<{url}|{label}>" if url else label


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _joined(lines: list[str], limit: int) -> str:
    """Whole lines up to `limit` characters, then "… and N more": a link is never cut."""
    kept: list[str] = []
    used = 0
    for number, line in enumerate(lines):
        need = len(line) + (1 if kept else 0)
        # Room for the closing "… and N more" is kept unless this is the last line.
        reserve = 0 if number == len(lines) - 1 else len(_more(len(lines))) + 1
        if used + need + reserve > limit:
            kept.append(_more(len(lines) - number))
            break
        kept.append(line)
        used += need
    return "\n".join(kept)


def _more(count: int) -> str:
    return f"… and {count} more"


def slack_payload(digest: Digest) -> dict[str, Any]:
    """A Slack incoming-webhook message: `text` (the notification) and Block Kit `blocks`."""
    from papersift.digest.render import digest_view

    view = digest_view(digest)
    summary = f"{view.title}: {view.counts} ({view.window})"
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _clip(view.title, SLACK_HEADER_CHARS)},
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": _slack_escape(f"{view.counts} · {view.window}")}
            ],
        },
    ]
    if view.top_picks:
        lines = [
            f"• {_slack_link(e.title, e.abs_url)}"
            + (f" — _{_slack_escape('; '.join(e.reasons))}_" if e.reasons else "")
            for e in view.top_picks
        ]
        blocks.append(_slack_section("Top picks for you", lines))
    for topic in view.topics:
        if len(blocks) >= SLACK_BLOCKS - 1:
            break
        lines = [f"• {_slack_link(e.title, e.abs_url)}" for e in topic.entries]
        blocks.append(_slack_section(topic.label, lines))
    if view.is_empty:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _slack_escape(view.empty_message)},
            }
        )
    return {"text": summary, "blocks": blocks}


def _slack_section(heading: str, lines: list[str]) -> dict[str, Any]:
    head = f"*{_slack_escape(heading)}*\n"
    body = _joined(lines, SLACK_SECTION_CHARS - len(head))
    return {"type": "section", "text": {"type": "mrkdwn", "text": head + body}}


def _discord_link(title: str, url: str | None) -> str:
    # Square brackets would end the link text early; parentheses in the URL are escaped by
    # render's safe URLs already (percent-encoded), so only the label needs care.
    label = title.replace("[", "(").replace("]", ")")
    return f"[{label}]({url})" if url else label


def discord_payload(digest: Digest) -> dict[str, Any]:
    """A Discord webhook message within Discord's limits: ≤ 2000 characters, ≤ 10 embeds."""
    from papersift.digest.render import digest_view

    view = digest_view(digest)
    content = _clip(f"**{view.title}**: {view.counts} ({view.window})", DISCORD_CONTENT_CHARS)
    sections: list[tuple[str, list[str]]] = []
    if view.top_picks:
        sections.append(
            (
                "Top picks for you",
                [
                    f"• {_discord_link(e.title, e.abs_url)}"
                    + (f" — *{'; '.join(e.reasons)}*" if e.reasons else "")
                    for e in view.top_picks
                ],
            )
        )
    sections += [
        (topic.label, [f"• {_discord_link(e.title, e.abs_url)}" for e in topic.entries])
        for topic in view.topics
    ]
    embeds: list[dict[str, str]] = []
    budget = DISCORD_TOTAL_EMBED_CHARS
    for number, (heading, lines) in enumerate(sections):
        left = len(sections) - number
        # The last embed (or the last of the character budget) says what did not fit.
        if (len(embeds) == DISCORD_EMBEDS - 1 and left > 1) or budget < 300:
            embeds.append({"title": "More", "description": f"{left} more sections in the digest"})
            break
        title = _clip(heading, DISCORD_EMBED_TITLE_CHARS)
        room = min(DISCORD_EMBED_DESCRIPTION_CHARS, budget - len(title) - 100)
        description = _joined(lines, room)
        embeds.append({"title": title, "description": description})
        budget -= len(title) + len(description)
    return {"content": content, "embeds": embeds}


# --- posting (I/O) ---


def post_webhook(url: str, payload: dict[str, Any], timeout: float) -> None:
    """POST `payload` as JSON; any answer but 2xx, a timeout or a refused connection raises."""
    import httpx

    where = shown_url(url)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(url, json=payload)
    except httpx.TimeoutException:
        raise WebhookError(f"webhook {where} did not answer within {timeout:g} s") from None
    except httpx.HTTPError as err:
        # httpx's message may quote the URL; name the kind of failure only.
        reason = type(err).__name__
        cause = err.__context__ or err.__cause__
        if isinstance(cause, OSError) and cause.strerror:
            reason = cause.strerror
        raise WebhookError(f"webhook {where} unreachable: {reason}") from None
    if not 200 <= response.status_code < 300:
        raise WebhookError(
            f"webhook {where} answered HTTP {response.status_code} {response.reason_phrase}".rstrip()
        )


@dataclass(frozen=True)
class WebhookOutcome:
    """What became of today's post: sent now, already sent earlier today, or failed (why)."""

    target: str  # scheme://host, safe to show
    sent: bool
    skipped: bool
    error: str | None


def deliver_webhook(
    store: Store,
    config: Config,
    digest: Digest,
    digest_id: int,
    day: dt.date,
    user_id: int = LOCAL_USER,
) -> WebhookOutcome | None:
    """Post the digest to the configured webhook once per `day`; None when none is configured.

    A failure is logged (and retried by the next run), not raised.
    """
    url = config.webhook.url
    if not url:
        return None
    archive = store.archive(user_id)
    key = delivery_key(url)
    target = shown_url(url)
    earlier = archive.delivery(day, key)
    if earlier is not None and earlier.sent_at is not None:
        return WebhookOutcome(target, sent=False, skipped=True, error=None)
    error = None
    try:
        post_webhook(url, webhook_payload(digest, config.webhook.format), config.webhook.timeout)
    except WebhookError as err:
        error = str(err)
    with store.transaction():
        archive.record_delivery(day, digest_id, key, error)
    return WebhookOutcome(target, sent=error is None, skipped=False, error=error)
