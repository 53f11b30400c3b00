"""`papersift digest`, `daily` and `demo` end to end: real store, model, SMTP server, files."""

from __future__ import annotations

import json
import os

import feedparser
import pytest

from tests.cli.snapshot_lines import snapshot_line
from tests.test_deliver import Inbox, free_port

TOPICS = [
    ("Eight-bit weights for chat models", "We quantize weights to int8 and keep accuracy."),
    (
        "Four-bit inference on phones",
        "We quantize weights to four bits so chat models run on phones.",
    ),
    ("Graph networks for molecules", "Message passing predicts solubility of molecules."),
    ("Link prediction in citation graphs", "A graph network predicts missing citations."),
    ("Robots folding laundry", "Imitation learning teaches a robot arm to fold towels."),
    ("Grasping unseen objects", "A robot hand grasps objects it has never seen."),
    ("Speech recognition for dialects", "We transcribe regional dialects with few labels."),
]


@pytest.fixture
def seeded(run, tmp_path):
    lines = b"".join(
        snapshot_line(f"2611.{i:05d}", title).replace(
            b"We propose a method for\\\\nsifting papers quickly.", abstract.encode()
        )
        for i, (title, abstract) in enumerate(TOPICS, start=1)
    )
    path = tmp_path / "seed.jsonl"
    path.write_bytes(lines)
    assert run("ingest", str(path)).code == 0
    assert run("like", "2611.00001").code == 0
    return run


def _smtp_env(tmp_path, port):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[email]\nto = ["reader@example.org"]\nfrom = "papersift@example.org"\n'
        f'host = "127.0.0.1"\nport = {port}\ntls = "none"\ntimeout = 3\n'
        f'[digest]\nsince = "all"\nk = 3\nformats = ["html", "atom"]\nout_dir = "{tmp_path / "out"}"\n'
    )
    os.environ["PAPERSIFT_CONFIG"] = str(config)


@pytest.fixture(autouse=True)
def _no_config_leak():
    before = os.environ.get("PAPERSIFT_CONFIG")
    yield
    if before is None:
        os.environ.pop("PAPERSIFT_CONFIG", None)
    else:
        os.environ["PAPERSIFT_CONFIG"] = before


def test_digest_files_picks_and_atom(seeded, tmp_path):
    out = tmp_path / "digest"
    result = seeded(
        "digest",
        "--since",
        "all",
        "-k",
        "2",
        "--out",
        str(out),
        "--format",
        "html,md,txt,atom",
        "--json",
    )
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    # One paper is close to the like; k=2 is not padded with an unrelated second pick.
    assert summary["top_picks"] == 1 and summary["papers"] == len(TOPICS)
    html = (out / "papersift-2024-04-01.html").read_text()
    assert "Top picks for you" in html and "<script" not in html
    # The liked paper is not a pick; the other quantization paper is the first one.
    first_pick = html.index("Four-bit inference on phones")
    assert first_pick < html.index("Robots folding laundry")
    feed = feedparser.parse((out / "papersift-2024-04-01.atom").read_bytes())
    assert feed.bozo == 0 and len(feed.entries) == len(TOPICS)  # picks + the rest, by topic


def test_empty_window_is_a_short_digest_not_an_error(seeded, tmp_path):
    result = seeded("digest", "--since", "2030-01-01", "--out", str(tmp_path / "d"), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["papers"] == 0
    [html] = (tmp_path / "d").glob("*.html")
    assert "No new papers" in html.read_text()


def test_daily_emails_once_a_day_and_retries_after_smtp_failure(seeded, tmp_path):
    port = free_port()
    _smtp_env(tmp_path, port)
    down = seeded("daily", "--no-fetch")
    assert down.code == 1 and "not sent to reader@example.org" in down.err
    assert "Traceback" not in down.err
    assert list((tmp_path / "out").glob("*.html")), "the digest is kept when sending fails"
    inbox = Inbox()
    from aiosmtpd.controller import Controller

    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        first = seeded("daily", "--no-fetch", "--json")
        second = seeded("daily", "--no-fetch", "--json")
    finally:
        controller.stop()
    assert first.code == 0, first.err
    assert json.loads(first.out)["emailed"] == ["reader@example.org"]
    assert json.loads(second.out)["already_sent"] == ["reader@example.org"]
    assert len(inbox.messages) == 1
    body = inbox.messages[0][2].decode()
    assert "multipart/alternative" in body and "text/plain" in body and "text/html" in body


def test_malformed_config_names_line_and_key(seeded, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[digest]\nk = 5\nsince = \n")
    os.environ["PAPERSIFT_CONFIG"] = str(config)
    result = seeded("digest")
    assert result.code == 2 and "line 3" in result.err and "Traceback" not in result.err
    shown = seeded("config", "show")
    assert shown.code == 2


def test_config_show_masks_secrets(run, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[email]\npassword = "hunter2"\nusername = "me"\n')
    os.environ["PAPERSIFT_CONFIG"] = str(config)
    result = run("config", "show", "--json")
    assert result.code == 0, result.err
    assert "hunter2" not in result.out and json.loads(result.out)["email"]["username"] == "me"
    assert run("config", "path").out.strip() == str(config)


def test_unwritable_output_directory_is_one_line(seeded, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = seeded("digest", "--since", "all", "--out", str(blocker / "sub"))
    assert result.code == 2 and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_demo_builds_a_store_and_a_digest_offline(run, tmp_path):
    result = run(
        "--db", str(tmp_path / "demo.db"), "demo", "--out", str(tmp_path / "demo"), timeout=600
    )
    assert result.code == 0, result.err
    assert "360 invented papers" in result.out
    [html] = (tmp_path / "demo").glob("*.html")
    text = html.read_text()
    assert "Top picks for you" in text and "By topic" in text


def test_config_init_writes_a_starter_once(run, tmp_path):
    config = tmp_path / "cfg" / "config.toml"
    os.environ["PAPERSIFT_CONFIG"] = str(config)
    first = run("config", "init")
    assert first.code == 0, first.err
    assert "[digest]" in config.read_text() and "# k = 20" in config.read_text()
    config.write_text(config.read_text().replace("# k = 20", "k = 7"))
    again = run("config", "init")
    assert again.code == 2 and again.err.splitlines() == [
        f"error: {config} exists: edit it, or overwrite it with --force"
    ]
    shown = run("config", "show")
    assert shown.code == 0 and "k = 7" in shown.out.splitlines()
    assert run("config", "init", "--force").code == 0
    assert "# k = 20" in config.read_text()
