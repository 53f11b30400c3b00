"""Write a file so that readers see the old or the new content, never half of it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes | str, mode: int | None = None) -> None:
    """Write to a temporary sibling, then rename it over `path` (atomic on POSIX).

    `mode` sets the permissions (mkstemp makes files 0600: right for queued e-mails, wrong
    for a digest meant to be opened and served).
    """
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
