"""`papersift daily` posting to a webhook on 127.0.0.1: named on failure, retried, once a day."""

from __future__ import annotations

import json
import os

from tests.cli.test_digest_cli import _no_config_leak, seeded  # noqa: F401 (fixtures)
from tests.webhook_server import WebhookServer


def test_daily_posts_once_and_names_a_failed_post(seeded, tmp_path):  # noqa: F811
    with WebhookServer() as server:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[digest]\nsince = "all"\nk = 3\nformats = ["html"]\nout_dir = "{tmp_path / "out"}"\n'
            '[webhook]\nformat = "slack"\ntimeout = 3\n'
        )
        os.environ["PAPERSIFT_CONFIG"] = str(config)
        os.environ["PAPERSIFT_WEBHOOK_URL"] = server.url
        try:
            server.status = 500
            down = seeded("daily", "--no-fetch")
            server.status = 200
            server.posts.clear()  # the refused post was received too
            first = seeded("daily", "--no-fetch", "--json")
            second = seeded("daily", "--no-fetch")
        finally:
            os.environ.pop("PAPERSIFT_WEBHOOK_URL")
    assert down.code == 1, down.err
    assert "not posted: webhook http://127.0.0.1 answered HTTP 500" in " ".join(down.err.split())
    assert "s3cr3t" not in down.err + down.out and "Traceback" not in down.err
    assert list((tmp_path / "out").glob("*.html")), "the digest is kept when the post fails"
    assert first.code == 0, first.err
    assert json.loads(first.out)["webhook"] == "sent"
    # The console wraps long lines: compare the words.
    assert second.code == 0 and "webhook http://127.0.0.1: already sent" in " ".join(
        second.out.split()
    )
    assert len(server.posts) == 1 and "blocks" in server.posts[0][1]


def test_config_show_hides_the_webhook_url(run, tmp_path):
    os.environ["PAPERSIFT_WEBHOOK_URL"] = "https://hooks.example.org/services/s3cr3t"
    try:
        shown = run("config", "show")
    finally:
        os.environ.pop("PAPERSIFT_WEBHOOK_URL")
    assert shown.code == 0, shown.err
    assert "s3cr3t" not in shown.out and "[webhook]" in shown.out
