"""What the provider e-mailed, texted and posted, read back from a test app's outbox folders
with independent readers (the standard library's e-mail parser, json, pypdf), not the provider's
own reading code."""

from __future__ import annotations

import json
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from idp.extensions import db
from idp.notify import postal, sms
from idp.notify.mail import outbox_folder
from idp.services import outbox

URL = re.compile(r"https?://[^\s<>\"']+")


def settle(app: Flask) -> None:
    """What a worker would have done by now: the work left beside the answers ends (it queues
    messages), then one pass of the delivery worker sends what is due."""
    app.extensions["idp.deferred"].wait()
    app.extensions["idp.deliveries"].run_once()


def emails(app: Flask) -> list[EmailMessage]:
    """Every e-mail sent so far, newest last."""
    settings = app.extensions["idp"].settings
    assert settings.mail.backend == "outbox", "the test app does not deliver to its outbox"
    folder = outbox_folder(settings)
    if not folder.is_dir():
        return []
    parser = BytesParser(policy=policy.default)
    return [
        parser.parsebytes(path.read_bytes())  # type: ignore[misc]
        for path in sorted(folder.glob("*.eml"))
    ]


def last_email(app: Flask) -> EmailMessage:
    """The e-mail sent last; fails the test when none was sent."""
    sent = emails(app)
    assert sent, "no e-mail was sent"
    return sent[-1]


def text_part(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None, "the e-mail has no text part"
    return part.get_content().replace("\r\n", "\n")  # files keep RFC 5322's CRLF


def html_part(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None, "the e-mail has no HTML part"
    return part.get_content().replace("\r\n", "\n")  # files keep RFC 5322's CRLF


def links(message: EmailMessage) -> list[str]:
    """The http(s) URLs of the text part, in order (an invitation's link, a sign-in URL...)."""
    return [url.rstrip(".,;:!?)") for url in URL.findall(text_part(message))]


def open_link(http: FlaskClient, link: str, clean_path: str) -> str:
    """Open an e-mailed one-time link as a browser does: it must answer only a 303 to
    `clean_path`, a URL without its token, which then shows the page."""
    path = link.split("http://idp.test", 1)[-1]
    token = path.rsplit("/", 1)[1]
    response = http.get(path)
    assert response.status_code == 303, response.status_code
    assert response.location == clean_path
    assert token not in response.get_data(as_text=True)
    return clean_path


def sms_messages(app: Flask) -> list[dict[str, Any]]:
    """Every SMS sent so far, newest last: the JSON of each outbox file (`to`, `text`, `id`,
    `sent_at`, `locale`, `template`, `sender`, `segments`)."""
    settings = app.extensions["idp"].settings
    assert settings.sms.backend == "outbox", "the test app does not deliver SMS to its outbox"
    folder = sms.outbox_folder(settings)
    if not folder.is_dir():
        return []
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]


def last_sms(app: Flask) -> dict[str, Any]:
    """The SMS sent last; fails the test when none was sent."""
    sent = sms_messages(app)
    assert sent, "no SMS was sent"
    return sent[-1]


def letters(app: Flask) -> list[dict[str, Any]]:
    """Every letter queued so far, oldest first: the JSON next to each PDF (`id`, `recipient`,
    `template`, `locale`, `subject`, `status`, `created_at`...), plus `pdf_path`."""
    folder = postal.outbox_folder(app.extensions["idp"].settings)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append({**data, "pdf_path": folder / data["pdf"]})
    return found


def last_letter(app: Flask) -> dict[str, Any]:
    """The letter queued last; fails the test when none was."""
    queued = letters(app)
    assert queued, "no letter was queued"
    return queued[-1]


def letter_text(letter: dict[str, Any] | Path) -> str:
    """The text of a letter's PDF (a `letters()` entry or a path), pages joined, extracted by
    pypdf with non-breaking spaces made plain."""
    path = letter if isinstance(letter, Path) else letter["pdf_path"]
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def one_in_each_state(app: Flask, now: int, secret: str) -> dict[str, int]:
    """Three temporary-password messages saying `secret`, a minute apart: sent (to Marie), waiting
    for its second attempt (an SMS), failed after its last (to Paul); their ids by state."""
    with app.app_context():
        ids = {}
        for n, (state, channel, recipient) in enumerate(
            [
                (outbox.SENT, "email", "marie@example.org"),
                (outbox.PENDING, "sms", "+33612345678"),
                (outbox.FAILED, "email", "paul@example.org"),
            ]
        ):
            message = outbox.enqueue(
                channel,
                recipient,
                "temporary_password",
                locale="fr",
                context={"temporary_password": secret},
                recipient=recipient,
                now=now - 60 * (3 - n),
                hash_key=app.extensions["idp"].hash_key,
            )
            db.session.flush()
            message.state = state
            if state == outbox.SENT:
                message.attempts, message.sent_at, message.payload = 1, now - 170, None
            if state == outbox.PENDING:
                message.attempts, message.next_attempt_at = 1, now + 600
                message.last_error = "SMS provider: 503"
            if state == outbox.FAILED:
                message.attempts, message.next_attempt_at = 5, None
                message.last_error = "451 4.3.0 Try again later"
            ids[state] = message.id
        db.session.commit()
    return ids
