"""E-mail: messages rendered from templates, handed to an outbox folder or an SMTP relay.

A message is `templates/messages/email/<template>.<locale>.txt` and `.html`; the text template
holds the subject in `{% block subject %}`. Both get the branding settings and `locale`; the
HTML one also gets `subject`. A locale without templates falls back to French.
"""

from __future__ import annotations

import logging
import re
import secrets
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Protocol

from flask import current_app
from jinja2 import Template, TemplateNotFound

from idp import metrics
from idp.clock import SystemClock
from idp.config import BrandingSettings, MailSettings, Settings
from idp.notify import DeliveryFailed
from idp.notify.outbox import OutboxFolder, channel_folder

log = logging.getLogger(__name__)

TEMPLATES = "messages/email"
FALLBACK_LOCALE = "fr"
SUFFIX = ".eml"
# Names the mailer puts in every template's context: a caller cannot override them.
RESERVED = frozenset({"branding", "locale", "subject"})


@dataclass(frozen=True)
class Email:
    """One rendered e-mail, exactly as it was handed over."""

    to: str
    subject: str
    text: str
    html: str
    message_id: str
    sender: str
    sent_at: int
    locale: str

    def message(self) -> EmailMessage:
        """The RFC 5322 message: multipart/alternative (text, then HTML), UTF-8, 7-bit clean."""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = self.to
        msg["Subject"] = self.subject
        msg["Date"] = format_datetime(datetime.fromtimestamp(self.sent_at, UTC))
        msg["Message-ID"] = self.message_id
        # RFC 3834: out-of-office robots must not answer.
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(self.text, subtype="plain", charset="utf-8", cte="quoted-printable")
        msg.add_alternative(self.html, subtype="html", charset="utf-8", cte="quoted-printable")
        # After the parts: making the alternative moves Content-* headers into the first part.
        msg["Content-Language"] = self.locale
        return msg


class Transport(Protocol):
    def deliver(self, message: EmailMessage) -> None:
        """Hand the message over, or raise DeliveryFailed."""


class Outbox:
    """One `.eml` file per message (RFC 5322, CRLF line ends, mode 0600), newest sorting last."""

    def __init__(self, folder: Path) -> None:
        self.files = OutboxFolder(folder)

    def deliver(self, message: EmailMessage) -> None:
        from email import policy  # with smtplib, ~0.6 MiB a worker holds only once it mails

        ident = str(message["Message-ID"]).strip("<>").partition("@")[0]
        self.files.deliver(
            "email", message.as_bytes(policy=policy.SMTP), ident=ident, suffix=SUFFIX
        )

    def names(self, limit: int | None = None) -> list[str]:
        """Stored messages, newest first."""
        return self.files.names(SUFFIX, limit=limit)

    def raw(self, name: str) -> bytes | None:
        """A stored message's bytes by file name, or None when there is no such message."""
        return self.files.read(name, SUFFIX)

    def read(self, name: str, *, headers_only: bool = False) -> EmailMessage | None:
        """A stored message, parsed (`headers_only` to list many cheaply)."""
        data = self.raw(name)
        if data is None:
            return None
        from email import policy  # imported on first use, as in deliver

        parser = BytesHeaderParser if headers_only else BytesParser
        return parser(policy=policy.default).parsebytes(data)


