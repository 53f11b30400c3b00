"""`run`, what `papersift serve` calls: a port in use or a public address in single-user mode
is one clear line (UsageError), not a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from papersift.errors import UsageError
from papersift.web import bind_socket, is_loopback, run
from tests.web.conftest import free_port


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=f"port {port} on 127.0.0.1 is in use"):
            run(tmp_path / "store.db", "127.0.0.1", port)


def test_single_user_mode_refuses_to_listen_beyond_this_machine(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="use --multi-user"):
        run(tmp_path / "store.db", "0.0.0.0", free_port())
    assert not (tmp_path / "store.db").exists(), "nothing is created before the checks pass"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.3.2.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_bind_socket_names_an_address_it_cannot_use() -> None:
    with pytest.raises(UsageError, match="cannot listen on 203.0.113.7"):
        bind_socket("203.0.113.7", free_port())


def test_run_serves_the_app_until_stopped(tmp_path: Path) -> None:
    port = free_port()
    code = (
        "import sys; from pathlib import Path; from papersift.web import run; "
        f"run(Path(sys.argv[1]), '127.0.0.1', {port})"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "store.db")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/library", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and "Your library is empty" in response.text
        second = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / "store.db")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0
        assert f"port {port} on 127.0.0.1 is in use" in second.stderr
    finally:
        server.terminate()
        server.wait(timeout=20)
