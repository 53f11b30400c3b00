"""E-mail delivery against a real SMTP server (aiosmtpd) on 127.0.0.1, never the network."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from papersift.config import EmailConfig
from papersift.digest.email import (
    build_message,
    check_recipients,
    flush_outbox,
    pending_messages,
    queue_message,
    send_digest_email,
)
from papersift.errors import DeliveryError

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

# The test servers take logins over plain TCP on purpose; aiosmtpd warns about that.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

USER, PASSWORD = "reader", "s3cret-Pa55word"
TEXT = "Top picks for you\n\n1. Sparse mixtures of tiny experts\n"
HTML = "<!DOCTYPE html><html lang='en'><body><h2>Top picks for you</h2></body></html>"


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def accept_only(user: str, password: str):
    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)

    return authenticator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(inbox: Inbox, **options) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return controller


def config(port: int, **changes) -> EmailConfig:
    settings = {
        "to": ("me@example.org",),
        "sender": "papersift@example.org",
        "host": "127.0.0.1",
        "port": port,
        "tls": "none",
        "timeout": 5.0,
    }
    return EmailConfig(**(settings | changes))


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def plain_server(inbox: Inbox) -> Iterator[Controller]:
    controller = start(inbox)
    yield controller
    controller.stop()


@pytest.fixture
def auth_server(inbox: Inbox) -> Iterator[Controller]:
    controller = start(
        inbox,
        authenticator=accept_only(USER, PASSWORD),
        auth_required=True,
        auth_require_tls=False,
    )
    yield controller
    controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def server_tls_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def received(inbox: Inbox, index: int = 0):
    mail_from, rcpt_tos, content = inbox.messages[index]
    return mail_from, rcpt_tos, BytesParser(policy=policy.default).parsebytes(content)


def unix_lines(text: str) -> str:
    return text.replace("\r\n", "\n")  # SMTP carries CRLF line ends


def test_sends_multipart_with_both_parts_and_headers(plain_server, inbox):
    send_digest_email(TEXT, HTML, "papersift: 5 papers", config(plain_server.port))

    assert len(inbox.messages) == 1
    mail_from, rcpt_tos, message = received(inbox)
    assert mail_from == "papersift@example.org"
    assert rcpt_tos == ["me@example.org"]
    assert message["Subject"] == "papersift: 5 papers"
    assert message["From"] == "papersift@example.org"
    assert message["To"] == "me@example.org"
    assert message["Date"] and message["Message-ID"].endswith("@example.org>")
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert unix_lines(parts[0].get_content()) == TEXT
    assert parts[1].get_content().strip() == HTML


def test_sends_a_rendered_digest(plain_server, inbox):
    from papersift.digest.render import email_subject, render
    from tests.digest.conftest import sample_digest

    digest = sample_digest()
    text, html = render(digest, "txt"), render(digest, "html")
    send_digest_email(text, html, email_subject(digest), config(plain_server.port))
    _, _, message = received(inbox)
    plain, rich = message.iter_parts()
    assert unix_lines(plain.get_content()) == text
    assert unix_lines(rich.get_content()) == html
    assert message["Subject"].startswith("papersift daily digest: 5 papers")


def test_recipients_argument_overrides_config(plain_server, inbox):
    send_digest_email(
        TEXT, HTML, "s", config(plain_server.port), recipients=["a@example.org", "b@example.org"]
    )
    _, rcpt_tos, message = received(inbox)
    assert rcpt_tos == ["a@example.org", "b@example.org"]
    assert message["To"] == "a@example.org, b@example.org"


def test_non_ascii_and_long_lines_survive(plain_server, inbox):
    text = "Résumé of “attention” — 注意力\n" + "x" * 2000 + "\n"
    html = "<p>Résumé — 注意力</p>" + "<span>y</span>" * 400
    send_digest_email(text, html, "Digest — 注意力", config(plain_server.port))
    _, _, message = received(inbox)
    plain, rich = message.iter_parts()
    assert unix_lines(plain.get_content()) == text
    assert rich.get_content().rstrip("\r\n") == html
    assert message["Subject"] == "Digest — 注意力"
    # SMTP limits lines to 998 octets: the 2000-character line must have been encoded.
    assert max(len(line) for line in inbox.messages[0][2].splitlines()) <= 998


def test_subject_with_newline_cannot_inject_headers(plain_server, inbox):
    send_digest_email(TEXT, HTML, "Digest\r\nBcc: victim@example.org", config(plain_server.port))
    _, rcpt_tos, message = received(inbox)
    assert rcpt_tos == ["me@example.org"]
    assert message["Bcc"] is None
    assert message["Subject"] == "Digest Bcc: victim@example.org"


def test_login_with_right_credentials(auth_server, inbox):
    settings = config(auth_server.port, username=USER, password=PASSWORD)
    send_digest_email(TEXT, HTML, "s", settings)
    assert len(inbox.messages) == 1


def test_wrong_password_is_a_delivery_error_without_the_password(auth_server, inbox):
    settings = config(auth_server.port, username=USER, password="wrong-" + PASSWORD)
    with pytest.raises(DeliveryError) as caught:
        send_digest_email(TEXT, HTML, "s", settings)
    message = str(caught.value)
    assert f"127.0.0.1:{auth_server.port}" in message
    assert "login refused" in message and USER in message
    assert PASSWORD not in message and "\n" not in message
    assert inbox.messages == []


def test_server_requiring_login_refuses_anonymous_mail(auth_server, inbox):
    with pytest.raises(DeliveryError, match="530|authentication|refused"):
        send_digest_email(TEXT, HTML, "s", config(auth_server.port))
    assert inbox.messages == []


def test_server_down_fails_quickly():
    port = free_port()  # bound then closed: nothing listens there
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        send_digest_email(TEXT, HTML, "s", config(port))
    assert time.monotonic() - started < 5
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "connection refused" in str(caught.value)


def test_silent_server_times_out():
    with socket.socket() as listener:  # accepts connections but never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(DeliveryError, match=r"no answer within 0\.5 s"):
            send_digest_email(TEXT, HTML, "s", config(port, timeout=0.5))
        assert time.monotonic() - started < 5


def test_starttls_to_a_server_without_it_is_a_clear_error(plain_server):
    with pytest.raises(DeliveryError, match="STARTTLS"):
        send_digest_email(TEXT, HTML, "s", config(plain_server.port, tls="starttls"))


needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")


@needs_openssl
def test_starttls_verifies_the_certificate(inbox, certificate, monkeypatch):
    controller = start(inbox, tls_context=server_tls_context(certificate), require_starttls=True)
    try:
        settings = config(controller.port, tls="starttls")
        with pytest.raises(DeliveryError, match="TLS failed.*CERTIFICATE_VERIFY_FAILED"):
            send_digest_email(TEXT, HTML, "s", settings)
        assert inbox.messages == []
        # Trusting our own certificate (as a real CA-signed one is trusted), it goes through.
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
        send_digest_email(TEXT, HTML, "s", config(controller.port, tls="starttls"))
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


@needs_openssl
def test_implicit_tls_with_login(inbox, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    controller = start(
        inbox,
        ssl_context=server_tls_context(certificate),
        authenticator=accept_only(USER, PASSWORD),
        auth_required=True,
        auth_require_tls=False,  # aiosmtpd only counts STARTTLS as TLS, not implicit TLS
    )
    try:
        settings = config(controller.port, tls="ssl", username=USER, password=PASSWORD)
        send_digest_email(TEXT, HTML, "s", settings)
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


def test_ssl_against_a_plain_server_is_a_clear_error(plain_server):
    with pytest.raises(DeliveryError, match="TLS failed"):
        send_digest_email(TEXT, HTML, "s", config(plain_server.port, tls="ssl"))


@pytest.mark.parametrize("recipients", [[], ["not-an-address"], ["a@example.org\r\nBcc: x@y.z"]])
def test_bad_recipients_are_refused_before_connecting(recipients):
    with pytest.raises(DeliveryError):
        check_recipients(recipients)


def test_missing_recipient_names_the_setting():
    with pytest.raises(DeliveryError, match="--email"):
        build_message(TEXT, HTML, "s", EmailConfig())


def test_outbox_keeps_unsent_and_sends_on_next_run(inbox, tmp_path):
    outbox = tmp_path / "outbox"
    port = free_port()
    message = build_message(TEXT, HTML, "kept digest", config(port))
    assert flush_outbox(outbox, config(port)) == []  # nothing kept yet: no connection tried
    queue_message(message, outbox)
    queue_message(build_message(TEXT, HTML, "second", config(port)), outbox)
    assert len(pending_messages(outbox)) == 2

    with pytest.raises(DeliveryError, match="connection refused"):
        flush_outbox(outbox, config(port))  # server still down: both stay
    assert len(pending_messages(outbox)) == 2

    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        sent = flush_outbox(outbox, config(port))
    finally:
        controller.stop()
    assert len(sent) == 2 and pending_messages(outbox) == []
    subjects = [received(inbox, i)[2]["Subject"] for i in range(2)]
    assert subjects == ["kept digest", "second"]
    assert received(inbox)[2]["Message-ID"] == message["Message-ID"]


def test_outbox_in_unwritable_place_is_a_delivery_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    message = build_message(TEXT, HTML, "s", config(25))
    with pytest.raises(DeliveryError, match="cannot keep the unsent digest"):
        queue_message(message, blocker / "outbox")
