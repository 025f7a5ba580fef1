"""Outgoing e-mail over SMTP (`SMTP_URL`), sent only once the unit of work has committed.

A message is buffered on the SQLAlchemy session and handed to SMTP by an after-commit hook
(`app.db.session.after_commit`): a rolled-back request sends nothing, and a link never arrives
before the row of its token is visible. Sending runs in a background task of the process (the
stdlib's smtplib in a thread: one short conversation per message, no dependency); a failure is
logged and the user asks again ("resend"), which is why the messages are not queued as jobs: the
job's message would hold the link's token in Redis.

Messages carry no secret except their single-use link; logs never carry the address or the link.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import after_commit
from app.settings import MailSettings, get_settings

log = structlog.get_logger(__name__)

_BUFFER_KEY = "outgoing_mail"
SMTP_TIMEOUT_SEC = 10.0
# The sends in flight (the event loop keeps only weak references to tasks).
_in_flight: set[asyncio.Task[None]] = set()


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    # What kind of message this is, for logs and tests (never the address or the link).
    kind: str


def send_after_commit(session: AsyncSession, mail: Mail) -> None:
    """Send `mail` once the session's transaction commits; never if it rolls back."""
    buffer: list[Mail] | None = session.info.get(_BUFFER_KEY)
    if buffer is None:
        buffer = session.info[_BUFFER_KEY] = []
        after_commit(session, lambda: _flush(session), dropped=lambda: session.info.pop(_BUFFER_KEY, None))
    buffer.append(mail)


def outgoing_mail(session: AsyncSession) -> list[Mail]:
    """The messages buffered on the session and not sent yet (tests read links from here)."""
    return list(session.info.get(_BUFFER_KEY, []))


def _flush(session: AsyncSession) -> None:
    messages: list[Mail] = session.info.pop(_BUFFER_KEY, [])
    settings = get_settings().mail
    for mail in messages:
        task = asyncio.get_running_loop().create_task(deliver(mail, settings))
        _in_flight.add(task)
        task.add_done_callback(_in_flight.discard)


async def wait_for_sends() -> None:
    """Until the sends in flight are done (shutdown, tests)."""
    if _in_flight:
        await asyncio.gather(*list(_in_flight), return_exceptions=True)


async def deliver(mail: Mail, settings: MailSettings) -> None:
    """Send one message now; a failure is logged, never raised (the request has already answered)."""
    if not settings.smtp_url:
        log.warning("mail_not_sent", kind=mail.kind, reason="SMTP_URL is not set")
        return
    try:
        await asyncio.to_thread(_send, mail, settings)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("mail_failed", kind=mail.kind, error=type(exc).__name__)
        return
    log.info("mail_sent", kind=mail.kind)


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.text)
    return message


def _send(mail: Mail, settings: MailSettings) -> None:
    """smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or smtps://... (TLS)."""
    url = urlsplit(settings.smtp_url)
    host = url.hostname or "127.0.0.1"
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, url.port or 465, timeout=SMTP_TIMEOUT_SEC, context=context)
    else:
        client = smtplib.SMTP(host, url.port or 25, timeout=SMTP_TIMEOUT_SEC)
    with client:
        client.ehlo()
        if url.scheme != "smtps" and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(build_message(mail, settings.mail_from))
