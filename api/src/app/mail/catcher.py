"""A local SMTP server that keeps what it receives: `spapi-saas dev`'s mail catcher (it prints each
message's links) and the tests' (they wait for the message to an address and take its link).

aiosmtpd runs the server on its own thread and event loop; nothing here is for production.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from app.kit.embedded import free_port

LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class CaughtMail:
    to: list[str]
    subject: str
    text: str

    @property
    def links(self) -> list[str]:
        return LINK.findall(self.text)


class _Handler:
    def __init__(self, catcher: MailCatcher) -> None:
        self.catcher = catcher

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        self.catcher.received(CaughtMail([str(a) for a in envelope.rcpt_tos], str(parsed["Subject"]), text))
        return "250 Message accepted for delivery"


class MailCatcher:
    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, on_mail: Callable[[CaughtMail], None] | None = None
    ) -> None:
        self.messages: list[CaughtMail] = []
        self._on_mail = on_mail
        self._lock = threading.Condition()
        # port 0: aiosmtpd cannot bind an ephemeral port itself, so pick a free one.
        self._controller = Controller(_Handler(self), hostname=host, port=port or free_port())

    @property
    def url(self) -> str:
        return f"smtp://{self._controller.hostname}:{self._controller.port}"

    def start(self) -> MailCatcher:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def received(self, mail: CaughtMail) -> None:
        with self._lock:
            self.messages.append(mail)
            self._lock.notify_all()
        if self._on_mail is not None:
            self._on_mail(mail)

    def wait_for(self, address: str, *, subject: str = "", timeout: float = 15.0) -> CaughtMail:
        """The latest message to `address` (whose subject contains `subject`), waiting for it."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for mail in reversed(self.messages):
                    if address.lower() in (a.lower() for a in mail.to) and subject in mail.subject:
                        return mail
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no mail to {address} ({subject!r}) within {timeout}s")
                self._lock.wait(left)
