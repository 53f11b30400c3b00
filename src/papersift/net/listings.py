"""Listings of the paper sources, page by page: the arXiv API, arXiv OAI-PMH, HF Daily Papers.

Each listing yields `Page`s already parsed: the records of one response (read by the matching
parser in `papersift.sources`) and `next_cursor`, where the listing continues. A response is
parsed once; the paging fields and the records come from the same tree or JSON document. The
caller stores a page's records together with its cursor in one transaction, so a run that is
killed resumes after the last page it stored:

    with polite_client() as client:
        for page in oai_pages(client, "cs", from_date=day, resume_token=saved_token):
            store(page.records, checkpoint=page.next_cursor)

`next_cursor` is the OAI-PMH resumption token, the next `start` offset of the arXiv API, or the
next page number `p` of Hugging Face; None once the listing is complete. Pass it back as
`resume_token=` / `start=` / `first_page=` to continue.

A server's own error message (an arXiv error feed, an OAI-PMH <error>, a JSON {"error": ...})
becomes the `FetchError` message, also when it arrives with a 4xx status, and is never yielded
as a page. The client is any `httpx.Client`; `polite_client()` gives the one with manners.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import orjson

from papersift.errors import BadResumptionToken, FetchError, ParseError, ServerReportedError
from papersift.net.transport import get_response, status_error
from papersift.records import Paper
from papersift.sources import arxiv_atom, arxiv_oai, hf_daily
from papersift.sources.arxiv_atom import ATOM, OPENSEARCH, raise_if_error_feed
from papersift.sources.xml import parse_xml, text_of
from papersift.text import collapse_whitespace

ARXIV_API_URL = "https://export.arxiv.org/api/query"
ARXIV_OAI_URL = "https://oaipmh.arxiv.org/oai"
HF_DAILY_URL = "https://huggingface.co/api/daily_papers"

ARXIV_MAX_PAGE = 2_000  # the API refuses larger max_results
ARXIV_MAX_RESULTS = 30_000  # the API serves no result beyond this offset; bulk goes through OAI
# The API sometimes returns an empty page mid-listing and the full page on a retry.
ARXIV_EMPTY_PAGE_TRIES = 3
HF_MAX_PAGE = 100
HF_MAX_PAGES = 20  # about 100 papers a day appear, so 2,000 means the server ignores `p`

Document = TypeVar("Document")


@dataclass(frozen=True)
class Page:
    """One response of a listing, parsed, and where the listing continues (None: complete).

    `records` are what the source's parser made of `body`: a Paper per good record and a
    ParseError per bad one, in the response's order.
    """

    url: str
    body: bytes
    records: tuple[Paper | ParseError, ...]
    next_cursor: str | None


def _with_query(base_url: str, params: Mapping[str, str | int]) -> str:
    return str(httpx.URL(base_url).copy_merge_params(dict(params)))


def _get_document(
    client: httpx.Client,
    url: str,
    read: Callable[[bytes, str], Document],
    reports_error: Callable[[Document], bool],
) -> tuple[bytes, Document]:
    """The body of the response to GET `url` and what `read` made of it (read once).

    A non-2xx body counts only when it is the protocol's own error document: a server
    explaining a refusal in its format says more than "HTTP 400", so that document is returned
    for the listing to raise its message.
    """
    response = get_response(client, url)
    body = response.content
    if response.is_success:
        return body, read(body, url)
    if body:
        try:
            document = read(body, url)
        except (ParseError, FetchError, ValueError):
            pass
        else:
            if reports_error(document):
                return body, document
    raise status_error(url, response)


def _xml(body: bytes, url: str) -> ET.Element:
    try:
        return parse_xml(body, url)
    except ParseError as err:
        raise FetchError(url, f"unreadable response: {err.reason}") from None


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
    return _arxiv_paging(_xml(body, url), url)


def _read_arxiv_feed(body: bytes, url: str) -> tuple[ET.Element, ArxivApiPage]:
    feed = _xml(body, url)
    return feed, _arxiv_paging(feed, url)


def _arxiv_reports_error(document: tuple[ET.Element, ArxivApiPage]) -> bool:
    return document[1].error is not None


def _arxiv_paging(root: ET.Element, url: str) -> ArxivApiPage:
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


def arxiv_api_pages(
    client: httpx.Client,
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
        body, feed, page = _arxiv_page(client, url, start)
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
        records = tuple(arxiv_atom.parse_feed(feed, url))
        yield Page(url, body, records, None if done else str(start))
        if done:
            return


def _arxiv_page(
    client: httpx.Client, url: str, start: int
) -> tuple[bytes, ET.Element, ArxivApiPage]:
    for _ in range(ARXIV_EMPTY_PAGE_TRIES):
        body, (feed, page) = _get_document(client, url, _read_arxiv_feed, _arxiv_reports_error)
        if page.error is not None:
            raise FetchError(url, page.error)
        if page.entries or page.total_results is None or start >= page.total_results:
            return body, feed, page
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
    return _oai_paging(_oai_root(body, url))


def _oai_root(body: bytes, url: str) -> ET.Element:
    try:
        return arxiv_oai.read_root(body, url)
    except ParseError as err:
        raise FetchError(url, f"unreadable response: {err.reason}") from None


def _oai_paging(root: ET.Element) -> OaiPage:
    error = arxiv_oai.root_error(root)
    return OaiPage(None if error else arxiv_oai.root_resumption_token(root), error)


def oai_pages(
    client: httpx.Client,
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
    `FetchError`. HTTP 503 + Retry-After (OAI flow control) is waited out by the transport.
    """
    token = resume_token
    while True:
        url = _with_query(base_url, _oai_params(set_spec, from_date, metadata_prefix, token))
        body, root = _get_document(client, url, _oai_root, _oai_reports_error)
        page = _oai_paging(root)
        if page.error is not None:
            _raise_oai_error(url, *page.error)
            return  # noRecordsMatch: an empty harvest is a normal end
        records = tuple(arxiv_oai.parse_root(root, url))
        yield Page(url, body, records, page.resumption_token)
        if page.resumption_token is None:
            return
        if page.resumption_token == token:
            raise FetchError(url, "the server returned the token it was given; harvest stopped")
        token = page.resumption_token


def _oai_reports_error(root: ET.Element) -> bool:
    return arxiv_oai.root_error(root) is not None


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


def _read_json(body: bytes, url: str) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise FetchError(url, f"unreadable response: malformed JSON ({err})") from None


def _hf_items(document: Any, url: str) -> list[Any]:
    """The papers a daily_papers response lists; FetchError when it is not a list."""
    if isinstance(document, list):
        return document
    message = _hf_error_message(document)
    if message is not None:
        raise FetchError(url, f"Hugging Face API error: {message}")
    raise FetchError(url, f"expected a JSON list of papers, got {type(document).__name__}")


def _hf_reports_error(document: Any) -> bool:
    return _hf_error_message(document) is not None


def _hf_error_message(document: Any) -> str | None:
    if isinstance(document, dict) and isinstance(document.get("error"), str):
        return collapse_whitespace(document["error"])[:300]
    return None


def hf_daily_pages(
    client: httpx.Client,
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
        body, document = _get_document(client, url, _read_json, _hf_reports_error)
        items = _hf_items(document, url)
        if not items or body == previous:
            return
        done = len(items) < page_size or number + 1 == first_page + HF_MAX_PAGES
        records = tuple(hf_daily.parse_document(document, url))
        yield Page(url, body, records, None if done else str(number + 1))
        if done:
            return
        previous = body
