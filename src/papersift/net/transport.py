"""A polite httpx transport: spacing between requests, retries, Retry-After and a size cap.

Politeness follows arXiv's API terms of use (https://info.arxiv.org/help/api/tou.html): one
request at a time and at least 3 s between requests to an arXiv host. 429, 500, 502, 503, 504
and dropped connections are retried with exponential backoff, honouring Retry-After (seconds
or an HTTP-date), up to `max_tries`; any other status is handed back to the caller at once.

`PoliteTransport` is an `httpx.BaseTransport` wrapped around the connection, so the manners hold
for every request an `httpx.Client` sends through it, redirects included. `polite_client` mounts
one per host group on a plain client: the arXiv hosts get 3 s between requests, every other
host 1 s:

    with polite_client(on_wait=explain) as client:
        body = get_bytes(client, url)

A transport that gives up raises `FetchError` (httpx passes a transport's exceptions through
unchanged), so the front end prints one line naming the URL and why. `get_bytes` turns the
remaining failures (an HTTP error status, a malformed URL) into the same error.

With `fail_fast=True` (what `daily` asks for) a connect error on a host that has not answered
yet (no network, a name that does not resolve, a refused connection) raises
`NetworkUnreachable` at once instead of backing off for minutes: retries help a server that
dropped one connection, not a machine that is offline.

Nothing here is patched in tests: they give `polite_client` fake `clock`/`sleep` functions and
talk to a local server, or put an `httpx.MockTransport` under the polite one.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import time
from collections.abc import Callable

import httpx

from papersift import __version__
from papersift.errors import FetchError, NetworkUnreachable

USER_AGENT = f"papersift/{__version__} (+https://github.com/papersift/papersift)"

ARXIV_MIN_INTERVAL = 3.0  # arXiv API terms of use: "no more than one request every three seconds"
OTHER_MIN_INTERVAL = 1.0  # no published rule elsewhere; one request a second is still gentle
# httpx mount pattern for arxiv.org and its subdomains (not e.g. notarxiv.org): the hosts whose
# terms of use ask for ARXIV_MIN_INTERVAL, the same rule as `min_interval_for`.
ARXIV_HOSTS = "all://*arxiv.org"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_TRIES = 5
MAX_WAIT = 120.0  # seconds; a server asking for longer is told "try again later", not hammered
BACKOFF_BASE = 1.0  # seconds before the 2nd try, doubling after each failure
# A full OAI-PMH page (1,000 records) is a few MB; the cap only stops a runaway response.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
TIMEOUT = httpx.Timeout(60.0, connect=15.0)

_ASCII_DIGITS = re.compile(r"[0-9]+")
# The body handed on is already decoded and complete, so these no longer describe it.
_STALE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})

OnWait = Callable[[str, float, str], None]


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


# --- the transport ----------------------------------------------------------------------------


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None, retry_after: float | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class PoliteTransport(httpx.BaseTransport):
    """Sends each request through `transport` with the manners servers ask for.

    At least `min_interval` seconds pass between the end of one response and the next request to
    the same host; retryable failures are tried again up to `max_tries` times, waiting as the
    server's Retry-After asks or backing off exponentially; `on_wait(url, seconds, reason)` is
    called before each such wait, so the CLI can say why it is pausing. The body is read here,
    at most `max_bytes` of it, because the spacing counts from the end of a response and a
    retry must read the failed one; the response handed on is complete and decoded.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        *,
        min_interval: float = OTHER_MIN_INTERVAL,
        max_tries: int = MAX_TRIES,
        max_wait: float = MAX_WAIT,
        backoff_base: float = BACKOFF_BASE,
        max_bytes: int = MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: OnWait | None = None,
        fail_fast: bool = False,
    ) -> None:
        if max_tries < 1:
            raise ValueError("max_tries must be at least 1")
        self._transport = transport if transport is not None else _EnvironmentRoute()
        self.min_interval = min_interval
        self.max_tries = max_tries
        self.max_wait = max_wait
        self.backoff_base = backoff_base
        self.max_bytes = max_bytes
        self._clock = clock
        self._sleep = sleep
        self._on_wait = on_wait
        self.fail_fast = fail_fast
        self._answered: set[str] = set()  # hosts that sent a response through this transport
        self._last_response_at: dict[str, float] = {}  # host -> clock() when it last answered

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        host = request.url.host
        wait = 0.0
        for attempt in range(1, self.max_tries + 1):
            self._pause(host, wait)
            try:
                return self._send_once(request, url, host)
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

    def close(self) -> None:
        self._transport.close()

    def _pause(self, host: str, retry_wait: float) -> None:
        last = self._last_response_at.get(host)
        # Counted from the end of the last response, not its start: slower but never too eager.
        due = 0.0 if last is None else last + self.min_interval - self._clock()
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

    def _send_once(self, request: httpx.Request, url: str, host: str) -> httpx.Response:
        try:
            response = self._transport.handle_request(request)
            try:
                body = self._read_capped(url, response)
            finally:
                response.close()
        except httpx.UnsupportedProtocol as err:
            raise FetchError(url, f"unsupported URL ({err})") from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as err:
            if self.fail_fast and host not in self._answered:
                raise NetworkUnreachable(
                    url, f"cannot connect ({err or type(err).__name__}); not retrying"
                ) from None
            raise _Retryable(f"connection failed ({type(err).__name__})", None, None) from None
        except httpx.TransportError as err:
            # Timeouts, refused and dropped connections: worth another try.
            raise _Retryable(f"connection failed ({type(err).__name__})", None, None) from None
        finally:
            self._last_response_at[host] = self._clock()
        self._answered.add(host)
        status = response.status_code
        if status in RETRY_STATUSES:
            reason = f"HTTP {status} {response.reason_phrase}".rstrip()
            header = response.headers.get("Retry-After")
            raise _Retryable(reason, status, retry_after_seconds(header, _server_now(response)))
        return httpx.Response(
            status,
            headers=[(k, v) for k, v in response.headers.multi_items() if k not in _STALE_HEADERS],
            content=body,
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
        )

    def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        # The cap counts decoded bytes: a small compressed body can expand enormously.
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, f"response larger than {self.max_bytes:,} bytes; refused")
            chunks.append(chunk)
        return b"".join(chunks)


