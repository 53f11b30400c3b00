"""The project's own errors; the CLI turns each into one line and an exit code.

Every error papersift reports derives from `PapersiftError`. The tree, with the module each class
lives in (under src/papersift/; tests/test_docs.py keeps this in step with the code):

    PapersiftError              errors.py         the base: one line for the user, never a traceback
        ParseError              errors.py         a record (or a whole file) cannot be read
            ServerReportedError errors.py         the file is a server's error response
        UsageError              errors.py         asked for what cannot be done as asked (exit 2)
            ModelNotFound       errors.py         no model answers to the name
        ConfigError             errors.py         the config file or a variable cannot be used
        StoreError              errors.py         the store cannot be opened or written
            StoreBusy           errors.py         a write could not get the store's lock in time
        FetchError              errors.py         a request failed for good
            BadResumptionToken  errors.py         the OAI-PMH server refuses the saved token
            NetworkUnreachable  errors.py         no connection at all on a run's first request
        IndexUnusable           errors.py         the saved vector index cannot be used: rebuild it
            IndexMissing        errors.py         no index saved yet
            IndexCorrupt        errors.py         truncated, garbled or inconsistent files
            IndexMismatch       errors.py         built for another model, dimension or format
        SemanticUnavailable     errors.py         semantic search cannot run now
        ClusterError            errors.py         the Ray cluster cannot be joined or its job failed
        ColdStart               errors.py         nothing to rank with: no likes, no interests
        NothingToEvaluate       errors.py         too few likes to hold any out
        DigestWriteError        errors.py         the digest cannot be written
        DeliveryError           errors.py         the digest cannot be e-mailed
            WebhookError        errors.py         the digest cannot be posted to the webhook
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


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


class ClusterError(PapersiftError):
    """The Ray cluster cannot be joined, or a job on it failed (what was stored stays stored)."""


class StoreError(PapersiftError):
    """The store could not be opened or written."""


class StoreBusy(StoreError):
    """A write could not get the store's lock in time (another process is writing)."""


class ModelNotFound(UsageError):
    """No model answers to the name; the message lists the ones that do."""

    def __init__(self, name: str, reason: str, available: list[str]) -> None:
        self.name = name
        self.reason = reason
        self.available = available
        listing = "; ".join(available) if available else "none"
        super().__init__(f"model {name!r}: {reason}. Available: {listing}")


class ConfigError(PapersiftError):
    """The config file (or a PAPERSIFT_* variable) cannot be used as written.

    `line` is 1-based when known; `key` is `section.key` (or the variable's name).
    """

    def __init__(
        self, source: str, reason: str, *, line: int | None = None, key: str | None = None
    ) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        self.key = key
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = self.source
        if self.line is not None:
            where += f": line {self.line}"
        if self.key is not None:
            where += f": {self.key}"
        return f"{where}: {self.reason}"


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


class NetworkUnreachable(FetchError):
    """The first request to a host could not connect (no network, DNS failure, refused).

    Raised at once, without retries, by a transport told to fail fast (`daily`): a machine
    without a network should hear so in seconds, and the other sources are not tried either.
    """


class IndexUnusable(PapersiftError):
    """The persisted index cannot be used as it is; the caller rebuilds it."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"vector index {path}: {reason}")


class IndexMissing(IndexUnusable):
    """No index has been saved at this path yet."""


class IndexCorrupt(IndexUnusable):
    """The index files are truncated, garbled or inconsistent with each other."""


class IndexMismatch(IndexUnusable):
    """The index was built for another model, dimension or file-format version."""


class SemanticUnavailable(PapersiftError):
    """Semantic search cannot run now (no model, or the store is busy and nothing is cached)."""


class ColdStart(PapersiftError):
    """Nothing to rank with: no likes (for this tag) and no written interests."""


class NothingToEvaluate(PapersiftError):
    """Too few likes to hold any out."""


class DigestWriteError(PapersiftError):
    """The digest could not be written to its output directory."""


class DeliveryError(PapersiftError):
    """The digest could not be e-mailed; the message says where and why in one line."""


class WebhookError(DeliveryError):
    """The webhook refused the digest or did not answer; the message names scheme and host only."""
