"""Development pages: the outboxes where sent messages land, so a newcomer can read them.

Registered only with `[server] development = true`, which the configuration refuses on an https
issuer: on a real instance these URLs do not exist. One section per channel: e-mail now, SMS
and postal letters when they come (each adds a `Section` builder and a detail view).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, abort, render_template
from markupsafe import Markup, escape

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


@dataclass(frozen=True)
class Section:
    """One channel's outbox: `channel` names its catalogue keys (`dev.channel.<channel>`)."""

    channel: str
    entries: list[Entry]
    # Catalogue key of a remark on the channel, e.g. that its messages are not kept here.
    note: str | None = None
    truncated: bool = False


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


@bp.get("/outbox")
def outbox() -> str:
    return render_template("dev/outbox.html", sections=[_email_section()])


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


@bp.get("/dev.css")
def stylesheet() -> Response:
    """The development pages' few extra rules (served same-origin: the CSP allows 'self')."""
    return Response(render_template("dev/dev.css"), mimetype="text/css")
