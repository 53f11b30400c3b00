"""The project's own errors; the CLI turns each into one line and an exit code.

Every error papersift reports derives from `PapersiftError`. The tree, with the module each class
lives in (under src/papersift/; tests/test_docs.py keeps this in step with the code):

    PapersiftError              errors.py         the base: one line for the user, never a traceback
        ParseError              errors.py         a record (or a whole file) cannot be read
            ServerReportedError errors.py         the file is a server's error response
        UsageError              errors.py         asked for what cannot be done as asked (exit 2)
            ModelNotFound       embed/models.py   no model answers to the name
        ConfigError             config.py         the config file or a variable cannot be used
        StoreError              errors.py         the store cannot be opened or written
        StoreBusy               web/services.py   a write could not get the store's lock in time
        FetchError              net/fetch.py      a request failed for good
            BadResumptionToken  net/fetch.py      the OAI-PMH server refuses the saved token
        IndexUnusable           index/vectors.py  the saved vector index cannot be used: rebuild it
            IndexMissing        index/vectors.py  no index saved yet
            IndexCorrupt        index/vectors.py  truncated, garbled or inconsistent files
            IndexMismatch       index/vectors.py  built for another model, dimension or format
        SemanticUnavailable     web/services.py   semantic search cannot run now
        ColdStart               rank/model.py     nothing to rank with: no likes, no interests
        NothingToEvaluate       rank/evaluate.py  too few likes to hold any out
        DigestWriteError        digest/render.py  the digest cannot be written
        DeliveryError           digest/email.py   the digest cannot be e-mailed
"""

from __future__ import annotations


class PapersiftError(Exception):
    """Base of every error papersift reports to the user (never shown as a traceback)."""


class ParseError(PapersiftError):
    """A record (or a whole file) could not be read.

    `record` names the record inside the file (an id, an index like `#3`, or a line number);
    `field` names the offending field when one is to blame.
    """

    def __init__(
        self, file: str, reason: str, record: str | None = None, field: str | None = None
    ) -> None:
        self.file = file
        self.record = record
        self.field = field
        self.reason = reason
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = self.file
        if self.record is not None:
            where += f": record {self.record}"
        if self.field is not None:
            where += f": field {self.field}"
        return f"{where}: {self.reason}"


class ServerReportedError(ParseError):
    """The file is a server's error response (arXiv error feed, OAI-PMH <error>, unknown RSS archive).

    It holds no papers; `reason` is what the server said.
    """


class UsageError(PapersiftError):
    """The user asked for something that cannot be done as asked (exit code 2)."""


class StoreError(PapersiftError):
    """The store could not be opened or written."""


class StoreBusy(StoreError):
    """A write could not get the store's lock in time (another process is writing)."""
