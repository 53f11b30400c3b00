"""Write a file so that readers see the old or the new content, never half of it.

The one way papersift replaces a file: write a temporary sibling, flush it to disk, rename it
over the target (atomic on POSIX). The flush comes before the rename so that a crash, even a
power cut, leaves the old file or the complete new one, never a new name over missing data.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: Path, mode: int | None = None) -> Iterator[Path]:
    """A temporary sibling of `path` for the caller to create and write; then it becomes `path`.

    For writers that need a file name: a library that saves to a path, a file written in many
    pieces. On success the temporary is flushed to disk, given `mode` if set (else it keeps the
    permissions its writer created it with) and renamed over `path`; on any error it is
    removed and `path` is left as it was.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        yield temporary
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes | str, mode: int | None = None) -> None:
    """Write `data` (str as UTF-8) to `path` through a temporary sibling (see `atomic_path`).

    The file is private (0600) unless `mode` says otherwise: right for queued e-mails, wrong
    for a digest meant to be opened and served.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, mode) as temporary:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(payload)
