"""SMS: short texts rendered from templates, handed to an outbox folder or a provider's HTTP API.

A message is `templates/messages/sms/<template>.<locale>.txt`, plain text that must fit in two
SMS segments (`segments` counts them; the tests hold every template to it). It gets the branding
settings and `locale`. A locale without a template falls back to French.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from flask import current_app
from jinja2 import Template, TemplateNotFound

from idp import metrics
from idp.clock import SystemClock
from idp.config import SMS_BODY_PLACEHOLDERS, BrandingSettings, Settings, SmsSettings
from idp.notify import DeliveryFailed
from idp.notify.outbox import OutboxFolder, channel_folder

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

TEMPLATES = "messages/sms"
FALLBACK_LOCALE = "fr"
SUFFIX = ".json"
# Names the sender puts in every template's context: a caller cannot override them.
RESERVED = frozenset({"branding", "locale"})
# A message longer than this costs more and may arrive in pieces on old phones.
MAX_SEGMENTS = 2
E164 = re.compile(r"\+[1-9][0-9]{7,14}")
PLACEHOLDER = re.compile(r"\{(" + "|".join(SMS_BODY_PLACEHOLDERS) + r")\}")

# GSM 03.38: the default alphabet, and its extension table (each of those costs two septets).
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


def segments(text: str) -> int:
    """How many SMS `text` takes: in the GSM 7-bit alphabet 160 characters fit in one, 153 in
    each part of a longer one; any other character (ê, ç, ’, «) switches the whole text to
    UCS-2: 70 characters, or 67 per part."""
    if all(c in GSM7 or c in GSM7_EXTENDED for c in text):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        single, part = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else -(-units // part)


@dataclass(frozen=True)
class Sms:
    """One rendered SMS, exactly as it was handed over."""

    to: str
    text: str
    id: str
    sent_at: int
    locale: str
    template: str = ""
    sender: str = ""

    @property
    def segments(self) -> int:
        return segments(self.text)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "segments": self.segments}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sms:
        return cls(
            to=str(data["to"]),
            text=str(data["text"]),
            id=str(data["id"]),
            sent_at=int(data["sent_at"]),
            locale=str(data.get("locale", "")),
            template=str(data.get("template", "")),
            sender=str(data.get("sender", "")),
        )


class Transport(Protocol):
    def deliver(self, sms: Sms) -> None:
        """Hand the message over, or raise DeliveryFailed."""


class Outbox:
    """One JSON file per message (UTF-8, mode 0600), newest sorting last."""

    def __init__(self, folder: Path) -> None:
        self.files = OutboxFolder(folder)

    def deliver(self, sms: Sms) -> None:
        data = json.dumps(sms.to_json(), indent=2, ensure_ascii=False) + "\n"
        self.files.deliver("sms", data.encode(), ident=sms.id, suffix=SUFFIX)

    def names(self, limit: int | None = None) -> list[str]:
        """Stored messages, newest first."""
        return self.files.names(SUFFIX, limit=limit)

    def read(self, name: str) -> Sms | None:
        """A stored message by file name, or None when there is no such message."""
        data = self.files.read(name, SUFFIX)
        if data is None:
            return None
        try:
            return Sms.from_json(json.loads(data.decode("utf-8")))
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable SMS in the outbox: %s", name)
            return None


def request_body(template: str, values: dict[str, str]) -> bytes:
    """`[sms] body` with its placeholders replaced: the template is parsed as JSON first and the
    values go into its strings, so quotes and line breaks in a text are escaped by the encoder,
    never spliced into the JSON source."""

    def fill(node: Any) -> Any:
        if isinstance(node, str):
            return PLACEHOLDER.sub(lambda match: values[match.group(1)], node)
        if isinstance(node, list):
            return [fill(item) for item in node]
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        return node

    return json.dumps(fill(json.loads(template)), ensure_ascii=False).encode()


class HttpGateway:
    """A provider's HTTP API: one JSON POST per message, TLS verified, no redirect followed."""

    def __init__(self, settings: SmsSettings, *, session: requests.Session | None = None) -> None:
        self.settings = settings
        # Tests may pass a session; otherwise each message gets its own (thread-safe).
        self.session = session
        parts = urlsplit(settings.url)
        # What a failure may tell: never the path or query (an API key may sit there).
        self.endpoint = f"{parts.scheme}://{parts.hostname}" + (
            f":{parts.port}" if parts.port else ""
        )

    def deliver(self, sms: Sms) -> None:
        import requests  # only the HTTP gateway needs it: workers load it on first use

        s = self.settings
        body = request_body(
            s.body, {"to": sms.to, "text": sms.text, "sender": sms.sender, "id": sms.id}
        )
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        auth: tuple[str, str] | None = None
        if s.auth == "bearer":
            headers["Authorization"] = f"Bearer {s.token}"
        elif s.auth == "basic":
            auth = (s.username, s.password)
        try:
            post = self.session.post if self.session is not None else requests.post
            response = post(
                s.url,
                data=body,
                headers=headers,
                auth=auth,
                timeout=s.timeout_seconds,
                verify=True,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            # The exception's text names the URL: keep to its type.
            raise DeliveryFailed("sms", f"{self.endpoint}: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed("sms", f"{self.endpoint}: HTTP {response.status_code}")


class SmsSender:
    """Renders a message from its template and hands it to the configured backend."""

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

    def send(self, to: str, template: str, *, locale: str, **context: Any) -> Sms:
        """Render `template` in `locale` (French when it has none) and deliver it to `to`, a
        number in E.164 form (+33612345678). Needs an app context. Raises DeliveryFailed."""
        sms = self.render(to, template, locale=locale, **context)
        self.transport.deliver(sms)
        log.info("SMS %s sent (%s, %s, %d segment(s))", sms.id, template, sms.locale, sms.segments)
        metrics.message_sent("sms", template)
        return sms

    def render(self, to: str, template: str, *, locale: str, **context: Any) -> Sms:
        """The message `send` would deliver, without delivering it."""
        if not E164.fullmatch(to):
            raise ValueError("not a phone number in E.164 form")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", template):
            raise ValueError(f"not a message template name: {template!r}")
        if clash := RESERVED & context.keys():
            raise ValueError(f"reserved template variable(s): {', '.join(sorted(clash))}")
        text_template, locale = self._template(template, locale)
        text = _tidy(text_template.render({**context, "branding": self.branding, "locale": locale}))
        sms = Sms(
            to=to,
            text=text,
            id=secrets.token_hex(16),
            sent_at=self.clock.now(),
            locale=locale,
            template=template,
            sender=self.sender,
        )
        if sms.segments > MAX_SEGMENTS:
            log.warning("SMS %s (%s) takes %d segments", sms.id, template, sms.segments)
        return sms

    def _template(self, template: str, locale: str) -> tuple[Template, str]:
        env = current_app.jinja_env
        wanted = locale.split("-")[0].lower() if locale else FALLBACK_LOCALE
        if wanted.isalpha():
            try:
                return env.get_template(f"{TEMPLATES}/{template}.{wanted}.txt"), wanted
            except TemplateNotFound:
                pass
        return env.get_template(f"{TEMPLATES}/{template}.{FALLBACK_LOCALE}.txt"), FALLBACK_LOCALE


def _tidy(text: str) -> str:
    """No trailing spaces, no blank line runs, nothing around: every character is paid for."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def outbox_folder(settings: Settings) -> Path:
    """`[sms] outbox`, or `<instance>/outbox/sms` when empty."""
    return channel_folder(settings, settings.sms.outbox, "sms")


def build_sms(settings: Settings, clock: SystemClock) -> SmsSender:
    """The SMS sender `[sms]` describes."""
    if settings.sms.backend == "http":
        transport: Transport = HttpGateway(settings.sms)
    else:
        transport = Outbox(outbox_folder(settings))
    return SmsSender(transport, sender=settings.sms.sender, branding=settings.branding, clock=clock)
