"""Pure helpers of the web app: paper URLs, safe links, form values, sessions, login limits."""

from __future__ import annotations

import html
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papersift.accounts import User
from papersift.records import Link, PaperFilter
from papersift.web import auth, views
from tests.helpers import make_paper

ID_ALPHABET = st.sampled_from(list("abcAZ019./:-_%?#&+= ~<>\"'é中") + ["like", "..", "//"])


@pytest.mark.parametrize(
    ("paper_id", "url"),
    [
        ("2301.00001", "/papers/2301.00001"),
        ("hep-th/9901001", "/papers/hep-th/9901001"),
        ("doi:10.1000/xyz<1>", "/papers/doi:10.1000/xyz%3C1%3E"),
        ("doi:10.1/a?b#c d", "/papers/doi:10.1/a%3Fb%23c%20d"),
        ("doi:10.1/../../admin", "/paper?id=doi%3A10.1%2F..%2F..%2Fadmin"),
        ("doi:10.1/x/like", "/paper?id=doi%3A10.1%2Fx%2Flike"),
    ],
)
def test_paper_url_keeps_ids_readable_and_unambiguous(paper_id: str, url: str) -> None:
    assert views.paper_url(paper_id) == url


def test_paper_url_with_an_action() -> None:
    assert views.paper_url("hep-th/9901001", "like") == "/papers/hep-th/9901001/like"
    assert views.paper_url("a/../b", "dislike") == "/paper?id=a%2F..%2Fb&action=dislike"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(paper_id=st.lists(ID_ALPHABET, min_size=1, max_size=12).map("".join))
def test_every_paper_url_leads_back_to_its_id(client, paper_id: str) -> None:
    """Whatever an id holds, its URL reaches the paper page for exactly that id."""
    page = client.get(views.paper_url(paper_id), follow_redirects=False)
    if not paper_id.strip():
        assert page.status_code in (404, 422)
        return
    assert page.status_code == 404  # no such paper in the store, but the right page asked
    found = re.search(r"No paper “(.*?)” in the store\.", page.text, re.S)
    assert found is not None, page.text[:300]
    assert html.unescape(found.group(1)) == paper_id


def test_paper_links_are_http_only_and_deduplicated() -> None:
    paper = make_paper("2301.00001").with_changes(
        links=(
            Link("abs", "javascript:alert(1)"),
            Link("code", "https://github.com/example/code"),
            Link("other", "data:text/html,<script>alert(1)</script>"),
            Link("pdf", "https://arxiv.org/pdf/2301.00001"),
        )
    )
    links = views.paper_links(paper)
    assert [(link.label, link.url) for link in links] == [
        ("Code", "https://github.com/example/code"),
        ("PDF", "https://arxiv.org/pdf/2301.00001"),
        ("Abstract page", "https://arxiv.org/abs/2301.00001"),
    ]


def test_search_filter_reads_form_fields() -> None:
    assert views.search_filter("", " ", "", "") == PaperFilter()
    where = views.search_filter("2026-11-01", "", " cs.LG ", "Lovelace")
    assert where.since is not None and where.since.isoformat() == "2026-11-01"
    assert where.category == "cs.LG" and where.author == "Lovelace" and where.until is None
    with pytest.raises(ValueError, match="until must be a date"):
        views.search_filter("", "tomorrow", "", "")


def test_short_authors_drops_control_characters() -> None:
    assert views.short_authors(("A\x07da\n", "B", "C", "D", "E")) == "Ada, B, C +2"
    assert views.short_authors(("A", "B", "C", "D")) == "A, B, C, D"


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/library?tag=x", "/library?tag=x"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next_stays_on_this_site(target: str | None, safe: str) -> None:
    assert auth.safe_next(target) == safe


def test_csrf_tokens_belong_to_their_session() -> None:
    session: dict[str, object] = {}
    token = auth.csrf_token(session)
    assert auth.csrf_token(session) == token, "stable within a session"
    assert auth.csrf_valid(session, token)
    assert not auth.csrf_valid(session, token[:-1] + "x")
    assert not auth.csrf_valid(session, None)
    assert not auth.csrf_valid({}, token)
    auth.log_in(session, User(7, "ada"))
    assert session["uid"] == 7 and not auth.csrf_valid(session, token), "login rotates it"


def test_login_limiter_counts_failures_per_key_within_the_window() -> None:
    limiter = auth.LoginLimiter(attempts=2, window=0.3)
    limiter.failed("ip:1", "user:ada")
    assert limiter.retry_after("ip:1") == 0
    limiter.failed("ip:1", "user:ada")
    assert limiter.retry_after("ip:1") > 0 and limiter.retry_after("user:ada") > 0
    assert limiter.retry_after("ip:2") == 0, "other clients are not affected"
    limiter.succeeded("user:ada")
    assert limiter.retry_after("user:ada") == 0
    time.sleep(0.35)
    assert limiter.retry_after("ip:1") == 0, "failures expire"
