"""Polite network fetchers: the arXiv API, arXiv OAI-PMH and Hugging Face Daily Papers.

Transport only. Each fetcher yields the raw response `Page`s of one listing; the caller parses
a page with the matching parser in `papersift.sources` and stores its records together with
`page.next_cursor` in one transaction, so a run that is killed resumes after the last page it
stored:

    with PoliteClient() as client:
        for page in oai_pages(client, "cs", from_date=day, resume_token=saved_token):
            store(parse(page.body, page.url), checkpoint=page.next_cursor)

`next_cursor` is the OAI-PMH resumption token, the next `start` offset of the arXiv API, or the
next page number `p` of Hugging Face; None once the listing is complete. Pass it back as
`resume_token=` / `start=` / `first_page=` to continue.

Politeness follows arXiv's API terms of use (https://info.arxiv.org/help/api/tou.html): one
request at a time and at least 3 s between requests to an arXiv host. 429, 500, 502, 503, 504
and dropped connections are retried with exponential backoff, honouring Retry-After (seconds
or an HTTP-date), up to `max_tries`; any other 4xx fails at once. Every request names
papersift in its User-Agent. A server's own error message (an arXiv error feed, an OAI-PMH
<error>, a JSON {"error": ...}) becomes the `FetchError` message and is never yielded as a page.

Nothing here is patched in tests: they pass an `httpx.Client`, base URLs pointing at a local
server, and fake `clock`/`sleep` functions.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import httpx
import orjson

from papersift import __version__
from papersift.errors import PapersiftError, ParseError, ServerReportedError
from papersift.sources.arxiv_atom import ATOM, OPENSEARCH, raise_if_error_feed
from papersift.sources.arxiv_oai import oai_error, resumption_token
from papersift.sources.xml import parse_xml, text_of
from papersift.text import collapse_whitespace

ARXIV_API_URL = "https://export.arxiv.org/api/query"
ARXIV_OAI_URL = "https://oaipmh.arxiv.org/oai"
HF_DAILY_URL = "https://huggingface.co/api/daily_papers"
USER_AGENT = f"papersift/{__version__} (+https://github.com/papersift/papersift)"

ARXIV_MIN_INTERVAL = 3.0  # arXiv API terms of use: "no more than one request every three seconds"
OTHER_MIN_INTERVAL = 1.0  # no published rule elsewhere; one request a second is still gentle
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_TRIES = 5
MAX_WAIT = 120.0  # seconds; a server asking for longer is told "try again later", not hammered
BACKOFF_BASE = 1.0  # seconds before the 2nd try, doubling after each failure
# A full OAI-PMH page (1,000 records) is a few MB; the cap only stops a runaway response.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024

ARXIV_MAX_PAGE = 2_000  # the API refuses larger max_results
ARXIV_MAX_RESULTS = 30_000  # the API serves no result beyond this offset; bulk goes through OAI
# The API sometimes returns an empty page mid-listing and the full page on a retry.
ARXIV_EMPTY_PAGE_TRIES = 3
HF_MAX_PAGE = 100
HF_MAX_PAGES = 20  # about 100 papers a day appear, so 2,000 means the server ignores `p`

_ASCII_DIGITS = re.compile(r"[0-9]+")


class FetchError(PapersiftError):
    """A request failed for good: the one-line message names the URL and what went wrong.

    `status` is the HTTP status when there was a response; `body` its (capped) body, so a
    protocol layer can read the server's own explanation of a 4xx.
    """

    def __init__(
        self, url: str, reason: str, *, status: int | None = None, body: bytes | None = None
    ) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        self.body = body
        super().__init__(f"{url}: {reason}")


class BadResumptionToken(FetchError):
    """The OAI-PMH server no longer accepts the saved resumption token (tokens expire).

    The caller should forget its checkpoint and harvest again from the start date.
    """


@dataclass(frozen=True)
class Page:
    """One raw response of a listing, and where the listing continues (None: complete)."""

    url: str
    body: bytes
    next_cursor: str | None


# --- politeness: pure rules -------------------------------------------------------------------


def min_interval_for(host: str) -> float:
    """Seconds to leave between requests to `host`."""
    host = host.lower().rstrip(".")
    if host == "arxiv.org" or host.endswith(".arxiv.org"):
        return ARXIV_MIN_INTERVAL
    return OTHER_MIN_INTERVAL


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Seconds a Retry-After header asks us to wait (delta-seconds or HTTP-date); None: unreadable.

    `now` should be the response's Date, so the wait does not depend on our clock being right.
    """
    if value is None:
        return None
    text = value.strip()
    if _ASCII_DIGITS.fullmatch(text):
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)  # HTTP-dates are always GMT
    return max(0.0, (when - now).total_seconds())


