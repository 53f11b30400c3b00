"""A real arXiv API server on 127.0.0.1 whose listings grow one announcement day at a time.

Each listing entry is (category, announced, paper); a category's listing on a given day holds
the latest announced version of each paper listed in it by then, newest submission first, as
`export.arxiv.org/api/query?search_query=cat:...&sortBy=submittedDate` answers.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Listed:
    id: str
    version: int
    title: str
    abstract: str
    published: dt.date
    updated: dt.date
    categories: tuple[str, ...]


ENTRY = """<entry>
<id>http://arxiv.org/abs/{id}v{version}</id>
<title>{title}</title>
<updated>{updated}T10:00:00Z</updated>
<published>{published}T10:00:00Z</published>
<summary>{abstract}</summary>
<author><name>Ada Lovelace</name></author>
{categories}
</entry>
"""


def feed(entries: list[Listed], total: int) -> bytes:
    body = "".join(
        ENTRY.format(
            id=p.id,
            version=p.version,
            title=escape(p.title),
            abstract=escape(p.abstract),
            updated=p.updated.isoformat(),
            published=p.published.isoformat(),
            categories="".join(f'<category term="{c}"/>' for c in p.categories),
        )
        for p in entries
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "<id>https://arxiv.org/api/papersift-fixture</id><title>arXiv Query</title>"
        "<updated>2025-06-01T00:00:00Z</updated>"
        f"<opensearch:totalResults>{total}</opensearch:totalResults>\n{body}</feed>\n"
    ).encode()


class ArxivApiServer:
    def __init__(self, listings: list[tuple[str, dt.date, Listed]]) -> None:
        self.listings = listings
        self.day: dt.date = dt.date.min  # the latest announcement served
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                server.requests.append(query)
                body = server.respond(query)
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/query"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def listing(self, category: str) -> list[Listed]:
        latest: dict[str, tuple[dt.date, Listed]] = {}
        for cat, announced, paper in self.listings:
            newer = paper.id not in latest or latest[paper.id][0] <= announced
            if cat == category and announced <= self.day and newer:
                latest[paper.id] = (announced, paper)
        return sorted((p for _, p in latest.values()), key=lambda p: p.published, reverse=True)

    def respond(self, query: dict[str, str]) -> bytes:
        category = query.get("search_query", "").removeprefix("cat:")
        start, size = int(query.get("start", "0")), int(query.get("max_results", "100"))
        entries = self.listing(category)
        return feed(entries[start : start + size], len(entries))

    def __enter__(self) -> ArxivApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
