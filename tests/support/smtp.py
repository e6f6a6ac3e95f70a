"""In-process SMTP sink (aiosmtpd) that records every message it receives."""

from __future__ import annotations

import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from tests.support import free_port

__all__ = ["ReceivedMessage", "SmtpServer", "body_text"]


class ReceivedMessage(EmailMessage):
    """An ``EmailMessage`` that also remembers the SMTP envelope."""

    envelope_from: str = ""
    envelope_to: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.envelope_to = []


_PARSER = BytesParser(policy=policy.default.clone(message_factory=ReceivedMessage))


class _Handler:
    def __init__(self, sink: SmtpServer) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = _PARSER.parsebytes(envelope.original_content or envelope.content)
        assert isinstance(msg, ReceivedMessage)
        msg.envelope_from = envelope.mail_from or ""
        msg.envelope_to = list(envelope.rcpt_tos)
        self.sink._append(msg)
        return "250 Message accepted for delivery"


def _addresses(msg: ReceivedMessage) -> set[str]:
    """All recipient addresses of ``msg``: envelope plus To/Cc headers, lowercased."""
    found = {a.lower() for a in msg.envelope_to}
    for header in ("To", "Cc"):
        value = msg.get(header)
        if value is not None:
            for addr in getattr(value, "addresses", ()):
                found.add(addr.addr_spec.lower())
    return found


class SmtpServer:
    """SMTP server on 127.0.0.1 collecting messages in ``.messages``.

    Usage::

        with SmtpServer() as smtp:
            app.config["MAIL_PORT"] = smtp.port
            ...
            msg = smtp.wait_for("user@example.com", subject_contains="Verify")
            assert "https://" in body_text(msg)
    """

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port: int = port or 0
        self._fixed_port = port is not None
        self._messages: list[ReceivedMessage] = []
        self._cond = threading.Condition()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Snapshot of received messages, oldest first."""
        with self._cond:
            return list(self._messages)

    def _append(self, msg: ReceivedMessage) -> None:
        with self._cond:
            self._messages.append(msg)
            self._cond.notify_all()

    def clear(self) -> None:
        """Forget all received messages."""
        with self._cond:
            self._messages.clear()

    def start(self) -> SmtpServer:
        """Start listening; returns self."""
        last_error: Exception | None = None
        for _ in range(5):
            if not self._fixed_port:
                self.port = free_port()
            controller = Controller(_Handler(self), hostname=self.host, port=self.port)
            try:
                controller.start()
            except Exception as exc:  # port race: try another one
                last_error = exc
                if self._fixed_port:
                    break
                continue
            self._controller = controller
            return self
        raise RuntimeError(f"could not start SMTP server on {self.host}: {last_error}")

    def stop(self) -> None:
        """Stop listening (safe to call twice)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def find(self, to: str, subject_contains: str | None = None) -> list[ReceivedMessage]:
        """Messages already received for ``to`` (optionally filtered by subject substring)."""
        to = to.lower()
        return [
            m
            for m in self.messages
            if to in _addresses(m)
            and (subject_contains is None or subject_contains in str(m.get("Subject", "")))
        ]

    def wait_for(
        self, to: str, timeout: float = 10, subject_contains: str | None = None
    ) -> ReceivedMessage:
        """Newest message for ``to``, waiting up to ``timeout`` s; AssertionError if none."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self.find(to, subject_contains)
                if found:
                    return found[-1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(min(remaining, 0.1))
        seen = [(sorted(_addresses(m)), str(m.get("Subject", ""))) for m in self.messages]
        raise AssertionError(
            f"no email to {to!r}"
            + (f" with subject containing {subject_contains!r}" if subject_contains else "")
            + f" within {timeout}s; received: {seen}"
        )


def body_text(msg: EmailMessage) -> str:
    """The plain-text body of ``msg`` (falls back to the HTML part, then to '')."""
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    return content if isinstance(content, str) else content.decode(errors="replace")
