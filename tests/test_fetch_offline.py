"""With no network, a fail-fast client gives up in seconds instead of backing off for minutes."""

from __future__ import annotations

import socket
import time

import pytest

from papersift.errors import FetchError, NetworkUnreachable
from papersift.net.transport import get_bytes, polite_client


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "url",
    [
        f"http://127.0.0.1:{closed_port()}/api/query",  # connection refused
        "http://papersift-test.invalid/api/query",  # RFC 2606: never resolves
    ],
    ids=["refused", "unresolvable"],
)
def test_fail_fast_client_gives_up_at_once(url: str) -> None:
    started = time.monotonic()
    with (
        polite_client(fail_fast=True, timeout=5.0) as client,
        pytest.raises(NetworkUnreachable, match="not retrying") as caught,
    ):
        get_bytes(client, url)
    assert time.monotonic() - started < 5.0
    assert url in str(caught.value) and "\n" not in str(caught.value)


def test_without_fail_fast_the_same_error_is_retried() -> None:
    sleeps: list[float] = []
    url = f"http://127.0.0.1:{closed_port()}/x"
    with (
        polite_client(max_tries=3, sleep=sleeps.append) as client,
        pytest.raises(FetchError, match="3 tries") as caught,
    ):
        get_bytes(client, url)
    assert not isinstance(caught.value, NetworkUnreachable)
    assert sleeps[-2:] == [1.0, 2.0]