def backoff_seconds(attempt: int, base: float = BACKOFF_BASE) -> float:
    """Wait after the `attempt`-th failed try when the server gave no Retry-After."""
    return base * 2 ** (attempt - 1)


def _server_now(response: httpx.Response) -> dt.datetime:
    date = response.headers.get("Date")
    if date:
        try:
            when = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
        else:
            return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


# --- the polite client ------------------------------------------------------------------------


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None, retry_after: float | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class PoliteClient:
    """GET with the manners servers ask for: spacing, retries, backoff, a named User-Agent.

    `http` lets the caller choose the transport (tests pass a client for a local server); when
    omitted an own client is made and closed with this one. `min_interval` overrides the
    per-host spacing (3 s for arXiv, 1 s elsewhere). `on_wait(url, seconds, reason)` is called
    before each retry wait, so the CLI can say why it is pausing.
    """

    def __init__(
        self,
        http: httpx.Client | None = None,
        *,
        min_interval: float | None = None,
        max_tries: int = MAX_TRIES,
        max_wait: float = MAX_WAIT,
        backoff_base: float = BACKOFF_BASE,
        max_bytes: int = MAX_RESPONSE_BYTES,
        user_agent: str = USER_AGENT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str, float, str], None] | None = None,
    ) -> None:
        if max_tries < 1:
            raise ValueError("max_tries must be at least 1")
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=httpx.Timeout(60.0, connect=15.0))
        self.min_interval = min_interval
        self.max_tries = max_tries
        self.max_wait = max_wait
        self.backoff_base = backoff_base
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self._clock = clock
        self._sleep = sleep
        self._on_wait = on_wait
        self._last_response_at: dict[str, float] = {}  # host -> clock() when it last answered

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def get(self, url: str) -> bytes:
        """The body of a 2xx response to GET `url`, after waiting and retrying as needed."""
        host = _host_of(url)
        wait = 0.0
        for attempt in range(1, self.max_tries + 1):
            self._pause(host, wait)
            try:
                return self._get_once(url, host)
            except _Retryable as retry:
                if attempt == self.max_tries:
                    raise FetchError(
                        url,
                        f"{retry.reason} (gave up after {self.max_tries} tries)",
                        status=retry.status,
                    ) from None
                wait = self._retry_wait(url, retry, attempt)
                if self._on_wait is not None:
                    self._on_wait(url, wait, retry.reason)
        raise AssertionError("unreachable: the loop returns or raises")

    def _pause(self, host: str, retry_wait: float) -> None:
        interval = self.min_interval if self.min_interval is not None else min_interval_for(host)
        last = self._last_response_at.get(host)
        # Counted from the end of the last response, not its start: slower but never too eager.
        due = 0.0 if last is None else last + interval - self._clock()
        delay = max(retry_wait, due)
        if delay > 0:
            self._sleep(delay)

    def _retry_wait(self, url: str, retry: _Retryable, attempt: int) -> float:
        if retry.retry_after is None:
            return min(backoff_seconds(attempt, self.backoff_base), self.max_wait)
        if retry.retry_after > self.max_wait:
            raise FetchError(
                url,
                f"{retry.reason}; the server asks us to come back in {retry.retry_after:,.0f} s,"
                f" longer than papersift waits ({self.max_wait:,.0f} s): try again later",
                status=retry.status,
            )
        return retry.retry_after

    def _get_once(self, url: str, host: str) -> bytes:
        headers = {"User-Agent": self.user_agent}
        try:
            with self._http.stream("GET", url, headers=headers, follow_redirects=True) as response:
                body = self._read_capped(url, response)
        except httpx.UnsupportedProtocol as err:
            raise FetchError(url, f"unsupported URL ({err})") from None
        except httpx.TransportError as err:
            # Timeouts, refused and dropped connections: worth another try.
            raise _Retryable(f"connection failed ({type(err).__name__})", None, None) from None
        except (httpx.HTTPError, httpx.InvalidURL) as err:
            raise FetchError(url, f"request failed ({type(err).__name__}: {err})") from None
        finally:
            self._last_response_at[host] = self._clock()
        status = response.status_code
        if 200 <= status < 300:
            return body
        reason = f"HTTP {status} {response.reason_phrase}".rstrip()
        if status in RETRY_STATUSES:
            header = response.headers.get("Retry-After")
            raise _Retryable(reason, status, retry_after_seconds(header, _server_now(response)))
        raise FetchError(url, reason, status=status, body=body)

    def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, f"response larger than {self.max_bytes:,} bytes; refused")
            chunks.append(chunk)
        return b"".join(chunks)