class SmtpRelay:
    """Delivery through a relay: STARTTLS or implicit TLS with the certificate verified."""

    def __init__(self, settings: MailSettings, *, context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        # Tests and private authorities pass their own context; the default trusts the system's.
        self.context = context

    def _tls_context(self) -> ssl.SSLContext:
        """The given context, else the system's, built on the first delivery: its ~140
        authorities hold ~2 MiB, which a worker that has sent no mail yet does without (and a
        web worker never sends with `[deliveries] in_process = false`)."""
        if self.context is None:
            self.context = ssl.create_default_context()
        return self.context

    def deliver(self, message: EmailMessage) -> None:
        import smtplib  # imported on first use, as email.policy is (Outbox.deliver)

        s = self.settings
        try:
            if s.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout_seconds, context=self._tls_context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            with smtp:
                if s.security == "starttls":
                    # Raises when the relay does not offer STARTTLS: never a silent downgrade.
                    smtp.starttls(context=self._tls_context())
                if s.username:
                    smtp.login(s.username, s.password)
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            reason = f"{s.host}:{s.port} ({s.security}): {type(exc).__name__}: {exc}"
            raise DeliveryFailed("email", reason) from exc


class Mailer:
    """Renders a message from its templates and hands it to the configured backend."""

    def __init__(
        self,
        transport: Transport,
        *,
        sender: str,
        branding: BrandingSettings,
        clock: SystemClock,
    ) -> None:
        self.transport = transport
        self.sender = sender
        self.branding = branding
        self.clock = clock
        self.domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"

    def send(self, to: str, template: str, *, locale: str, **context: Any) -> Email:
        """Render `template` in `locale` (French when it has none) and deliver it to `to`.

        Needs an app context (the app's Jinja environment). Raises DeliveryFailed.
        """
        email = self.render(to, template, locale=locale, **context)
        self.transport.deliver(email.message())
        log.info("e-mail %s sent (%s, %s)", email.message_id, template, email.locale)
        metrics.message_sent("email", template)
        return email

    def render(self, to: str, template: str, *, locale: str, **context: Any) -> Email:
        """The message `send` would deliver, without delivering it."""
        if "@" not in parseaddr(to)[1] or any(c in to for c in "\r\n"):
            raise ValueError("not an e-mail address")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", template):
            raise ValueError(f"not a message template name: {template!r}")
        if clash := RESERVED & context.keys():
            raise ValueError(f"reserved template variable(s): {', '.join(sorted(clash))}")
        env = current_app.jinja_env
        text_template, locale = self._text_template(template, locale)
        values = {**context, "branding": self.branding, "locale": locale}
        subject = _subject(text_template, values)
        html_template = env.get_template(f"{TEMPLATES}/{template}.{locale}.html")
        return Email(
            to=to,
            subject=subject,
            text=text_template.render(values).strip("\n") + "\n",
            html=html_template.render({**values, "subject": subject}).strip("\n") + "\n",
            message_id=f"<{secrets.token_hex(16)}@{self.domain}>",
            sender=self.sender,
            sent_at=self.clock.now(),
            locale=locale,
        )

    def _text_template(self, template: str, locale: str) -> tuple[Template, str]:
        env = current_app.jinja_env
        wanted = locale.split("-")[0].lower() if locale else FALLBACK_LOCALE
        if wanted.isalpha():
            try:
                return env.get_template(f"{TEMPLATES}/{template}.{wanted}.txt"), wanted
            except TemplateNotFound:
                pass
        return env.get_template(f"{TEMPLATES}/{template}.{FALLBACK_LOCALE}.txt"), FALLBACK_LOCALE


def _subject(template: Template, values: dict[str, Any]) -> str:
    """The text template's `subject` block, on one line (a header cannot hold line breaks)."""
    block = template.blocks.get("subject")
    if block is None:
        raise ValueError(f"{template.name} has no {{% block subject %}}")
    return " ".join("".join(block(template.new_context(values))).split())


def outbox_folder(settings: Settings) -> Path:
    """`[mail] outbox`, or `<instance>/outbox/mail` when empty."""
    return channel_folder(settings, settings.mail.outbox, "mail")


def build_mailer(settings: Settings, clock: SystemClock) -> Mailer:
    """The mailer `[mail]` describes."""
    if settings.mail.backend == "smtp":
        transport: Transport = SmtpRelay(settings.mail)
    else:
        transport = Outbox(outbox_folder(settings))
    return Mailer(transport, sender=settings.mail.sender, branding=settings.branding, clock=clock)
