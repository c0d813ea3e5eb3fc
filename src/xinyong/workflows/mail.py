"""E-mail delivery of notices (objection receipts, decisions, repair outcomes).

A notice is a legal act recorded in the registry before it is mailed, so mail is only a courier:
`send_mail` either hands the message to the relay or raises `MailError`, and the caller records the
failure and tries again later. Nothing here logs, because a notice's body names a credit subject
and the measures against it, and logs travel further than the registry's access controls.

Configuration comes from the environment so that a deployment without a relay (a developer's
machine, CI) simply has mail disabled rather than failing at start-up.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from xinyong.timeutil import CST

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


class MailError(Exception):
    """The relay could not be reached or refused the message; worth retrying later."""

    def __init__(self, message: str, host: str | None = None, port: int | None = None) -> None:
        super().__init__(message)
        self.host = host
        self.port = port


class MailDisabled(MailError):
    """No relay is configured; retrying will not help until XINYONG_SMTP_HOST is set."""


@dataclass(frozen=True)
class MailSettings:
    """Where and as whom to send; `host=None` means mail is disabled."""

    host: str | None
    port: int = 25
    sender: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 30.0

    def __post_init__(self) -> None:
        # smtplib encodes AUTH credentials as ASCII and would fail only at the first notice.
        for name, value in (
            ("XINYONG_SMTP_USER", self.user),
            ("XINYONG_SMTP_PASSWORD", self.password),
        ):
            if value is not None and not value.isascii():
                raise ValueError(f"{name} must be ASCII: Python's smtplib cannot log in otherwise")

    @property
    def enabled(self) -> bool:
        return self.host is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MailSettings:
        """Settings from XINYONG_SMTP_*; an empty variable counts as unset.

        Misconfiguration is a ValueError here, at start-up, rather than a MailError on the first
        notice, because it is an operator's mistake that no retry will fix.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        host = get("XINYONG_SMTP_HOST")
        port_text = get("XINYONG_SMTP_PORT") or "25"
        try:
            port = int(port_text)
        except ValueError:
            port = 0
        if not 0 < port < 65536:
            raise ValueError(f"XINYONG_SMTP_PORT must be a port number, got {port_text!r}")
        starttls_text = get("XINYONG_SMTP_STARTTLS") or "0"
        if starttls_text not in {"0", "1"}:
            raise ValueError(f"XINYONG_SMTP_STARTTLS must be 0 or 1, got {starttls_text!r}")
        settings = cls(
            host=host,
            port=port,
            sender=get("XINYONG_SMTP_FROM"),
            user=get("XINYONG_SMTP_USER"),
            password=env.get("XINYONG_SMTP_PASSWORD") or None,
            starttls=starttls_text == "1",
        )
        if host is None:
            return settings
        if settings.sender is None:
            raise ValueError("XINYONG_SMTP_FROM must be set when XINYONG_SMTP_HOST is")
        if (settings.user is None) != (settings.password is None):
            raise ValueError("XINYONG_SMTP_USER and XINYONG_SMTP_PASSWORD go together")
        if settings.user is not None and not settings.starttls and host not in _LOOPBACK:
            raise ValueError(
                f"logging in to {host} without XINYONG_SMTP_STARTTLS=1 would send the password "
                "in clear text"
            )
        return settings


def send_mail(settings: MailSettings, to: str, subject: str, body: str) -> None:
    """Hand one plain-text UTF-8 message to the relay, or raise `MailError` naming host and port.

    A header that cannot be built (a line break in `to` or `subject`) is a ValueError instead: it
    is a caller's bug that a retry would only repeat.
    """
    if settings.host is None or settings.sender is None:
        raise MailDisabled("mail is disabled: XINYONG_SMTP_HOST is not set")
    host, port = settings.host, settings.port
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(dt.datetime.now(CST))
    # An explicit domain: without one make_msgid asks DNS for this host's name, which can hang.
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or "localhost")
    message.set_content(body, charset="utf-8")
    try:
        with smtplib.SMTP(host, port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user is not None and settings.password is not None:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # OSError covers refused connections, DNS failures, timeouts and TLS errors.
        reason = str(exc) or type(exc).__name__
        raise MailError(f"could not send mail via {host}:{port}: {reason}", host, port) from exc
