"""A real OAI-PMH server on 127.0.0.1 serving a long invented harvest, page by page."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2026-11-20T04:10:22Z</responseDate>
<request verb="ListRecords">http://127.0.0.1/oai</request>
<ListRecords>
"""
RECORD = """<record><header><identifier>oai:arXiv.org:{id}</identifier>
<datestamp>2026-11-02</datestamp><setSpec>cs</setSpec></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>{id}</id><created>2026-11-01</created>
<authors><author><keyname>Lovelace</keyname><forenames>Ada</forenames></author>
<author><keyname>Turing</keyname><forenames>Alan</forenames></author></authors>
<title>Invented harvest paper {n}</title><categories>cs.LG</categories>
<abstract>  A paper made up for testing harvests, number {n}.
</abstract></arXiv></metadata></record>
"""
NO_RECORDS = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2026-11-20T04:10:22Z</responseDate><request verb="ListRecords">x</request>
<error code="noRecordsMatch">The combination of the values of the from, until, set and
metadataPrefix arguments results in an empty list.</error></OAI-PMH>
"""


def page_xml(page: int, pages: int, per_page: int) -> bytes:
    first = page * per_page
    records = "".join(
        RECORD.format(id=f"2611.{n:05d}", n=n) for n in range(first + 1, first + per_page + 1)
    )
    token = f"tok{page + 1}" if page + 1 < pages else ""
    tail = (
        f'<resumptionToken cursor="{first}">{token}</resumptionToken>\n</ListRecords>\n</OAI-PMH>\n'
    )
    return (HEAD + records + tail).encode()


class OaiServer:
    def __init__(self, pages: int = 30, per_page: int = 20, delay: float = 0.0) -> None:
        self.pages, self.per_page, self.delay = pages, per_page, delay
        self.requests: list[dict[str, str]] = []
        self.empty = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                server.requests.append(query)
                time.sleep(server.delay)
                body = server.respond(query)
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/oai"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def respond(self, query: dict[str, str]) -> bytes:
        if self.empty:
            return NO_RECORDS.encode()
        token = query.get("resumptionToken")
        page = int(token.removeprefix("tok")) if token else 0
        return page_xml(page, self.pages, self.per_page)

    def __enter__(self) -> OaiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