class _EnvironmentRoute(httpx.BaseTransport):
    """The connection a default `httpx.Client()` would make for a request.

    Mounted transports replace httpx's own routing, which is where the environment's proxies
    (HTTPS_PROXY, NO_PROXY, ...) and netrc are applied; sending through a default client keeps
    them working exactly as they did before the polite transport sat in front.
    """

    def __init__(self) -> None:
        self._client = httpx.Client()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._client.send(request, stream=True)

    def close(self) -> None:
        self._client.close()


def polite_client(
    *,
    min_interval: float | None = None,
    on_wait: OnWait | None = None,
    max_tries: int = MAX_TRIES,
    max_wait: float = MAX_WAIT,
    backoff_base: float = BACKOFF_BASE,
    max_bytes: int = MAX_RESPONSE_BYTES,
    timeout: httpx.Timeout | float = TIMEOUT,
    user_agent: str = USER_AGENT,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    connection: Callable[[], httpx.BaseTransport] | None = None,
    fail_fast: bool = False,
) -> httpx.Client:
    """A plain `httpx.Client` whose every request goes through a `PoliteTransport`.

    arXiv hosts get `ARXIV_MIN_INTERVAL` between requests and every other host
    `OTHER_MIN_INTERVAL`, unless `min_interval` sets one spacing for all (a local mirror).
    Every request names papersift in its User-Agent. `connection` makes the transport under
    each polite one (tests pass an `httpx.MockTransport`); by default the environment's.
    `fail_fast`: a host that cannot be reached at all raises `NetworkUnreachable` at once.
    """

    def polite(interval: float) -> PoliteTransport:
        return PoliteTransport(
            connection() if connection is not None else None,
            min_interval=interval if min_interval is None else min_interval,
            max_tries=max_tries,
            max_wait=max_wait,
            backoff_base=backoff_base,
            max_bytes=max_bytes,
            clock=clock,
            sleep=sleep,
            on_wait=on_wait,
            fail_fast=fail_fast,
        )

    return httpx.Client(
        headers={"User-Agent": user_agent},
        timeout=timeout,
        follow_redirects=True,
        transport=polite(OTHER_MIN_INTERVAL),
        mounts={ARXIV_HOSTS: polite(ARXIV_MIN_INTERVAL)},
        # The environment's proxies are applied under the polite transports (_EnvironmentRoute);
        # here they would become mounts of their own (NO_PROXY=.arxiv.org too) that route
        # around them.
        trust_env=False,
    )


# --- reading a response -----------------------------------------------------------------------


def get_response(client: httpx.Client, url: str) -> httpx.Response:
    """The response to GET `url`, whatever its status; FetchError when there is none."""
    try:
        return client.get(url)
    except httpx.UnsupportedProtocol as err:
        raise FetchError(url, f"unsupported URL ({err})") from None
    except httpx.InvalidURL as err:
        raise FetchError(url, f"invalid URL ({err})") from None
    except httpx.HTTPError as err:
        raise FetchError(url, f"request failed ({type(err).__name__}: {err})") from None


def status_error(url: str, response: httpx.Response) -> FetchError:
    """The FetchError for a response whose status is not a success, with its body attached."""
    reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    return FetchError(url, reason, status=response.status_code, body=response.content)


def get_bytes(client: httpx.Client, url: str) -> bytes:
    """The body of a 2xx response to GET `url`; FetchError for any other outcome."""
    response = get_response(client, url)
    if response.is_success:
        return response.content
    raise status_error(url, response)
