"""The project's own errors; the CLI turns each into one line and an exit code."""

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
