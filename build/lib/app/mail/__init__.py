"""Outgoing mail: SMTP (aiosmtplib), or .eml files under var/mail/ when no SMTP server is configured."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

log = logging.getLogger("portal.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


def _one_line(text: str) -> str:
    """A header's text on one line: a CR or LF (in a merchant's business name, say) would make
    the header invalid and stop the mail, or could add headers of its own."""
    return " ".join(text.split())


def _message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = _one_line(sender)
    message["To"] = Address(addr_spec=mail.to)
    message["Subject"] = _one_line(mail.subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "portal.local")
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


@dataclass
class SmtpMailer:
    """smtp://user:pass@host:587 (STARTTLS when offered; ?starttls=false to forbid), smtps://host:465 (TLS)."""

    url: str
    sender: str

    async def send(self, mail: Mail) -> None:
        parts = urlsplit(self.url)
        options = parse_qs(parts.query)
        implicit_tls = parts.scheme == "smtps"
        starttls = None if options.get("starttls", ["auto"])[0] == "auto" else options["starttls"][0] == "true"
        await aiosmtplib.send(
            _message(mail, self.sender),
            hostname=parts.hostname or "127.0.0.1",
            port=parts.port or (465 if implicit_tls else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit_tls,
            start_tls=False if implicit_tls else starttls,
            timeout=15,
        )


@dataclass
class FileMailer:
    """No SMTP configured (the `make run` default): each mail becomes an .eml file, and is logged."""

    folder: Path
    sender: str

    async def send(self, mail: Mail) -> None:
        path = await asyncio.to_thread(self._write, _message(mail, self.sender))
        log.info("mail to %s written to %s\n%s", mail.to, path, mail.text)

    def _write(self, message: EmailMessage) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        path = self.folder / f"{name}.eml"
        path.write_bytes(bytes(message))
        return path


def mailer_for(smtp_url: str | None, sender: str, folder: Path) -> Mailer:
    return SmtpMailer(smtp_url, sender) if smtp_url else FileMailer(folder, sender)