def _host_of(url: str) -> str:
    try:
        return httpx.URL(url).host
    except httpx.InvalidURL as err:
        raise FetchError(url, f"invalid URL ({err})") from None


def _with_query(base_url: str, params: Mapping[str, str | int]) -> str:
    return str(httpx.URL(base_url).copy_merge_params(dict(params)))


def _get_body(client: PoliteClient, url: str, explains: Callable[[bytes], bool]) -> bytes:
    """The response body; also a 4xx body when it is the protocol's own error document."""
    try:
        return client.get(url)
    except FetchError as err:
        if err.body and explains(err.body):
            return err.body
        raise


def _xml(body: bytes, url: str) -> ET.Element:
    try:
        return parse_xml(body, url)
    except ParseError as err:
        raise FetchError(url, f"unreadable response: {err.reason}") from None


def _quietly(check: Callable[[bytes], object]) -> Callable[[bytes], bool]:
    def explains(body: bytes) -> bool:
        try:
            return check(body) is not None
        except (ParseError, FetchError, ValueError):
            return False

    return explains


# --- arXiv API --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArxivApiPage:
    """What paging needs from an arXiv API feed: never the papers themselves."""

    entries: int
    total_results: int | None
    oldest_published: dt.date | None
    error: str | None  # "arXiv API error: <what the server said>" for an error feed


def read_arxiv_api_page(body: bytes, url: str) -> ArxivApiPage:
    """Count entries, read totalResults and the oldest <published>, and spot an error feed."""
    root = _xml(body, url)
    if root.tag != f"{ATOM}feed":
        raise FetchError(url, "not an arXiv API response (no Atom <feed>)")
    entries = root.findall(f"{ATOM}entry")
    try:
        raise_if_error_feed(entries, url)
    except ServerReportedError as err:
        return ArxivApiPage(0, None, None, err.reason)
    days = [day for entry in entries if (day := _published_day(entry)) is not None]
    return ArxivApiPage(
        entries=len(entries),
        total_results=_int_or_none(text_of(root.find(f"{OPENSEARCH}totalResults"))),
        oldest_published=min(days, default=None),
        error=None,
    )


def _published_day(entry: ET.Element) -> dt.date | None:
    text = text_of(entry.find(f"{ATOM}published"))
    try:
        return dt.date.fromisoformat(text.strip()[:10]) if text else None
    except ValueError:
        return None  # a bad date is the parser's to report; paging just ignores it


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text.strip()) if text else None
    except ValueError:
        return None


def _arxiv_error(body: bytes) -> str | None:
    return read_arxiv_api_page(body, "").error


def arxiv_api_pages(
    client: PoliteClient,
    category: str,
    since: dt.date | None = None,
    max_results: int | None = None,
    *,
    page_size: int = 100,
    start: int = 0,
    base_url: str = ARXIV_API_URL,
) -> Iterator[Page]:
    """Pages of a category's newest submissions, newest first.

    Stops when a page is empty, after `max_results` entries, at the end of the listing, or on
    the page whose oldest entry was published before `since` (that page may hold older
    entries: the caller filters). Resuming at a saved `start` can repeat entries that new
    submissions pushed down the listing, but never skips one.
    """
    if not 1 <= page_size <= ARXIV_MAX_PAGE:
        raise ValueError(f"page_size must be between 1 and {ARXIV_MAX_PAGE}")
    fetched = 0
    while start < ARXIV_MAX_RESULTS and (max_results is None or fetched < max_results):
        size = page_size if max_results is None else min(page_size, max_results - fetched)
        size = min(size, ARXIV_MAX_RESULTS - start)
        url = _with_query(
            base_url,
            {
                "search_query": f"cat:{category}",
                "sortBy": "submittedDate",
                "sortOrder": "descending",
                "start": start,
                "max_results": size,
            },
        )
        body, page = _arxiv_page(client, url, start)
        if page.entries == 0:
            return
        fetched += page.entries
        start += page.entries
        done = (
            (max_results is not None and fetched >= max_results)
            or (page.total_results is not None and start >= page.total_results)
            or (
                since is not None
                and page.oldest_published is not None
                and page.oldest_published < since
            )
            or start >= ARXIV_MAX_RESULTS
        )
        yield Page(url, body, None if done else str(start))
        if done:
            return


def _arxiv_page(client: PoliteClient, url: str, start: int) -> tuple[bytes, ArxivApiPage]:
    for _ in range(ARXIV_EMPTY_PAGE_TRIES):
        body = _get_body(client, url, _quietly(_arxiv_error))
        page = read_arxiv_api_page(body, url)
        if page.error is not None:
            raise FetchError(url, page.error)
        if page.entries or page.total_results is None or start >= page.total_results:
            return body, page
    raise FetchError(
        url,
        f"arXiv returned {ARXIV_EMPTY_PAGE_TRIES} empty pages at offset {start:,} of"
        f" {page.total_results:,} results; try again later",
    )


