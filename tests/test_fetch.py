"""The fetchers against a real HTTP server on 127.0.0.1 serving scripted responses.

Each test scripts the exact sequence of replies, then checks what the fetcher asked for. Time is
a fake clock whose `sleep` only records and advances, so 3-second rules cost nothing; one test
checks the spacing in real time at a small interval.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from papersift import __version__
from papersift.errors import BadResumptionToken, FetchError, ParseError
from papersift.ingest.harvest import store_pages
from papersift.net.listings import (
    Page,
    arxiv_api_pages,
    hf_daily_pages,
    oai_pages,
    read_arxiv_api_page,
    read_oai_page,
)
from papersift.net.transport import (
    ARXIV_MIN_INTERVAL,
    OTHER_MIN_INTERVAL,
    USER_AGENT,
    backoff_seconds,
    get_bytes,
    min_interval_for,
    polite_client,
    retry_after_seconds,
)
from papersift.records import Paper
from papersift.sources import arxiv_atom, arxiv_oai, hf_daily
from papersift.store.base import UpsertCounts

HTTP_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "http"
XML = "application/atom+xml; charset=utf-8"
OAI_XML = "text/xml; charset=utf-8"
JSON = "application/json; charset=utf-8"


def fixture(name: str) -> bytes:
    return (HTTP_FIXTURES / name).read_bytes()


# --- the scripted server ----------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


class Script:
    """Replies served in order, one per request, and the requests that arrived."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.replies: deque[Reply] = deque()
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def reset(self) -> None:
        with self.lock:
            self.replies.clear()
            self.seen.clear()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def take(self, seen: Seen) -> Reply:
        with self.lock:
            self.seen.append(seen)
            if self.replies:
                return self.replies.popleft()
        # A request the test did not script: answer so that the fetcher fails loudly.
        return Reply(418, b"unexpected request")

    @property
    def queries(self) -> list[dict[str, str]]:
        return [s.query for s in self.seen]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real servers do
    # Headers and body go out in two writes; with Nagle on, each reply would stall ~40 ms.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        seen = Seen(
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            at=time.monotonic(),
        )
        reply = self.server.script.take(seen)  # type: ignore[attr-defined]
        self.send_response_only(reply.status)
        headers = {
            "Date": formatdate(usegmt=True),
            "Content-Type": reply.content_type,
            "Content-Length": str(len(reply.body)),
            **reply.headers,
        }
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def running_server() -> Iterator[Script]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    script = Script(httpd.server_address[1])
    httpd.script = script  # type: ignore[attr-defined]
    # A short poll interval: shutdown() waits for the serving loop to notice.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield script
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def server(running_server: Script) -> Script:
    running_server.reset()
    return running_server


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def polite() -> Iterator[Callable[..., httpx.Client]]:
    """`polite_client` with a short timeout, every client it made closed after the test."""
    made: list[httpx.Client] = []

    def make(**options: Any) -> httpx.Client:
        # A direct connection: a proxy set in the environment must not see requests to 127.0.0.1.
        defaults = {"timeout": 5.0, "connection": httpx.HTTPTransport}
        made.append(polite_client(**{**defaults, **options}))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(polite: Callable[..., httpx.Client], fake_clock: FakeClock) -> httpx.Client:
    return polite(clock=fake_clock.clock, sleep=fake_clock.sleep)


def xml_reply(name: str, status: int = 200, content_type: str = XML) -> Reply:
    return Reply(status, fixture(name), content_type)


# --- the polite transport -------------------------------------------------------------------------


def test_every_request_names_papersift_in_its_user_agent(
    server: Script, client: httpx.Client
) -> None:
    server.add(Reply(200, b"ok"), Reply(200, b"ok"))
    get_bytes(client, server.url("/a"))
    get_bytes(client, server.url("/b"))
    agents = [s.headers["user-agent"] for s in server.seen]
    assert agents == [USER_AGENT, USER_AGENT]
    assert USER_AGENT.startswith(f"papersift/{__version__} (+https://")


def test_own_client_sends_the_user_agent_and_closes(server: Script) -> None:
    server.add(Reply(200, b"hello"))
    with polite_client(min_interval=0.0) as client:
        assert get_bytes(client, server.url("/own")) == b"hello"
    assert server.seen[0].headers["user-agent"] == USER_AGENT


