"""`papersift daily` over several announcement days against a real arXiv API server.

Days are faked with the hidden `--today` option (a run at noon US Eastern of that date). The
scenario: Monday's and Tuesday's announcements fetched the mornings after (Tuesday's with a
cross-list of a Monday paper), no run on Thursday morning, a catch-up on Friday of Wednesday's
and Thursday's announcements (with a replacement, v2 with a new abstract), and a quiet Saturday.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from tests.cli.arxiv_api_server import ArxivApiServer, Listed
from tests.test_deliver import Inbox, free_port

D = dt.date
MON, TUE, WED, THU = D(2025, 6, 2), D(2025, 6, 3), D(2025, 6, 4), D(2025, 6, 5)


def paper(n: int, title: str, day: dt.date, cats: tuple[str, ...], **changes: object) -> Listed:
    fields: dict[str, object] = {
        "id": f"2506.{n:05d}",
        "version": 1,
        "title": title,
        "abstract": f"We study {title.lower()} and report what we found.",
        "published": day,
        "updated": day,
        "categories": cats,
    }
    fields.update(changes)
    return Listed(**fields)  # type: ignore[arg-type]


A = paper(1, "Sparse attention for long documents", MON, ("cs.LG",))
B = paper(2, "Dialect speech recognition", MON, ("cs.CL",))
C = paper(3, "Quantized chat models on phones", TUE, ("cs.LG",))
D4 = paper(4, "Parsing legal contracts", TUE, ("cs.CL",))
E = paper(5, "Graph networks for molecules", WED, ("cs.LG",))
F = paper(6, "Machine translation of poetry", THU, ("cs.CL",))
A_CROSS = paper(1, A.title, MON, ("cs.LG", "cs.CL"))  # cross-listed to cs.CL on Tuesday
C_V2 = paper(
    3,
    C.title,
    TUE,
    ("cs.LG",),
    version=2,
    updated=THU,
    abstract="We quantize chat models to three bits, a new result.",
)
LISTINGS = [
    ("cs.LG", MON, A),
    ("cs.CL", MON, B),
    ("cs.LG", TUE, C),
    ("cs.LG", TUE, A_CROSS),
    ("cs.CL", TUE, A_CROSS),
    ("cs.CL", TUE, D4),
    ("cs.LG", WED, E),
    ("cs.CL", THU, F),
    ("cs.LG", THU, C_V2),
]


@pytest.fixture
def world(run, tmp_path, monkeypatch):
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        '[sources]\ncategories = ["cs.LG", "cs.CL"]\nhf = false\n'
        f'[digest]\nsince = "1d"\nk = 5\nformats = ["md"]\nout_dir = "{tmp_path / "out"}"\n'
        f'[email]\nto = ["reader@example.org"]\nfrom = "papersift@example.org"\n'
        f'host = "127.0.0.1"\nport = {port}\ntls = "none"\ntimeout = 3\n'
    )
    monkeypatch.setenv("PAPERSIFT_CONFIG", str(config))
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    with ArxivApiServer(LISTINGS) as server:
        yield run, server, inbox
    smtp.stop()


def daily(run, server: ArxivApiServer, today: dt.date, announced: dt.date) -> tuple[dict, str]:
    server.day = announced
    result = run(
        "daily",
        "--json",
        "--today",
        today.isoformat(),
        "--base-url",
        server.url,
        "--min-interval",
        "0",
    )
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    digest = Path(summary["files"]["md"]).read_text()
    return summary, digest


def titles_in(digest: str) -> set[str]:
    return {p.title for p in (A, B, C, D4, E, F) if p.title in digest}


def test_every_paper_is_delivered_once_across_days(world):
    run, server, inbox = world

    tue, tue_digest = daily(run, server, TUE, MON)
    assert tue["announcements"] == [MON.isoformat()] and tue["caught_up"] == 0
    assert titles_in(tue_digest) == {A.title, B.title}

    # The same morning again: the same digest, and no second e-mail.
    again, again_digest = daily(run, server, TUE, MON)
    assert titles_in(again_digest) == {A.title, B.title}
    assert again["already_sent"] == ["reader@example.org"] and len(inbox.messages) == 1

    wed, wed_digest = daily(run, server, WED, TUE)
    # A came back as a cross-list to cs.CL: the same paper, not new.
    assert titles_in(wed_digest) == {C.title, D4.title}

    # No run on Thursday morning; Friday's run catches up Wednesday's and Thursday's.
    fri, fri_digest = daily(run, server, D(2025, 6, 6), THU)
    assert fri["announcements"] == [WED.isoformat(), THU.isoformat()] and fri["caught_up"] == 1
    assert titles_in(fri_digest) == {E.title, F.title, C.title}
    assert "updated: v2, new abstract" in fri_digest
    assert fri_digest.count("updated:") == 1

    # Saturday: arXiv announced nothing on Friday evening; the digest says so.
    sat, sat_digest = daily(run, server, D(2025, 6, 7), THU)
    assert sat["announcements"] == [] and titles_in(sat_digest) == set()
    assert "Friday or Saturday" in sat["empty_because"] and "Friday or Saturday" in sat_digest

    # Each paper was shown new once; only the replacement a second time, as an update.
    shown = json.loads(run("seen", "--json").out)
    in_digests = [s["id"] for s in shown if s["where"] == "digest"]
    assert sorted(in_digests) == sorted(
        [
            "2506.00001",
            "2506.00002",
            "2506.00003",
            "2506.00004",
            "2506.00005",
            "2506.00006",
            "2506.00003",
        ]
    )
    assert [s["id"] for s in shown][:3] != []  # newest first: Friday's before Tuesday's
    assert shown[0]["at"] >= shown[-1]["at"]
    assert len(inbox.messages) == 4  # Tuesday, Wednesday, Friday, Saturday: one a day


def test_a_failed_source_is_named_and_fetched_again_next_run(world, tmp_path):
    run, server, _ = world
    daily(run, server, TUE, MON)
    # cs.CL's server refuses on Wednesday: point daily at a closed port for one run.
    closed = f"http://127.0.0.1:{free_port()}/api/query"
    down = run("daily", "--json", "--today", WED.isoformat(), "--base-url", closed)
    summary = json.loads(down.out)
    assert down.code == 1 and summary["failed_sources"] == ["arXiv cs.LG", "arXiv cs.CL"]
    assert summary["offline"] is True and "no network" in down.err
    # The next run covers Tuesday's announcement and Wednesday's from the last good point.
    server.day = WED
    thu, digest = daily(run, server, THU, WED)
    assert thu["announcements"] == [TUE.isoformat(), WED.isoformat()]
    assert titles_in(digest) >= {C.title, D4.title, E.title}


@pytest.mark.parametrize(
    "base_url",
    [f"http://127.0.0.1:{free_port()}/api/query", "http://papersift-test.invalid/api/query"],
    ids=["refused", "unresolvable"],
)
def test_no_network_gives_up_in_seconds(run, tmp_path, monkeypatch, base_url):
    config = tmp_path / "config.toml"
    config.write_text(
        '[sources]\ncategories = ["cs.LG", "cs.CL", "cs.AI", "cs.CV", "stat.ML"]\nhf = true\n'
        f'[digest]\nformats = ["md"]\nout_dir = "{tmp_path / "out"}"\n'
    )
    monkeypatch.setenv("PAPERSIFT_CONFIG", str(config))
    started = time.monotonic()
    result = run("daily", "--json", "--base-url", base_url, "--no-fetch")
    assert result.code == 0, result.err
    baseline = time.monotonic() - started  # model load and an empty digest, no network
    started = time.monotonic()
    result = run("daily", "--json", "--base-url", base_url)
    elapsed = time.monotonic() - started
    summary = json.loads(result.out)
    assert result.code == 1 and summary["offline"] is True
    assert len(summary["failed_sources"]) == 6 and "Traceback" not in result.err
    # Before, each source was retried with backoff (1+2+4+8 s) and spaced: over a minute.
    assert elapsed - baseline < 5.0, (elapsed, baseline)


def test_digest_leaves_out_what_daily_showed_unless_asked(world, tmp_path):
    run, server, _ = world
    daily(run, server, TUE, MON)
    # Today (the real one) is after the faked Tuesday: A and B were shown on an earlier day.
    out = str(tmp_path / "again")
    plain = json.loads(run("digest", "--since", "all", "--out", out, "--json").out)
    assert plain["papers"] == 0 and "already shown" in plain["empty_because"]
    both = json.loads(run("digest", "--since", "all", "--out", out, "--include-seen", "--json").out)
    assert both["papers"] == 2 and both["empty_because"] is None
    since = json.loads(run("seen", "--since", TUE.isoformat(), "--json").out)
    assert {s["id"] for s in since} == {A.id, B.id}
    assert json.loads(run("seen", "--since", "2030-01-01", "--json").out) == []


@pytest.mark.parametrize(
    "args",
    [("seen", "--since", "last tuesday"), ("daily", "--no-fetch", "--today", "2025-13-01")],
)
def test_bad_dates_are_usage_errors(run, args):
    result = run(*args)
    assert result.code == 2 and "Traceback" not in result.err
    assert args[-1] in result.err
