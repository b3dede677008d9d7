"""Postal letters: a French administrative letter rendered to PDF, left for the print room.

A letter is `templates/messages/letter/<template>.<locale>.txt`: a set of blocks, each a part of
the letter (`subject`, `body`, `secret_label`, `secret`, `usage`; see `_base.fr.txt`), the blocks
a letter leaves out taken from `_base.<locale>.txt`. A locale without templates falls back to
French. The layout is the usual French one (NF Z10-011, La Poste's window envelopes): the
organisation top left, the recipient in the window on the right, place and date, "Objet :", the
body, the code or temporary password set apart in a box, how to use it, the signature.

Each letter is two files in `[postal] outbox`: `<time>-<id>.pdf`, and `<time>-<id>.json` with
the recipient and the status (pending, exported, sent; written last: a letter exists once its
JSON does). The JSON never holds the secret: only the PDF does. `idp letters` works the queue.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app
from jinja2 import Template, TemplateNotFound

from idp import metrics
from idp.clock import SystemClock
from idp.config import BrandingSettings, PostalSettings, Settings, postal_place
from idp.notify import DeliveryFailed
from idp.notify.letter_parts import TEMPLATES, Letterhead, PostalAddress
from idp.notify.outbox import OutboxFolder, channel_folder

log = logging.getLogger(__name__)

FALLBACK_LOCALE = "fr"
PDF, META = ".pdf", ".json"
STATUSES = ("pending", "exported", "sent")
# Names the letter box puts in every template's context: a caller cannot override them.
RESERVED = frozenset({"branding", "locale", "site_url", "reference", "place", "date"})
LETTER_ID = re.compile(r"[0-9a-f]{16}")


class UnknownLetter(LookupError):
    """No letter has this id."""


@dataclass(frozen=True)
class Letter:
    """One letter of the outbox: its PDF, who it goes to, and where it stands."""

    id: str
    recipient: PostalAddress
    template: str
    locale: str
    subject: str
    created_at: int
    pdf: Path
    status: str = "pending"
    exported_at: int | None = None
    sent_at: int | None = None

    @property
    def name(self) -> str:
        """The file name of its JSON (what the development pages link to)."""
        return self.pdf.with_suffix(META).name

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "recipient": self.recipient.to_json(),
            "template": self.template,
            "locale": self.locale,
            "subject": self.subject,
            "created_at": self.created_at,
            "status": self.status,
            "exported_at": self.exported_at,
            "sent_at": self.sent_at,
            "pdf": self.pdf.name,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], folder: Path) -> Letter:
        if data["status"] not in STATUSES or not LETTER_ID.fullmatch(data["id"]):
            raise ValueError("not a letter")
        return cls(
            id=data["id"],
            recipient=PostalAddress.from_json(data["recipient"]),
            template=data["template"],
            locale=data["locale"],
            subject=data["subject"],
            created_at=int(data["created_at"]),
            pdf=folder / Path(data["pdf"]).name,
            status=data["status"],
            exported_at=data.get("exported_at"),
            sent_at=data.get("sent_at"),
        )


@dataclass(frozen=True)
class RenderedLetter:
    """What `LetterBox.render` makes: the PDF and what the JSON will say of it."""

    id: str
    subject: str
    locale: str
    pdf: bytes = field(repr=False)


class LetterBox:
    """Renders letters to PDF into the outbox folder, and keeps their status for the print room."""

    def __init__(
        self,
        folder: Path,
        *,
        postal: PostalSettings,
        place: str,
        site_url: str,
        branding: BrandingSettings,
        clock: SystemClock,
    ) -> None:
        self.files = OutboxFolder(folder)
        self.postal = postal
        self.place = place
        self.site_url = site_url
        self.branding = branding
        self.clock = clock
        self.timezone = ZoneInfo(postal.timezone)

    @property
    def folder(self) -> Path:
        return self.files.folder

    # -- sending -----------------------------------------------------------------------------

    def send(self, address: PostalAddress, template: str, *, locale: str, **context: Any) -> Letter:
        """Render `template` in `locale` (French when it has none) to a PDF addressed to
        `address`, and queue it as pending. Needs an app context. Raises DeliveryFailed."""
        rendered = self.render(address, template, locale=locale, **context)
        letter = Letter(
            id=rendered.id,
            recipient=address,
            template=template,
            locale=rendered.locale,
            subject=rendered.subject,
            created_at=self.clock.now(),
            pdf=Path(),
        )
        try:
            pdf = self.files.write(rendered.pdf, ident=letter.id, suffix=PDF)
            os.chmod(pdf, 0o600)  # OutboxFolder makes it so; said again: it holds a secret
            letter = replace(letter, pdf=pdf)
            _write_atomically(pdf.with_suffix(META), _encode(letter))
        except OSError as exc:
            raise DeliveryFailed("postal", f"outbox {self.folder}: {exc}") from exc
        log.info("letter %s queued (%s, %s)", letter.id, template, letter.locale)
        metrics.message_sent("post", template)
        return letter

    def render(
        self, address: PostalAddress, template: str, *, locale: str, **context: Any
    ) -> RenderedLetter:
        """The PDF `send` would queue, without queueing it."""
        if not isinstance(address, PostalAddress):
            raise TypeError("address must be a PostalAddress")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", template):
            raise ValueError(f"not a letter template name: {template!r}")
        if clash := RESERVED & context.keys():
            raise ValueError(f"reserved template variable(s): {', '.join(sorted(clash))}")
        own, base, locale = self._templates(template, locale)
        letter_id = secrets.token_hex(8)
        values = {
            **context,
            "branding": self.branding,
            "locale": locale,
            "site_url": self.site_url,
            "reference": letter_id,
            "place": self.place,
            "date": self._date(locale),
        }
        parts = {name: _block(name, (own, base), values) for name in BLOCKS}
        for required in ("subject", "body"):
            if not parts[required]:
                raise ValueError(f"{own.name} has no {{% block {required} %}}")
        subject = " ".join(parts["subject"].split())
        from idp.notify.letter_pdf import render  # fpdf2 loads only for letters

        letterhead = Letterhead(
            organisation=self.branding.organisation,
            name=self.branding.name,
            sender_address=self.postal.sender_address,
            signature=self.postal.signature,
            created_at=self.clock.now(),
        )
        pdf = render(letterhead, locale, parts | {"subject": subject}, address)
        return RenderedLetter(id=letter_id, subject=subject, locale=locale, pdf=pdf)

    def _templates(self, template: str, locale: str) -> tuple[Template, Template, str]:
        env = current_app.jinja_env
        wanted = locale.split("-")[0].lower() if locale else FALLBACK_LOCALE
        if not wanted.isalpha():
            wanted = FALLBACK_LOCALE
        try:
            own = env.get_template(f"{TEMPLATES}/{template}.{wanted}.txt")
        except TemplateNotFound:
            wanted = FALLBACK_LOCALE
            own = env.get_template(f"{TEMPLATES}/{template}.{wanted}.txt")
        return own, env.get_template(f"{TEMPLATES}/_base.{wanted}.txt"), wanted

    def _date(self, locale: str) -> str:
        """Today where the organisation is: "22 novembre 2026", "1er décembre 2026" in French,
        "22 November 2026" in English."""
        day = datetime.fromtimestamp(self.clock.now(), self.timezone).date()
        text = format_date(day, "d MMMM y", locale=locale)
        return "1er" + text[1:] if locale == "fr" and day.day == 1 else text

    # -- the queue -----------------------------------------------------------------------------

    def letters(self, status: str | None = None) -> list[Letter]:
        """Letters in the order they were written (the print room's order), maybe one status."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        found = (self.read(name) for name in reversed(self.files.names(META)))
        return [letter for letter in found if letter and status in (None, letter.status)]

    def read(self, name: str) -> Letter | None:
        """A letter by the name of its JSON file (from a URL: trust nothing), or None."""
        path = self.files.path(name)
        if path is None or path.suffix != META:
            return None
        try:
            letter = Letter.from_json(json.loads(path.read_text(encoding="utf-8")), self.folder)
        except FileNotFoundError:  # removed meanwhile
            return None
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable letter in the outbox: %s", name)
            return None
        return letter if letter.name == name else None

    def get(self, letter_id: str) -> Letter:
        """The letter with this id; UnknownLetter when there is none."""
        if LETTER_ID.fullmatch(letter_id):
            for name in self.files.names(META):
                if name.endswith(f"-{letter_id}{META}"):
                    letter = self.read(name)
                    if letter is not None:
                        return letter
        raise UnknownLetter(letter_id)

    def pdf_path(self, name: str) -> Path | None:
        """A letter's PDF by file name (from a URL: trust nothing), or None."""
        path = self.files.path(name)
        if path is None or path.suffix != PDF or not path.with_suffix(META).is_file():
            return None
        return path

    def mark(self, letter_id: str, status: str) -> Letter:
        """Move a letter to `exported` or `sent` (a rewrite of its JSON, all or nothing)."""
        if status not in STATUSES[1:]:
            raise ValueError("a letter can be marked exported or sent")
        letter = self.get(letter_id)
        if STATUSES.index(status) <= STATUSES.index(letter.status):
            return letter  # already there, or further: a status never goes back
        now = self.clock.now()
        if status == "exported":
            letter = replace(letter, status="exported", exported_at=now)
        else:
            letter = replace(letter, status="sent", sent_at=now)
        _write_atomically(letter.pdf.with_suffix(META), _encode(letter))
        return letter

    def export(self, destination: Path, *, mark: bool = False) -> list[Letter]:
        """Copy the pending letters' PDFs into `destination` (made if need be) for printing;
        with `mark`, each copied letter becomes `exported`."""
        pending = self.letters("pending")
        destination.mkdir(mode=0o700, parents=True, exist_ok=True)
        done = []
        for letter in pending:
            target = destination / letter.pdf.name
            shutil.copyfile(letter.pdf, target)
            os.chmod(target, 0o600)
            done.append(self.mark(letter.id, "exported") if mark else letter)
        return done


# -- templates -----------------------------------------------------------------------------------

# The parts of a letter, as blocks of its template (or of `_base.<locale>.txt`).
BLOCKS = (
    "reference",
    "dateline",
    "subject_label",
    "subject",
    "salutation",
    "body",
    "secret_label",
    "secret",
    "usage",
    "closing",
    "footer",
)


def _block(name: str, templates: Iterable[Template], values: dict[str, Any]) -> str:
    for template in templates:
        block = template.blocks.get(name)
        if block is not None:
            return "".join(block(template.new_context(values))).strip()
    return ""


def _encode(letter: Letter) -> bytes:
    return (json.dumps(letter.to_json(), indent=2, ensure_ascii=False) + "\n").encode()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write `path` all at once (mode 0600): readers see the old content or the new one."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def outbox_folder(settings: Settings) -> Path:
    """`[postal] outbox`, or `<instance>/outbox/letters` when empty."""
    return channel_folder(settings, settings.postal.outbox, "letters")


def build_letters(settings: Settings, clock: SystemClock) -> LetterBox:
    """The letter box `[postal]` describes."""
    return LetterBox(
        outbox_folder(settings),
        postal=settings.postal,
        place=postal_place(settings),
        site_url=settings.issuer,
        branding=settings.branding,
        clock=clock,
    )