# --- arXiv OAI-PMH ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OaiPage:
    """What harvesting needs from an OAI-PMH response."""

    resumption_token: str | None  # None when the list is complete
    error: tuple[str, str] | None  # (code, message) of the first OAI-PMH <error>


def read_oai_page(body: bytes, url: str) -> OaiPage:
    """The resumption token of a ListRecords response, or the OAI-PMH error it reports."""
    try:
        error = oai_error(body)
        return OaiPage(None if error else resumption_token(body), error)
    except ParseError as err:
        raise FetchError(url, f"unreadable response: {err.reason}") from None


def oai_pages(
    client: PoliteClient,
    set_spec: str | None,
    from_date: dt.date | None = None,
    *,
    metadata_prefix: str = "arXiv",
    resume_token: str | None = None,
    base_url: str = ARXIV_OAI_URL,
) -> Iterator[Page]:
    """ListRecords pages of an OAI-PMH harvest, following resumption tokens.

    With `resume_token` the harvest continues from it (after a kill). noRecordsMatch yields
    nothing; an expired token raises `BadResumptionToken`; any other OAI-PMH error raises
    `FetchError`. HTTP 503 + Retry-After (OAI flow control) is waited out by the client.
    """
    token = resume_token
    while True:
        url = _with_query(base_url, _oai_params(set_spec, from_date, metadata_prefix, token))
        body = _get_body(client, url, _quietly(oai_error))
        page = read_oai_page(body, url)
        if page.error is not None:
            _raise_oai_error(url, *page.error)
            return  # noRecordsMatch: an empty harvest is a normal end
        yield Page(url, body, page.resumption_token)
        if page.resumption_token is None:
            return
        if page.resumption_token == token:
            raise FetchError(url, "the server returned the token it was given; harvest stopped")
        token = page.resumption_token


def _oai_params(
    set_spec: str | None, from_date: dt.date | None, metadata_prefix: str, token: str | None
) -> dict[str, str]:
    # OAI-PMH: resumptionToken is an exclusive argument; the token carries the rest.
    if token is not None:
        return {"verb": "ListRecords", "resumptionToken": token}
    params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
    if set_spec:
        params["set"] = set_spec
    if from_date is not None:
        params["from"] = from_date.isoformat()
    return params


def _raise_oai_error(url: str, code: str, message: str) -> None:
    if code == "noRecordsMatch":
        return
    if code == "badResumptionToken":
        raise BadResumptionToken(
            url,
            f"OAI-PMH badResumptionToken: {message}. Resumption tokens expire;"
            " restart the harvest without the saved token",
        )
    raise FetchError(url, f"OAI-PMH {code}: {message}")


# --- Hugging Face Daily Papers ----------------------------------------------------------------


def count_hf_daily_items(body: bytes, url: str) -> int:
    """How many papers a daily_papers response lists; FetchError when it is not a list."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise FetchError(url, f"unreadable response: malformed JSON ({err})") from None
    if isinstance(data, list):
        return len(data)
    message = _hf_error_message(data)
    if message is not None:
        raise FetchError(url, f"Hugging Face API error: {message}")
    raise FetchError(url, f"expected a JSON list of papers, got {type(data).__name__}")


def _hf_error_message(data: object) -> str | None:
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return collapse_whitespace(data["error"])[:300]
    return None


def _hf_error(body: bytes) -> str | None:
    return _hf_error_message(orjson.loads(body))


def hf_daily_pages(
    client: PoliteClient,
    day: dt.date | None = None,
    *,
    page_size: int = HF_MAX_PAGE,
    first_page: int = 0,
    base_url: str = HF_DAILY_URL,
) -> Iterator[Page]:
    """Pages of the Daily Papers list for `day` (the latest list when None).

    Stops at an empty or short page, or when the server repeats a page (it ignored `p`).
    """
    if not 1 <= page_size <= HF_MAX_PAGE:
        raise ValueError(f"page_size must be between 1 and {HF_MAX_PAGE}")
    previous: bytes | None = None
    for number in range(first_page, first_page + HF_MAX_PAGES):
        params: dict[str, str | int] = {"limit": page_size, "p": number}
        if day is not None:
            params["date"] = day.isoformat()
        url = _with_query(base_url, params)
        body = _get_body(client, url, _quietly(_hf_error))
        items = count_hf_daily_items(body, url)
        if items == 0 or body == previous:
            return
        done = items < page_size or number + 1 == first_page + HF_MAX_PAGES
        yield Page(url, body, None if done else str(number + 1))
        if done:
            return
        previous = body
