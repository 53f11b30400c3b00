"""Pure: which dates a `--since` window covers ("1d", "7d", "2w", a date, or "all")."""

from __future__ import annotations

import datetime as dt
import re

from papersift.errors import UsageError

_RELATIVE = re.compile(r"^\s*(\d{1,4})\s*([dw])\s*$", re.I)


def window_start(since: str | None, latest: dt.date | None) -> dt.date | None:
    """First day of the window, or None for all papers.

    Relative windows count back from `latest`, the newest paper date in the store, not from
    the clock: arXiv announces in batches, so "1d" means the newest day's papers whether the
    store was fetched this morning or last Friday.
    """
    if since is None or since.strip().lower() in ("all", ""):
        return None
    text = since.strip()
    match = _RELATIVE.match(text)
    if match:
        if latest is None:
            return None
        amount = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
        if amount < 1:
            raise UsageError(f"--since {since!r}: the window must be at least one day")
        return latest - dt.timedelta(days=amount - 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--since wants 1d, 7d, 2w, a date like 2026-11-20, or all; not {since!r}"
        ) from None