def test_arxiv_spacing_waits_three_seconds_between_requests(
    server: Script, polite: Callable[..., httpx.Client], fake_clock: FakeClock
) -> None:
    server.add(*[Reply(200, b"ok")] * 3)
    client = polite(min_interval=ARXIV_MIN_INTERVAL, clock=fake_clock.clock, sleep=fake_clock.sleep)
    for _ in range(3):
        get_bytes(client, server.url("/api/query"))
    assert fake_clock.sleeps == [ARXIV_MIN_INTERVAL, ARXIV_MIN_INTERVAL]


def test_spacing_counts_time_already_spent_elsewhere(
    server: Script, client: httpx.Client, fake_clock: FakeClock
) -> None:
    server.add(Reply(200, b"ok"), Reply(200, b"ok"))
    get_bytes(client, server.url("/x"))
    fake_clock.now += 0.4  # the caller spent 0.4 s storing the page
    get_bytes(client, server.url("/x"))
    assert fake_clock.sleeps == [pytest.approx(0.6)]


def test_spacing_holds_in_real_time(server: Script, polite: Callable[..., httpx.Client]) -> None:
    interval = 0.05
    server.add(*[Reply(200, b"ok")] * 3)
    client = polite(min_interval=interval)
    for _ in range(3):
        get_bytes(client, server.url("/real"))
    arrivals = [s.at for s in server.seen]
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert len(gaps) == 2
    assert all(gap >= interval for gap in gaps), gaps


def test_429_retry_after_seconds_is_honoured(
    server: Script, client: httpx.Client, fake_clock: FakeClock
) -> None:
    server.add(Reply(429, b"slow down", headers={"Retry-After": "1"}), Reply(200, b"done"))
    assert get_bytes(client, server.url("/busy")) == b"done"
    assert fake_clock.sleeps == [1.0]
    assert len(server.seen) == 2


def test_retry_after_http_date_is_read_against_the_server_date(
    server: Script, client: httpx.Client, fake_clock: FakeClock
) -> None:
    server.add(
        Reply(
            503,
            b"",
            headers={
                "Date": "Thu, 12 Mar 2026 10:00:00 GMT",
                "Retry-After": "Thu, 12 Mar 2026 10:00:07 GMT",
            },
        ),
        Reply(200, b"done"),
    )
    assert get_bytes(client, server.url("/busy")) == b"done"
    assert fake_clock.sleeps == [7.0]


def test_503_without_retry_after_backs_off_exponentially_then_gives_up(
    server: Script, client: httpx.Client, fake_clock: FakeClock
) -> None:
    server.add(*[Reply(503, b"down")] * 5)
    with pytest.raises(FetchError) as caught:
        get_bytes(client, server.url("/down"))
    assert len(server.seen) == 5
    assert fake_clock.sleeps == [1.0, 2.0, 4.0, 8.0]
    assert caught.value.status == 503
    message = str(caught.value)
    assert "\n" not in message
    assert server.url("/down") in message and "HTTP 503" in message and "5 tries" in message


