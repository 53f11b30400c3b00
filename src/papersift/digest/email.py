"""Send the digest by e-mail (multipart: plain text + HTML) over SMTP, or keep it for later.

A message that could not be sent is kept in an outbox directory as an .eml file and sent by
`flush_outbox` on the next run. Error messages name host:port and what went wrong, never the
password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import smtplib
import socket
import ssl
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, getaddresses, make_msgid
from pathlib import Path

from papersift.atomic import write_atomically
from papersift.config import EmailConfig
from papersift.errors import DeliveryError

DEFAULT_SENDER = "papersift@localhost"


def send_digest_email(
    digest_text_plain: str,
    digest_html: str,
    subject: str,
    email_config: EmailConfig,
    recipients: Sequence[str] | None = None,
) -> None:
    """Send the digest as one multipart/alternative message; `recipients` overrides `to`."""
    message = build_message(digest_text_plain, digest_html, subject, email_config, recipients)
    send_message(message, email_config)


def build_message(
    text: str,
    html: str,
    subject: str,
    email_config: EmailConfig,
    recipients: Sequence[str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message: text/plain first, so HTML-capable clients pick HTML."""
    to = check_recipients(recipients if recipients is not None else email_config.to)
    sender = email_config.sender or _sender_from_username(email_config.username)
    message = EmailMessage()
    # Header values must be one line: a title from the internet could carry a newline.
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=True)
    # make_msgid() would look up this host's FQDN (a DNS query): use the sender's domain.
    message["Message-ID"] = make_msgid("papersift", domain=_domain_of(sender))
    message.set_content(text, subtype="plain", cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


def send_message(message: EmailMessage, email_config: EmailConfig) -> None:
    """Send over SMTP with STARTTLS, implicit TLS or neither, logging in when a user is set."""
    where = f"{email_config.host}:{email_config.effective_port}"
    try:
        with _connect(email_config) as smtp:
            if email_config.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if email_config.username:
                smtp.login(email_config.username, email_config.password or "")
            refused = smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as err:
        reason = _scrub(describe_failure(err, email_config), email_config.password)
        raise DeliveryError(f"could not send the digest via {where}: {reason}") from None
    if refused:
        names = ", ".join(
            f"{address} ({_response(*answer)})" for address, answer in refused.items()
        )
        raise DeliveryError(f"{where} refused some recipients: {names}")


def check_recipients(addresses: Sequence[str]) -> list[str]:
    """The addresses as given, or DeliveryError if there are none or one is not an address."""
    if not addresses:
        raise DeliveryError("no recipient: pass --email ADDRESS or set [email] to in the config")
    for address in addresses:
        parsed = getaddresses([address])
        if len(parsed) != 1 or "@" not in parsed[0][1] or any(c in address for c in "\r\n"):
            raise DeliveryError(f"not an e-mail address: {address!r}")
    return list(addresses)


def describe_failure(err: BaseException, email_config: EmailConfig) -> str:
    """What went wrong, in words a user can act on."""
    if isinstance(err, smtplib.SMTPAuthenticationError):
        answer = _response(err.smtp_code, err.smtp_error)
        return f"login refused for user {email_config.username!r} ({answer})"
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{a} ({_response(*answer)})" for a, answer in err.recipients.items())
        return f"recipients refused: {refused}"
    if isinstance(err, smtplib.SMTPSenderRefused):
        return f"sender {err.sender!r} refused ({_response(err.smtp_code, err.smtp_error)})"
    if isinstance(err, smtplib.SMTPResponseException):
        return f"server said {_response(err.smtp_code, err.smtp_error)}"
    if isinstance(err, smtplib.SMTPNotSupportedError):
        return f"{err} (check [email] tls and username)"
    # smtplib reports a read timeout as a disconnection; the timeout is its context.
    if isinstance(err, TimeoutError) or isinstance(err.__context__, TimeoutError):
        return f"no answer within {email_config.timeout:g} s"
    if isinstance(err, smtplib.SMTPServerDisconnected):
        return f"the server closed the connection ({err or 'no reason given'})"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused (is the SMTP server running, and is the port right?)"
    if isinstance(err, socket.gaierror):
        return f"unknown host ({err.strerror or err})"
    if isinstance(err, ssl.SSLError):
        return f"TLS failed ({err.reason or err}); check [email] tls"
    if isinstance(err, OSError):
        return err.strerror or str(err) or type(err).__name__
    return str(err) or type(err).__name__


# --- the outbox: messages kept until the next run can send them ---


def queue_message(message: EmailMessage, outbox: Path) -> Path:
    """Keep `message` as an .eml file in `outbox` (created if needed); returns its path."""
    data = message.as_bytes(policy=policy.SMTP)
    name = f"{_timestamp()}-{hashlib.sha256(data).hexdigest()[:12]}.eml"
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / name
        write_atomically(path, data)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise DeliveryError(f"cannot keep the unsent digest in {outbox}: {reason}") from err
    return path


def pending_messages(outbox: Path) -> list[Path]:
    """Unsent messages, oldest first."""
    if not outbox.is_dir():
        return []
    return sorted(outbox.glob("*.eml"))


def flush_outbox(outbox: Path, email_config: EmailConfig) -> list[Path]:
    """Send every kept message, oldest first, deleting each once sent; returns those sent.

    Stops at the first failure (DeliveryError): the rest stay for the next run.
    """
    sent: list[Path] = []
    for path in pending_messages(outbox):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)  # policy.default parses to EmailMessage
        send_message(message, email_config)
        path.unlink(missing_ok=True)
        sent.append(path)
    return sent


# --- helpers ---


def _connect(email_config: EmailConfig) -> smtplib.SMTP:
    host, port, timeout = email_config.host, email_config.effective_port, email_config.timeout
    if email_config.tls == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    return smtplib.SMTP(host, port, timeout=timeout)


def _sender_from_username(username: str | None) -> str:
    return username if username and "@" in username else DEFAULT_SENDER


def _domain_of(address: str) -> str:
    parsed = getaddresses([address])
    email_address = parsed[0][1] if parsed else ""
    domain = email_address.rpartition("@")[2]
    return domain or "localhost"


def _response(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(message.split())}".strip()


def _scrub(text: str, secret: str | None) -> str:
    """Belt and braces: a server echoing what it was sent must not put the password on screen."""
    if secret and secret in text:
        return text.replace(secret, "***")
    return text


def _timestamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
