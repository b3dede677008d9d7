"""Development pages: the outboxes where sent messages land, so a newcomer can read them.

Registered only with `[server] development = true`, which the configuration refuses on an https
issuer: on a real instance these URLs do not exist. One section per channel (e-mail, SMS, postal
letters), each with a `Section` builder and a detail view (a letter's is its PDF).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template
from markupsafe import Markup, escape

from idp.notify import sms
from idp.notify.mail import Outbox, outbox_folder
from idp.runtime import runtime

bp = Blueprint("dev", __name__, url_prefix="/dev")

# The listing reads every file's headers: keep it bounded.
LIST_LIMIT = 200
EMAIL_HEADERS = ("Date", "From", "To", "Subject", "Message-ID", "Auto-Submitted")
URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Entry:
    name: str
    sent_at: datetime | None
    to: str
    summary: str
    # Content-Language of the message, for screen readers.
    language: str = ""
    # A letter's status (catalogue key `dev.letter.status.<status>`).
    status: str = ""


@dataclass(frozen=True)
class Section:
    """One channel's outbox: `channel` names its catalogue keys (`dev.channel.<channel>`)."""

    channel: str
    entries: list[Entry]
    # Catalogue key of a remark on the channel, e.g. that its messages are not kept here.
    note: str | None = None
    truncated: bool = False
    # The view an entry links to (it takes the entry's `name`), the table's caption and the
    # heading of its last column (catalogue keys).
    endpoint: str = "dev.message"
    caption: str = "dev.outbox.caption"
    summary_column: str = "dev.column.subject"


def linkify(text: str) -> Markup:
    """Plain text with its http(s) URLs made into links, everything else escaped."""
    parts: list[str] = []
    last = 0
    for match in URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)»")
        parts.append(escape(text[last : match.start()]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = match.start() + len(url)
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def _email_outbox() -> Outbox:
    return Outbox(outbox_folder(runtime().settings))


def _email_section() -> Section:
    outbox = _email_outbox()
    names = outbox.names(limit=LIST_LIMIT)
    entries = []
    for name in names:
        message = outbox.read(name, headers_only=True)
        if message is not None:
            date = getattr(message["Date"], "datetime", None)
            entries.append(
                Entry(
                    name,
                    date,
                    str(message["To"] or ""),
                    str(message["Subject"] or ""),
                    str(message["Content-Language"] or ""),
                )
            )
    note = None if runtime().settings.mail.backend == "outbox" else "dev.outbox.smtp"
    return Section("email", entries, note, truncated=len(names) == LIST_LIMIT)


def _sms_outbox() -> sms.Outbox:
    return sms.Outbox(sms.outbox_folder(runtime().settings))


def _sms_section() -> Section:
    outbox = _sms_outbox()
    names = outbox.names(limit=LIST_LIMIT)
    entries = []
    for name in names:
        message = outbox.read(name)
        if message is not None:
            sent_at = datetime.fromtimestamp(message.sent_at, UTC)
            entries.append(Entry(name, sent_at, message.to, message.text, message.locale))
    note = None if runtime().settings.sms.backend == "outbox" else "dev.outbox.sms_http"
    return Section(
        "sms",
        entries,
        note,
        truncated=len(names) == LIST_LIMIT,
        endpoint="dev.sms_message",
        caption="dev.caption.sms",
        summary_column="dev.column.text",
    )


def _letter_section() -> Section:
    letters = runtime().letters.letters()[::-1]
    entries = [
        Entry(
            letter.pdf.name,
            datetime.fromtimestamp(letter.created_at, UTC),
            ", ".join(
                (letter.recipient.name, f"{letter.recipient.postal_code} {letter.recipient.city}")
            ),
            letter.subject,
            letter.locale,
            letter.status,
        )
        for letter in letters[:LIST_LIMIT]
    ]
    return Section(
        "letter",
        entries,
        "dev.outbox.letters_hint",
        truncated=len(letters) > LIST_LIMIT,
        endpoint="dev.letter_pdf",
        caption="dev.caption.letter",
    )


@bp.get("/outbox")
def outbox() -> str:
    sections = [_email_section(), _sms_section(), _letter_section()]
    return render_template("dev/outbox.html", sections=sections)


@bp.get("/outbox/<name>")
def message(name: str) -> str:
    email = _email_outbox().read(name)
    if email is None:
        abort(404)
    text = email.get_body(("plain",))
    html = email.get_body(("html",))
    return render_template(
        "dev/email.html",
        name=name,
        subject=str(email["Subject"] or ""),
        language=str(email["Content-Language"] or ""),
        headers=[(header, str(email[header])) for header in EMAIL_HEADERS if email[header]],
        text=linkify(text.get_content()) if text is not None else None,
        html=html.get_content() if html is not None else None,
    )


@bp.get("/outbox/<name>/raw")
def raw(name: str) -> Response:
    data = _email_outbox().raw(name)
    if data is None:
        abort(404)
    return Response(data, mimetype="text/plain")


@bp.get("/outbox/sms/<name>")
def sms_message(name: str) -> str:
    message = _sms_outbox().read(name)
    if message is None:
        abort(404)
    sent_at = datetime.fromtimestamp(message.sent_at, UTC)
    fields = [
        ("to", message.to),
        ("sender", message.sender),
        ("sent_at", sent_at.isoformat()),
        ("template", message.template),
        ("locale", message.locale),
        ("segments", str(message.segments)),
        ("id", message.id),
    ]
    return render_template(
        "dev/sms.html",
        message=message,
        fields=[(key, value) for key, value in fields if value],
        text=linkify(message.text),
    )


@bp.get("/outbox/letters/<name>")
def letter_pdf(name: str) -> Response:
    """A letter as it will be printed, shown by the browser (names are checked: no traversal)."""
    path = runtime().letters.pdf_path(name)
    if path is None:
        abort(404)
    try:
        data = path.read_bytes()
    except FileNotFoundError:  # removed meanwhile
        abort(404)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )


@bp.get("/dev.css")
def stylesheet() -> Response:
    """The development pages' few extra rules (served same-origin: the CSP allows 'self')."""
    return Response(render_template("dev/dev.css"), mimetype="text/css")