def test_retry_after_beyond_max_wait_gives_up_instead_of_coming_back_early(
    server: Script, client: httpx.Client, fake_clock: FakeClock
) -> None:
    server.add(Reply(429, b"", headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError, match="3,600 s"):
        get_bytes(client, server.url("/later"))
    assert len(server.seen) == 1
    assert fake_clock.sleeps == []


def test_404_fails_at_once_without_retry(
    server: Script, client: httpx.Client, fake_clock: FakeClock
) -> None:
    server.add(Reply(404, b"no such page"))
    with pytest.raises(FetchError) as caught:
        get_bytes(client, server.url("/missing"))
    assert caught.value.status == 404
    assert caught.value.body == b"no such page"
    assert "HTTP 404" in str(caught.value)
    assert len(server.seen) == 1
    assert fake_clock.sleeps == []


def test_refused_connections_are_retried_then_reported(
    polite: Callable[..., httpx.Client], fake_clock: FakeClock
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on `port` now, so every connection is refused at once.
    client = polite(max_tries=3, clock=fake_clock.clock, sleep=fake_clock.sleep)
    with pytest.raises(FetchError, match="connection failed.*3 tries"):
        get_bytes(client, f"http://127.0.0.1:{port}/nothing")
    assert fake_clock.sleeps == [1.0, 2.0]


def test_oversized_response_is_refused(server: Script, polite: Callable[..., httpx.Client]) -> None:
    server.add(Reply(200, b"x" * 5_000))
    client = polite(min_interval=0.0, max_bytes=1_000)
    with pytest.raises(FetchError, match="larger than 1,000 bytes"):
        get_bytes(client, server.url("/huge"))


def test_on_wait_reports_each_pause(server: Script, polite: Callable[..., httpx.Client]) -> None:
    server.add(Reply(503, b"", headers={"Retry-After": "0"}), Reply(200, b"ok"))
    waits: list[tuple[str, float, str]] = []
    client = polite(
        min_interval=0.0, on_wait=lambda *event: waits.append(event), sleep=lambda s: None
    )
    get_bytes(client, server.url("/flaky"))
    assert waits == [(server.url("/flaky"), 0.0, "HTTP 503 Service Unavailable")]


def mock_connection(seen: list[str]) -> Callable[[], httpx.BaseTransport]:
    """Under each polite transport: an in-memory server that answers every GET with "ok"."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=b"ok")

    return lambda: httpx.MockTransport(answer)


def test_arxiv_hosts_are_mounted_with_three_seconds_and_others_with_one(
    polite: Callable[..., httpx.Client], fake_clock: FakeClock
) -> None:
    seen: list[str] = []
    client = polite(
        clock=fake_clock.clock, sleep=fake_clock.sleep, connection=mock_connection(seen)
    )
    for url in (
        "https://export.arxiv.org/api/query",
        "https://export.arxiv.org/api/query",
        "https://huggingface.co/api/daily_papers",
        "https://huggingface.co/api/daily_papers",
        "https://notarxiv.org/x",
        "https://oaipmh.arxiv.org/oai",
    ):
        assert get_bytes(client, url) == b"ok"
    # Spacing is per host: the first request to each host waits for nobody.
    assert fake_clock.sleeps == [ARXIV_MIN_INTERVAL, OTHER_MIN_INTERVAL]
    assert len(seen) == 6


def test_a_compressed_body_is_handed_on_decoded(polite: Callable[..., httpx.Client]) -> None:
    text = b"<feed>" + b"x" * 10_000 + b"</feed>"

    def gzipped(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(text)
        )

    client = polite(min_interval=0.0, connection=lambda: httpx.MockTransport(gzipped))
    assert get_bytes(client, "https://example.org/feed") == text


def test_the_size_cap_counts_decoded_bytes(polite: Callable[..., httpx.Client]) -> None:
    def bomb(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(b"0" * 50_000)
        )

    client = polite(
        min_interval=0.0, max_bytes=10_000, connection=lambda: httpx.MockTransport(bomb)
    )
    with pytest.raises(FetchError, match="larger than 10,000 bytes"):
        get_bytes(client, "https://example.org/bomb")


# --- politeness rules (pure) ------------------------------------------------------------------


def test_arxiv_hosts_get_three_seconds_and_others_less() -> None:
    assert min_interval_for("export.arxiv.org") == 3.0
    assert min_interval_for("oaipmh.arxiv.org") == 3.0
    assert min_interval_for("ARXIV.ORG.") == 3.0
    assert min_interval_for("huggingface.co") < 3.0
    assert min_interval_for("notarxiv.org") < 3.0


def test_retry_after_reads_seconds_and_dates() -> None:
    now = dt.datetime(2026, 3, 12, 10, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds(" 5 ", now) == 5.0
    assert retry_after_seconds("Thu, 12 Mar 2026 10:01:30 GMT", now) == 90.0
    assert retry_after_seconds("Thu, 12 Mar 2026 09:00:00 GMT", now) == 0.0  # already past
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("-3", now) is None
    assert retry_after_seconds(None, now) is None


@given(st.text(max_size=60))
def test_retry_after_never_raises_and_never_goes_negative(value: str) -> None:
    seconds = retry_after_seconds(value, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert seconds is None or seconds >= 0


def test_backoff_doubles() -> None:
    assert [backoff_seconds(n, 1.5) for n in (1, 2, 3)] == [1.5, 3.0, 6.0]


# --- arXiv API --------------------------------------------------------------------------------


def serve_arxiv_listing(server: Script) -> None:
    server.add(
        xml_reply("arxiv_api_cs.LG_start0.xml"),
        xml_reply("arxiv_api_cs.LG_start3.xml"),
        xml_reply("arxiv_api_cs.LG_start6_classic.xml"),
    )


def test_arxiv_pages_through_the_listing_and_stops_at_its_end(
    server: Script, client: httpx.Client
) -> None:
    serve_arxiv_listing(server)
    pages = list(arxiv_api_pages(client, "cs.LG", page_size=3, base_url=server.url("/api/query")))
    assert [p.body for p in pages] == [
        fixture("arxiv_api_cs.LG_start0.xml"),
        fixture("arxiv_api_cs.LG_start3.xml"),
        fixture("arxiv_api_cs.LG_start6_classic.xml"),
    ]
    assert [p.next_cursor for p in pages] == ["3", "6", None]
    # totalResults is 7 and 7 entries came: no fourth request.
    assert server.queries == [
        {
            "search_query": "cat:cs.LG",
            "sortBy": "submittedDate",
            "sortOrder": "descending",
            "start": str(start),
            "max_results": "3",
        }
        for start in (0, 3, 6)
    ]
    assert all(s.path == "/api/query" for s in server.seen)
    assert pages[0].url == server.url("/api/query") + (
        "?search_query=cat%3Acs.LG&sortBy=submittedDate&sortOrder=descending&start=0&max_results=3"
    )


def test_arxiv_max_results_shrinks_the_last_request_and_stops(
    server: Script, client: httpx.Client
) -> None:
    serve_arxiv_listing(server)
    pages = list(
        arxiv_api_pages(
            client, "cs.LG", max_results=5, page_size=3, base_url=server.url("/api/query")
        )
    )
    assert len(pages) == 2
    assert [q["max_results"] for q in server.queries] == ["3", "2"]
    assert pages[-1].next_cursor is None


def test_arxiv_since_stops_on_the_first_page_reaching_older_papers(
    server: Script, client: httpx.Client
) -> None:
    serve_arxiv_listing(server)
    since = dt.date(2026, 3, 8)  # page 2 reaches 2026-03-05
    pages = list(
        arxiv_api_pages(
            client, "cs.LG", since=since, page_size=3, base_url=server.url("/api/query")
        )
    )
    assert len(pages) == 2
    assert len(server.seen) == 2
    assert pages[-1].next_cursor is None


def test_arxiv_since_older_than_everything_reads_the_whole_listing(
    server: Script, client: httpx.Client
) -> None:
    serve_arxiv_listing(server)
    pages = list(
        arxiv_api_pages(
            client, "cs.LG", since=dt.date(2020, 1, 1), page_size=3, base_url=server.url("/q")
        )
    )
    assert len(pages) == 3


def test_arxiv_resumes_from_a_saved_start(server: Script, client: httpx.Client) -> None:
    server.add(
        xml_reply("arxiv_api_cs.LG_start3.xml"), xml_reply("arxiv_api_cs.LG_start6_classic.xml")
    )
    pages = list(arxiv_api_pages(client, "cs.LG", page_size=3, start=3, base_url=server.url("/q")))
    assert [q["start"] for q in server.queries] == ["3", "6"]
    assert [p.next_cursor for p in pages] == ["6", None]


def test_arxiv_empty_listing_yields_nothing(server: Script, client: httpx.Client) -> None:
    server.add(xml_reply("arxiv_api_empty.xml"))
    assert list(arxiv_api_pages(client, "cs.XX", page_size=3, base_url=server.url("/q"))) == []
    assert len(server.seen) == 1


def test_arxiv_error_feed_with_http_400_reports_the_servers_message(
    server: Script, client: httpx.Client
) -> None:
    server.add(xml_reply("arxiv_api_error_http400.xml", status=400))
    with pytest.raises(FetchError, match="arXiv API error: max_results must be an integer"):
        list(arxiv_api_pages(client, "cs.LG", base_url=server.url("/q")))
    assert len(server.seen) == 1


def test_arxiv_error_feed_with_http_200_is_not_a_page(server: Script, client: httpx.Client) -> None:
    server.add(xml_reply("arxiv_api_error_classic.xml"))
    yielded: list[Page] = []
    with pytest.raises(FetchError, match="start must be non-negative"):
        yielded.extend(arxiv_api_pages(client, "cs.LG", base_url=server.url("/q")))
    assert yielded == []


def test_arxiv_empty_page_mid_listing_is_retried(server: Script, client: httpx.Client) -> None:
    # The API sometimes answers an empty page although totalResults says more remain.
    hiccup = fixture("arxiv_api_empty.xml").replace(
        b"<opensearch:totalResults>0<", b"<opensearch:totalResults>7<"
    )
    server.add(
        xml_reply("arxiv_api_cs.LG_start0.xml"),
        Reply(200, hiccup, XML),
        xml_reply("arxiv_api_cs.LG_start3.xml"),
    )
    pages = arxiv_api_pages(client, "cs.LG", max_results=6, page_size=3, base_url=server.url("/q"))
    assert len(list(pages)) == 2
    assert [q["start"] for q in server.queries] == ["0", "3", "3"]


def test_arxiv_persistent_empty_pages_are_an_error(server: Script, client: httpx.Client) -> None:
    hiccup = fixture("arxiv_api_empty.xml").replace(
        b"<opensearch:totalResults>0<", b"<opensearch:totalResults>7<"
    )
    server.add(*[Reply(200, hiccup, XML)] * 3)
    with pytest.raises(FetchError, match="empty pages at offset 0 of 7"):
        list(arxiv_api_pages(client, "cs.LG", base_url=server.url("/q")))


def test_arxiv_html_instead_of_a_feed_is_an_error(server: Script, client: httpx.Client) -> None:
    server.add(Reply(200, b"<html><body>Maintenance</body></html>", "text/html"))
    with pytest.raises(FetchError, match="not an arXiv API response"):
        list(arxiv_api_pages(client, "cs.LG", base_url=server.url("/q")))


def test_arxiv_page_reader_counts_entries_and_oldest_date() -> None:
    page = read_arxiv_api_page(fixture("arxiv_api_cs.LG_start3.xml"), "start3")
    assert (page.entries, page.total_results, page.error) == (3, 7, None)
    assert page.oldest_published == dt.date(2026, 3, 5)
    classic = read_arxiv_api_page(fixture("arxiv_api_cs.LG_start6_classic.xml"), "start6")
    assert (classic.entries, classic.total_results) == (1, 7)
    assert classic.oldest_published == dt.date(2026, 3, 4)


# --- arXiv OAI-PMH ----------------------------------------------------------------------------


def test_oai_follows_resumption_tokens_to_the_end(server: Script, client: httpx.Client) -> None:
    server.add(
        xml_reply("oai_listrecords_cs_1.xml", content_type=OAI_XML),
        xml_reply("oai_listrecords_cs_2.xml", content_type=OAI_XML),
        xml_reply("oai_listrecords_cs_3.xml", content_type=OAI_XML),
    )
    pages = list(oai_pages(client, "cs", dt.date(2026, 3, 1), base_url=server.url("/oai")))
    assert [p.next_cursor for p in pages] == ["4417822|3", "4417822|5", None]
    assert pages[2].body == fixture("oai_listrecords_cs_3.xml")
    assert server.queries == [
        {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "cs", "from": "2026-03-01"},
        {"verb": "ListRecords", "resumptionToken": "4417822|3"},
        {"verb": "ListRecords", "resumptionToken": "4417822|5"},
    ]


def test_oai_resume_asks_for_the_saved_token_first(server: Script, client: httpx.Client) -> None:
    server.add(
        xml_reply("oai_listrecords_cs_2.xml", content_type=OAI_XML),
        xml_reply("oai_listrecords_cs_3.xml", content_type=OAI_XML),
    )
    pages = list(
        oai_pages(
            client, "cs", dt.date(2026, 3, 1), resume_token="4417822|3", base_url=server.url("/oai")
        )
    )
    assert server.queries[0] == {"verb": "ListRecords", "resumptionToken": "4417822|3"}
    assert [p.next_cursor for p in pages] == ["4417822|5", None]


def test_oai_503_flow_control_is_waited_out(
    server: Script, client: httpx.Client, fake_clock: FakeClock
) -> None:
    server.add(
        Reply(503, b"Retry later", headers={"Retry-After": "3"}),
        xml_reply("oai_listrecords_cs_3.xml", content_type=OAI_XML),
    )
    pages = list(oai_pages(client, "cs", resume_token="4417822|5", base_url=server.url("/oai")))
    assert len(pages) == 1
    assert fake_clock.sleeps == [3.0]
    assert server.queries[0] == server.queries[1]


def test_oai_no_records_match_is_an_empty_harvest(server: Script, client: httpx.Client) -> None:
    server.add(xml_reply("oai_no_records_match.xml", content_type=OAI_XML))
    assert list(oai_pages(client, "cs", dt.date(2099, 1, 1), base_url=server.url("/oai"))) == []
    assert len(server.seen) == 1


def test_oai_expired_token_says_to_restart(server: Script, client: httpx.Client) -> None:
    server.add(xml_reply("oai_bad_resumption_token.xml", content_type=OAI_XML))
    with pytest.raises(BadResumptionToken) as caught:
        list(oai_pages(client, "cs", resume_token="4417822|3", base_url=server.url("/oai")))
    message = str(caught.value)
    assert "badResumptionToken" in message and "has expired" in message
    assert "restart the harvest without the saved token" in message
    assert len(server.seen) == 1


def test_oai_error_in_a_4xx_body_is_still_read(server: Script, client: httpx.Client) -> None:
    server.add(xml_reply("oai_bad_resumption_token.xml", status=400, content_type=OAI_XML))
    with pytest.raises(BadResumptionToken):
        list(oai_pages(client, "cs", resume_token="4417822|3", base_url=server.url("/oai")))


def test_oai_other_errors_stop_with_the_servers_message(
    server: Script, client: httpx.Client
) -> None:
    server.add(xml_reply("oai_bad_argument.xml", content_type=OAI_XML))
    with pytest.raises(FetchError, match="OAI-PMH badArgument: Illegal date 'last week'") as caught:
        list(oai_pages(client, "cs", base_url=server.url("/oai")))
    assert not isinstance(caught.value, BadResumptionToken)


def test_oai_error_after_some_pages_keeps_what_came_before(
    server: Script, client: httpx.Client
) -> None:
    server.add(
        xml_reply("oai_listrecords_cs_1.xml", content_type=OAI_XML),
        xml_reply("oai_bad_resumption_token.xml", content_type=OAI_XML),
    )
    yielded: list[Page] = []
    with pytest.raises(BadResumptionToken):
        yielded.extend(oai_pages(client, "cs", base_url=server.url("/oai")))
    assert [p.next_cursor for p in yielded] == ["4417822|3"]


def test_oai_token_repeated_by_the_server_stops_the_loop(
    server: Script, client: httpx.Client
) -> None:
    server.add(*[xml_reply("oai_listrecords_cs_2.xml", content_type=OAI_XML)] * 2)
    with pytest.raises(FetchError, match="token it was given"):
        list(oai_pages(client, "cs", resume_token="4417822|3", base_url=server.url("/oai")))
    assert len(server.seen) == 2


def test_oai_page_reader() -> None:
    assert read_oai_page(fixture("oai_listrecords_cs_1.xml"), "p1").resumption_token == (
        "4417822|3"
    )
    last = read_oai_page(fixture("oai_listrecords_cs_3.xml"), "p3")
    assert (last.resumption_token, last.error) == (None, None)
    assert read_oai_page(fixture("oai_no_records_match.xml"), "e").error == (
        "noRecordsMatch",
        "No records match the request",
    )


# --- Hugging Face Daily Papers ----------------------------------------------------------------


def test_hf_daily_asks_for_the_day_and_pages_until_a_short_page(
    server: Script, client: httpx.Client
) -> None:
    server.add(
        Reply(200, fixture("hf_daily_2026-03-12_p0.json"), JSON),
        Reply(200, fixture("hf_daily_2026-03-12_p1.json"), JSON),
    )
    pages = list(
        hf_daily_pages(
            client, dt.date(2026, 3, 12), page_size=2, base_url=server.url("/api/daily_papers")
        )
    )
    assert [p.next_cursor for p in pages] == ["1", None]
    assert server.queries == [
        {"limit": "2", "p": "0", "date": "2026-03-12"},
        {"limit": "2", "p": "1", "date": "2026-03-12"},
    ]
    assert server.seen[0].headers["user-agent"] == USER_AGENT


def test_hf_daily_without_a_day_asks_for_the_latest(server: Script, client: httpx.Client) -> None:
    server.add(Reply(200, fixture("hf_daily_2026-03-12_p1.json"), JSON))
    pages = list(hf_daily_pages(client, base_url=server.url("/api/daily_papers")))
    assert len(pages) == 1
    assert "date" not in server.queries[0]


def test_hf_daily_empty_day_yields_nothing(server: Script, client: httpx.Client) -> None:
    server.add(Reply(200, b"[]", JSON))
    assert list(hf_daily_pages(client, dt.date(2026, 3, 14), base_url=server.url("/d"))) == []


def test_hf_daily_server_ignoring_the_page_number_is_caught(
    server: Script, client: httpx.Client
) -> None:
    full_page = Reply(200, fixture("hf_daily_2026-03-12_p0.json"), JSON)
    server.add(full_page, full_page)
    pages = list(
        hf_daily_pages(client, dt.date(2026, 3, 12), page_size=2, base_url=server.url("/d"))
    )
    assert len(pages) == 1
    assert len(server.seen) == 2


def test_hf_daily_error_reports_the_servers_message(server: Script, client: httpx.Client) -> None:
    server.add(Reply(400, fixture("hf_error_bad_date.json"), JSON))
    with pytest.raises(FetchError, match='Hugging Face API error: "date" must be a valid date'):
        list(hf_daily_pages(client, dt.date(2026, 3, 12), base_url=server.url("/d")))
    assert len(server.seen) == 1


def test_hf_daily_retries_a_busy_server(
    server: Script, client: httpx.Client, fake_clock: FakeClock
) -> None:
    server.add(
        Reply(429, b'{"error":"rate limited"}', JSON, {"Retry-After": "2"}),
        Reply(200, fixture("hf_daily_2026-03-12_p1.json"), JSON),
    )
    pages = list(hf_daily_pages(client, dt.date(2026, 3, 12), base_url=server.url("/d")))
    assert len(pages) == 1
    assert fake_clock.sleeps == [2.0]


# --- pages arrive parsed, once ----------------------------------------------------------------


def test_arxiv_pages_hold_the_parsers_records(server: Script, client: httpx.Client) -> None:
    serve_arxiv_listing(server)
    pages = list(arxiv_api_pages(client, "cs.LG", page_size=3, base_url=server.url("/q")))
    assert [len(p.records) for p in pages] == [3, 3, 1]
    for page in pages:
        assert page.records == tuple(arxiv_atom.parse(page.body, page.url))


def test_oai_pages_hold_the_parsers_records(server: Script, client: httpx.Client) -> None:
    server.add(
        xml_reply("oai_listrecords_cs_1.xml", content_type=OAI_XML),
        xml_reply("oai_listrecords_cs_2.xml", content_type=OAI_XML),
        xml_reply("oai_listrecords_cs_3.xml", content_type=OAI_XML),
    )
    pages = list(oai_pages(client, "cs", base_url=server.url("/oai")))
    assert sum(len(p.records) for p in pages) > 0
    for page in pages:
        assert page.records == tuple(arxiv_oai.parse(page.body, page.url))


def test_hf_daily_pages_hold_the_parsers_records(server: Script, client: httpx.Client) -> None:
    server.add(
        Reply(200, fixture("hf_daily_2026-03-12_p0.json"), JSON),
        Reply(200, fixture("hf_daily_2026-03-12_p1.json"), JSON),
    )
    pages = list(
        hf_daily_pages(client, dt.date(2026, 3, 12), page_size=2, base_url=server.url("/d"))
    )
    assert [len(p.records) for p in pages] == [2, 1]
    for page in pages:
        assert page.records == tuple(hf_daily.parse(page.body, page.url))


class RecordingStore:
    """The part of a Store that `store_pages` uses, recording what it was given."""

    def __init__(self) -> None:
        self.upserted: list[list[Paper]] = []
        self.checkpoints: list[tuple[str, str | None]] = []

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def upsert(self, papers: list[Paper]) -> UpsertCounts:
        self.upserted.append(list(papers))
        return UpsertCounts(added=len(papers))

    def set_checkpoint(self, name: str, value: str | None) -> None:
        self.checkpoints.append((name, value))


def test_store_pages_stores_the_records_without_reading_the_body_again() -> None:
    records = tuple(arxiv_atom.parse(fixture("arxiv_api_cs.LG_start3.xml"), "start3"))
    papers = [r for r in records if isinstance(r, Paper)]
    bad = ParseError("start3", "missing", record="#9", field="title")
    # The bodies are not XML at all: storing must rely on the records the listing parsed.
    pages = [
        Page("u1", b"not parsed again", (*records[:2], bad), "cursor-1"),
        Page("u2", b"not parsed again", records[2:], None),
    ]
    store = RecordingStore()
    report = store_pages(store, iter(pages), checkpoint="oai:cs")  # type: ignore[arg-type]
    assert store.upserted == [papers[:2], papers[2:]]
    assert store.checkpoints == [("oai:cs", "cursor-1"), ("oai:cs", None), ("oai:cs", None)]
    assert (report.pages, report.records, report.counts.added) == (2, 3, 3)
    assert report.rejected == [bad]
